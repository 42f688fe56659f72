//! The data the server works with: grant and response types, clients, authorization codes,
//! tokens and resource owners.
//!
//! Clients are the application's own model, seen through the [`OAuth2Client`] trait (Authlib's
//! `ClientMixin`); [`Client`] is a ready implementation. Codes and tokens are records owned by
//! the framework ([`AuthorizationCode`], [`Token`]): their security properties (stored as
//! digests, single use, rotation families) are the framework's business, so the storage
//! contract is written in terms of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::scope::Scope;
use crate::secret::{generate_token, SecretHash};

/// A grant type (RFC 6749 §4, §4.5).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantType {
    /// `authorization_code` (RFC 6749 §4.1).
    AuthorizationCode,
    /// `implicit` (RFC 6749 §4.2), used for token lifetimes only; it has no token request.
    Implicit,
    /// `password` (RFC 6749 §4.3).
    Password,
    /// `client_credentials` (RFC 6749 §4.4).
    ClientCredentials,
    /// `refresh_token` (RFC 6749 §6).
    RefreshToken,
    /// An extension grant identified by an absolute URI (RFC 6749 §4.5).
    Extension(String),
}

impl GrantType {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::Implicit => "implicit",
            GrantType::Password => "password",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::RefreshToken => "refresh_token",
            GrantType::Extension(uri) => uri,
        }
    }
}

/// A wire value this crate does not know: an unknown grant type, response type, client
/// authentication method or PKCE method.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct UnknownValue {
    /// What was being parsed, e.g. `grant type`.
    pub kind: &'static str,
    /// The value, shortened to 64 characters.
    pub value: String,
}

impl UnknownValue {
    pub(crate) fn new(kind: &'static str, value: &str) -> Self {
        UnknownValue {
            kind,
            value: value.chars().take(64).collect(),
        }
    }
}

/// Implements `Deserialize` through `FromStr`, so configuration and metadata refuse unknown
/// values with the parser's message.
macro_rules! deserialize_from_str {
    ($ty:ty) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

impl FromStr for GrantType {
    type Err = UnknownValue;

    /// A standard grant's name, or an absolute URI for an extension grant (RFC 6749 §4.5).
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        Ok(match s {
            "authorization_code" => GrantType::AuthorizationCode,
            "implicit" => GrantType::Implicit,
            "password" => GrantType::Password,
            "client_credentials" => GrantType::ClientCredentials,
            "refresh_token" => GrantType::RefreshToken,
            uri if url::Url::parse(uri).is_ok() => GrantType::Extension(uri.to_owned()),
            other => return Err(UnknownValue::new("grant type", other)),
        })
    }
}

deserialize_from_str!(GrantType);

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A response type at the authorization endpoint (RFC 6749 §3.1.1; OpenID Connect's
/// combinations from OAuth 2.0 Multiple Response Type Encoding Practices §5). Parsing accepts
/// the space-separated values in any order (§2); [`as_str`](Self::as_str) writes them in the
/// registered order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseType {
    /// `code`: the authorization code grant.
    Code,
    /// `token`: the implicit grant.
    Token,
    /// `id_token`: an ID token only (OpenID Connect implicit flow).
    IdToken,
    /// `id_token token`: an ID token and an access token (OpenID Connect implicit flow).
    IdTokenToken,
    /// `code id_token` (OpenID Connect hybrid flow).
    CodeIdToken,
    /// `code token` (OpenID Connect hybrid flow).
    CodeToken,
    /// `code id_token token` (OpenID Connect hybrid flow).
    CodeIdTokenToken,
}

impl ResponseType {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
            ResponseType::IdToken => "id_token",
            ResponseType::IdTokenToken => "id_token token",
            ResponseType::CodeIdToken => "code id_token",
            ResponseType::CodeToken => "code token",
            ResponseType::CodeIdTokenToken => "code id_token token",
        }
    }

    /// Whether the response carries an authorization code.
    pub const fn has_code(self) -> bool {
        matches!(
            self,
            ResponseType::Code
                | ResponseType::CodeIdToken
                | ResponseType::CodeToken
                | ResponseType::CodeIdTokenToken
        )
    }

    /// Whether the response carries an access token.
    pub const fn has_token(self) -> bool {
        matches!(
            self,
            ResponseType::Token
                | ResponseType::IdTokenToken
                | ResponseType::CodeToken
                | ResponseType::CodeIdTokenToken
        )
    }

    /// Whether the response carries an ID token.
    pub const fn has_id_token(self) -> bool {
        matches!(
            self,
            ResponseType::IdToken
                | ResponseType::IdTokenToken
                | ResponseType::CodeIdToken
                | ResponseType::CodeIdTokenToken
        )
    }
}

