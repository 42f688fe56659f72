//! Asking the authorization server about an opaque token (RFC 7662).

use serde::Deserialize;

use super::config::ResourceServerConfig;
use super::http::{read_json, Failure};
use crate::resource::CurrentToken;
use crate::response::url_encode;
use crate::scope::Scope;

/// RFC 7662 §2.2; `aud` is a string or an array (RFC 7519 §4.1.3).
#[derive(Deserialize)]
struct Answer {
    active: bool,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    exp: Option<u64>,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    aud: Option<serde_json::Value>,
}

fn names(aud: &serde_json::Value, audience: &str) -> bool {
    match aud {
        serde_json::Value::String(one) => one == audience,
        serde_json::Value::Array(many) => many.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    }
}

/// The token if the server says it is an active access token for this resource server;
/// `None` if not; a failure if the server could not be asked.
pub(crate) async fn introspect(
    http: &reqwest::Client,
    endpoint: &str,
    config: &ResourceServerConfig,
    token: &str,
) -> Result<Option<CurrentToken>, Failure> {
    let (Some(id), Some(secret)) = (&config.client_id, &config.client_secret) else {
        return Ok(None);
    };
    // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic's base64.
    let credentials = format!("{}:{}", url_encode(id), url_encode(secret));
    let authorization = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, credentials)
    );
    let response = http
        .post(endpoint)
        .header("Authorization", authorization)
        .header("Accept", "application/json")
        .form(&[("token", token), ("token_type_hint", "access_token")])
        .send()
        .await;
    let answer: Answer = read_json(endpoint, response).await?;
    if !answer.active {
        return Ok(None);
    }
    // A refresh token is active too, but is not a bearer access token.
    if answer
        .token_type
        .as_deref()
        .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
    {
        return Ok(None);
    }
    if answer
        .iss
        .as_deref()
        .is_some_and(|iss| iss != config.issuer)
    {
        return Ok(None);
    }
    if answer
        .aud
        .as_ref()
        .is_some_and(|aud| !names(aud, &config.audience))
    {
        return Ok(None);
    }
    let now = crate::model::now();
    if answer
        .exp
        .is_some_and(|exp| exp.saturating_add(config.clock_skew) <= now)
    {
        return Ok(None);
    }
    let Ok(scope) = Scope::parse(answer.scope.as_deref().unwrap_or("")) else {
        return Ok(None);
    };
    Ok(Some(CurrentToken {
        client_id: answer.client_id.unwrap_or_default(),
        user_id: answer.sub,
        scope,
        grant_type: None,
        issued_at: answer.iat.unwrap_or(0),
        expires_at: answer.exp.unwrap_or(u64::MAX),
    }))
}
