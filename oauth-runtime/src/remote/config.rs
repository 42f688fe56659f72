//! The configuration of resource-server mode, read from `[default.oauth2_resource_server]`.

use serde::Deserialize;

use crate::config::{check_issuer, error, ConfigError, TokenLocation};

/// How a resource server that is not the authorization server validates tokens
/// ([`ResourceServer`](crate::ResourceServer)).
///
/// ```toml
/// [default.oauth2_resource_server]
/// issuer = "https://auth.example.com"
/// audience = "https://api.example.com"
/// # For opaque access tokens (RFC 7662 introspection); a client registered as a resource server.
/// client_id = "api"
/// client_secret = "…"
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResourceServerConfig {
    /// The authorization server's issuer identifier (RFC 8414 §2): an `https` URL (`http` only
    /// on loopback). Its metadata is discovered at `/.well-known/oauth-authorization-server`,
    /// else `/.well-known/openid-configuration`, and its `issuer` must match exactly.
    pub issuer: String,
    /// This resource server's identifier: a JWT access token's `aud` must contain it (RFC 9068
    /// §4), and an introspection answer that names audiences must too.
    pub audience: String,
    /// The client id this server introspects with; without one, opaque tokens are refused.
    pub client_id: Option<String>,
    /// Its secret (sent with HTTP Basic, RFC 6749 §2.3.1).
    pub client_secret: Option<String>,
    /// The JWK Set URL, instead of the one in the metadata.
    pub jwks_uri: Option<String>,
    /// The introspection endpoint, instead of the one in the metadata.
    pub introspection_endpoint: Option<String>,
    /// Seconds of clock difference tolerated on `exp`, `nbf` and `iat`.
    pub clock_skew: u64,
    /// Seconds an introspection answer is reused (never past the token's `exp`); 0 asks every
    /// time. A token revoked at the authorization server is refused here at most this late.
    pub introspection_cache: u64,
    /// Seconds between JWK Set reloads; an unknown `kid` reloads it sooner (at most every
    /// `jwks_min_refresh` seconds).
    pub jwks_refresh: u64,
    /// The shortest interval between two JWK Set loads, so that tokens with made-up `kid`s
    /// cannot make this server hammer the issuer.
    pub jwks_min_refresh: u64,
    /// How many validated tokens are remembered (JWTs until they expire, introspection answers
    /// for `introspection_cache` seconds).
    pub cache_capacity: usize,
    /// Seconds to wait for the authorization server.
    pub timeout: u64,
    /// Where bearer tokens are accepted.
    pub bearer_token_locations: Vec<TokenLocation>,
    /// The `realm` of `WWW-Authenticate: Bearer` challenges.
    pub realm: String,
    /// `scopes_supported` of the RFC 9728 protected-resource metadata (empty: left out).
    pub scopes_supported: Vec<String>,
    /// `resource_name` of the RFC 9728 metadata, for people.
    pub resource_name: Option<String>,
}

impl Default for ResourceServerConfig {
    fn default() -> Self {
        ResourceServerConfig {
            issuer: String::new(),
            audience: String::new(),
            client_id: None,
            client_secret: None,
            jwks_uri: None,
            introspection_endpoint: None,
            clock_skew: 30,
            introspection_cache: 30,
            jwks_refresh: 300,
            jwks_min_refresh: 10,
            cache_capacity: 10_000,
            timeout: 5,
            bearer_token_locations: vec![TokenLocation::Header],
            realm: "api".to_owned(),
            scopes_supported: Vec::new(),
            resource_name: None,
        }
    }
}

impl std::fmt::Debug for ResourceServerConfig {
    /// Never prints the client secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceServerConfig")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("client_id", &self.client_id)
            .field("jwks_uri", &self.jwks_uri)
            .field("introspection_endpoint", &self.introspection_endpoint)
            .finish_non_exhaustive()
    }
}

