//! Sign-in and consent pages: CSRF, clickjacking, cookies, error pages.

use crate::harness::*;

#[tokio::test]
async fn consent_without_a_valid_csrf_token_is_refused() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let id = demo["client_id"].as_str().unwrap();
    let browser = browser();
    let next = format!("/oauth/authorize?response_type=code&client_id={id}&scope=profile&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
    sign_in(&provider, &browser, &next, "demo", "demo-password").await;
    let html = browser
        .get(provider.url(&next))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut fields: Vec<(String, String)> = hidden_fields(&html)
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    fields.push(("decision".into(), "allow".into()));
    let missing = browser
        .post(provider.url("/oauth/authorize"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 403);
    fields.push(("csrf_token".into(), "forged".into()));
    let forged = browser
        .post(provider.url("/oauth/authorize"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    // A login form posted without the site's token is refused too.
    let login = crate::harness::browser()
        .post(provider.url("/login"))
        .form(&[
            ("username", "demo"),
            ("password", "demo-password"),
            ("csrf_token", "x"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 403);
}

#[tokio::test]
async fn wrong_password_shows_the_login_form_again() {
    let provider = Provider::start().await;
    provider.demo();
    let browser = browser();
    let answer = sign_in(&provider, &browser, "/", "demo", "wrong").await;
    assert_eq!(answer.status().as_u16(), 401);
    let html = answer.text().await.unwrap();
    assert!(html.contains("Wrong username or password"));
    assert!(html.contains("type=password"));
    assert!(
        html.contains("value=\"demo\""),
        "the username stays filled in"
    );
}

#[tokio::test]
async fn the_sign_in_page_fills_in_the_login_hint() {
    let provider = Provider::start().await;
    let next = "/oauth/authorize?response_type=code&client_id=x&login_hint=ada%40example.com%22";
    let page = browser()
        .get(provider.url("/login"))
        .query(&[("next", next)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // OpenID Connect Core §3.1.2.1, HTML-escaped.
    assert!(page.contains("value=\"ada@example.com&quot;\""), "{page}");
}

#[tokio::test]
async fn pages_cannot_be_framed_and_cookies_are_http_only() {
    let provider = Provider::start().await;
    provider.demo();
    let browser = browser();
    let page = browser.get(provider.url("/login")).send().await.unwrap();
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let answer = sign_in(&provider, &browser, "/", "demo", "demo-password").await;
    let cookies: Vec<String> = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("session="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
}

#[tokio::test]
async fn unknown_client_and_unregistered_redirect_show_an_error_page() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let id = demo["client_id"].as_str().unwrap();
    for query in [
        "response_type=code&client_id=nobody".to_owned(),
        format!("response_type=code&client_id={id}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"),
    ] {
        let answer = browser()
            .get(provider.url(&format!("/oauth/authorize?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 400, "{query}");
        assert!(answer.headers().get("location").is_none());
        let html = answer.text().await.unwrap();
        assert!(html.contains("This request cannot be completed"), "{html}");
    }
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_throttled() {
    let provider = Provider::start().await;
    provider.demo();
    let browser = browser();
    for _ in 0..5 {
        assert_eq!(
            sign_in(&provider, &browser, "/", "demo", "wrong")
                .await
                .status()
                .as_u16(),
            401
        );
    }
    let refused = sign_in(&provider, &browser, "/", "demo", "demo-password").await;
    assert_eq!(refused.status().as_u16(), 429);
    assert!(
        refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    // Another account from the same address is not locked by demo's failures.
    provider.cli(&["users", "create", "erin", "--password", "erin-pw"]);
    assert_eq!(
        sign_in(&provider, &browser, "/", "erin", "erin-pw")
            .await
            .status()
            .as_u16(),
        303
    );
}

/// Issue 11 §10: the session ends on the server; a copied cookie is worthless after sign-out.
#[tokio::test]
async fn a_copied_session_cookie_stops_working_at_sign_out() {
    let provider = Provider::start().await;
    provider.demo();
    let browser = browser();
    let answer = sign_in(&provider, &browser, "/", "demo", "demo-password").await;
    assert_eq!(answer.status().as_u16(), 303);
    let session = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("session="))
        .expect("a session cookie");
    let session = session.split(';').next().unwrap().to_owned();
    // The stolen copy works while the session lives: the consent page, not the sign-in.
    let demo = provider.demo();
    let id = demo["client_id"].as_str().unwrap();
    let authorize = format!(
        "/oauth/authorize?response_type=code&client_id={id}&scope=profile&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    );
    let copy = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let with_copy = |path: String| {
        copy.get(provider.url(&path))
            .header("Cookie", session.clone())
            .send()
    };
    let page = with_copy(authorize.clone()).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("wants to access your account"));
    // The owner signs out.
    let home = browser.get(provider.url("/")).send().await.unwrap();
    let csrf = hidden(&home.text().await.unwrap(), "csrf_token").expect("the sign-out form");
    let out = browser
        .post(provider.url("/logout"))
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    // The copy now leads to the sign-in page.
    let page = with_copy(authorize).await.unwrap();
    assert_eq!(page.status().as_u16(), 303);
    assert!(page.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

/// Issue 11 §10: the key and the database are readable by their owner only.
#[cfg(unix)]
#[tokio::test]
async fn key_and_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let provider = Provider::start().await;
    provider.demo();
    for file in ["provider.secret", "provider.db"] {
        let mode = std::fs::metadata(provider.dir.join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file} has mode {:o}", mode & 0o777);
    }
}

/// Issue 11 §10: whatever `next` holds, sign-in answers without a server error.
#[tokio::test]
async fn malformed_next_never_yields_a_server_error() {
    let provider = Provider::start().await;
    provider.demo();
    for next in [
        "/oauth/authorize x<>\"",
        "/oauth/authorize?%ZZ",
        "/oauth/authorize\\@evil.example",
        "//evil.example/oauth/authorize",
        "https://evil.example/oauth/authorize",
        "/oauth/authorize/../../x",
        "/oauth/authorize\u{7f}",
    ] {
        let browser = browser();
        let answer = sign_in(&provider, &browser, next, "demo", "demo-password").await;
        assert_eq!(answer.status().as_u16(), 303, "{next:?}");
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location == "/" || location.starts_with("/oauth/authorize"),
            "{next:?} -> {location}"
        );
        let page = browser
            .get(format!("{}/login?next=%ZZ%", provider.base))
            .send()
            .await
            .unwrap();
        assert!(page.status().as_u16() < 500, "{next:?}");
    }
}