impl FromStr for ResponseType {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        let unknown = || UnknownValue::new("response type", s);
        let (mut code, mut token, mut id_token) = (false, false, false);
        for value in s.split(' ') {
            let seen = match value {
                "code" => &mut code,
                "token" => &mut token,
                "id_token" => &mut id_token,
                _ => return Err(unknown()),
            };
            if std::mem::replace(seen, true) {
                return Err(unknown());
            }
        }
        Ok(match (code, id_token, token) {
            (true, false, false) => ResponseType::Code,
            (false, false, true) => ResponseType::Token,
            (false, true, false) => ResponseType::IdToken,
            (false, true, true) => ResponseType::IdTokenToken,
            (true, true, false) => ResponseType::CodeIdToken,
            (true, false, true) => ResponseType::CodeToken,
            (true, true, true) => ResponseType::CodeIdTokenToken,
            (false, false, false) => return Err(unknown()),
        })
    }
}

impl fmt::Display for ResponseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client authentication method (RFC 7591 §2 `token_endpoint_auth_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the request body (RFC 6749 §2.3.1).
    ClientSecretPost,
    /// A public client: no authentication.
    None,
}

impl AuthMethod {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::None => "none",
        }
    }
}

impl FromStr for AuthMethod {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "client_secret_basic" => Ok(AuthMethod::ClientSecretBasic),
            "client_secret_post" => Ok(AuthMethod::ClientSecretPost),
            "none" => Ok(AuthMethod::None),
            other => Err(UnknownValue::new("client authentication method", other)),
        }
    }
}

deserialize_from_str!(AuthMethod);

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An endpoint at which clients authenticate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// The token endpoint (RFC 6749 §3.2).
    Token,
    /// The revocation endpoint (RFC 7009).
    Revocation,
    /// The introspection endpoint (RFC 7662).
    Introspection,
}

/// Gives a client model as [`Any`](std::any::Any), so that callbacks can reach the
/// application's own type. Implemented for every type: nothing to write.
pub trait AsAny {
    /// `self` as `Any`.
    fn as_any(&self) -> &dyn std::any::Any;
}

impl<T: std::any::Any> AsAny for T {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl dyn OAuth2Client {
    /// The client as the application's own model type `T`, when it is one: the store built
    /// with `with_clients::<T>()` (or `OAuth2::database_with::<T, …>()`) loads `T`, with every
    /// field its table derive reads.
    ///
    /// ```
    /// use oauth_runtime::{Client, OAuth2Client};
    ///
    /// let client: Box<dyn OAuth2Client> = Box::new(Client::public("app"));
    /// assert_eq!(client.downcast_ref::<Client>().unwrap().client_id(), "app");
    /// ```
    pub fn downcast_ref<T: OAuth2Client>(&self) -> Option<&T> {
        AsAny::as_any(self).downcast_ref::<T>()
    }
}

