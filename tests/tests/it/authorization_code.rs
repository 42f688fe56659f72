//! Authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636).

use rocket::http::Status;

use crate::common::*;

fn authorize_params<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", "web"),
        ("redirect_uri", WEB_CB),
        ("scope", "profile"),
        ("state", "xyz"),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        params.push((k, v));
    }
    params
}

async fn get_authorize(
    client: &rocket::local::asynchronous::Client,
    params: &[(&str, &str)],
) -> Answer {
    Answer::of(
        client
            .get(format!("/oauth/authorize?{}", form(params)))
            .dispatch()
            .await,
    )
    .await
}

async fn post_authorize(
    client: &rocket::local::asynchronous::Client,
    params: &[(&str, &str)],
) -> Answer {
    post(client, "/oauth/authorize", params, None).await
}

#[rocket::async_test]
async fn code_flow_with_pkce_issues_bearer_tokens() {
    let client = client().await;
    let answer = web_tokens(&client, "profile email").await;
    assert_eq!(answer.str("token_type"), "Bearer");
    assert_eq!(answer.json["expires_in"], 864_000);
    assert_eq!(answer.str("scope"), "email profile");
    assert!(answer.str("access_token").len() >= 43);
    assert!(answer.str("refresh_token").len() >= 43);
    assert_eq!(answer.header("Cache-Control"), Some("no-store"));
    assert_eq!(answer.header("Pragma"), Some("no-cache"));
    let (me, body) = api(&client, "/api/me", Some(answer.str("access_token"))).await;
    assert_eq!(me.status, Status::Ok);
    assert_eq!(body, "alice|web|email profile");
}

#[rocket::async_test]
async fn consent_page_sees_the_validated_request() {
    let client = client().await;
    let answer = get_authorize(&client, &authorize_params(&[])).await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(answer.str("client_id"), "web");
    assert_eq!(answer.str("redirect_uri"), WEB_CB);
    assert_eq!(answer.str("scope"), "profile");
    assert_eq!(answer.str("state"), "xyz");
}

#[rocket::async_test]
async fn unknown_client_is_answered_directly_never_redirected() {
    let client = client().await;
    let answer = get_authorize(&client, &authorize_params(&[("client_id", "nobody")])).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_client");
    assert!(answer.header("Location").is_none());
}

#[rocket::async_test]
async fn missing_client_id_is_answered_directly() {
    let client = client().await;
    let params: Vec<_> = authorize_params(&[])
        .into_iter()
        .filter(|(k, _)| *k != "client_id")
        .collect();
    let answer = get_authorize(&client, &params).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
    assert!(answer.header("Location").is_none());
}

#[rocket::async_test]
async fn unregistered_redirect_uri_is_answered_directly() {
    let client = client().await;
    for uri in [
        "https://evil.example/cb",
        "https://web.example/cb/",
        "https://web.example/cb?x=1",
    ] {
        let answer = get_authorize(&client, &authorize_params(&[("redirect_uri", uri)])).await;
        assert_eq!(answer.status, Status::BadRequest, "{uri}");
        assert_eq!(answer.error(), "invalid_request");
        assert!(answer.header("Location").is_none());
    }
}

#[rocket::async_test]
async fn omitted_redirect_uri_needs_a_single_registration() {
    let client = client().await;
    let params = [
        ("response_type", "code"),
        ("client_id", "multi"),
        ("scope", "profile"),
    ];
    let answer = get_authorize(&client, &params).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
    assert!(answer.header("Location").is_none());
}

#[rocket::async_test]
async fn omitted_redirect_uri_uses_the_registered_one_and_is_not_required_later() {
    let client = client().await;
    let params: Vec<_> = authorize_params(&[
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("decision", "allow"),
    ])
    .into_iter()
    .filter(|(k, _)| *k != "redirect_uri")
    .collect();
    let answer = post_authorize(&client, &params).await;
    assert!(answer.header("Location").unwrap().starts_with(WEB_CB));
    let code = answer.location_param("code").unwrap();
    let token = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(token.status, Status::Ok, "{}", token.json);
}

#[rocket::async_test]
async fn missing_response_type_redirects_invalid_request_with_state() {
    let client = client().await;
    let params: Vec<_> = authorize_params(&[])
        .into_iter()
        .filter(|(k, _)| *k != "response_type")
        .collect();
    let answer = get_authorize(&client, &params).await;
    assert_eq!(answer.status, Status::Found);
    assert!(answer.header("Location").unwrap().starts_with(WEB_CB));
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(answer.location_param("state").as_deref(), Some("xyz"));
}

