//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document a protected API publishes so
//! that clients (MCP clients among them) find the authorization server from a refusal.

use crate::config::{check_issuer, TokenLocation};

/// RFC 9728 §3.1: where the metadata of `resource` lives — the well-known prefix, then the
/// resource identifier's path. `None` unless the identifier is an `https` (or loopback `http`)
/// URL without query or fragment.
pub(crate) fn metadata_path(resource: &str) -> Option<String> {
    let url = url::Url::parse(resource).ok()?;
    check_issuer(resource).ok()?;
    let path = url.path().trim_end_matches('/');
    Some(format!("/.well-known/oauth-protected-resource{path}"))
}

/// The full URL of that metadata, as challenges name it (RFC 9728 §5.1).
pub(crate) fn metadata_url(resource: &str) -> Option<String> {
    let url = url::Url::parse(resource).ok()?;
    let path = metadata_path(resource)?;
    Some(format!("{}{path}", url.origin().ascii_serialization()))
}

/// What the document says (RFC 9728 §2).
pub(crate) struct Description<'a> {
    /// `resource`: the identifier, exactly as tokens name it.
    pub(crate) resource: &'a str,
    /// `authorization_servers`: issuer identifiers.
    pub(crate) authorization_server: &'a str,
    /// `bearer_methods_supported`.
    pub(crate) locations: &'a [TokenLocation],
    /// `scopes_supported` (left out when empty).
    pub(crate) scopes: &'a [String],
    /// `resource_name` (for people).
    pub(crate) name: Option<&'a str>,
}

/// The metadata path and JSON document, if `resource` is a URL that can have metadata.
pub(crate) fn document(description: &Description<'_>) -> Option<(String, String)> {
    let path = metadata_path(description.resource)?;
    let methods: Vec<&str> = description
        .locations
        .iter()
        .map(|location| match location {
            TokenLocation::Header => "header",
            TokenLocation::Query => "query",
        })
        .collect();
    let mut document = serde_json::json!({
        "resource": description.resource,
        "authorization_servers": [description.authorization_server],
        "bearer_methods_supported": methods,
    });
    if !description.scopes.is_empty() {
        document["scopes_supported"] = serde_json::json!(description.scopes);
    }
    if let Some(name) = description.name {
        document["resource_name"] = serde_json::json!(name);
    }
    Some((path, document.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_resource_path() {
        assert_eq!(
            metadata_path("https://api.example.com").as_deref(),
            Some("/.well-known/oauth-protected-resource")
        );
        assert_eq!(
            metadata_url("http://127.0.0.1:8000/api/").as_deref(),
            Some("http://127.0.0.1:8000/.well-known/oauth-protected-resource/api")
        );
        assert_eq!(metadata_path("http://api.example.com/"), None);
        assert_eq!(metadata_path("urn:example:api"), None);
    }

    #[test]
    fn the_document_names_the_issuer_and_methods() {
        let (path, body) = document(&Description {
            resource: "https://api.example.com/v1",
            authorization_server: "https://auth.example.com",
            locations: &[TokenLocation::Header],
            scopes: &["notes".to_owned()],
            name: None,
        })
        .unwrap();
        assert_eq!(path, "/.well-known/oauth-protected-resource/v1");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["authorization_servers"][0], "https://auth.example.com");
        assert_eq!(json["bearer_methods_supported"][0], "header");
        assert_eq!(json["scopes_supported"][0], "notes");
    }
}