/// What the server asks of a client model (Authlib's `ClientMixin`).
///
/// Implement it on your own client model (or derive it); [`Client`] is a ready implementation.
/// Callbacks that receive a `&dyn OAuth2Client` reach the application's own type, with all its
/// fields, through [`downcast_ref`](trait.OAuth2Client.html#method.downcast_ref).
pub trait OAuth2Client: AsAny + Send + Sync + 'static {
    /// The client identifier (RFC 6749 §2.2).
    fn client_id(&self) -> &str;

    /// The registered redirect URIs.
    fn redirect_uris(&self) -> Vec<String>;

    /// The redirect URI used when a request omits `redirect_uri`: only when exactly one is
    /// registered (RFC 6749 §3.1.2.3).
    fn default_redirect_uri(&self) -> Option<String> {
        let mut uris = self.redirect_uris();
        match uris.len() {
            1 => uris.pop(),
            _ => None,
        }
    }

    /// Whether `uri` is registered, by exact string comparison (RFC 9700 §4.1.3); a loopback
    /// IP redirect URI (`http://127.0.0.1/…`, `http://[::1]/…`) matches any port (RFC 8252
    /// §7.3).
    fn check_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris()
            .iter()
            .any(|registered| crate::redirect::matches(registered, uri))
    }

    /// Where the browser may be sent after RP-initiated logout (OpenID Connect RP-Initiated
    /// Logout §3.1 `post_logout_redirect_uris`), compared exactly. By default the registered
    /// redirect URIs: override it to register others.
    fn post_logout_redirect_uris(&self) -> Vec<String> {
        self.redirect_uris()
    }

    /// The scope the client may ask for.
    fn scope(&self) -> Scope;

    /// The scope granted when a request omits `scope` (RFC 6749 §3.3 "pre-defined default").
    /// Defaults to the empty scope: least privilege.
    fn default_scope(&self) -> Scope {
        Scope::empty()
    }

    /// Whether `secret` is this client's secret. Implementations compare in constant time
    /// against a stored digest.
    fn check_client_secret(&self, secret: &str) -> bool;

    /// The registered `token_endpoint_auth_method`.
    fn token_endpoint_auth_method(&self) -> AuthMethod;

    /// Whether the client may authenticate with `method` at `endpoint`. By default: only with
    /// its registered method, at every endpoint.
    fn check_endpoint_auth_method(&self, method: AuthMethod, _endpoint: Endpoint) -> bool {
        method == self.token_endpoint_auth_method()
    }

    /// Whether the client may use `response_type`.
    fn check_response_type(&self, response_type: ResponseType) -> bool;

    /// Whether the client may use `grant_type`.
    fn check_grant_type(&self, grant_type: &GrantType) -> bool;

    /// Whether the client is public (cannot keep a secret, RFC 6749 §2.1).
    fn is_public(&self) -> bool {
        self.token_endpoint_auth_method() == AuthMethod::None
    }

    /// A human-readable name, for consent pages.
    fn client_name(&self) -> Option<&str> {
        None
    }

    /// Whether the client is a registered resource server, which may introspect tokens issued
    /// to other clients (RFC 7662 §2.2, §4). Other clients learn only about their own tokens.
    fn is_resource_server(&self) -> bool {
        false
    }

    /// The resources (RFC 8707 resource indicators, absolute URIs) this client may ask
    /// tokens for, compared exactly. Empty (the default): every resource the server allows
    /// (`resource` and `resources` in the configuration).
    fn allowed_resources(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A ready client model: what a registration stores.
#[derive(Clone, Debug)]
pub struct Client {
    /// The client identifier.
    pub client_id: String,
    /// SHA-256 digest of the secret; `None` for public clients.
    pub secret_hash: Option<SecretHash>,
    /// Registered redirect URIs, compared exactly.
    pub redirect_uris: Vec<String>,
    /// Allowed grant types.
    pub grant_types: Vec<GrantType>,
    /// Allowed response types.
    pub response_types: Vec<ResponseType>,
    /// The scope the client may request.
    pub scope: Scope,
    /// The authentication method at the token endpoint.
    pub token_endpoint_auth_method: AuthMethod,
    /// A display name.
    pub client_name: Option<String>,
    /// A resource server: may introspect every client's tokens (RFC 7662 §4).
    pub resource_server: bool,
    /// The resources (RFC 8707) the client may ask tokens for; empty: any the server allows.
    pub resources: Vec<String>,
}

impl Client {
    /// A confidential client with a freshly generated secret, authenticating with
    /// `client_secret_basic`. Returns the client and the secret, which is shown once and
    /// stored only as a digest.
    pub fn confidential(client_id: impl Into<String>) -> (Client, String) {
        let secret = generate_token(crate::secret::DEFAULT_TOKEN_LENGTH);
        (Client::with_secret(client_id, &secret), secret)
    }

    /// A confidential client whose secret is `secret` (stored as a digest). Prefer
    /// [`Client::confidential`], which generates a high-entropy secret.
    pub fn with_secret(client_id: impl Into<String>, secret: &str) -> Client {
        Client {
            client_id: client_id.into(),
            secret_hash: Some(SecretHash::of(secret)),
            redirect_uris: Vec::new(),
            // RFC 7591 §2: "If omitted, the default behavior is that the client will use only
            // the authorization_code Grant Type" — as for a derived client without the field.
            grant_types: vec![GrantType::AuthorizationCode],
            response_types: vec![ResponseType::Code],
            scope: Scope::empty(),
            token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
            client_name: None,
            resource_server: false,
            resources: Vec::new(),
        }
    }

    /// A public client (`token_endpoint_auth_method = none`): PKCE is required for it.
    pub fn public(client_id: impl Into<String>) -> Client {
        Client {
            secret_hash: None,
            token_endpoint_auth_method: AuthMethod::None,
            ..Client::with_secret(client_id, "")
        }
    }

    /// Sets the redirect URIs.
    pub fn with_redirect_uris<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        uris: I,
    ) -> Self {
        self.redirect_uris = uris.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the allowed grant types.
    pub fn with_grant_types<I: IntoIterator<Item = GrantType>>(mut self, grants: I) -> Self {
        self.grant_types = grants.into_iter().collect();
        self
    }

    /// Sets the allowed response types.
    pub fn with_response_types<I: IntoIterator<Item = ResponseType>>(mut self, types: I) -> Self {
        self.response_types = types.into_iter().collect();
        self
    }

    /// Sets the allowed scope from a space-separated list.
    ///
    /// # Panics
    /// If `scope` is not valid RFC 6749 §3.3 syntax: this is configuration written by the
    /// developer, not request data.
    pub fn with_scope(mut self, scope: &str) -> Self {
        self.scope = scope
            .parse()
            .expect("client scope must be valid RFC 6749 §3.3 syntax");
        self
    }

    /// Sets the token endpoint authentication method.
    pub fn with_auth_method(mut self, method: AuthMethod) -> Self {
        self.token_endpoint_auth_method = method;
        self
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// Registers the client as a resource server, allowed to introspect every client's
    /// tokens (RFC 7662 §4).
    pub fn as_resource_server(mut self) -> Self {
        self.resource_server = true;
        self
    }
}

impl OAuth2Client for Client {
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn redirect_uris(&self) -> Vec<String> {
        self.redirect_uris.clone()
    }
    fn check_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| crate::redirect::matches(registered, uri))
    }
    fn scope(&self) -> Scope {
        self.scope.clone()
    }
    fn check_client_secret(&self, secret: &str) -> bool {
        self.secret_hash.is_some_and(|hash| hash.verify(secret))
    }
    fn token_endpoint_auth_method(&self) -> AuthMethod {
        self.token_endpoint_auth_method
    }
    fn check_response_type(&self, response_type: ResponseType) -> bool {
        self.response_types.contains(&response_type)
    }
    fn check_grant_type(&self, grant_type: &GrantType) -> bool {
        self.grant_types.contains(grant_type)
    }
    fn client_name(&self) -> Option<&str> {
        self.client_name.as_deref()
    }
    fn is_resource_server(&self) -> bool {
        self.resource_server
    }

    fn allowed_resources(&self) -> Vec<String> {
        self.resources.clone()
    }
}

