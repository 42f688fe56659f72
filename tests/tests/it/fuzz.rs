//! Property tests: the parsers and every endpoint, with arbitrary input, never panic, never
//! answer 5xx, and answer an RFC error body.
//!
//! Cases per property: `PROPTEST_CASES` (default 256). The long run (≥ 10⁶ cases) is
//! `PROPTEST_CASES=1000000 cargo test --release -p oauth-tests fuzz` (see SECURITY.md).

use std::sync::Arc;

use oauth_runtime::request::Body;
use oauth_runtime::{
    AuthorizationServer, BearerErrorKind, Method, OAuthRequest, Params, ResourceProtector,
    ResourceRequest, Scope, ScopeRequirement, StorageTokenValidator,
};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

use crate::common::*;

fn runner() -> TestRunner {
    TestRunner::new(RunnerConfig {
        failure_persistence: None,
        ..RunnerConfig::default()
    })
}

fn server() -> AuthorizationServer {
    let mut server = AuthorizationServer::new(store());
    server.register_grant(oauth_runtime::AuthorizationCodeGrant::new());
    server.register_grant(oauth_runtime::ImplicitGrant);
    server.register_grant(oauth_runtime::PasswordGrant::new());
    server.register_grant(oauth_runtime::ClientCredentialsGrant);
    server.register_grant(oauth_runtime::RefreshTokenGrant::new());
    server.register_grant(MagicGrant);
    server
}

/// Parameter names the endpoints know, plus noise.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("grant_type".to_owned()),
        Just("client_id".to_owned()),
        Just("client_secret".to_owned()),
        Just("code".to_owned()),
        Just("redirect_uri".to_owned()),
        Just("code_verifier".to_owned()),
        Just("code_challenge".to_owned()),
        Just("code_challenge_method".to_owned()),
        Just("refresh_token".to_owned()),
        Just("scope".to_owned()),
        Just("state".to_owned()),
        Just("response_type".to_owned()),
        Just("username".to_owned()),
        Just("password".to_owned()),
        Just("token".to_owned()),
        Just("token_type_hint".to_owned()),
        "[a-z_%+&=]{0,12}",
    ]
}

/// Values: known ones (so requests get deep into the grants) and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("authorization_code".to_owned()),
        Just("password".to_owned()),
        Just("client_credentials".to_owned()),
        Just("refresh_token".to_owned()),
        Just(EXT_GRANT.to_owned()),
        Just("code".to_owned()),
        Just("token".to_owned()),
        Just("web".to_owned()),
        Just("spa".to_owned()),
        Just(WEB_CB.to_owned()),
        Just(VERIFIER.to_owned()),
        Just(CHALLENGE.to_owned()),
        Just("S256".to_owned()),
        Just("profile email".to_owned()),
        Just("alice".to_owned()),
        Just(ALICE_PW.to_owned()),
        ".{0,40}",
        "[\\x00-\\x7f]{0,20}",
    ]
}

/// A urlencoded body or query from pairs, sometimes raw bytes instead.
fn encoded() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec((name(), value()), 0..8).prop_map(|pairs| {
            pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&").into_bytes()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
}

fn authorization() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(format!("Basic {}", base64_of("web", WEB_SECRET)))),
        Just(Some(format!("Basic {}", base64_of("spa", "")))),
        ".{0,60}".prop_map(Some),
        "(Basic|basic|Bearer) [A-Za-z0-9+/=:%]{0,40}".prop_map(Some),
    ]
}

fn base64_of(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![8 => Just(Method::Post), 1 => Just(Method::Get), 1 => Just(Method::Other)]
}

/// The answer is not 5xx and, unless 200 or a redirect, is a JSON RFC error.
fn check(response: &oauth_runtime::OAuthResponse) -> Result<(), TestCaseError> {
    prop_assert!(response.status < 500, "status {}", response.status);
    if response.status >= 400 {
        let body: serde_json::Value = serde_json::from_str(response.body.as_deref().unwrap_or(""))
            .map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
        prop_assert!(body["error"].is_string(), "{body}");
    }
    Ok(())
}