impl ResourceServerConfig {
    /// A configuration for `issuer` and `audience`, every other value its default.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        ResourceServerConfig {
            issuer: issuer.into(),
            audience: audience.into(),
            ..Default::default()
        }
    }

    /// Introspects opaque tokens as `client_id` with `client_secret`.
    pub fn with_client(mut self, client_id: &str, client_secret: &str) -> Self {
        self.client_id = Some(client_id.to_owned());
        self.client_secret = Some(client_secret.to_owned());
        self
    }

    /// The path of this resource's RFC 9728 metadata (§3.1: the well-known prefix, then the
    /// resource identifier's path), when the audience is an `https` (or loopback `http`) URL.
    pub fn resource_metadata_path(&self) -> Option<String> {
        crate::protected_resource::metadata_path(&self.audience)
    }

    /// The full URL of that metadata, as challenges name it (RFC 9728 §5.1).
    pub fn resource_metadata_url(&self) -> Option<String> {
        crate::protected_resource::metadata_url(&self.audience)
    }

    /// Checks every value; the first bad one is reported with its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.issuer.is_empty() {
            return Err(error(
                "issuer",
                "is required: the authorization server's issuer URL",
            ));
        }
        check_issuer(&self.issuer).map_err(|m| error("issuer", m))?;
        if self.audience.is_empty() {
            return Err(error(
                "audience",
                "is required: this resource server's identifier, which tokens must name (RFC 9068 §4)",
            ));
        }
        for (key, url) in [
            ("jwks_uri", &self.jwks_uri),
            ("introspection_endpoint", &self.introspection_endpoint),
        ] {
            if let Some(url) = url {
                check_issuer(url.split(['?', '#']).next().unwrap_or(""))
                    .map_err(|m| error(key, m))?;
            }
        }
        if self.client_id.is_some() != self.client_secret.is_some() {
            return Err(error(
                "client_secret",
                "client_id and client_secret go together",
            ));
        }
        if self.timeout == 0 {
            return Err(error("timeout", "must be at least 1 second"));
        }
        if self.bearer_token_locations.is_empty() {
            return Err(error(
                "bearer_token_locations",
                "must name at least one location",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_and_audience_are_required_and_checked() {
        assert_eq!(
            ResourceServerConfig::default().validate().unwrap_err().key,
            "issuer"
        );
        let no_audience = ResourceServerConfig::new("https://as.example", "");
        assert_eq!(no_audience.validate().unwrap_err().key, "audience");
        let http = ResourceServerConfig::new("http://as.example", "api");
        assert_eq!(http.validate().unwrap_err().key, "issuer");
        assert!(ResourceServerConfig::new("http://127.0.0.1:8000", "api")
            .validate()
            .is_ok());
        let half = ResourceServerConfig {
            client_id: Some("api".into()),
            ..ResourceServerConfig::new("https://as.example", "api")
        };
        assert_eq!(half.validate().unwrap_err().key, "client_secret");
        let secret =
            ResourceServerConfig::new("https://as.example", "api").with_client("api", "s3cret");
        assert!(!format!("{secret:?}").contains("s3cret"));
    }

    #[test]
    fn metadata_lives_at_the_well_known_path_of_the_resource() {
        let root = ResourceServerConfig::new("https://as.example", "https://api.example.com");
        assert_eq!(
            root.resource_metadata_url().as_deref(),
            Some("https://api.example.com/.well-known/oauth-protected-resource")
        );
        let with_path =
            ResourceServerConfig::new("https://as.example", "https://api.example.com/mcp/");
        assert_eq!(
            with_path.resource_metadata_path().as_deref(),
            Some("/.well-known/oauth-protected-resource/mcp")
        );
        // An audience that is not a URL has no RFC 9728 metadata.
        let name = ResourceServerConfig::new("https://as.example", "notes-api");
        assert_eq!(name.resource_metadata_url(), None);
    }
}
