//! Resource protection with bearer tokens (RFC 6750): Authlib's `BearerTokenValidator` and
//! `ResourceProtector`.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::config::TokenLocation;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{now, GrantType, Token};
use crate::request::Params;
use crate::response::OAuthResponse;
use crate::scope::Scope;
use crate::secret::SecretHash;
use crate::store::Storage;

/// The token a protected request was made with (Authlib's `current_token`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentToken {
    /// The client the token was issued to.
    pub client_id: String,
    /// The resource owner; `None` for `client_credentials` tokens.
    pub user_id: Option<String>,
    /// The granted scope.
    pub scope: Scope,
    /// The grant that issued the token; `None` when the token was validated in
    /// resource-server mode (neither RFC 9068 JWTs nor RFC 7662 answers say).
    pub grant_type: Option<GrantType>,
    /// Unix time of issue (0 if an introspection answer did not say).
    pub issued_at: u64,
    /// Unix time of expiry (`u64::MAX` if an introspection answer did not say).
    pub expires_at: u64,
}

impl CurrentToken {
    /// The resource owner's id.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The granted scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl From<&Token> for CurrentToken {
    fn from(token: &Token) -> Self {
        CurrentToken {
            client_id: token.client_id.clone(),
            user_id: token.user_id.clone(),
            scope: token.scope.clone(),
            grant_type: Some(token.grant_type.clone()),
            issued_at: token.issued_at,
            expires_at: token.expires_at(),
        }
    }
}

/// The scope a resource requires.
///
/// Each entry is a space-separated list that must all be granted; `AnyOf` is satisfied by any
/// one entry. Built from `'static` strings, checking it allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeRequirement<'a> {
    /// Any valid token.
    None,
    /// Every listed scope.
    AllOf(&'a [&'a str]),
    /// At least one entry (each entry itself all-of).
    AnyOf(&'a [&'a str]),
}

impl ScopeRequirement<'_> {
    /// Whether `scope` meets the requirement.
    pub fn is_satisfied_by(&self, scope: &Scope) -> bool {
        match self {
            ScopeRequirement::None => true,
            ScopeRequirement::AllOf(all) => all.iter().all(|s| scope.satisfies(s)),
            ScopeRequirement::AnyOf(any) => any.iter().any(|s| scope.satisfies(s)),
        }
    }

    /// The `scope` attribute of an `insufficient_scope` challenge (RFC 6750 §3).
    fn challenge_scope(&self) -> String {
        let entries: &[&str] = match self {
            ScopeRequirement::None => &[],
            ScopeRequirement::AllOf(e) | ScopeRequirement::AnyOf(e) => e,
        };
        // Sorted and without duplicates, as a scope prints.
        let tokens: std::collections::BTreeSet<&str> = entries
            .iter()
            .flat_map(|e| e.split(' '))
            .filter(|t| !t.is_empty())
            .collect();
        tokens.into_iter().collect::<Vec<_>>().join(" ")
    }
}

/// What a resource server sees of a request.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResourceRequest<'a> {
    /// The `Authorization` header values (more than one is malformed).
    pub authorization: &'a [&'a str],
    /// The raw query string.
    pub query: Option<&'a str>,
}

/// Why a protected request was refused (RFC 6750 §3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BearerErrorKind {
    /// No token was sent: 401 with a challenge and no error code (RFC 6750 §3.1).
    MissingToken,
    /// The request is malformed: 400 `invalid_request`.
    InvalidRequest(&'static str),
    /// The token is unknown, malformed, expired or revoked: 401 `invalid_token`.
    InvalidToken(&'static str),
    /// The token lacks the required scope: 403 `insufficient_scope` with the scope.
    InsufficientScope(String),
    /// Storage failed: 503 `server_error`.
    Unavailable,
}

/// A refusal of a protected request, with its `WWW-Authenticate` challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BearerError {
    /// What went wrong.
    pub kind: BearerErrorKind,
    realm: Arc<str>,
    /// The resource's RFC 9728 metadata URL, named in challenges (§5.1).
    resource_metadata: Option<Arc<str>>,
    /// The scope the resource requires, named in every challenge (RFC 6750 §3), so that a
    /// client without a token learns what to ask for.
    scope: Option<String>,
}

impl BearerError {
    pub(crate) fn new(kind: BearerErrorKind, realm: &str) -> Self {
        BearerError {
            kind,
            realm: realm.into(),
            resource_metadata: None,
            scope: None,
        }
    }