/// A PKCE code challenge method (RFC 7636 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeChallengeMethod {
    /// `S256`: `BASE64URL(SHA256(verifier))`.
    S256,
    /// `plain`: the verifier itself (only when configured).
    Plain,
}

impl CodeChallengeMethod {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            CodeChallengeMethod::S256 => "S256",
            CodeChallengeMethod::Plain => "plain",
        }
    }
}

impl FromStr for CodeChallengeMethod {
    type Err = UnknownValue;

    /// `S256` or `plain`, case-sensitive (RFC 7636 §4.2).
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "S256" => Ok(CodeChallengeMethod::S256),
            "plain" => Ok(CodeChallengeMethod::Plain),
            other => Err(UnknownValue::new("code challenge method", other)),
        }
    }
}

impl fmt::Display for CodeChallengeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource owner, as the server needs to know one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceOwner {
    /// Stable identifier; tokens record it as `sub`.
    pub id: String,
    /// Human-readable name.
    pub username: String,
    /// When the owner signed in (Unix time), if the session knows: an ID token's `auth_time`
    /// (OpenID Connect Core §2).
    pub auth_time: Option<u64>,
    /// OpenID Connect claims (`email`, `name`, …, Core §5.1), released at UserInfo by scope
    /// (§5.4). `#[oauth(claim = "…")]` on a field of a `#[derive(OAuth2User)]` fills them.
    pub claims: std::collections::BTreeMap<String, serde_json::Value>,
}

impl ResourceOwner {
    /// A resource owner.
    pub fn new(id: impl Into<String>, username: impl Into<String>) -> Self {
        ResourceOwner {
            id: id.into(),
            username: username.into(),
            auth_time: None,
            claims: std::collections::BTreeMap::new(),
        }
    }

    /// With the claim `name` (a JSON `null`, as from `None`, leaves it out).
    pub fn with_claim(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        let value = value.into();
        if !value.is_null() {
            self.claims.insert(name.to_owned(), value);
        }
        self
    }

