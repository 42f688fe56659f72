//! Client metadata and its validation (RFC 7591 §2), for registering clients, and what the
//! store keeps of a dynamic registration (RFC 7592).

use serde::{Deserialize, Serialize};

use crate::model::{AuthMethod, Client, GrantType, ResponseType};
use crate::scope::Scope;
use crate::secret::{generate_token, SecretHash, DEFAULT_TOKEN_LENGTH};

/// The metadata members this server acts on; a registration request's others are ignored
/// (RFC 7591 §2: the server MUST ignore metadata it does not understand).
const KNOWN_METADATA: &[&str] = &[
    "client_name",
    "redirect_uris",
    "grant_types",
    "response_types",
    "scope",
    "token_endpoint_auth_method",
];

/// A client registered at the registration endpoint, as the store keeps it (RFC 7591 §3.2.1,
/// RFC 7592 §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The client id, issued by the server.
    pub client_id: String,
    /// Digest of the client secret; `None` for a public client.
    pub secret_hash: Option<SecretHash>,
    /// The metadata as registered (validated).
    pub metadata: ClientMetadata,
    /// Digest of the registration access token (RFC 7592 §3), which reads, updates and
    /// deletes the registration; replaced on every update.
    pub token_hash: SecretHash,
    /// Unix time of registration (`client_id_issued_at`).
    pub issued_at: u64,
}

impl Registration {
    /// The client this registration describes.
    pub fn client(&self) -> Result<Client, RegistrationError> {
        self.metadata
            .client(self.client_id.clone(), self.secret_hash)
    }

    /// [`client`](Self::client) for a store: metadata that no longer validates is a storage
    /// error (what the stores save was validated by the endpoint).
    pub(crate) fn stored_client(&self) -> crate::store::StorageResult<Client> {
        self.client()
            .map_err(|e| crate::store::StorageError::new(format!("registration is invalid: {e}")))
    }
}

/// Client metadata as RFC 7591 §2 defines it (the fields this server acts on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientMetadata {
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Redirect URIs, matched exactly.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Grant types; RFC 7591 default `["authorization_code"]`.
    #[serde(default = "default_grant_types")]
    pub grant_types: Vec<String>,
    /// Response types; RFC 7591 default `["code"]`.
    #[serde(default = "default_response_types")]
    pub response_types: Vec<String>,
    /// Space-separated scope the client may request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `client_secret_basic` (default), `client_secret_post` or `none`.
    #[serde(default = "default_auth_method")]
    pub token_endpoint_auth_method: String,
}

fn default_grant_types() -> Vec<String> {
    vec!["authorization_code".to_owned()]
}

fn default_response_types() -> Vec<String> {
    vec!["code".to_owned()]
}

fn default_auth_method() -> String {
    "client_secret_basic".to_owned()
}

/// Why metadata was refused: an RFC 7591 §3.2.2 error code and a description.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct RegistrationError {
    /// `invalid_redirect_uri` or `invalid_client_metadata`.
    pub code: &'static str,
    /// What is wrong.
    pub description: String,
}

fn metadata_error(description: impl Into<String>) -> RegistrationError {
    RegistrationError {
        code: "invalid_client_metadata",
        description: description.into(),
    }
}

fn redirect_error(description: impl Into<String>) -> RegistrationError {
    RegistrationError {
        code: "invalid_redirect_uri",
        description: description.into(),
    }
}