    /// RFC 6750 §3: names the scope `required` in the challenge of a request without a
    /// (valid) token too — what MCP clients read to know what to ask for.
    pub(crate) fn with_required_scope(mut self, required: &ScopeRequirement<'_>) -> Self {
        if self.status() == 401 {
            self.scope = Some(required.challenge_scope());
        }
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self.kind {
            BearerErrorKind::MissingToken | BearerErrorKind::InvalidToken(_) => 401,
            BearerErrorKind::InvalidRequest(_) => 400,
            BearerErrorKind::InsufficientScope(_) => 403,
            BearerErrorKind::Unavailable => 503,
        }
    }

    /// The RFC error code, if any (none for a missing token).
    pub fn code(&self) -> Option<ErrorCode> {
        match self.kind {
            BearerErrorKind::MissingToken => None,
            BearerErrorKind::InvalidRequest(_) => Some(ErrorCode::InvalidRequest),
            BearerErrorKind::InvalidToken(_) => Some(ErrorCode::InvalidToken),
            BearerErrorKind::InsufficientScope(_) => Some(ErrorCode::InsufficientScope),
            BearerErrorKind::Unavailable => Some(ErrorCode::ServerError),
        }
    }

    fn description(&self) -> Option<&str> {
        match &self.kind {
            BearerErrorKind::InvalidRequest(d) | BearerErrorKind::InvalidToken(d) => Some(d),
            BearerErrorKind::InsufficientScope(_) => {
                Some("the access token does not grant the required scope")
            }
            BearerErrorKind::MissingToken | BearerErrorKind::Unavailable => None,
        }
    }

    /// The `WWW-Authenticate` value (RFC 6750 §3); none for a storage failure.
    pub fn www_authenticate(&self) -> Option<String> {
        if self.kind == BearerErrorKind::Unavailable {
            return None;
        }
        let mut value = format!("Bearer realm=\"{}\"", self.realm);
        if let Some(code) = self.code() {
            value.push_str(&format!(", error=\"{code}\""));
        }
        if let Some(description) = self.description() {
            value.push_str(&format!(", error_description=\"{description}\""));
        }
        match (&self.kind, &self.scope) {
            (BearerErrorKind::InsufficientScope(scope), _) => {
                value.push_str(&format!(", scope=\"{scope}\""));
            }
            (_, Some(scope)) if !scope.is_empty() => {
                value.push_str(&format!(", scope=\"{scope}\""));
            }
            _ => {}
        }
        // RFC 9728 §5.1: where a client learns which authorization server to ask.
        if let Some(url) = &self.resource_metadata {
            value.push_str(&format!(", resource_metadata=\"{url}\""));
        }
        Some(value)
    }

    /// The HTTP response: status, challenge, and a JSON error body (none for a missing token).
    pub fn to_response(&self) -> OAuthResponse {
        let mut response = match self.code() {
            Some(code) => {
                let mut error = OAuthError::new(code).with_status(self.status());
                if let Some(description) = self.description() {
                    error = error.with_description(description.to_owned());
                }
                OAuthResponse::json(self.status(), error.to_json())
            }
            None => OAuthResponse {
                status: 401,
                headers: Vec::new(),
                body: None,
            },
        };
        if let Some(challenge) = self.www_authenticate() {
            response.set_header("WWW-Authenticate", challenge);
        }
        response
    }
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code(), self.description()) {
            (Some(code), Some(d)) => write!(f, "{code}: {d}"),
            (Some(code), None) => write!(f, "{code}"),
            (None, _) => f.write_str("no bearer token"),
        }
    }
}

impl std::error::Error for BearerError {}

