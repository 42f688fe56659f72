//! Implicit grant (RFC 6749 §4.2).

use rocket::http::Status;

use crate::common::*;

fn params<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("response_type", "token"),
        ("client_id", "spa"),
        ("redirect_uri", SPA_CB),
        ("scope", "profile"),
        ("state", "st"),
    ];
    p.extend_from_slice(extra);
    p
}

#[rocket::async_test]
async fn token_is_returned_in_the_fragment_without_refresh_token() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &params(&[("decision", "allow")]),
        None,
    )
    .await;
    assert_eq!(answer.status, Status::Found);
    let location = answer.header("Location").unwrap();
    assert!(location.starts_with(&format!("{SPA_CB}#")), "{location}");
    assert_eq!(
        answer.location_param("token_type").as_deref(),
        Some("Bearer")
    );
    assert_eq!(answer.location_param("expires_in").as_deref(), Some("3600"));
    assert_eq!(answer.location_param("scope").as_deref(), Some("profile"));
    assert_eq!(answer.location_param("state").as_deref(), Some("st"));
    assert!(answer.location_param("refresh_token").is_none());
    let token = answer.location_param("access_token").unwrap();
    let (me, body) = api(&client, "/api/me", Some(&token)).await;
    assert_eq!(me.status, Status::Ok);
    assert_eq!(body, "alice|spa|profile");
}

#[rocket::async_test]
async fn errors_go_to_the_fragment() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "token"),
            ("client_id", "spa"),
            ("redirect_uri", SPA_CB),
            ("scope", "admin"),
            ("state", "st"),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    let location = answer.header("Location").unwrap();
    assert!(
        location.starts_with(&format!("{SPA_CB}#error=invalid_scope")),
        "{location}"
    );
    assert_eq!(answer.location_param("state").as_deref(), Some("st"));
}

#[rocket::async_test]
async fn denial_goes_to_the_fragment() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &params(&[("decision", "deny")]),
        None,
    )
    .await;
    assert!(answer
        .header("Location")
        .unwrap()
        .contains("#error=access_denied"));
}

#[rocket::async_test]
async fn implicit_is_off_unless_registered() {
    let fairing =
        oauth_runtime::OAuth2::new(store()).grant(oauth_runtime::AuthorizationCodeGrant::new());
    let client = client_with(fairing).await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &params(&[("decision", "allow")]),
        None,
    )
    .await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("unsupported_response_type")
    );
    // In the fragment, where a client asking for `token` reads its answer.
    assert!(answer.header("Location").unwrap().contains('#'));
}

/// Issue 12: a grant that wraps `ImplicitGrant` and forwards only what it must still answers
/// in the fragment: the server, not the grant, decides where a token goes.
struct Wrapped(oauth_runtime::ImplicitGrant);

#[oauth_runtime::async_trait]
impl oauth_runtime::Grant for Wrapped {
    fn response_type(&self) -> Option<oauth_runtime::ResponseType> {
        self.0.response_type()
    }

    async fn create_authorization_response(
        &self,
        server: &oauth_runtime::AuthorizationServer,
        authorization: &oauth_runtime::AuthorizationRequest,
        user: &oauth_runtime::ResourceOwner,
    ) -> Result<Vec<(String, String)>, oauth_runtime::OAuthError> {
        self.0
            .create_authorization_response(server, authorization, user)
            .await
    }
}

#[rocket::async_test]
async fn a_wrapped_implicit_grant_still_answers_in_the_fragment() {
    let client = client_with(oauth2(store()).grant(Wrapped(oauth_runtime::ImplicitGrant))).await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &params(&[("decision", "allow")]),
        None,
    )
    .await;
    let location = answer.header("Location").unwrap();
    assert!(location.starts_with(&format!("{SPA_CB}#")), "{location}");
    assert!(!location.contains('?'), "{location}");
    assert!(answer.location_param("access_token").is_some());
}

#[rocket::async_test]
async fn response_mode_query_never_carries_a_token() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &params(&[("decision", "allow"), ("response_mode", "query")]),
        None,
    )
    .await;
    let location = answer.header("Location").unwrap();
    assert!(location.starts_with(&format!("{SPA_CB}#")), "{location}");
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
    assert!(answer.location_param("access_token").is_none());
    // An unknown mode is refused too; `fragment` is allowed for `code`.
    let answer = post(
        &client,
        "/oauth/authorize",
        &params(&[("decision", "allow"), ("response_mode", "form_post")]),
        None,
    )
    .await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
}
