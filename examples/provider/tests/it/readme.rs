//! The README's five-minute tour and the commands `demo` prints, run as printed against the
//! binary (on its own port, with `cargo run -p provider --` being the built binary; the
//! server is started by the harness, so `serve &` is not run again).

use oauth_tests::shell::{blocks, Terminal};

use crate::harness::*;

const VARIABLES: [&str; 6] = ["ID", "SECRET", "TOKEN", "VERIFIER", "CHALLENGE", "CODE"];

fn terminal(provider: &Provider) -> Terminal {
    let port = provider.base.rsplit(':').next().unwrap().parse().unwrap();
    Terminal {
        dir: provider.dir.clone(),
        port,
        commands: vec![
            (
                "cargo run -p provider -- serve &".to_owned(),
                ":".to_owned(),
            ),
            ("cargo run -p provider --".to_owned(), BIN.to_owned()),
        ],
        variables: VARIABLES.to_vec(),
    }
}

/// The code a reader copies from the browser after opening `url` and allowing.
async fn code_for(provider: &Provider, url: &str) -> String {
    let params = authorize(provider, url.trim(), "allow").await;
    param(&params, "code").expect("a code")
}

#[tokio::test]
async fn the_five_minute_tour_runs_as_printed() {
    let section = readme_section("The example provider in five minutes");
    let provider = Provider::start().await;
    let mut terminal = terminal(&provider);
    let tour = blocks(&section, "sh");
    assert_eq!(tour.len(), 4, "the tour's blocks changed: update this test");
    let first = terminal.run(&tour[0]);
    assert!(first.contains("\"username\":\"demo\""), "{first}");
    let registered = terminal.run(&tour[1]);
    assert!(
        registered.contains("\"client_name\":\"My App\""),
        "{registered}"
    );
    assert!(registered.contains("alice"), "{registered}");
    let url = terminal.run(&tour[2]);
    assert!(url.starts_with(&provider.base), "{url}");
    let code = code_for(&provider, &url).await;
    terminal
        .commands
        .push(("paste-the-code-here".to_owned(), code));
    let tokens = terminal.run(&tour[3]);
    let tokens: serde_json::Value = serde_json::from_str(&tokens).expect(&tokens);
    assert!(tokens["access_token"].is_string() && tokens["refresh_token"].is_string());
}

#[tokio::test]
async fn the_commands_demo_prints_work_as_printed() {
    let provider = Provider::start().await;
    let terminal = terminal(&provider);
    let output = provider.cli(&["demo"]);
    assert!(output.status.success());
    let printed = String::from_utf8_lossy(&output.stderr);
    let commands: Vec<&str> = printed
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .collect();
    let (api, pkce) = commands.split_at(2);
    assert!(
        api[0].starts_with("TOKEN=") && api[1].contains("/api/me"),
        "{printed}"
    );
    let me = terminal.run(&api.join("\n"));
    assert!(me.contains("\"username\":\"demo\""), "{me}");
    let url = terminal.run(&pkce.join("\n"));
    let code = code_for(&provider, &url).await;
    assert!(code.len() >= 43);
}

#[tokio::test]
async fn the_serve_banner_prints_commands_that_work() {
    use std::io::{BufRead, BufReader};
    let provider = Provider::start().await;
    let port = free_port();
    let mut server = std::process::Command::new(BIN)
        .args(["serve", "--port", &port.to_string()])
        .current_dir(&provider.dir)
        .env_remove("DATABASE_URL")
        .env_remove("ROCKET_PORT")
        .env("ROCKET_LOG_LEVEL", "off")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let banner: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.contains("cargo run -p provider -- demo"))
        .chain(std::iter::once(String::new()))
        .collect();
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        banner
            .iter()
            .any(|l| l.contains(&format!("127.0.0.1:{port}"))),
        "{banner:?}"
    );
    // The banner's suggestion, run as printed (in the provider's directory and database).
    let printed = terminal(&provider).run("cargo run -p provider -- demo");
    let client: serde_json::Value = serde_json::from_str(&printed).expect(&printed);
    assert!(client["client_secret"].is_string());
}

#[tokio::test]
async fn the_metadata_document_walkthrough_runs_as_printed() {
    let section = readme_section("MCP clients");
    let blocks = blocks(&section, "sh");
    assert_eq!(
        blocks.len(),
        2,
        "the walkthrough's blocks changed: update this test"
    );
    const STARTED: &str =
        "ROCKET_OAUTH2_CLIENT_METADATA_DOCUMENTS__ALLOW_PRIVATE_ADDRESSES=true cargo run -p provider -- serve &";
    assert!(blocks[0].contains(STARTED), "{}", blocks[0]);
    let provider = Provider::start_with(&[(
        "ROCKET_OAUTH2_CLIENT_METADATA_DOCUMENTS__ALLOW_PRIVATE_ADDRESSES",
        "true",
    )])
    .await;
    let mut terminal = terminal(&provider);
    let documents = free_port().to_string();
    terminal
        .commands
        .insert(0, (STARTED.to_owned(), ":".to_owned()));
    terminal
        .commands
        .push(("8765".to_owned(), documents.clone()));
    terminal.variables.push("CLIENT");
    /// Stops the block's background document server, however the test ends.
    struct Stop(String);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = std::process::Command::new("pkill")
                .args(["-f", &format!("http.server {}", self.0)])
                .status();
        }
    }
    let _stop = Stop(documents.clone());
    let url = terminal.run(&blocks[0]);
    // The document server was started in the background: give it a moment to listen.
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", documents.parse::<u16>().unwrap())).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (_, params) = authorize_client(
        &provider,
        url.trim(),
        "allow",
        "Document App",
        "http://127.0.0.1:9000/callback",
    )
    .await;
    let code = param(&params, "code").expect("a code");
    terminal
        .commands
        .push(("paste-the-code-here".to_owned(), code));
    let tokens = terminal.run(&blocks[1]);
    let tokens: serde_json::Value = serde_json::from_str(&tokens).expect(&tokens);
    assert!(
        tokens["access_token"].is_string() && tokens["refresh_token"].is_string(),
        "{tokens}"
    );
}