/// Validates bearer tokens (Authlib's `BearerTokenValidator`). Every hook has a default on
/// the configured [`Storage`], which each receives (whatever `OAuth2::new`,
/// `OAuth2::database()` or `database_with()` set up); override one to change one check.
/// The introspection endpoint applies the same revocation and expiry rules (RFC 7662 §2.2: a
/// revoked or expired token is inactive).
///
/// ```
/// use oauth_runtime::{async_trait, BearerTokenValidator, OAuthError, Storage, Token};
///
/// /// Tokens of a banned user stop working at once, wherever the ban is recorded.
/// struct Bans;
///
/// #[async_trait]
/// impl BearerTokenValidator for Bans {
///     async fn token_revoked(
///         &self,
///         storage: &dyn Storage,
///         token: &Token,
///     ) -> Result<bool, OAuthError> {
///         let banned = match &token.user_id {
///             Some(id) => storage.find_user(id).await?.is_none(),
///             None => false,
///         };
///         Ok(token.access_token_revoked || banned)
///     }
/// }
/// ```
#[async_trait]
pub trait BearerTokenValidator: Send + Sync + 'static {
    /// The token for this access token string, if any: by digest from storage.
    async fn authenticate_token(
        &self,
        storage: &dyn Storage,
        token: &str,
    ) -> Result<Option<Token>, OAuthError> {
        Ok(storage.find_access_token(&SecretHash::of(token)).await?)
    }

    /// Whether the request is invalid regardless of its token (400 `invalid_request`).
    async fn request_invalid(
        &self,
        storage: &dyn Storage,
        request: &ResourceRequest<'_>,
    ) -> Result<bool, OAuthError> {
        let _ = (storage, request);
        Ok(false)
    }

    /// Whether the token was revoked.
    async fn token_revoked(
        &self,
        storage: &dyn Storage,
        token: &Token,
    ) -> Result<bool, OAuthError> {
        let _ = storage;
        Ok(token.access_token_revoked)
    }

    /// Whether the token is expired.
    fn token_expired(&self, token: &Token) -> bool {
        token.is_expired(now())
    }

    /// Whether the token's scope falls short of the requirement.
    fn scope_insufficient(&self, scope: &Scope, required: &ScopeRequirement<'_>) -> bool {
        !required.is_satisfied_by(scope)
    }
}

/// The default validator: every hook's storage-backed default.
#[derive(Clone, Copy, Debug, Default)]
pub struct StorageTokenValidator;

impl BearerTokenValidator for StorageTokenValidator {}

/// Guards resources with bearer tokens (Authlib's `ResourceProtector`).
#[derive(Clone)]
pub struct ResourceProtector {
    realm: Arc<str>,
    authority: Authority,
    locations: Vec<TokenLocation>,
    resource_metadata: Option<Arc<str>>,
    /// This resource's identifier (RFC 8707): a token's audience must include it.
    audience: Option<Arc<str>>,
}

/// Who vouches for tokens.
#[derive(Clone)]
enum Authority {
    /// This server's storage (it is the authorization server).
    Local {
        storage: Arc<dyn Storage>,
        validator: Arc<dyn BearerTokenValidator>,
    },
    /// An authorization server elsewhere (resource-server mode).
    #[cfg(feature = "resource-server")]
    Remote(Arc<crate::remote::RemoteIssuer>),
}

impl fmt::Debug for ResourceProtector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceProtector")
            .field("realm", &self.realm)
            .field("locations", &self.locations)
            .finish_non_exhaustive()
    }
}

/// RFC 6750 §2.1 `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

impl ResourceProtector {
    /// A protector with `realm` on `storage`, accepting tokens from the header only.
    pub fn new(
        realm: &str,
        storage: Arc<dyn Storage>,
        validator: Arc<dyn BearerTokenValidator>,
    ) -> Self {
        ResourceProtector {
            realm: realm.into(),
            authority: Authority::Local { storage, validator },
            locations: vec![TokenLocation::Header],
            resource_metadata: None,
            audience: None,
        }
    }

    /// Protects the resource identified by `resource` (RFC 8707 §2, RFC 9728 §1.2): tokens
    /// whose audience does not include it are refused with `invalid_token`, and challenges
    /// name its RFC 9728 metadata (§5.1) when `resource` is an `https` (or loopback `http`)
    /// URL. What the [`OAuth2`](crate::OAuth2) fairing sets up from the `resource` setting.
    pub fn for_resource(mut self, resource: &str) -> Self {
        self.audience = Some(resource.into());
        self.resource_metadata = crate::protected_resource::metadata_url(resource).map(Into::into);
        self
    }

