//! Typed configuration, read from Rocket's figment under the `oauth2` key.
//!
//! ```toml
//! [default.oauth2]
//! issuer = "https://auth.example.com"
//! refresh_token_generator = true
//! token_length = 43
//! authorization_code_expires_in = 300
//! refresh_token_expires_in = 2592000
//! bearer_token_locations = ["header"]
//! realm = "api"
//!
//! [default.oauth2.expires_in]
//! authorization_code = 864000
//! client_credentials = 3600
//! ```

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::model::GrantType;
use crate::secret::{DEFAULT_TOKEN_LENGTH, MIN_TOKEN_LENGTH};
use crate::token::BearerToken;

/// Where resource servers accept bearer tokens (RFC 6750 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenLocation {
    /// `Authorization: Bearer …` (RFC 6750 §2.1), the default.
    Header,
    /// The `access_token` URI query parameter (RFC 6750 §2.3); leaks into logs and history,
    /// so off unless configured.
    Query,
}

/// The framework's configuration. Every field has a safe default.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The issuer identifier (RFC 8414 §2): an `https` URL (or `http` on loopback) without
    /// query or fragment. When set, authorization responses carry `iss` (RFC 9207).
    pub issuer: Option<String>,
    /// Whether refresh tokens are issued (Authlib's `OAUTH2_REFRESH_TOKEN_GENERATOR`).
    pub refresh_token_generator: bool,
    /// Access token lifetime in seconds per grant type (Authlib's `OAUTH2_EXPIRES_{GRANT}`),
    /// merged over Authlib's defaults. Keys are grant type names or extension grant URIs; an
    /// unknown name stops launch.
    pub expires_in: HashMap<GrantType, u64>,
    /// Length of generated tokens and codes in characters (6 bits each); at least 43.
    pub token_length: usize,
    /// Authorization code lifetime in seconds; at most 600 (RFC 6749 §4.1.2).
    pub authorization_code_expires_in: u64,
    /// Refresh token lifetime in seconds from issue (each rotation starts a new one);
    /// 0 means refresh tokens do not expire.
    pub refresh_token_expires_in: u64,
    /// Where bearer tokens are accepted.
    pub bearer_token_locations: Vec<TokenLocation>,
    /// The `realm` of `WWW-Authenticate: Bearer` challenges (RFC 6750 §3).
    pub realm: String,
    /// Require PKCE of confidential clients too (it is always required of public clients).
    pub pkce_required_for_confidential: bool,
    /// Accept the `plain` PKCE method (RFC 7636 §4.2); by default only `S256`.
    pub pkce_allow_plain: bool,
    /// Largest accepted request body in bytes.
    pub max_body_size: usize,
    /// Seconds between housekeeping runs that delete expired codes and tokens; 0 turns it off.
    pub purge_interval: u64,
    /// The SQL database, for [`OAuth2::database`](crate::OAuth2::database).
    pub database: DatabaseConfig,
    /// Throttling of failed passwords and client secrets.
    pub throttle: crate::throttle::ThrottleConfig,
    /// Proxies whose forwarding headers (`Forwarded`, `X-Forwarded-For`, `X-Real-IP`) are
    /// believed, as CIDR networks or addresses. Empty (the default): the connection's peer is
    /// the client and those headers are ignored.
    pub trusted_proxies: Vec<crate::client_address::TrustedProxy>,
    /// Password hashing under load.
    pub password_hashing: PasswordHashingConfig,
    /// Keys that sign ID tokens and JWT access tokens.
    pub signing: SigningConfig,
    /// OpenID Connect.
    pub openid: OpenIdConfig,
    /// What access tokens look like: `opaque` (random strings, the default) or `jwt` (RFC 9068,
    /// signed with the [signing keys](crate::keys); still stored by digest, so revocation and
    /// introspection keep working at this server).
    pub access_token_format: AccessTokenFormat,
    /// The `aud` of JWT access tokens (RFC 9068 §2.2): the resource server(s) they are for;
    /// default: the `issuer`. A token issued for named resources (RFC 8707) carries those
    /// instead.
    pub access_token_audience: Option<String>,
    /// This app's own protected resource identifier (RFC 8707 §2, RFC 9728 §1.2), e.g.
    /// `https://example.com/api`. When set, the guards refuse tokens whose audience does not
    /// include it, `/.well-known/oauth-protected-resource` followed by its path describes it,
    /// challenges name that document (RFC 9728 §5.1), and it is the audience of tokens whose
    /// request names no `resource`.
    pub resource: Option<String>,
    /// Other resource servers this server issues tokens for (RFC 8707): with `resource`, the
    /// only values a `resource` parameter may take. When both are unset any absolute URI is
    /// accepted.
    pub resources: Vec<String>,
    /// `scopes_supported` of this app's RFC 9728 metadata (empty: left out).
    pub resource_scopes: Vec<String>,
    /// `resource_name` of this app's RFC 9728 metadata, for people.
    pub resource_name: Option<String>,
    /// Dynamic client registration (RFC 7591, RFC 7592), off by default.
    pub registration: RegistrationConfig,
    /// Client ID Metadata Documents (an `https` URL as `client_id`), off by default.
    pub client_metadata_documents: ClientMetadataDocumentsConfig,
}

