//! A real browser signs in and approves: headless Chromium driven over WebDriver
//! (chromedriver). Screenshots of the sign-in and consent pages go to
//! `target/screenshots/`.
//!
//! Skipped when `chromium` or `chromedriver` is missing, unless `OAUTH_REQUIRE_BROWSER=1`
//! (set by `.ci/run`, which installs Debian's `chromium` and `chromium-driver`).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::harness::*;

fn find(program: &str) -> Option<std::path::PathBuf> {
    ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"]
        .iter()
        .map(|dir| std::path::Path::new(dir).join(program))
        .find(|path| path.exists())
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn screenshot_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

#[tokio::test]
async fn chromium_signs_in_approves_and_lands_on_the_redirect_with_a_code() {
    let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
        assert!(
            std::env::var("OAUTH_REQUIRE_BROWSER").map_or(true, |v| v != "1"),
            "the browser test is required but chromium/chromedriver are not installed"
        );
        eprintln!("skipping: chromium or chromedriver not installed");
        return;
    };
    let provider = Provider::start().await;
    let demo = provider.demo();
    let port = free_port();
    let _driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = provider.dir.join("chromium-profile");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=900,800",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let mut browser = None;
    for _ in 0..100 {
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities.clone());
        if let Ok(client) = builder.connect(&format!("http://127.0.0.1:{port}")).await {
            browser = Some(client);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let browser = browser.expect("connect to chromedriver");

    let id = demo["client_id"].as_str().unwrap();
    let authorize = provider.url(&format!(
        "/oauth/authorize?response_type=code&client_id={id}&scope=profile%20email&state=browser-state\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    ));
    browser.goto(&authorize).await.unwrap();
    assert!(browser
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/login"));
    std::fs::write(
        screenshot_dir().join("login.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser
        .find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("demo")
        .await
        .unwrap();
    browser
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("demo-password")
        .await
        .unwrap();
    browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The sign-in posts, redirects and loads the consent page: wait for that page rather than
    // reading whatever document is current while the navigation is under way.
    for _ in 0..200 {
        let url = browser.current_url().await.unwrap();
        if url.path() == "/oauth/authorize" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("button[value=allow]"))
        .await
        .unwrap();
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(heading.contains("Demo App"), "{heading}");
    let page = browser.source().await.unwrap();
    assert!(page.contains("profile") && page.contains("email"));
    std::fs::write(
        screenshot_dir().join("consent.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser
        .find(Locator::Css("button[value=allow]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // Nothing listens on the demo redirect URI: the browser shows an error page, but its
    // address is the redirect with the code.
    let mut landed = None;
    for _ in 0..100 {
        let url = browser.current_url().await.unwrap();
        if url.as_str().starts_with(DEMO_REDIRECT) {
            landed = Some(url);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let Some(landed) = landed else {
        let at = browser.current_url().await.unwrap();
        let page = browser.source().await.unwrap_or_default();
        panic!("the browser was not redirected to the client: at {at}: {page}");
    };
    let params = location_params(landed.as_str());
    assert!(param(&params, "code").is_some_and(|c| c.len() >= 43));
    assert_eq!(param(&params, "state").as_deref(), Some("browser-state"));
    browser.close().await.unwrap();
}