#[test]
fn scope_parser_round_trips_what_it_accepts() {
    runner()
        .run(&".{0,40}", |s| {
            match Scope::parse(&s) {
                Ok(scope) => {
                    // The empty string is the empty scope; anything else must be RFC syntax.
                    prop_assert!(s.is_empty() || oauth_runtime::__private::is_valid_scope(&s));
                    prop_assert_eq!(Scope::parse(&scope.to_string()).unwrap(), scope);
                }
                Err(e) => prop_assert_eq!(e.code(), oauth_runtime::ErrorCode::InvalidScope),
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn params_parser_never_panics_and_keeps_no_control_characters() {
    runner()
        .run(&encoded(), |bytes| {
            if let Ok(params) = Params::parse(&bytes) {
                for (k, v) in params.iter() {
                    prop_assert!(!k.chars().chain(v.chars()).any(char::is_control));
                    prop_assert!(!v.is_empty());
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn token_revocation_and_introspection_endpoints_answer_rfc_errors() {
    let rt = rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = server();
    let strategy = (
        method(),
        encoded(),
        encoded(),
        any::<bool>(),
        authorization(),
    );
    runner()
        .run(&strategy, |(method, query, body, form, auth)| {
            let query = String::from_utf8_lossy(&query).into_owned();
            let body = if form { Body::Form(&body) } else { Body::Other };
            let request = OAuthRequest::from_parts(method, Some(&query), body, auth.as_deref());
            rt.block_on(async {
                check(&server.create_token_response(&request).await)?;
                check(&server.create_revocation_response(&request).await)?;
                check(&server.create_introspection_response(&request).await)
            })
        })
        .unwrap();
}

#[test]
fn authorization_endpoint_never_fails_with_5xx() {
    let rt = rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = server();
    let alice = oauth_runtime::ResourceOwner::new("alice", "alice");
    let strategy = (
        prop_oneof![Just(Method::Get), Just(Method::Post)],
        encoded(),
        any::<bool>(),
    );
    runner()
        .run(&strategy, |(method, bytes, approve)| {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let request = match method {
                Method::Get => OAuthRequest::from_parts(method, Some(&text), Body::Other, None),
                _ => OAuthRequest::from_parts(method, None, Body::Form(&bytes), None),
            };
            rt.block_on(async {
                if let Err(error) = server.validate_authorization_request(&request).await {
                    prop_assert!(error.status() < 500);
                }
                match server
                    .create_authorization_response(&request, approve.then_some(&alice))
                    .await
                {
                    Ok(response) => prop_assert!(response.status < 500),
                    Err(error) => check(&error.to_response())?,
                }
                Ok(())
            })
        })
        .unwrap();
}

#[test]
fn resource_protector_never_fails_with_5xx() {
    let rt = rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let protector =
        ResourceProtector::new("api", Arc::new(store()), Arc::new(StorageTokenValidator))
            .with_locations(vec![
                oauth_runtime::TokenLocation::Header,
                oauth_runtime::TokenLocation::Query,
            ]);
    let strategy = (
        prop::collection::vec(".{0,60}", 0..3),
        prop::option::of(".{0,60}"),
    );
    runner()
        .run(&strategy, |(headers, query)| {
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            let request = ResourceRequest {
                authorization: &headers,
                query: query.as_deref(),
            };
            let result =
                rt.block_on(protector.validate(&request, &ScopeRequirement::AllOf(&["profile"])));
            if let Err(error) = result {
                prop_assert!(error.status() < 500);
                prop_assert!(error.kind != BearerErrorKind::Unavailable);
                let response = error.to_response();
                prop_assert!(response.header("WWW-Authenticate").is_some());
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn http_endpoints_with_arbitrary_headers_and_bodies() {
    use rocket::http::{ContentType, Header};
    let client = rocket::local::blocking::Client::tracked(app(oauth2(store()))).unwrap();
    let paths = prop_oneof![
        Just("/oauth/token"),
        Just("/oauth/revoke"),
        Just("/oauth/introspect"),
        Just("/oauth/authorize"),
        Just("/api/me"),
    ];
    let content_type = prop_oneof![
        Just(ContentType::Form),
        Just(ContentType::JSON),
        Just(ContentType::Plain)
    ];
    let strategy = (
        paths,
        any::<bool>(),
        content_type,
        prop::collection::vec(any::<u8>(), 0..300),
        authorization(),
    );
    runner()
        .run(&strategy, |(path, post, ct, body, auth)| {
            let mut request = if post {
                client.post(path)
            } else {
                client.get(path)
            };
            request = request.header(ct).body(body);
            if let Some(auth) = auth {
                request = request.header(Header::new("Authorization", auth));
            }
            let response = request.dispatch();
            prop_assert!(
                response.status().code < 500,
                "{path}: {}",
                response.status()
            );
            Ok(())
        })
        .unwrap();
}
