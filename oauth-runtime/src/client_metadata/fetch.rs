//! Fetching a metadata document (draft-ietf-oauth-client-id-metadata-document §5): one `GET`,
//! no redirects followed, `200` with a JSON content type only, bounded in time and size.

use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};

/// A document as fetched: its body, and the lifetime its cache headers give (if any).
pub(super) struct Fetched {
    pub(super) body: Vec<u8>,
    pub(super) freshness: Option<Duration>,
}

/// The HTTP client documents are fetched with: public addresses only (unless
/// `allow_private`), no proxy (it would resolve names itself), no redirects (§5: "MUST NOT
/// automatically follow HTTP redirects"), `timeout` for the whole exchange.
pub(super) fn http_client(timeout: u64, allow_private: bool) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(timeout))
        .connect_timeout(Duration::from_secs(timeout))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .https_only(!allow_private)
        .user_agent(concat!("oauth-runtime/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        builder = builder.dns_resolver(std::sync::Arc::new(super::address::PublicOnly));
    }
    builder.build().map_err(|e| format!("HTTP client: {e}"))
}

/// `application/json` or `application/<something>+json` (§5), parameters aside.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json") && subtype.len() > 5)
}

/// The document at `url`, at most `max_bytes` long.
pub(super) async fn fetch(
    http: &reqwest::Client,
    url: &url::Url,
    max_bytes: usize,
) -> Result<Fetched, String> {
    let mut response = http
        .get(url.as_str())
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| match std::error::Error::source(&e) {
            Some(source) => format!("fetching the document failed: {e}: {source}"),
            None => format!("fetching the document failed: {e}"),
        })?;
    let status = response.status();
    if status.is_redirection() {
        return Err(format!(
            "the document URL answered {status}: redirects are not followed"
        ));
    }
    if status != reqwest::StatusCode::OK {
        return Err(format!("the document URL answered {status}, not 200"));
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !is_json(content_type) {
        return Err(format!(
            "the document's content type is `{content_type}`, not application/json"
        ));
    }
    let too_large = || format!("the document is larger than {max_bytes} bytes");
    let announced = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > max_bytes as u64) {
        return Err(too_large());
    }
    let freshness = super::cache_control::freshness(response.headers());
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the document failed: {e}"))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched { body, freshness })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/client-metadata+json",
        ] {
            assert!(is_json(ok), "{ok}");
        }
        for bad in [
            "",
            "text/html",
            "application/+json",
            "text/json",
            "application/jsonp",
        ] {
            assert!(!is_json(bad), "{bad}");
        }
    }
}