    /// With the claim `name` from any serialisable value (what the derive calls).
    #[doc(hidden)]
    pub fn with_claim_value<T: serde::Serialize + ?Sized>(self, name: &str, value: &T) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => self.with_claim(name, value),
            Err(_) => self,
        }
    }

    /// Signed in at `auth_time` (Unix time).
    pub fn with_auth_time(mut self, auth_time: u64) -> Self {
        self.auth_time = Some(auth_time);
        self
    }
}

/// What the server asks of a resource owner model: a row of the application's users table.
/// Derive it with `#[derive(OAuth2User)]`, which with `#[oauth(table = "…")]` also lets the SQL
/// stores find and authenticate resource owners in that table.
pub trait OAuth2User: Send + Sync + 'static {
    /// The resource owner this row is (its id as text: tokens record it as `sub`).
    fn resource_owner(&self) -> ResourceOwner;

    /// The stored password hash (an Argon2 PHC string, as
    /// [`hash_password`](crate::password::hash_password) writes), if the owner has one. An
    /// owner without one cannot sign in with a password.
    fn password_hash(&self) -> Option<&str>;
}

/// An issued authorization code (RFC 6749 §4.1.2), stored by digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationCode {
    /// Digest of the code.
    pub code_hash: SecretHash,
    /// The client it was issued to.
    pub client_id: String,
    /// The `redirect_uri` of the authorization request, when it was included (RFC 6749
    /// §4.1.3 then requires the same value at the token endpoint).
    pub redirect_uri: Option<String>,
    /// The granted scope.
    pub scope: Scope,
    /// The resource owner who approved.
    pub user_id: String,
    /// PKCE challenge (RFC 7636 §4.4).
    pub code_challenge: Option<String>,
    /// PKCE method.
    pub code_challenge_method: Option<CodeChallengeMethod>,
    /// Unix time of issue.
    pub issued_at: u64,
    /// Unix time after which the code is refused.
    pub expires_at: u64,
    /// OpenID Connect `nonce` of the authorization request, echoed in the ID token.
    pub nonce: Option<String>,
    /// When the resource owner signed in (Unix time), for the ID token's `auth_time`.
    pub auth_time: Option<u64>,
    /// The resources the tokens are for (RFC 8707 §2.1): the audience of tokens issued for
    /// this code, which a token request may narrow.
    pub audience: Vec<String>,
}

impl AuthorizationCode {
    /// Whether the code is expired at `now`.
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at
    }

    /// The token family of tokens issued from this code: revoked together when the code is
    /// replayed (RFC 6749 §4.1.2).
    pub fn family(&self) -> String {
        self.code_hash.to_hex()
    }
}

/// An issued access token and its refresh token, stored by digest (Authlib's `TokenMixin`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Digest of the access token.
    pub access_token_hash: SecretHash,
    /// Digest of the refresh token, if one was issued.
    pub refresh_token_hash: Option<SecretHash>,
    /// The client the token was issued to.
    pub client_id: String,
    /// The resource owner, if any (none for `client_credentials`).
    pub user_id: Option<String>,
    /// The granted scope.
    pub scope: Scope,
    /// The grant that issued the token.
    pub grant_type: GrantType,
    /// Unix time of issue.
    pub issued_at: u64,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// Unix time after which the refresh token is refused, if it expires.
    pub refresh_token_expires_at: Option<u64>,
    /// The grant family: every token descending from one authorization shares it, and a
    /// replayed code or refresh token revokes the family (RFC 9700 §4.14.2).
    pub family: String,
    /// Whether the access token was revoked.
    pub access_token_revoked: bool,
    /// Whether the refresh token was revoked or rotated.
    pub refresh_token_revoked: bool,
    /// The resources the token is for (RFC 8707): its audience; empty when the request named
    /// none and no default is configured.
    pub audience: Vec<String>,
}

impl Token {
    /// Unix time at which the access token expires.
    pub fn expires_at(&self) -> u64 {
        self.issued_at.saturating_add(self.expires_in)
    }

    /// Whether the access token is expired at `now`.
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at()
    }

    /// Whether the refresh token can be used at `now`.
    pub fn refresh_token_active(&self, now: u64) -> bool {
        self.refresh_token_hash.is_some()
            && !self.refresh_token_revoked
            && self.refresh_token_expires_at.is_none_or(|exp| now < exp)
    }
}