/// Client ID Metadata Documents (`[default.oauth2.client_metadata_documents]`,
/// draft-ietf-oauth-client-id-metadata-document): a `client_id` that is an `https` URL names
/// a JSON document of the client's metadata, fetched when the client is first seen and cached.
/// Needs the `client-metadata-documents` feature.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientMetadataDocumentsConfig {
    /// Accept `https` URLs as client ids.
    pub enabled: bool,
    /// The scope such a client may ask for (space-separated): a document asking more is
    /// refused, one naming none gets all of it. Required when enabled.
    pub scope: String,
    /// The largest document read, in bytes.
    pub max_bytes: usize,
    /// The time allowed for one fetch (connect, TLS, answer), in seconds.
    pub timeout: u64,
    /// A document is kept at least this long, in seconds, whatever its cache headers say.
    pub min_cache_age: u64,
    /// ... and at most this long.
    pub max_cache_age: u64,
    /// Development only: fetch from loopback, private and link-local addresses too, and
    /// accept `http` client ids on loopback hosts. Off, such documents are refused before
    /// any connection is made.
    pub allow_private_addresses: bool,
}

impl Default for ClientMetadataDocumentsConfig {
    fn default() -> Self {
        ClientMetadataDocumentsConfig {
            enabled: false,
            scope: String::new(),
            max_bytes: 5 * 1024,
            timeout: 5,
            min_cache_age: 30,
            max_cache_age: 86_400,
            allow_private_addresses: false,
        }
    }
}

/// Dynamic client registration (`[default.oauth2.registration]`, RFC 7591 / RFC 7592).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrationConfig {
    /// Serve the registration endpoint (`{base}/register`) and the client configuration
    /// endpoint (`{base}/register/<client_id>`).
    pub enabled: bool,
    /// When set, registration requires `Authorization: Bearer <initial_access_token>` (RFC
    /// 7591 §3); unset, registration is open to anyone. Prefer the
    /// `ROCKET_OAUTH2_REGISTRATION__INITIAL_ACCESS_TOKEN` variable to a file.
    pub initial_access_token: Option<String>,
    /// Registrations accepted per client address (IPv6 per /64) within `window`; more are
    /// answered 429 with `Retry-After`.
    pub max_per_address: u32,
    /// The window of `max_per_address`, in seconds.
    pub window: u64,
    /// The scope a registered client may ask for (space-separated): a registration asking
    /// more is refused, one naming none gets all of it. Required when registration is on.
    pub scope: String,
}

impl Default for RegistrationConfig {
    fn default() -> Self {
        RegistrationConfig {
            enabled: false,
            initial_access_token: None,
            max_per_address: 300,
            window: 3600,
            scope: String::new(),
        }
    }
}

impl fmt::Debug for RegistrationConfig {
    /// Never prints the initial access token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationConfig")
            .field("enabled", &self.enabled)
            .field("gated", &self.initial_access_token.is_some())
            .field("max_per_address", &self.max_per_address)
            .field("window", &self.window)
            .field("scope", &self.scope)
            .finish()
    }
}

