//! Starts the real binary in a temporary directory (its own SQLite database) on a free port.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub use oauth_tests::net::free_port;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_provider");
pub const DEMO_REDIRECT: &str = "http://127.0.0.1:9000/callback";

pub struct Provider {
    pub dir: PathBuf,
    pub base: String,
    child: Child,
    env: Vec<(String, String)>,
}

fn spawn(dir: &std::path::Path, port: u16, env: &[(String, String)]) -> Child {
    Command::new(BIN)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["serve", "--port", &port.to_string()])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("ROCKET_PORT")
        .env("ROCKET_LOG_LEVEL", "critical")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start provider")
}

impl Provider {
    pub async fn start() -> Provider {
        Provider::start_with(&[]).await
    }

    /// Started with these environment variables (e.g. `ROCKET_OAUTH2_…` settings).
    pub async fn start_with(env: &[(&str, &str)]) -> Provider {
        let name = format!("provider-e2e-{}-{}", std::process::id(), free_port());
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let child = spawn(&dir, port, &env);
        let provider = Provider {
            dir,
            base: format!("http://127.0.0.1:{port}"),
            child,
            env,
        };
        provider.wait_ready().await;
        provider
    }

    async fn wait_ready(&self) {
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(r) = http.get(format!("{}/api/ping", self.base)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("provider did not start");
    }

    /// `kill -9`: no shutdown, no flushing beyond what the database already did.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }

    /// Starts the binary again on the same directory (and database), on a new port.
    pub async fn restart(&mut self) {
        let port = free_port();
        self.child = spawn(&self.dir, port, &self.env);
        self.base = format!("http://127.0.0.1:{port}");
        self.wait_ready().await;
    }

    /// Runs a CLI command against this provider's database.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(&self.dir)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run provider")
    }

    /// `provider demo`: the demo client as JSON.
    pub fn demo(&self) -> Value {
        let out = self.cli(&["demo"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("demo prints JSON")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A browser: keeps cookies, does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `value` of the hidden input `name` in a page.
pub use oauth_tests::html::{hidden, hidden_fields};

/// The README's section under `## heading`.
pub fn readme_section(heading: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    oauth_tests::shell::section(&readme, heading).to_owned()
}

/// The query (or fragment) parameters of a `Location`.
pub fn location_params(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).expect("absolute location");
    let raw = url
        .fragment()
        .map(str::to_owned)
        .unwrap_or_else(|| url.query().unwrap_or("").to_owned());
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

pub fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// Signs `username` in through the login form, starting from `next`; returns the browser.
pub async fn sign_in(
    provider: &Provider,
    browser: &reqwest::Client,
    next: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let page = browser
        .get(provider.url(&format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    let csrf = hidden(&html, "csrf_token").expect("login form has a CSRF token");
    browser
        .post(provider.url("/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf_token", &csrf),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

/// Runs the browser part of the code flow for the demo client: sign in, consent with
/// `decision`; returns the redirect's parameters.
pub async fn authorize(
    provider: &Provider,
    auth_url: &str,
    decision: &str,
) -> Vec<(String, String)> {
    authorize_client(provider, auth_url, decision, "Demo App", DEMO_REDIRECT)
        .await
        .1
}

/// The browser part of the code flow for a client named `client_name` redirecting to
/// `redirect`: a visitor is sent to sign in, signs in as demo, sees the consent page naming the
/// client, and decides; returns the consent page and the redirect's parameters.
pub async fn authorize_client(
    provider: &Provider,
    auth_url: &str,
    decision: &str,
    client_name: &str,
    redirect: &str,
) -> (String, Vec<(String, String)>) {
    let browser = browser();
    let first = browser.get(auth_url).send().await.unwrap();
    assert_eq!(first.status().as_u16(), 303, "a visitor is sent to sign in");
    let login = first.headers()["location"].to_str().unwrap().to_owned();
    assert!(login.starts_with("/login?next="), "{login}");
    let next = url::form_urlencoded::parse(login.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "next")
        .unwrap()
        .1
        .into_owned();
    let signed_in = sign_in(provider, &browser, &next, "demo", "demo-password").await;
    assert_eq!(signed_in.status().as_u16(), 303);
    assert_eq!(signed_in.headers()["location"], next.as_str());
    let consent = browser.get(provider.url(&next)).send().await.unwrap();
    assert_eq!(consent.status().as_u16(), 200);
    let html = consent.text().await.unwrap();
    assert!(html.contains(client_name), "{html}");
    assert!(
        html.contains("value=allow>allow</button>") && html.contains("value=deny>deny</button>")
    );
    let answer = decide(provider, &browser, &html, decision).await;
    assert_eq!(answer.status().as_u16(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect), "{location}");
    (html, location_params(&location))
}

/// Posts the consent page's form back with `decision`, as the browser's button does.
pub async fn decide(
    provider: &Provider,
    browser: &reqwest::Client,
    consent_html: &str,
    decision: &str,
) -> reqwest::Response {
    let mut fields = hidden_fields(consent_html);
    fields.push(("decision".to_owned(), decision.to_owned()));
    browser
        .post(provider.url("/oauth/authorize"))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// A token request as the demo client (HTTP Basic): the JSON answer.
pub async fn demo_token_request(
    provider: &Provider,
    demo: &Value,
    params: &[(&str, &str)],
) -> Value {
    reqwest::Client::new()
        .post(provider.url("/oauth/token"))
        .basic_auth(
            demo["client_id"].as_str().unwrap(),
            demo["client_secret"].as_str(),
        )
        .form(params)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
