//! Issue 11 against the real binary with its default configuration: a conformance-style run
//! from one address gets every answer, and the attacks of the review are closed.

use serde_json::Value;

use crate::harness::*;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// POSTs a form to the token endpoint with Basic credentials; status and JSON body.
async fn token(
    provider: &Provider,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = http().post(provider.url("/oauth/token")).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A token request's form, and the status and error it must get.
type ErrorCase = (&'static [(&'static str, &'static str)], u16, &'static str);

/// ≥ 80 requests from 127.0.0.1, ≥ 60 of them failures (a fifth wrong credentials, the rest
/// protocol errors a conformance suite provokes), with the shipped configuration: every
/// positive request succeeds.
#[tokio::test]
async fn a_conformance_run_from_one_address_gets_every_answer() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let (id, secret) = (
        demo["client_id"].as_str().unwrap(),
        demo["client_secret"].as_str().unwrap(),
    );
    for i in 0..4 {
        let out = provider.cli(&[
            "users",
            "create",
            &format!("user{i}"),
            "--password",
            "pw-0123",
        ]);
        assert!(out.status.success());
    }
    let (mut positives, mut failures) = (0, 0);
    let mut fail = |status: u16, body: &Value, expected: u16, error: &str| {
        assert_eq!(
            (status, body["error"].as_str()),
            (expected, Some(error)),
            "{body}"
        );
        failures += 1;
    };
    for round in 0..8 {
        // Wrong credentials: a user's password (at most four per account), a client secret.
        let user = format!("user{}", round % 4);
        let wrong = [
            ("grant_type", "password"),
            ("username", user.as_str()),
            ("password", "nope"),
        ];
        let (status, body) = token(&provider, Some((id, secret)), &wrong, &[]).await;
        fail(status, &body, 400, "invalid_grant");
        if round < 4 {
            let (status, body) = token(
                &provider,
                Some((id, "not-the-secret")),
                &[("grant_type", "client_credentials")],
                &[],
            )
            .await;
            fail(status, &body, 401, "invalid_client");
        }
        // Protocol errors.
        let cases: [ErrorCase; 6] = [
            (
                &[("grant_type", "authorization_code"), ("code", "bogus")],
                400,
                "invalid_grant",
            ),
            (
                &[("grant_type", "refresh_token"), ("refresh_token", "bogus")],
                400,
                "invalid_grant",
            ),
            (
                &[("grant_type", "urn:teleport")],
                400,
                "unsupported_grant_type",
            ),
            (
                &[("grant_type", "client_credentials"), ("scope", "admin")],
                400,
                "invalid_scope",
            ),
            (
                &[("grant_type", "password"), ("username", "demo")],
                400,
                "invalid_request",
            ),
            (&[], 400, "invalid_request"),
        ];
        for (form, expected, error) in cases {
            let (status, body) = token(&provider, Some((id, secret)), form, &[]).await;
            fail(status, &body, expected, error);
        }
        // Positives: the right password, client credentials, and the API with the token.
        let right = [
            ("grant_type", "password"),
            ("username", user.as_str()),
            ("password", "pw-0123"),
            ("scope", "profile"),
        ];
        let (status, body) = token(&provider, Some((id, secret)), &right, &[]).await;
        assert_eq!(status, 200, "{body}");
        let access = body["access_token"].as_str().unwrap().to_owned();
        let me = http()
            .get(provider.url("/api/me"))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status().as_u16(), 200);
        let (status, body) = token(
            &provider,
            Some((id, secret)),
            &[("grant_type", "client_credentials"), ("scope", "profile")],
            &[],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        positives += 3;
    }
    assert!(failures >= 60, "{failures} failures");
    assert!(positives + failures >= 80, "{positives} + {failures}");
}

/// The review's bypass: rotating `X-Real-IP` / `X-Forwarded-For` does not reset the count (the
/// provider trusts no proxy by default and sets Rocket's `ip_header = false`).
#[tokio::test]
async fn forwarding_headers_neither_bypass_nor_lock_out() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let (id, secret) = (
        demo["client_id"].as_str().unwrap(),
        demo["client_secret"].as_str().unwrap(),
    );
    let wrong = [
        ("grant_type", "password"),
        ("username", "demo"),
        ("password", "guess"),
    ];
    let mut statuses = Vec::new();
    for i in 0..8 {
        let spoof = format!("203.0.113.{i}");
        let headers = [
            ("X-Real-IP", spoof.as_str()),
            ("X-Forwarded-For", spoof.as_str()),
        ];
        statuses.push(
            token(&provider, Some((id, secret)), &wrong, &headers)
                .await
                .0,
        );
    }
    assert_eq!(statuses, [400, 400, 400, 400, 400, 429, 429, 429]);
}