/// Checks one redirect URI (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §4.1.3): absolute, no
/// fragment, no userinfo, no whitespace or control characters (the string is stored and later
/// compared exactly, so it must be the URI a parser sees); `https`, or `http` on a loopback
/// host, or a private-use scheme (reverse domain name, containing a dot).
pub fn check_redirect_uri(uri: &str) -> Result<(), RegistrationError> {
    // URL parsers drop leading and trailing spaces and strip tabs and newlines anywhere
    // (WHATWG URL), so "https://a/cb\n" would pass as "https://a/cb": refuse the raw string.
    if uri.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(redirect_error(
            "a redirect URI must not contain whitespace or control characters",
        ));
    }
    let parsed = url::Url::parse(uri)
        .map_err(|_| redirect_error(format!("`{uri}` is not an absolute URI")))?;
    if parsed.fragment().is_some() || uri.contains('#') {
        return Err(redirect_error(format!(
            "`{uri}` has a fragment (RFC 6749 §3.1.2)"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(redirect_error(format!("`{uri}` has user information")));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => match parsed.host() {
            Some(url::Host::Domain("localhost")) => Ok(()),
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            _ => Err(redirect_error(format!(
                "`{uri}` must use https (http only on loopback)"
            ))),
        },
        scheme if scheme.contains('.') => Ok(()),
        _ => Err(redirect_error(format!(
            "`{uri}` must use https, http on loopback, or a private-use scheme like com.example.app"
        ))),
    }
}

impl ClientMetadata {
    /// Checks the metadata: known values, consistent grant and response types (RFC 7591
    /// §2.1), redirect URIs where a redirect-based grant needs them, scope syntax, and that a
    /// public client asks for no grant that requires authentication.
    pub fn validate(
        &self,
    ) -> Result<(AuthMethod, Vec<GrantType>, Vec<ResponseType>, Scope), RegistrationError> {
        let method: AuthMethod = self
            .token_endpoint_auth_method
            .parse()
            .map_err(|e: crate::model::UnknownValue| metadata_error(e.to_string()))?;
        let unknown = |e: crate::model::UnknownValue| metadata_error(e.to_string());
        let grants = self
            .grant_types
            .iter()
            .map(|g| g.parse::<GrantType>().map_err(unknown))
            .collect::<Result<Vec<_>, _>>()?;
        let responses = self
            .response_types
            .iter()
            .map(|r| r.parse::<ResponseType>().map_err(unknown))
            .collect::<Result<Vec<_>, _>>()?;
        let has_code = grants.contains(&GrantType::AuthorizationCode);
        let has_implicit = grants.contains(&GrantType::Implicit);
        // RFC 7591 §2.1: `code` needs authorization_code; `token` and `id_token` need implicit.
        if has_code != responses.iter().any(|r| r.has_code()) {
            return Err(metadata_error(
                "grant type authorization_code and response type code go together (RFC 7591 §2.1)",
            ));
        }
        if has_implicit != responses.iter().any(|r| r.has_token() || r.has_id_token()) {
            return Err(metadata_error(
                "grant type implicit and response type token go together (RFC 7591 §2.1)",
            ));
        }
        if (has_code || has_implicit) && self.redirect_uris.is_empty() {
            return Err(redirect_error(
                "redirect_uris are required for redirect-based grants",
            ));
        }
        for uri in &self.redirect_uris {
            check_redirect_uri(uri)?;
        }
        if method == AuthMethod::None
            && (grants.contains(&GrantType::ClientCredentials)
                || grants.contains(&GrantType::Password))
        {
            return Err(metadata_error(
                "a public client (token_endpoint_auth_method none) cannot use client_credentials or password",
            ));
        }
        let scope = match &self.scope {
            Some(s) => s
                .parse()
                .map_err(|_| metadata_error("scope is malformed (RFC 6749 §3.3)"))?,
            None => Scope::empty(),
        };
        Ok((method, grants, responses, scope))
    }

    /// Validates and makes the client, with a fresh id and, unless public, a fresh secret
    /// (returned once; only its digest is kept).
    pub fn register(&self) -> Result<(Client, Option<String>), RegistrationError> {
        let validated = self.validate()?;
        let secret =
            (validated.0 != AuthMethod::None).then(|| generate_token(DEFAULT_TOKEN_LENGTH));
        let hash = secret.as_deref().map(SecretHash::of);
        Ok((self.build(validated, generate_token(24), hash), secret))
    }

    /// The validated client with `client_id` and the secret digest `secret_hash` (`None` for
    /// a public client).
    pub fn client(
        &self,
        client_id: String,
        secret_hash: Option<SecretHash>,
    ) -> Result<Client, RegistrationError> {
        Ok(self.build(self.validate()?, client_id, secret_hash))
    }

    /// The client of metadata [`validate`](Self::validate) accepted, as it returned it.
    fn build(
        &self,
        (method, grants, responses, scope): (AuthMethod, Vec<GrantType>, Vec<ResponseType>, Scope),
        client_id: String,
        secret_hash: Option<SecretHash>,
    ) -> Client {
        let mut client = Client::public(client_id);
        client.secret_hash = secret_hash;
        client.token_endpoint_auth_method = method;
        client.grant_types = grants;
        client.response_types = responses;
        client.redirect_uris = self.redirect_uris.clone();
        client.scope = scope;
        client.client_name = self.client_name.clone();
        client
    }

    /// The metadata within what this server lets a client register itself for (dynamically,
    /// or by a metadata document): only grants a user consents to (and their refresh), never
    /// `client_credentials` or `password`, which would let a self-registered client act
    /// without a user's say; a scope within `allowed`, all of it when the metadata names none.
    pub(crate) fn limited_to(
        mut self,
        allowed: &Scope,
    ) -> Result<ClientMetadata, RegistrationError> {
        if let Some(grant) = self.grant_types.iter().find(|g| {
            !matches!(
                g.as_str(),
                "authorization_code" | "refresh_token" | "implicit"
            )
        }) {
            return Err(metadata_error(format!(
                "grant type {grant} cannot be registered by the client: only \
                 authorization_code, implicit and refresh_token"
            )));
        }
        match &self.scope {
            None => self.scope = Some(allowed.to_string()),
            Some(asked) => {
                let asked: Scope = asked
                    .parse()
                    .map_err(|_| metadata_error("scope is malformed (RFC 6749 §3.3)"))?;
                if !allowed.contains_all(&asked) {
                    return Err(metadata_error(format!(
                        "scope may include only what this server registers: {allowed}"
                    )));
                }
            }
        }
        Ok(self)
    }

    /// The metadata of a registration request body (RFC 7591 §3.1): a JSON object whose
    /// members this server does not know are ignored (§2). A software statement is refused
    /// with `unapproved_software_statement` (§3.1.1): this server trusts no statement issuer.
    /// The metadata is then [validated](Self::validate).
    pub fn from_request(body: &[u8]) -> Result<ClientMetadata, RegistrationError> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|_| metadata_error("the body must be a JSON object (RFC 7591 §3.1)"))?;
        Self::from_json(value)
    }

    /// [`from_request`](Self::from_request) of a body already parsed as JSON.
    pub fn from_json(value: serde_json::Value) -> Result<ClientMetadata, RegistrationError> {
        let serde_json::Value::Object(mut members) = value else {
            return Err(metadata_error(
                "the body must be a JSON object (RFC 7591 §3.1)",
            ));
        };
        if members.contains_key("software_statement") {
            return Err(RegistrationError {
                code: "unapproved_software_statement",
                description: "this server accepts no software statements".to_owned(),
            });
        }
        members.retain(|name, value| KNOWN_METADATA.contains(&name.as_str()) && !value.is_null());
        let metadata: ClientMetadata =
            serde_json::from_value(serde_json::Value::Object(members))
                .map_err(|e| metadata_error(format!("malformed metadata: {e}")))?;
        metadata.validate()?;
        Ok(metadata)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(json: &str) -> ClientMetadata {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn defaults_are_rfc7591s() {
        let m = metadata(r#"{"redirect_uris": ["https://a.example/cb"]}"#);
        let (client, secret) = m.register().unwrap();
        assert_eq!(client.grant_types, [GrantType::AuthorizationCode]);
        assert_eq!(client.response_types, [ResponseType::Code]);
        assert_eq!(
            client.token_endpoint_auth_method,
            AuthMethod::ClientSecretBasic
        );
        assert!(secret.is_some_and(|s| s.len() >= 43));
    }

    #[test]
    fn redirect_uri_rules() {
        for ok in [
            "https://a.example/cb",
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb",
            "http://[::1]/cb",
            "com.example.app:/cb",
        ] {
            assert!(check_redirect_uri(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://a.example/cb#frag",
            "https://u:p@a.example/cb",
            "http://a.example/cb",
            "relative/cb",
            "javascript:alert(1)",
            "ftp://a/cb",
            "https://a.example/cb\n",
            " https://a.example/cb",
            "https://a.example/c\tb",
            "https://a.example/c b",
            "https://a.example/cb\u{7f}",
            "https://a.example/cb\u{a0}",
        ] {
            assert_eq!(
                check_redirect_uri(bad).unwrap_err().code,
                "invalid_redirect_uri",
                "{bad}"
            );
        }
    }

    #[test]
    fn inconsistent_or_unknown_values_are_refused() {
        for json in [
            r#"{"grant_types": ["authorization_code"], "response_types": ["token"], "redirect_uris": ["https://a/cb"]}"#,
            r#"{"grant_types": ["teleport"], "response_types": []}"#,
            r#"{"token_endpoint_auth_method": "private_key_jwt", "redirect_uris": ["https://a/cb"]}"#,
            r#"{"grant_types": ["client_credentials"], "response_types": [], "token_endpoint_auth_method": "none"}"#,
            r#"{"scope": "a  b", "redirect_uris": ["https://a/cb"]}"#,
        ] {
            assert_eq!(
                metadata(json).register().unwrap_err().code,
                "invalid_client_metadata",
                "{json}"
            );
        }
        assert_eq!(
            metadata("{}").register().unwrap_err().code,
            "invalid_redirect_uri"
        );
    }

    #[test]
    fn public_clients_get_no_secret() {
        let m = metadata(
            r#"{"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"}"#,
        );
        let (client, secret) = m.register().unwrap();
        assert!(secret.is_none());
        assert!(client.secret_hash.is_none());
    }
}
