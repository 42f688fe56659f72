//! OpenID Connect RP-Initiated Logout against the provider binary, as a browser meets it: the
//! relying party sends the browser to `end_session_endpoint` (found by discovery); with an
//! `id_token_hint` naming the signed-in user it is signed out at once and sent back to the
//! registered `post_logout_redirect_uri` with `state`; without one it is asked first; an
//! unregistered URI is never redirected to.

use oauth2::PkceCodeChallenge;
use serde_json::Value;

use crate::harness::*;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Signs the demo user in with `browser` through the code flow with `openid`: the ID token.
async fn sign_in_for_id_token(
    provider: &Provider,
    browser: &reqwest::Client,
    demo: &Value,
) -> String {
    let id = demo["client_id"].as_str().unwrap();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let next = format!(
        "/oauth/authorize?response_type=code&client_id={id}&redirect_uri={}&scope=openid&state=s&nonce=n&code_challenge={}&code_challenge_method=S256",
        enc(DEMO_REDIRECT),
        challenge.as_str()
    );
    let signed_in = sign_in(provider, browser, &next, "demo", "demo-password").await;
    assert_eq!(signed_in.status().as_u16(), 303);
    let consent = browser.get(provider.url(&next)).send().await.unwrap();
    let html = consent.text().await.unwrap();
    let answer = decide(provider, browser, &html, "allow").await;
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let code = param(&location_params(&location), "code").expect("a code");
    let tokens = demo_token_request(
        provider,
        demo,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", DEMO_REDIRECT),
            ("code_verifier", verifier.secret().as_str()),
        ],
    )
    .await;
    tokens["id_token"].as_str().expect("an ID token").to_owned()
}

/// Whether `browser` is still signed in (the home page offers to sign out).
async fn signed_in(provider: &Provider, browser: &reqwest::Client) -> bool {
    let home = browser.get(provider.url("/")).send().await.unwrap();
    home.text().await.unwrap().contains("action=\"/logout\"")
}

#[tokio::test]
async fn relying_parties_sign_users_out_and_get_them_back() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let id = demo["client_id"].as_str().unwrap();
    let discovery: Value = reqwest::get(provider.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let end_session = discovery["end_session_endpoint"]
        .as_str()
        .expect("advertised")
        .to_owned();
    assert_eq!(end_session, provider.url("/oauth/logout"));

    // With a hint naming the signed-in user: out at once, back with the state.
    let browser = browser();
    let id_token = sign_in_for_id_token(&provider, &browser, &demo).await;
    assert!(signed_in(&provider, &browser).await);
    let answer = browser
        .get(format!(
            "{end_session}?id_token_hint={id_token}&post_logout_redirect_uri={}&state=bye",
            enc(DEMO_REDIRECT)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 303);
    assert_eq!(
        answer.headers()["location"],
        format!("{DEMO_REDIRECT}?state=bye").as_str()
    );
    assert!(!signed_in(&provider, &browser).await);

    // Without a hint (any page could link here): asked first, signed out on confirmation.
    let browser = self::browser();
    sign_in_for_id_token(&provider, &browser, &demo).await;
    let ask = format!(
        "{end_session}?client_id={id}&post_logout_redirect_uri={}",
        enc(DEMO_REDIRECT)
    );
    let page = browser.get(&ask).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Sign out?") && html.contains("Demo App"),
        "{html}"
    );
    assert!(
        signed_in(&provider, &browser).await,
        "not before confirming"
    );
    // A form from another site (its origin, no CSRF token), even with the browser's cookies:
    // asked again, not signed out.
    let forged = browser
        .post(&end_session)
        .header("Origin", "https://evil.example")
        .form(&[
            ("client_id", id),
            ("post_logout_redirect_uri", DEMO_REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 200);
    assert!(signed_in(&provider, &browser).await);
    let confirmed = browser
        .post(&end_session)
        .form(&hidden_fields(&html))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status().as_u16(), 303);
    assert_eq!(confirmed.headers()["location"], DEMO_REDIRECT);
    assert!(!signed_in(&provider, &browser).await);

    // An unregistered URI or a forged hint: an error page, no redirect.
    for bad in [
        format!(
            "{end_session}?client_id={id}&post_logout_redirect_uri={}",
            enc("https://evil.example/")
        ),
        format!(
            "{end_session}?id_token_hint=not.a.token&post_logout_redirect_uri={}",
            enc(DEMO_REDIRECT)
        ),
        format!(
            "{end_session}?post_logout_redirect_uri={}",
            enc(DEMO_REDIRECT)
        ),
    ] {
        let answer = browser.get(&bad).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 400, "{bad}");
        assert!(answer.headers().get("location").is_none(), "{bad}");
    }
}