/// What access tokens look like (`access_token_format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessTokenFormat {
    /// `token_length` random characters.
    #[default]
    Opaque,
    /// A signed JWT (RFC 9068) that resource servers can validate without this server.
    Jwt,
}

/// OpenID Connect (`[default.oauth2.openid]`). A client that asks for the `openid` scope gets
/// an ID token beside its access token; `issuer` must be configured.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenIdConfig {
    /// ID token lifetime, seconds.
    pub id_token_expires_in: u64,
    /// The `sub` clients see (Core §8): `public` (the user id, the default) or `pairwise` (a
    /// value per sector: clients on different hosts cannot correlate users).
    pub subject_type: SubjectType,
    /// The secret salt of pairwise subjects, at least 16 characters. Changing it changes every
    /// pairwise `sub`.
    pub pairwise_salt: String,
}

impl Default for OpenIdConfig {
    fn default() -> Self {
        OpenIdConfig {
            id_token_expires_in: 3600,
            subject_type: SubjectType::Public,
            pairwise_salt: String::new(),
        }
    }
}

impl fmt::Debug for OpenIdConfig {
    /// Never prints the salt.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenIdConfig")
            .field("id_token_expires_in", &self.id_token_expires_in)
            .field("subject_type", &self.subject_type)
            .finish_non_exhaustive()
    }
}

/// OpenID Connect subject identifier types (Core §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SubjectType {
    /// The same `sub` for every client: the user id.
    #[default]
    Public,
    /// A different `sub` per sector (the host of a client's redirect URIs).
    Pairwise,
}

impl SubjectType {
    /// The name in discovery (`subject_types_supported`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SubjectType::Public => "public",
            SubjectType::Pairwise => "pairwise",
        }
    }
}

/// Signing keys (`[default.oauth2.signing]`): made on first use and kept in the storage
/// ([`keys`](crate::keys)).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SigningConfig {
    /// The algorithm of new keys: `RS256` (default; every relying party verifies it), `ES256`
    /// or `EdDSA` (Ed25519).
    pub algorithm: crate::keys::SigningAlgorithm,
    /// Seconds a key stays published after a rotation; 0 = the longest configured access
    /// token lifetime (set it when an expiry rule in code gives longer ones).
    pub retire_after: u64,
}

/// Concurrency of password verification (`[default.oauth2.password_hashing]`). Argon2 takes
/// milliseconds of CPU and ~19 MiB per verification, so verifications beyond the cores only
/// queue up memory and latency.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordHashingConfig {
    /// Verifications at once; 0 = the number of cores.
    pub concurrency: usize,
    /// Seconds a verification waits for its turn before the request is answered 503
    /// `temporarily_unavailable` with `Retry-After`.
    pub max_wait: u64,
}

impl Default for PasswordHashingConfig {
    fn default() -> Self {
        PasswordHashingConfig {
            concurrency: 0,
            max_wait: 5,
        }
    }
}

/// The SQL database (`[default.oauth2.database]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://file.db` or `postgres://…`; when absent, `DATABASE_URL`, else
    /// `sqlite://oauth2.db`.
    pub url: Option<String>,
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// Connections kept open when idle.
    pub min_connections: u32,
    /// Seconds to wait for a connection before answering 503.
    pub acquire_timeout: u64,
    /// Apply the embedded migrations at start-up.
    pub migrate: bool,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            max_connections: 16,
            min_connections: 0,
            acquire_timeout: 5,
            migrate: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            issuer: None,
            refresh_token_generator: true,
            expires_in: HashMap::new(),
            token_length: DEFAULT_TOKEN_LENGTH,
            authorization_code_expires_in: 300,
            refresh_token_expires_in: 30 * 24 * 3600,
            bearer_token_locations: vec![TokenLocation::Header],
            realm: "api".to_owned(),
            pkce_required_for_confidential: false,
            pkce_allow_plain: false,
            max_body_size: 16 * 1024,
            purge_interval: 3600,
            database: DatabaseConfig::default(),
            throttle: crate::throttle::ThrottleConfig::default(),
            trusted_proxies: Vec::new(),
            password_hashing: PasswordHashingConfig::default(),
            signing: SigningConfig::default(),
            openid: OpenIdConfig::default(),
            access_token_format: AccessTokenFormat::Opaque,
            access_token_audience: None,
            resource: None,
            resources: Vec::new(),
            resource_scopes: Vec::new(),
            resource_name: None,
            registration: RegistrationConfig::default(),
            client_metadata_documents: ClientMetadataDocumentsConfig::default(),
        }
    }
}

