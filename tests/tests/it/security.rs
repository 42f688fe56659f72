//! Safe defaults under hostile use: throttling, method and size limits, secrets kept out of
//! answers.

use std::net::SocketAddr;

use oauth_runtime::{Config, ThrottleConfig};
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client as HttpClient;

use crate::common::*;

fn from(last: u8) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, last], 40000))
}

async fn password_from(client: &HttpClient, addr: SocketAddr, password: &str) -> Answer {
    let body = form(&[
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", password),
    ]);
    let response = client
        .post("/oauth/token")
        .remote(addr)
        .header(ContentType::Form)
        .header(basic("web", WEB_SECRET))
        .body(body)
        .dispatch()
        .await;
    Answer::of(response).await
}

#[rocket::async_test]
async fn failed_passwords_are_throttled_per_account_and_address() {
    let client = client().await;
    for _ in 0..5 {
        assert_eq!(
            password_from(&client, from(1), "wrong").await.error(),
            "invalid_grant"
        );
    }
    // Over the limit: refused before the password is even checked, the right one too.
    let refused = password_from(&client, from(1), ALICE_PW).await;
    assert_eq!(refused.status, Status::TooManyRequests);
    assert!(
        refused
            .header("Retry-After")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    assert_eq!(refused.header("Cache-Control"), Some("no-store"));
    // The owner, from another address, is not locked out.
    assert_eq!(
        password_from(&client, from(2), ALICE_PW).await.status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn failed_client_secrets_are_throttled() {
    let client = client().await;
    let attempt = |secret: &'static str| {
        client
            .post("/oauth/token")
            .remote(from(7))
            .header(ContentType::Form)
            .header(basic("web", secret))
            .body("grant_type=password&username=alice&password=x")
            .dispatch()
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong").await.status(), Status::Unauthorized);
    }
    assert_eq!(attempt(WEB_SECRET).await.status(), Status::TooManyRequests);
}

#[rocket::async_test]
async fn throttling_can_be_turned_off() {
    let config = Config {
        throttle: ThrottleConfig {
            enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let client = HttpClient::tracked(app_on(rocket::build(), oauth2(store()).config(config)))
        .await
        .unwrap();
    for _ in 0..8 {
        assert_eq!(
            password_from(&client, from(1), "wrong").await.status,
            Status::BadRequest
        );
    }
    assert_eq!(
        password_from(&client, from(1), ALICE_PW).await.status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn other_methods_at_post_endpoints_are_405_json() {
    let client = client().await;
    for path in ["/oauth/token", "/oauth/revoke", "/oauth/introspect"] {
        for request in [
            client.get(path),
            client.put(path),
            client.delete(path),
            client.patch(path),
        ] {
            let answer = Answer::of(request.dispatch().await).await;
            assert_eq!(answer.status, Status::MethodNotAllowed, "{path}");
            assert_eq!(answer.error(), "invalid_request");
            assert_eq!(answer.header("Allow"), Some("POST"));
        }
    }
}

#[rocket::async_test]
async fn overlong_parameters_are_invalid_request() {
    let client = client().await;
    let answer = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", &"a".repeat(5000)),
            ("password", "x"),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn secrets_never_appear_in_error_answers() {
    let client = client().await;
    let secret = "S3CR3T-value-that-must-not-echo";
    let answers = [
        post(
            &client,
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", secret),
            ],
            Some(basic("web", WEB_SECRET)),
        )
        .await,
        post(
            &client,
            "/oauth/token",
            &[("grant_type", "client_credentials")],
            Some(basic("svc", secret)),
        )
        .await,
        post(
            &client,
            "/oauth/token",
            &[("grant_type", "refresh_token"), ("refresh_token", secret)],
            Some(basic("web", WEB_SECRET)),
        )
        .await,
        post(
            &client,
            "/oauth/token",
            &[("grant_type", "authorization_code"), ("code", secret)],
            Some(basic("web", WEB_SECRET)),
        )
        .await,
        post(
            &client,
            &format!("/oauth/token?client_secret={secret}"),
            &[("grant_type", "password")],
            None,
        )
        .await,
        post(
            &client,
            "/oauth/token",
            &[(secret, "1"), (secret, "2")],
            None,
        )
        .await,
    ];
    for answer in answers {
        assert!(answer.status.code >= 400);
        let text = format!("{} {:?}", answer.json, answer.headers);
        assert!(!text.contains(secret), "{text}");
    }
    let (answer, body) = api(&client, "/api/me", Some(secret)).await;
    assert!(!body.contains(secret) && !format!("{:?}", answer.headers).contains(secret));
}
