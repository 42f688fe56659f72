//! Section 8 of the guide, run as printed: `cargo new`, the app's commands, the server, the
//! authorization code flow with PKCE, the API, refresh and revocation. The only liberties: the
//! server listens on a free port instead of 8000, `cargo run --` is the built binary, and the
//! code a browser would show is the one this test's HTTP client got by signing in.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use oauth_tests::html::hidden_fields;
use oauth_tests::net::free_port;
use oauth_tests::shell::Terminal;

use crate::blocks::{guide_blocks, root};

const BIN: &str = env!("CARGO_BIN_EXE_my-provider");
/// Shell variables the guide's blocks set, carried from one block to the next as a terminal
/// would.
const VARIABLES: [&str; 7] = [
    "ID",
    "SECRET",
    "VERIFIER",
    "CHALLENGE",
    "CODE",
    "ACCESS",
    "REFRESH",
];

fn serve(terminal: &Terminal) -> Server {
    let child = Command::new(BIN)
        .current_dir(&terminal.dir)
        .env_remove("DATABASE_URL")
        .env("ROCKET_PORT", terminal.port.to_string())
        .env("ROCKET_OAUTH2_ISSUER", terminal.base())
        .env("ROCKET_LOG_LEVEL", "critical")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start my-provider");
    Server(child)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn wait_ready(base: &str) {
    for _ in 0..300 {
        if browser().get(format!("{base}/login")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("my-provider did not start");
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// What a browser does with the URL the guide prints: sign in, allow; the code it lands with.
async fn sign_in_and_allow(base: &str, url: &str, email: &str, password: &str) -> String {
    let browser = browser();
    let visit = browser.get(url).send().await.unwrap();
    assert_eq!(visit.status().as_u16(), 303, "a visitor is sent to sign in");
    let login = format!("{base}{}", location(&visit));
    let page = browser
        .get(&login)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_fields(&page)
        .into_iter()
        .find(|(k, _)| k == "csrf_token")
        .expect("the sign-in form's CSRF token")
        .1;
    let action = page
        .split("action=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let signed_in = browser
        .post(format!("{base}{action}"))
        .form(&[
            ("username", email),
            ("password", password),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303, "signed in");
    let back = format!("{base}{}", location(&signed_in));
    assert!(back.contains("/oauth/authorize?"), "{back}");
    let consent = browser
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(consent.contains("wants: profile"), "{consent}");
    let mut form = hidden_fields(&consent);
    form.push(("decision".into(), "allow".into()));
    let answer = browser
        .post(format!("{base}/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 302);
    let landed = url::Url::parse(&location(&answer)).unwrap();
    assert!(landed
        .as_str()
        .starts_with("http://127.0.0.1:9000/callback?"));
    let param = |name: &str| {
        landed
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some("xyz"));
    assert_eq!(param("iss").as_deref(), Some(base));
    param("code").expect("a code")
}

fn json_file(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guide_runs_as_printed() {
    let scratch =
        std::env::temp_dir().join(format!("guide-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut terminal = Terminal {
        dir: scratch.clone(),
        port: free_port(),
        commands: vec![("cargo run --".to_owned(), BIN.to_owned())],
        variables: VARIABLES.to_vec(),
    };
    let mut code_seen = None;
    let blocks: Vec<String> = guide_blocks()
        .into_iter()
        .filter(|b| b.lang == "sh")
        .map(|b| b.text)
        .collect();
    let mut server = None;
    for block in &blocks {
        if block.starts_with("cargo new my-provider") {
            // `cd` does not outlive the block: the terminal moves into the new project, where
            // the guide's `Rocket.toml` goes next to `Cargo.toml`.
            terminal.run(block);
            terminal.dir = scratch.join("my-provider");
            assert!(terminal.dir.join("Cargo.toml").exists());
            std::fs::copy(
                root().join("examples/guide/Rocket.toml"),
                terminal.dir.join("Rocket.toml"),
            )
            .unwrap();
        } else if block == "cargo run" {
            server = Some(serve(&terminal));
            wait_ready(&terminal.base()).await;
        } else if block.contains("oauth/authorize?") {
            let printed = terminal.run(block);
            let url = printed.trim();
            assert!(url.starts_with(&terminal.base()), "{url}");
            let code = sign_in_and_allow(
                &terminal.base(),
                url,
                "alice@example.com",
                "correct horse battery staple",
            )
            .await;
            // The reader pastes the code from the browser's address bar.
            terminal
                .commands
                .push(("paste-the-code-here".to_owned(), code.clone()));
            code_seen = Some(code);
        } else {
            let printed = terminal.run(block);
            check(&terminal, block, &printed);
        }
    }
    assert!(server.is_some(), "the guide starts the server");
    assert!(code_seen.is_some(), "the guide runs the code flow");
    disabled_accounts_lose_their_tokens(&terminal).await;
    drop(server);
    let _ = std::fs::remove_dir_all(&scratch);
}

/// What each block must have printed.
fn check(terminal: &Terminal, block: &str, printed: &str) {
    let dir = &terminal.dir;
    if block.contains("add-user") {
        assert!(printed.contains("added alice@example.com"), "{printed}");
        let client = json_file(dir, "notes.json");
        assert!(client["client_secret"].as_str().unwrap().len() >= 43);
    } else if block.contains("grant_type=authorization_code") {
        let tokens = json_file(dir, "tokens.json");
        assert!(
            tokens["access_token"].as_str().unwrap().starts_with("mp_"),
            "{tokens}"
        );
        assert_eq!(
            tokens["expires_in"], 3600,
            "Rocket.toml's lifetime: not official"
        );
        assert_eq!(tokens["scope"], "profile");
        assert!(tokens["refresh_token"].is_string());
    } else if block.contains("/api/me") && !block.contains("revoke") {
        assert_eq!(printed.trim(), "account 1");
    } else if block.contains("grant_type=refresh_token") {
        let tokens = json_file(dir, "tokens.json");
        assert!(
            tokens["access_token"].as_str().unwrap().starts_with("mp_"),
            "{tokens}"
        );
        assert!(tokens["refresh_token"].is_string());
    } else if block.contains("/oauth/revoke") {
        // The revocation answers `{}` (RFC 7009 §2.2: 200), the API then 401.
        assert_eq!(printed.trim(), "{}401", "{printed}");
    } else {
        panic!("a guide block this test does not check:\n{block}");
    }
}

/// The guide's revocation rule: `disabled = TRUE` refuses the account's tokens at once.
async fn disabled_accounts_lose_their_tokens(terminal: &Terminal) {
    let base = terminal.base();
    let tokens = json_file(&terminal.dir, "tokens.json");
    let client = json_file(&terminal.dir, "notes.json");
    let http = browser();
    let refreshed: Value = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(
            client["client_id"].as_str().unwrap(),
            client["client_secret"].as_str(),
        )
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = refreshed["access_token"]
        .as_str()
        .expect("refreshed")
        .to_owned();
    let me = |token: String| {
        let http = http.clone();
        let url = format!("{base}/api/me");
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(access.clone()).await, 200);
    let db = terminal.dir.join("my-provider.db");
    let pool = oauth_runtime::sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    oauth_runtime::sqlx::query(
        "UPDATE accounts SET disabled = TRUE WHERE email = 'alice@example.com'",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(me(access).await, 401);
}