/// A user's token model: converts to and from the framework's [`Token`] record (Authlib's
/// `TokenMixin`). Derive it with `#[derive(OAuth2Token)]`.
pub trait OAuth2Token: Sized + Send + Sync + 'static {
    /// The record this model holds; a malformed stored value is a storage error.
    fn to_token(&self) -> Result<Token, crate::store::StorageError>;
    /// The model holding `token`.
    fn from_token(token: &Token) -> Self;
}

impl OAuth2Token for Token {
    fn to_token(&self) -> Result<Token, crate::store::StorageError> {
        Ok(self.clone())
    }
    fn from_token(token: &Token) -> Self {
        token.clone()
    }
}

/// A user's authorization code model: converts to and from the framework's
/// [`AuthorizationCode`] record (Authlib's `AuthorizationCodeMixin`). Derive it with
/// `#[derive(OAuth2AuthorizationCode)]`.
pub trait OAuth2AuthorizationCode: Sized + Send + Sync + 'static {
    /// The record this model holds; a malformed stored value is a storage error.
    fn to_code(&self) -> Result<AuthorizationCode, crate::store::StorageError>;
    /// The model holding `code`.
    fn from_code(code: &AuthorizationCode) -> Self;
}

impl OAuth2AuthorizationCode for AuthorizationCode {
    fn to_code(&self) -> Result<AuthorizationCode, crate::store::StorageError> {
        Ok(self.clone())
    }
    fn from_code(code: &AuthorizationCode) -> Self {
        code.clone()
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_redirect_uri_only_when_one_is_registered() {
        let c = Client::public("a").with_redirect_uris(["https://a/cb"]);
        assert_eq!(c.default_redirect_uri().as_deref(), Some("https://a/cb"));
        let c = c.with_redirect_uris(["https://a/1", "https://a/2"]);
        assert_eq!(c.default_redirect_uri(), None);
    }

    #[test]
    fn redirect_uri_match_is_exact() {
        let c = Client::public("a").with_redirect_uris(["https://a/cb"]);
        assert!(c.check_redirect_uri("https://a/cb"));
        for near in [
            "https://a/cb/",
            "https://a/cb?x=1",
            "https://A/cb",
            "https://a/c",
        ] {
            assert!(!c.check_redirect_uri(near), "{near}");
        }
    }

    #[test]
    fn confidential_secret_checks_in_digest() {
        let (c, secret) = Client::confidential("a");
        assert!(c.check_client_secret(&secret));
        assert!(!c.check_client_secret("wrong"));
        assert!(!Client::public("p").check_client_secret(""));
    }

    #[test]
    fn grant_type_names_round_trip() {
        for g in [
            "authorization_code",
            "password",
            "client_credentials",
            "refresh_token",
            "urn:x",
        ] {
            assert_eq!(g.parse::<GrantType>().unwrap().as_str(), g);
        }
        assert_eq!(
            "urn:x".parse::<GrantType>(),
            Ok(GrantType::Extension("urn:x".into()))
        );
        assert!("teleport".parse::<GrantType>().is_err());
        assert!("Password".parse::<GrantType>().is_err());
    }

    #[test]
    fn wire_vocabularies_round_trip_and_refuse_unknown_values() {
        for m in [
            AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost,
            AuthMethod::None,
        ] {
            assert_eq!(m.as_str().parse::<AuthMethod>(), Ok(m));
        }
        for r in [
            ResponseType::Code,
            ResponseType::Token,
            ResponseType::IdToken,
            ResponseType::IdTokenToken,
            ResponseType::CodeIdToken,
            ResponseType::CodeToken,
            ResponseType::CodeIdTokenToken,
        ] {
            assert_eq!(r.to_string().parse::<ResponseType>(), Ok(r));
        }
        for c in [CodeChallengeMethod::S256, CodeChallengeMethod::Plain] {
            assert_eq!(c.to_string().parse::<CodeChallengeMethod>(), Ok(c));
        }
        assert!("s256".parse::<CodeChallengeMethod>().is_err());
        // Multiple Response Type Encoding Practices §2: order does not matter.
        assert_eq!(
            "token id_token code".parse::<ResponseType>(),
            Ok(ResponseType::CodeIdTokenToken)
        );
        for bad in ["", "code code", "code  token", "Code", "none", "code none"] {
            assert!(bad.parse::<ResponseType>().is_err(), "{bad:?}");
        }
        let error = "private_key_jwt".parse::<AuthMethod>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown client authentication method `private_key_jwt`"
        );
    }
}
