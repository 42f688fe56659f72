//! The few HTTP calls a resource server makes to its authorization server: JSON documents
//! (metadata, JWK Set) and introspection, bounded in time and size, never following redirects.

use std::time::Duration;

use serde::de::DeserializeOwned;

/// The largest document read from the authorization server.
const MAX_BODY: usize = 1 << 20;

/// Why a call failed; logged, never shown to the resource's caller.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn client(timeout: u64) -> Result<reqwest::Client, Failure> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(timeout))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("oauth-runtime/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Failure(format!("HTTP client: {e}")))
}

/// The body of a 200 answer as `T`.
pub(crate) async fn read_json<T: DeserializeOwned>(
    url: &str,
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, Failure> {
    let mut response = response.map_err(|e| Failure(format!("{url}: {e}")))?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(Failure(format!("{url}: HTTP {}", response.status())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Failure(format!("{url}: {e}")))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure(format!("{url}: the answer is larger than 1 MiB")));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| Failure(format!("{url}: {e}")))
}

pub(crate) async fn get_json<T: DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<T, Failure> {
    read_json(
        url,
        http.get(url)
            .header("Accept", "application/json")
            .send()
            .await,
    )
    .await
}
