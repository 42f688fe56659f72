//! The client a metadata document describes (draft-ietf-oauth-client-id-metadata-document
//! §4): RFC 7591 metadata with a `client_id` equal to the document's URL, for a client that
//! shares no secret with this server.

use crate::model::Client;
use crate::registration::ClientMetadata;
use crate::scope::Scope;

/// The client of the document `body` fetched from `url`, within `scope`; or why not.
pub(super) fn client(url: &str, body: &[u8], scope: &Scope) -> Result<Client, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the document is not JSON: {e}"))?;
    let serde_json::Value::Object(mut members) = value else {
        return Err("the document is not a JSON object".to_owned());
    };
    // §4: "MUST contain a client_id property whose value MUST match the URL of the document
    // using simple string comparison".
    match members.get("client_id") {
        Some(serde_json::Value::String(id)) if id == url => {}
        Some(serde_json::Value::String(id)) => {
            return Err(format!(
                "the document's client_id `{id}` is not its URL (they must be equal)"
            ))
        }
        _ => return Err("the document has no client_id".to_owned()),
    }
    // §4.1: no shared secret can be established with a document.
    for secret in ["client_secret", "client_secret_expires_at"] {
        if members.contains_key(secret) {
            return Err(format!("a metadata document must not contain {secret}"));
        }
    }
    match members.get("token_endpoint_auth_method") {
        None | Some(serde_json::Value::Null) => {
            members.insert("token_endpoint_auth_method".to_owned(), "none".into());
        }
        Some(serde_json::Value::String(method)) if method == "none" => {}
        Some(serde_json::Value::String(method)) if method == "private_key_jwt" => {
            return Err(
                "token_endpoint_auth_method private_key_jwt is not supported by this server; \
                 use none (a public client with PKCE)"
                    .to_owned(),
            )
        }
        Some(other) => {
            return Err(format!(
                "token_endpoint_auth_method {other} needs a shared secret, which a metadata \
                 document cannot have; use none"
            ))
        }
    }
    let metadata = ClientMetadata::from_json(serde_json::Value::Object(members))
        .and_then(|m| m.limited_to(scope))
        .map_err(|e| e.description)?;
    metadata
        .client(url.to_owned(), None)
        .map_err(|e| e.description)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuthMethod, GrantType};

    const URL: &str = "https://app.example/client.json";

    fn scope() -> Scope {
        "openid profile".parse().unwrap()
    }

    fn read(json: serde_json::Value) -> Result<Client, String> {
        client(URL, json.to_string().as_bytes(), &scope())
    }

    #[test]
    fn a_document_makes_a_public_client() {
        let client = read(serde_json::json!({
            "client_id": URL,
            "client_name": "App",
            "redirect_uris": ["https://app.example/cb"],
            "grant_types": ["authorization_code", "refresh_token"],
            "logo_uri": "https://app.example/logo.png",
        }))
        .unwrap();
        assert_eq!(client.client_id, URL);
        assert_eq!(client.token_endpoint_auth_method, AuthMethod::None);
        assert!(client.secret_hash.is_none());
        assert_eq!(
            client.grant_types,
            [GrantType::AuthorizationCode, GrantType::RefreshToken]
        );
        assert_eq!(client.scope, scope());
        assert_eq!(client.client_name.as_deref(), Some("App"));
    }

    #[test]
    fn documents_that_break_the_rules_are_refused() {
        let cb = serde_json::json!(["https://app.example/cb"]);
        for (json, why) in [
            (serde_json::json!({"redirect_uris": cb}), "no client_id"),
            (
                serde_json::json!({"client_id": "https://app.example/other", "redirect_uris": cb}),
                "is not its URL",
            ),
            (
                serde_json::json!({"client_id": URL, "redirect_uris": cb, "client_secret": "s"}),
                "client_secret",
            ),
            (
                serde_json::json!({"client_id": URL, "redirect_uris": cb,
                    "token_endpoint_auth_method": "client_secret_basic"}),
                "shared secret",
            ),
            (
                serde_json::json!({"client_id": URL, "redirect_uris": cb,
                    "token_endpoint_auth_method": "private_key_jwt"}),
                "not supported",
            ),
            (
                serde_json::json!({"client_id": URL, "redirect_uris": cb, "scope": "openid admin"}),
                "scope may include only",
            ),
            (
                serde_json::json!({"client_id": URL, "redirect_uris": cb,
                    "grant_types": ["client_credentials"], "response_types": []}),
                "client_credentials",
            ),
            (
                serde_json::json!({"client_id": URL, "redirect_uris": ["http://app.example/cb"]}),
                "https",
            ),
            (serde_json::json!({"client_id": URL}), "redirect_uris"),
            (serde_json::json!([URL]), "JSON object"),
        ] {
            let error = read(json.clone()).unwrap_err();
            assert!(error.contains(why), "{json}: {error}");
        }
    }
}