#[rocket::async_test]
async fn unknown_response_type_redirects_unsupported_response_type() {
    let client = client().await;
    let answer = get_authorize(&client, &authorize_params(&[("response_type", "id_token")])).await;
    assert_eq!(answer.status, Status::Found);
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("unsupported_response_type")
    );
}

#[rocket::async_test]
async fn response_type_not_allowed_for_client_is_unauthorized_client() {
    let client = client().await;
    // `web` may use `code` only; implicit goes to the fragment.
    let answer = get_authorize(&client, &authorize_params(&[("response_type", "token")])).await;
    assert_eq!(answer.status, Status::Found);
    assert!(answer.header("Location").unwrap().contains('#'));
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("unauthorized_client")
    );
}

#[rocket::async_test]
async fn scope_beyond_the_client_is_invalid_scope() {
    let client = client().await;
    for scope in ["admin", "profile admin", "bad\"scope"] {
        let answer = get_authorize(&client, &authorize_params(&[("scope", scope)])).await;
        assert_eq!(answer.status, Status::Found, "{scope}");
        assert_eq!(
            answer.location_param("error").as_deref(),
            Some("invalid_scope")
        );
        assert_eq!(answer.location_param("state").as_deref(), Some("xyz"));
    }
}

#[rocket::async_test]
async fn denial_redirects_access_denied_with_state() {
    let client = client().await;
    let answer = post_authorize(&client, &authorize_params(&[("decision", "deny")])).await;
    assert_eq!(answer.status, Status::Found);
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(answer.location_param("state").as_deref(), Some("xyz"));
    assert!(answer.location_param("code").is_none());
}

#[rocket::async_test]
async fn state_is_echoed_exactly() {
    let client = client().await;
    let state = "a b+c/d?e=f&g%h~é";
    let answer = post_authorize(
        &client,
        &authorize_params(&[
            ("state", state),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("decision", "allow"),
        ]),
    )
    .await;
    assert_eq!(answer.location_param("state").as_deref(), Some(state));
}

#[rocket::async_test]
async fn public_client_without_pkce_is_refused() {
    let client = client().await;
    let params = [
        ("response_type", "code"),
        ("client_id", "spa"),
        ("redirect_uri", SPA_CB),
        ("state", "s"),
    ];
    let answer = get_authorize(&client, &params).await;
    assert_eq!(answer.status, Status::Found);
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
}

#[rocket::async_test]
async fn plain_pkce_is_refused_by_default() {
    let client = client().await;
    let answer = get_authorize(
        &client,
        &authorize_params(&[
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ]),
    )
    .await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
    // An absent method means plain (RFC 7636 §4.3): refused too.
    let answer = get_authorize(&client, &authorize_params(&[("code_challenge", VERIFIER)])).await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
}

#[rocket::async_test]
async fn malformed_code_challenge_is_refused() {
    let client = client().await;
    let answer = get_authorize(
        &client,
        &authorize_params(&[
            ("code_challenge", "short"),
            ("code_challenge_method", "S256"),
        ]),
    )
    .await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
}

#[rocket::async_test]
async fn public_client_flow_with_pkce_and_no_secret() {
    let client = client().await;
    let answer = post_authorize(
        &client,
        &[
            ("response_type", "code"),
            ("client_id", "spa"),
            ("redirect_uri", SPA_CB),
            ("scope", "profile"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("decision", "allow"),
        ],
    )
    .await;
    let code = answer.location_param("code").unwrap();
    let token = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "spa"),
            ("code", &code),
            ("redirect_uri", SPA_CB),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await;
    assert_eq!(token.status, Status::Ok, "{}", token.json);
    assert!(token.json["refresh_token"].is_string());
}

#[rocket::async_test]
async fn wrong_verifier_is_invalid_grant() {
    let client = client().await;
    let code = web_code(&client, "profile").await;
    let wrong = "x".repeat(43);
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", &wrong),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_grant");
}

