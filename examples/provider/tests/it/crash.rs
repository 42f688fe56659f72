//! `kill -9` during a burst of token requests: every token whose 200 the client received is
//! still valid after a restart (nothing acknowledged is lost).

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_tokens_survive_kill_dash_nine() {
    let mut provider = Provider::start().await;
    let out = provider.cli(&[
        "clients",
        "create",
        "--json",
        r#"{"grant_types":["client_credentials"],"response_types":[],"scope":"read","token_endpoint_auth_method":"client_secret_post"}"#,
    ]);
    let client: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = client["client_id"].as_str().unwrap().to_owned();
    let secret = client["client_secret"].as_str().unwrap().to_owned();

    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let url = provider.url("/oauth/token");
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (received, url, id, secret) =
                (received.clone(), url.clone(), id.clone(), secret.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                loop {
                    let answer = http
                        .post(&url)
                        .form(&[
                            ("grant_type", "client_credentials"),
                            ("client_id", &id),
                            ("client_secret", &secret),
                        ])
                        .send()
                        .await;
                    let Ok(answer) = answer else { break };
                    if answer.status().as_u16() != 200 {
                        continue;
                    }
                    let Ok(body) = answer.json::<Value>().await else {
                        break;
                    };
                    received
                        .lock()
                        .unwrap()
                        .push(body["access_token"].as_str().unwrap().to_owned());
                }
            })
        })
        .collect();
    // At least 60 tokens, and long enough that the background checkpoints (every 100 ms) run
    // during the burst: the kill may land in the middle of one.
    let burst = std::time::Instant::now();
    while received.lock().unwrap().len() < 60 || burst.elapsed().as_millis() < 500 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    provider.kill();
    for worker in workers {
        let _ = worker.await;
    }
    let tokens = received.lock().unwrap().clone();
    assert!(tokens.len() >= 60);

    provider.restart().await;
    let http = reqwest::Client::new();
    for token in &tokens {
        let introspection: Value = http
            .post(provider.url("/oauth/introspect"))
            .form(&[
                ("token", token.as_str()),
                ("client_id", &id),
                ("client_secret", &secret),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            introspection["active"], true,
            "an acknowledged token was lost"
        );
    }
}
