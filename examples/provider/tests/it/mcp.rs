//! A real MCP client against the example provider: the official MCP Python SDK (`mcp` on
//! PyPI, pinned in `.ci/run`) with its `OAuthClientProvider`, driven by
//! `tests/mcp/mcp_client.py`. It meets the 401 of `/api/me`, reads the RFC 9728 metadata the
//! challenge names, discovers the provider (RFC 8414), registers (RFC 7591), signs the demo
//! user in with the code flow, PKCE S256 and `resource` (RFC 8707), and calls the API.
//!
//! The Python with the SDK is `OAUTH_MCP_PYTHON`; without it the test says so and passes,
//! unless `OAUTH_REQUIRE_MCP=1` (CI) makes that a failure.

use serde_json::Value;

use crate::harness::*;

fn mcp_python() -> Option<String> {
    match std::env::var("OAUTH_MCP_PYTHON") {
        Ok(python) if !python.is_empty() => Some(python),
        _ => {
            assert!(
                std::env::var("OAUTH_REQUIRE_MCP").as_deref() != Ok("1"),
                "OAUTH_REQUIRE_MCP=1 but OAUTH_MCP_PYTHON names no Python with the MCP SDK"
            );
            eprintln!("skipped: set OAUTH_MCP_PYTHON to a Python with `mcp` installed");
            None
        }
    }
}

#[tokio::test]
async fn the_mcp_python_sdk_registers_signs_in_and_calls_the_api() {
    let Some(python) = mcp_python() else { return };
    let provider = Provider::start().await;
    let demo = provider.demo();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/mcp_client.py");
    let base = provider.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .arg(&base)
            .output()
            .expect("python runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim()).expect(&stdout);
    // The API answered the SDK's retried request, for the demo user and the client the SDK
    // registered.
    assert_eq!(report["status"], 200, "{report}");
    assert_eq!(report["me"]["username"], "demo");
    assert_eq!(report["me"]["client_id"], report["client_id"]);
    assert_ne!(report["client_id"], demo["client_id"], "registered anew");
    // What it sent: PKCE S256, the scope the challenge named, and the API as `resource`.
    let authorization = &report["authorization"];
    assert_eq!(authorization["code_challenge_method"][0], "S256");
    assert_eq!(authorization["scope"][0], "profile");
    assert_eq!(
        authorization["resource"][0].as_str(),
        Some(format!("{}/api", provider.base).as_str())
    );
}