    /// A protector for a resource server that is not the authorization server: tokens of
    /// `config.issuer` are validated as the [`ResourceServer`](crate::ResourceServer) fairing
    /// describes (JWTs against the issuer's keys, opaque tokens by introspection).
    #[cfg(feature = "resource-server")]
    pub fn remote(
        config: crate::remote::config::ResourceServerConfig,
    ) -> Result<Self, crate::ConfigError> {
        config.validate().map_err(|e| crate::ConfigError {
            section: "oauth2_resource_server",
            ..e
        })?;
        let realm = config.realm.clone();
        let locations = config.bearer_token_locations.clone();
        let resource_metadata = config.resource_metadata_url().map(Into::into);
        let issuer =
            crate::remote::RemoteIssuer::new(config).map_err(|message| crate::ConfigError {
                section: "oauth2_resource_server",
                key: "issuer".to_owned(),
                message,
            })?;
        Ok(ResourceProtector {
            realm: realm.into(),
            authority: Authority::Remote(Arc::new(issuer)),
            locations,
            resource_metadata,
            // The remote issuer checks the audience itself (`aud` of JWTs and introspection).
            audience: None,
        })
    }

    /// In resource-server mode, discovers the issuer's endpoints and loads its keys now rather
    /// than on the first request; a failure is logged and retried later.
    pub async fn prefetch(&self) {
        #[cfg(feature = "resource-server")]
        if let Authority::Remote(issuer) = &self.authority {
            issuer.prefetch().await;
        }
    }

    /// Sets where tokens are accepted (RFC 6750 §2).
    pub fn with_locations(mut self, locations: Vec<TokenLocation>) -> Self {
        self.locations = locations;
        self
    }

