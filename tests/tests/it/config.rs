//! Configuration from Rocket's figment (`[default.oauth2]`, `ROCKET_OAUTH2_*`).

use oauth_runtime::{ExpiresIn, GrantType, OAuth2};
use rocket::figment::Figment;
use rocket::http::Status;

use crate::common::*;

fn with_figment(figment: Figment) -> rocket::Rocket<rocket::Build> {
    app_on(rocket::custom(figment), oauth2(store()))
}

fn base() -> Figment {
    Figment::from(rocket::Config::debug_default())
}

#[rocket::async_test]
async fn expires_in_per_grant_from_config() {
    let rocket = with_figment(base().merge(("oauth2.expires_in.client_credentials", 60)));
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    assert_eq!(svc_token(&client, &[]).await.json["expires_in"], 60);
}

#[rocket::async_test]
async fn refresh_tokens_can_be_turned_off() {
    let rocket = with_figment(base().merge(("oauth2.refresh_token_generator", false)));
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    let answer = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", ALICE_PW),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::Ok);
    assert!(answer.json.get("refresh_token").is_none());
}

#[rocket::async_test]
async fn token_length_from_config() {
    let rocket = with_figment(base().merge(("oauth2.token_length", 64)));
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    assert_eq!(svc_token(&client, &[]).await.str("access_token").len(), 64);
}

#[rocket::async_test]
async fn bad_values_refuse_to_launch() {
    for (key, value) in [
        (
            "oauth2.token_length",
            rocket::figment::value::Value::from(16),
        ),
        ("oauth2.authorization_code_expires_in", 3600.into()),
        ("oauth2.issuer", "http://example.com".into()),
        ("oauth2.no_such_key", true.into()),
        ("oauth2.token_length", "long".into()),
    ] {
        let rocket = with_figment(base().merge((key, value)));
        assert!(launch_fails(rocket).await, "{key}");
    }
}

#[test]
fn config_errors_name_the_key() {
    let err = OAuth2::read_config(&base().merge(("oauth2.token_length", 16))).unwrap_err();
    assert_eq!(err.key, "token_length");
    assert!(err.to_string().contains("oauth2.token_length"), "{err}");
    let err = OAuth2::read_config(&base().merge(("oauth2.bogus", 1))).unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
    let err = OAuth2::read_config(&base().merge(("oauth2.throttle.window", "soon"))).unwrap_err();
    assert_eq!(err.key, "throttle.window", "{err}");
}

#[test]
fn environment_variables_override() {
    // A key no other test reads, so setting it cannot disturb them.
    std::env::set_var("ROCKET_OAUTH2_EXPIRES_IN__PASSWORD", "77");
    let config = OAuth2::read_config(&base()).unwrap();
    std::env::remove_var("ROCKET_OAUTH2_EXPIRES_IN__PASSWORD");
    assert_eq!(config.expires_in.get(&GrantType::Password), Some(&77));
}

#[test]
fn a_misspelt_grant_in_expires_in_stops_launch() {
    let error = OAuth2::read_config(&base().merge(("oauth2.expires_in.pasword", 60))).unwrap_err();
    assert!(
        error.to_string().contains("unknown grant type `pasword`"),
        "{error}"
    );
    let config = OAuth2::read_config(&base().merge(("oauth2.expires_in.urn:example:magic", 60)));
    assert!(
        config.is_ok(),
        "an extension grant URI is a grant type: {config:?}"
    );
}

#[rocket::async_test]
async fn issuer_is_sent_with_authorization_responses() {
    let rocket = with_figment(base().merge(("oauth2.issuer", "https://auth.example.com")));
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "code"),
            ("client_id", "web"),
            ("redirect_uri", WEB_CB),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    assert_eq!(
        answer.location_param("iss").as_deref(),
        Some("https://auth.example.com")
    );
}

#[rocket::async_test]
async fn query_tokens_when_configured() {
    let rocket = with_figment(base().merge(("oauth2.bearer_token_locations", ["header", "query"])));
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    let token = svc_token(&client, &[]).await.str("access_token").to_owned();
    let response = client
        .get(format!("/api/token?access_token={token}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    // Both at once is refused (RFC 6750 §2).
    let response = client
        .get(format!("/api/token?access_token={token}"))
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
}

#[rocket::async_test]
async fn custom_expires_function() {
    let rule = ExpiresIn::custom(|client, grant| match (client.client_id(), grant) {
        ("svc", GrantType::ClientCredentials) => Some(123),
        _ => None,
    });
    let client = client_with(oauth2(store()).expires_in(rule)).await;
    assert_eq!(svc_token(&client, &[]).await.json["expires_in"], 123);
}

/// Issue 12: whatever code sets overrides only that part; every configured value stays.
#[rocket::async_test]
async fn code_overrides_compose_with_configuration() {
    let figment = base()
        .merge(("oauth2.expires_in.password", 600))
        .merge(("oauth2.expires_in.client_credentials", 60))
        .merge(("oauth2.token_length", 64));
    let fairing = oauth2(store())
        .access_token_generator(|ctx| format!("at-{}-{}", ctx.client.client_id(), ctx.scope))
        .refresh_token_generator(|_| "rt-".to_owned() + &oauth_runtime::secret::generate_token(40))
        .expires_in(ExpiresIn::custom(|_, grant| {
            (*grant == GrantType::ClientCredentials).then_some(30)
        }));
    let rocket = app_on(rocket::custom(figment.clone()), fairing);
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    let svc = svc_token(&client, &[("scope", "read")]).await;
    assert_eq!(svc.str("access_token"), "at-svc-read");
    assert_eq!(svc.json["expires_in"], 30, "the rule in code");
    let password = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", ALICE_PW),
    ];
    let web = web_token(&client, &password).await;
    assert_eq!(
        web.json["expires_in"], 600,
        "configured, left open by the rule"
    );
    assert!(web.str("refresh_token").starts_with("rt-"));

    // Refresh tokens turned off in configuration stay off with a generator in code.
    let fairing = oauth2(store()).refresh_token_generator(|_| "rt-never".to_owned());
    let rocket = app_on(
        rocket::custom(figment.merge(("oauth2.refresh_token_generator", false))),
        fairing,
    );
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    let web = web_token(&client, &password).await;
    assert_eq!(web.status, Status::Ok);
    assert!(web.json.get("refresh_token").is_none());
    assert_eq!(
        web.str("access_token").len(),
        64,
        "token_length still applies"
    );
}

#[rocket::async_test]
async fn pkce_plain_when_allowed() {
    let config = oauth_runtime::Config {
        pkce_allow_plain: true,
        ..Default::default()
    };
    let rocket = app_on(rocket::build(), oauth2(store()).config(config));
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "code"),
            ("client_id", "spa"),
            ("redirect_uri", SPA_CB),
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    let code = answer.location_param("code").expect("a code");
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
}

#[rocket::async_test]
async fn pkce_required_for_confidential_when_configured() {
    let config = oauth_runtime::Config {
        pkce_required_for_confidential: true,
        ..Default::default()
    };
    let rocket = app_on(rocket::build(), oauth2(store()).config(config));
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "code"),
            ("client_id", "web"),
            ("redirect_uri", WEB_CB),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
}