/// A configuration value that cannot be used; names the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{section}{}{key}: {message}", if key.is_empty() { "" } else { "." })]
pub struct ConfigError {
    /// The configuration table: `oauth2`, or `oauth2_resource_server`.
    pub section: &'static str,
    /// The key in it, e.g. `token_length`.
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

pub(crate) fn error(key: impl Into<String>, message: impl fmt::Display) -> ConfigError {
    ConfigError {
        section: "oauth2",
        key: key.into(),
        message: message.to_string(),
    }
}

impl Config {
    /// Checks every value; the first bad one is reported with its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.token_length < MIN_TOKEN_LENGTH || self.token_length > 512 {
            return Err(error(
                "token_length",
                format!("must be between {MIN_TOKEN_LENGTH} (256 bits) and 512"),
            ));
        }
        if !(1..=600).contains(&self.authorization_code_expires_in) {
            return Err(error(
                "authorization_code_expires_in",
                "must be between 1 and 600 seconds (RFC 6749 §4.1.2)",
            ));
        }
        for (grant, secs) in &self.expires_in {
            if *secs == 0 {
                return Err(error(format!("expires_in.{grant}"), "must be positive"));
            }
        }
        if self.bearer_token_locations.is_empty() {
            return Err(error(
                "bearer_token_locations",
                "must name at least one location",
            ));
        }
        if self.realm.contains(['"', '\\']) || self.realm.chars().any(char::is_control) {
            return Err(error(
                "realm",
                "must not contain quotes, backslashes or controls",
            ));
        }
        if self.max_body_size < 1024 {
            return Err(error("max_body_size", "must be at least 1024 bytes"));
        }
        if self.throttle.enabled
            && (self.throttle.account_failures == 0
                || self.throttle.window == 0
                || self.throttle.max_entries < 1000)
        {
            return Err(error(
                "throttle",
                "account_failures and window must be positive and max_entries at least 1000 \
                 (or set enabled = false)",
            ));
        }
        if self.password_hashing.max_wait == 0 {
            return Err(error(
                "password_hashing.max_wait",
                "must be at least 1 second",
            ));
        }
        // RFC 9068 §2.2: `iss` is required, so JWT access tokens need the issuer.
        if self.access_token_format == AccessTokenFormat::Jwt && self.issuer.is_none() {
            return Err(error(
                "access_token_format",
                "jwt access tokens need `issuer` (RFC 9068 §2.2)",
            ));
        }
        if self.openid.subject_type == SubjectType::Pairwise
            && self.openid.pairwise_salt.chars().count() < 16
        {
            return Err(error(
                "openid.pairwise_salt",
                "pairwise subjects need a secret salt of at least 16 characters",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(error("database.max_connections", "must be at least 1"));
        }
        if self.database.acquire_timeout == 0 {
            return Err(error(
                "database.acquire_timeout",
                "must be at least 1 second",
            ));
        }
        if let Some(issuer) = &self.issuer {
            check_issuer(issuer).map_err(|m| error("issuer", m))?;
        }
        if let Some(resource) = &self.resource {
            crate::resource_indicator::check(resource).map_err(|m| error("resource", m))?;
            // RFC 9728 §2: the metadata names the authorization server by its issuer.
            if self.issuer.is_none() {
                return Err(error(
                    "resource",
                    "needs `issuer`: the protected-resource metadata names it",
                ));
            }
        }
        for resource in &self.resources {
            crate::resource_indicator::check(resource).map_err(|m| error("resources", m))?;
        }
        let documents = &self.client_metadata_documents;
        if documents.enabled {
            if !cfg!(feature = "client-metadata-documents") {
                return Err(error(
                    "client_metadata_documents.enabled",
                    "needs the `client-metadata-documents` feature of oauth-runtime",
                ));
            }
            if documents.scope.parse::<crate::Scope>().is_err() || documents.scope.trim().is_empty()
            {
                return Err(error(
                    "client_metadata_documents.scope",
                    "name the scope such clients may ask for (RFC 6749 §3.3 syntax)",
                ));
            }
            if !(256..=1 << 20).contains(&documents.max_bytes) {
                return Err(error(
                    "client_metadata_documents.max_bytes",
                    "must be between 256 and 1048576",
                ));
            }
            if !(1..=60).contains(&documents.timeout) {
                return Err(error(
                    "client_metadata_documents.timeout",
                    "must be between 1 and 60 seconds",
                ));
            }
            if documents.min_cache_age > documents.max_cache_age {
                return Err(error(
                    "client_metadata_documents.min_cache_age",
                    "must not exceed max_cache_age",
                ));
            }
        }
        if self.registration.enabled {
            if self.registration.max_per_address == 0 || self.registration.window == 0 {
                return Err(error(
                    "registration",
                    "max_per_address and window must be positive",
                ));
            }
            if self.registration.scope.parse::<crate::Scope>().is_err()
                || self.registration.scope.trim().is_empty()
            {
                return Err(error(
                    "registration.scope",
                    "name the scope registered clients may ask for (RFC 6749 §3.3 syntax)",
                ));
            }
            if self
                .registration
                .initial_access_token
                .as_ref()
                .is_some_and(|t| t.len() < 32)
            {
                return Err(error(
                    "registration.initial_access_token",
                    "must be at least 32 characters (a random secret)",
                ));
            }
        }
        Ok(())
    }

    /// The bearer token generator this configuration describes.
    pub(crate) fn bearer_token(&self) -> BearerToken {
        BearerToken::configured(
            self.token_length,
            self.refresh_token_generator,
            &self.expires_in,
        )
    }
}

/// RFC 8414 §2: "https" scheme, no query or fragment (http allowed on loopback for development).
pub(crate) fn check_issuer(issuer: &str) -> Result<(), &'static str> {
    let rest = if let Some(rest) = issuer.strip_prefix("https://") {
        rest
    } else if let Some(rest) = issuer.strip_prefix("http://") {
        let authority = rest.split('/').next().unwrap_or("");
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => authority.split(':').next().unwrap_or(""),
        };
        if !matches!(host, "localhost" | "127.0.0.1" | "::1") {
            return Err("must use https (http only on loopback)");
        }
        rest
    } else {
        return Err("must be an https URL");
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err("must name a host");
    }
    if rest.contains(['?', '#']) {
        return Err("must not have a query or fragment (RFC 8414 §2)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn short_tokens_are_refused_by_key() {
        let c = Config {
            token_length: 20,
            ..Config::default()
        };
        assert_eq!(c.validate().unwrap_err().key, "token_length");
    }

    #[test]
    fn long_code_lifetime_is_refused() {
        let c = Config {
            authorization_code_expires_in: 601,
            ..Config::default()
        };
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("oauth2.authorization_code_expires_in"));
    }

    #[test]
    fn issuer_rules() {
        assert!(check_issuer("https://auth.example.com").is_ok());
        assert!(check_issuer("http://localhost:8000").is_ok());
        assert!(check_issuer("http://127.0.0.1").is_ok());
        assert!(check_issuer("http://[::1]:80/x").is_ok());
        assert!(check_issuer("http://example.com").is_err());
        assert!(check_issuer("https://a.example/?x").is_err());
        assert!(check_issuer("https://a.example/#f").is_err());
        assert!(check_issuer("ftp://a").is_err());
    }

    #[test]
    fn expires_in_overrides_merge_over_defaults() {
        let mut c = Config::default();
        c.expires_in.insert(GrantType::Password, 60);
        c.refresh_token_generator = false;
        let b = c.bearer_token();
        let client = crate::model::Client::public("x");
        assert_eq!(b.expires_in_for(&client, &GrantType::Password), 60);
        assert_eq!(
            b.expires_in_for(&client, &GrantType::AuthorizationCode),
            864_000
        );
        assert!(!b.issues_refresh_tokens());
    }
}