    /// The realm of challenges.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    fn error(&self, kind: BearerErrorKind) -> BearerError {
        BearerError {
            kind,
            realm: Arc::clone(&self.realm),
            resource_metadata: self.resource_metadata.clone(),
            scope: None,
        }
    }

    /// The RFC 9728 metadata URL that challenges name, if any.
    pub fn resource_metadata_url(&self) -> Option<&str> {
        self.resource_metadata.as_deref()
    }

    /// The bearer token of the request, from the configured locations.
    ///
    /// RFC 6750 §2: a client MUST NOT use more than one method → `invalid_request`.
    pub fn extract_token<'r>(
        &self,
        request: &ResourceRequest<'r>,
    ) -> Result<Option<Cow<'r, str>>, BearerError> {
        let mut found: Option<Cow<'r, str>> = None;
        if self.locations.contains(&TokenLocation::Header) {
            match request.authorization {
                [] => {}
                [header] => {
                    let (scheme, value) = header.split_once(' ').unwrap_or((header, ""));
                    // RFC 7235 §2.1: the scheme is case-insensitive.
                    if scheme.eq_ignore_ascii_case("bearer") {
                        let value = value.trim_matches(' ');
                        if value.is_empty() {
                            return Err(self.error(BearerErrorKind::InvalidRequest(
                                "the Bearer authorization header has no token",
                            )));
                        }
                        if !is_b64token(value) {
                            return Err(self.error(BearerErrorKind::InvalidToken(
                                "the access token is malformed",
                            )));
                        }
                        found = Some(Cow::Borrowed(value));
                    }
                }
                _ => {
                    return Err(self.error(BearerErrorKind::InvalidRequest(
                        "more than one Authorization header",
                    )))
                }
            }
        }
        if self.locations.contains(&TokenLocation::Query) {
            let params = Params::parse(request.query.unwrap_or("").as_bytes()).map_err(|_| {
                self.error(BearerErrorKind::InvalidRequest("the query is malformed"))
            })?;
            if let Some(token) = params.get("access_token") {
                if found.is_some() {
                    return Err(self.error(BearerErrorKind::InvalidRequest(
                        "the access token was sent by more than one method",
                    )));
                }
                found = Some(Cow::Owned(token.to_owned()));
            }
        }
        Ok(found)
    }

    /// Authenticates the request's token without a scope requirement.
    pub async fn authenticate(
        &self,
        request: &ResourceRequest<'_>,
    ) -> Result<CurrentToken, BearerError> {
        self.authenticate_shared(request)
            .await
            .map(Arc::unwrap_or_clone)
    }

    /// [`authenticate`](Self::authenticate), the token shared: what the guards keep for the
    /// request and what resource-server mode remembers, so that neither copies it.
    pub(crate) async fn authenticate_shared(
        &self,
        request: &ResourceRequest<'_>,
    ) -> Result<Arc<CurrentToken>, BearerError> {
        match &self.authority {
            Authority::Local { storage, validator } => self
                .authenticate_locally(storage.as_ref(), validator.as_ref(), request)
                .await
                .map(Arc::new),
            #[cfg(feature = "resource-server")]
            Authority::Remote(issuer) => {
                let token = self
                    .extract_token(request)?
                    .ok_or_else(|| self.error(BearerErrorKind::MissingToken))?;
                issuer
                    .authenticate(&token)
                    .await
                    .map_err(|refusal| match refusal {
                        crate::remote::Refusal::Invalid(why) => {
                            self.error(BearerErrorKind::InvalidToken(why))
                        }
                        crate::remote::Refusal::Unavailable => {
                            self.error(BearerErrorKind::Unavailable)
                        }
                    })
            }
        }
    }

    async fn authenticate_locally(
        &self,
        storage: &dyn Storage,
        validator: &dyn BearerTokenValidator,
        request: &ResourceRequest<'_>,
    ) -> Result<CurrentToken, BearerError> {
        let unavailable = |_| self.error(BearerErrorKind::Unavailable);
        if validator
            .request_invalid(storage, request)
            .await
            .map_err(unavailable)?
        {
            return Err(self.error(BearerErrorKind::InvalidRequest("the request is invalid")));
        }
        let token = self
            .extract_token(request)?
            .ok_or_else(|| self.error(BearerErrorKind::MissingToken))?;
        let record = match validator.authenticate_token(storage, &token).await {
            Ok(Some(record)) => record,
            Ok(None) => {
                return Err(self.error(BearerErrorKind::InvalidToken("the access token is invalid")))
            }
            Err(_) => return Err(self.error(BearerErrorKind::Unavailable)),
        };
        if validator
            .token_revoked(storage, &record)
            .await
            .map_err(unavailable)?
        {
            return Err(self.error(BearerErrorKind::InvalidToken(
                "the access token was revoked",
            )));
        }
        if validator.token_expired(&record) {
            return Err(self.error(BearerErrorKind::InvalidToken("the access token expired")));
        }
        // RFC 8707 §2, RFC 9068 §4: a token issued for other resources is not for this one.
        if let Some(resource) = &self.audience {
            if !record.audience.iter().any(|a| **a == **resource) {
                return Err(self.error(BearerErrorKind::InvalidToken(
                    "the access token is not for this resource",
                )));
            }
        }
        Ok(CurrentToken::from(&record))
    }

    /// Checks an authenticated token against a scope requirement: 403 `insufficient_scope`.
    pub fn check_scope(
        &self,
        token: &CurrentToken,
        required: &ScopeRequirement<'_>,
    ) -> Result<(), BearerError> {
        let insufficient = match &self.authority {
            Authority::Local { validator, .. } => {
                validator.scope_insufficient(&token.scope, required)
            }
            #[cfg(feature = "resource-server")]
            Authority::Remote(_) => !required.is_satisfied_by(&token.scope),
        };
        if insufficient {
            return Err(self.error(BearerErrorKind::InsufficientScope(
                required.challenge_scope(),
            )));
        }
        Ok(())
    }

    /// Authenticates the request and checks the scope.
    pub async fn validate(
        &self,
        request: &ResourceRequest<'_>,
        required: &ScopeRequirement<'_>,
    ) -> Result<CurrentToken, BearerError> {
        let token = self
            .authenticate(request)
            .await
            .map_err(|error| error.with_required_scope(required))?;
        self.check_scope(&token, required)?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64token_grammar() {
        assert!(is_b64token("abc-._~+/=="));
        assert!(!is_b64token("==="));
        assert!(!is_b64token("a b"));
        assert!(!is_b64token("a\"b"));
    }

    #[test]
    fn requirement_all_and_any() {
        let s = Scope::parse("a b").unwrap();
        assert!(ScopeRequirement::AllOf(&["a", "b"]).is_satisfied_by(&s));
        assert!(!ScopeRequirement::AllOf(&["a", "c"]).is_satisfied_by(&s));
        assert!(ScopeRequirement::AnyOf(&["c", "b"]).is_satisfied_by(&s));
        assert!(!ScopeRequirement::AnyOf(&["c", "a d"]).is_satisfied_by(&s));
        assert!(ScopeRequirement::None.is_satisfied_by(&Scope::empty()));
        assert_eq!(
            ScopeRequirement::AnyOf(&["c", "a d"]).challenge_scope(),
            "a c d"
        );
    }
}