#[rocket::async_test]
async fn missing_verifier_is_invalid_request() {
    let client = client().await;
    let code = web_code(&client, "profile").await;
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
        ],
    )
    .await;
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn verifier_without_challenge_is_a_downgrade_and_refused() {
    let client = client().await;
    // `web` is confidential, so PKCE is optional for it; but a verifier for a code issued
    // without a challenge is refused (RFC 9700 §2.1.1).
    let answer = post_authorize(&client, &authorize_params(&[("decision", "allow")])).await;
    let code = answer.location_param("code").unwrap();
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(answer.error(), "invalid_grant");
}

#[rocket::async_test]
async fn confidential_client_without_pkce_is_allowed_by_default() {
    let client = client().await;
    let answer = post_authorize(&client, &authorize_params(&[("decision", "allow")])).await;
    let code = answer.location_param("code").unwrap();
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
}

#[rocket::async_test]
async fn reused_code_is_refused_and_revokes_its_tokens() {
    let client = client().await;
    let code = web_code(&client, "profile").await;
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", WEB_CB),
        ("code_verifier", VERIFIER),
    ];
    let first = web_token(&client, &params).await;
    assert_eq!(first.status, Status::Ok);
    let access = first.str("access_token").to_owned();
    assert_eq!(
        api(&client, "/api/me", Some(&access)).await.0.status,
        Status::Ok
    );

    let second = web_token(&client, &params).await;
    assert_eq!(second.status, Status::BadRequest);
    assert_eq!(second.error(), "invalid_grant");
    let (me, _) = api(&client, "/api/me", Some(&access)).await;
    assert_eq!(me.status, Status::Unauthorized);
    let refresh = web_token(
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", first.str("refresh_token")),
        ],
    )
    .await;
    assert_eq!(refresh.error(), "invalid_grant");
}

#[rocket::async_test]
async fn concurrent_redemptions_give_exactly_one_token() {
    let client = client().await;
    let code = web_code(&client, "profile").await;
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", WEB_CB),
        ("code_verifier", VERIFIER),
    ]);
    let requests = (0..16).map(|_| {
        client
            .post("/oauth/token")
            .header(rocket::http::ContentType::Form)
            .header(basic("web", WEB_SECRET))
            .body(body.clone())
            .dispatch()
    });
    let responses = rocket::futures::future::join_all(requests).await;
    let statuses: Vec<Status> = responses.iter().map(|r| r.status()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == Status::Ok).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses
        .iter()
        .all(|s| *s == Status::Ok || *s == Status::BadRequest));
}

#[rocket::async_test]
async fn code_of_another_client_is_invalid_grant() {
    let client = client().await;
    let answer = post_authorize(
        &client,
        &[
            ("response_type", "code"),
            ("client_id", "spa"),
            ("redirect_uri", SPA_CB),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("decision", "allow"),
        ],
    )
    .await;
    let code = answer.location_param("code").unwrap();
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", SPA_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(answer.error(), "invalid_grant");
}

#[rocket::async_test]
async fn redirect_uri_must_match_at_the_token_endpoint() {
    let client = client().await;
    let code = web_code(&client, "profile").await;
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://web.example/other"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(answer.error(), "invalid_grant");
    let code = web_code(&client, "profile").await;
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(answer.error(), "invalid_grant");
}

#[rocket::async_test]
async fn unknown_code_is_invalid_grant() {
    let client = client().await;
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", "no-such-code"),
            ("redirect_uri", WEB_CB),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_grant");
}

#[rocket::async_test]
async fn missing_code_is_invalid_request() {
    let client = client().await;
    let answer = web_token(&client, &[("grant_type", "authorization_code")]).await;
    assert_eq!(answer.error(), "invalid_request");
}

/// A hook override: codes saved already expired.
struct ExpiredCodes;

#[oauth_runtime::async_trait]
impl oauth_runtime::AuthorizationCodeHooks for ExpiredCodes {
    async fn save_authorization_code(
        &self,
        storage: &dyn oauth_runtime::Storage,
        mut code: oauth_runtime::AuthorizationCode,
    ) -> oauth_runtime::StorageResult<()> {
        code.expires_at = code.issued_at;
        storage.save_authorization_code(code).await
    }
}

#[rocket::async_test]
async fn expired_code_is_invalid_grant() {
    let fairing = oauth_runtime::OAuth2::new(store()).grant(
        oauth_runtime::AuthorizationCodeGrant::with_hooks(ExpiredCodes),
    );
    let client = client_with(fairing).await;
    let code = web_code(&client, "profile").await;
    let answer = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_grant");
}
