//! RFC 6750 bearer token generation (Authlib's `BearerToken`).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{GrantType, OAuth2Client};
use crate::scope::Scope;
use crate::secret::{generate_token, DEFAULT_TOKEN_LENGTH};

/// Lifetime of tokens issued by grants with no configured value (Authlib's
/// `DEFAULT_EXPIRES_IN`).
pub const DEFAULT_EXPIRES_IN: u64 = 3600;

/// Default access token lifetimes per grant, exactly Authlib's `GRANT_TYPES_EXPIRES_IN`.
pub const GRANT_TYPES_EXPIRES_IN: [(GrantType, u64); 4] = [
    (GrantType::AuthorizationCode, 864_000),
    (GrantType::Implicit, 3600),
    (GrantType::Password, 864_000),
    (GrantType::ClientCredentials, 864_000),
];

/// What a grant asks the server to issue ([`AuthorizationServer::issue_token`]).
///
/// ```
/// use oauth_runtime::{GrantType, NewToken, Scope};
///
/// let scope = Scope::parse("profile").unwrap();
/// let token = NewToken::new(GrantType::Password, scope)
///     .for_user("alice")
///     .with_refresh_token();
/// assert!(token.include_refresh_token);
/// ```
///
/// [`AuthorizationServer::issue_token`]: crate::AuthorizationServer::issue_token
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken<'a> {
    /// The grant that issues it.
    pub grant_type: GrantType,
    /// The resource owner, if any (none for `client_credentials`).
    pub user_id: Option<&'a str>,
    /// The granted scope.
    pub scope: Scope,
    /// Whether a refresh token is wanted (issued only if the generator makes them and the
    /// client may use the refresh grant).
    pub include_refresh_token: bool,
    /// The token family to join (a code's, or the refreshed token's); a new one if `None`.
    pub family: Option<String>,
}

impl<'a> NewToken<'a> {
    /// A token of `grant_type` with `scope`, for no user, without a refresh token, in a new
    /// family.
    pub fn new(grant_type: GrantType, scope: Scope) -> Self {
        NewToken {
            grant_type,
            user_id: None,
            scope,
            include_refresh_token: false,
            family: None,
        }
    }

    /// For the resource owner `user_id`.
    pub fn for_user(mut self, user_id: &'a str) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// With a refresh token, where the server and client allow one.
    pub fn with_refresh_token(mut self) -> Self {
        self.include_refresh_token = true;
        self
    }

    /// In the token family `family` (RFC 9700 §4.14.2: revoked together on replay).
    pub fn in_family(mut self, family: String) -> Self {
        self.family = Some(family);
        self
    }
}

/// What a token generator is told about the token it makes.
#[derive(Clone, Copy)]
pub struct TokenContext<'a> {
    /// The client the token is for.
    pub client: &'a dyn OAuth2Client,
    /// The grant issuing it.
    pub grant_type: &'a GrantType,
    /// The resource owner, if any.
    pub user_id: Option<&'a str>,
    /// The granted scope.
    pub scope: &'a Scope,
}

impl fmt::Debug for TokenContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenContext")
            .field("client_id", &self.client.client_id())
            .field("grant_type", self.grant_type)
            .field("user_id", &self.user_id)
            .field("scope", self.scope)
            .finish()
    }
}

/// A function that makes a token string. It must return a fresh, unguessable value each call.
pub type TokenGenerator = Arc<dyn Fn(&TokenContext<'_>) -> String + Send + Sync>;

/// A function of the client and grant type giving a token lifetime in seconds.
pub type ExpiresFn = Arc<dyn Fn(&dyn OAuth2Client, &GrantType) -> u64 + Send + Sync>;

/// How long an access token lives.
#[derive(Clone)]
pub enum ExpiresIn {
    /// The same number of seconds for every token.
    Fixed(u64),
    /// Seconds per grant type; grants not listed get [`DEFAULT_EXPIRES_IN`].
    PerGrant(HashMap<GrantType, u64>),
    /// A function of the client and the grant type.
    Custom(ExpiresFn),
}

impl ExpiresIn {
    /// Authlib's defaults: [`GRANT_TYPES_EXPIRES_IN`].
    pub fn defaults() -> ExpiresIn {
        ExpiresIn::PerGrant(
            GRANT_TYPES_EXPIRES_IN
                .iter()
                .map(|(grant, secs)| (grant.clone(), *secs))
                .collect(),
        )
    }

    fn seconds(&self, client: &dyn OAuth2Client, grant_type: &GrantType) -> u64 {
        match self {
            ExpiresIn::Fixed(secs) => *secs,
            ExpiresIn::PerGrant(map) => map.get(grant_type).copied().unwrap_or(DEFAULT_EXPIRES_IN),
            ExpiresIn::Custom(f) => f(client, grant_type),
        }
    }
}

impl fmt::Debug for ExpiresIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpiresIn::Fixed(secs) => write!(f, "Fixed({secs})"),
            ExpiresIn::PerGrant(map) => f.debug_tuple("PerGrant").field(map).finish(),
            ExpiresIn::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// Always `"Bearer"` (RFC 6750 §4).
    pub token_type: &'static str,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// The refresh token, when one is issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The granted scope; omitted when empty.
    #[serde(skip_serializing_if = "Scope::is_empty")]
    pub scope: Scope,
}

impl fmt::Debug for TokenResponse {
    /// Never prints the tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Bearer token generator: an access-token generator, an optional refresh-token generator,
/// and an expiry rule.
///
/// ```
/// use oauth_runtime::{BearerToken, Client, ExpiresIn, GrantType, Scope, TokenContext};
///
/// let bearer = BearerToken::new().expires_in(ExpiresIn::Fixed(600));
/// let client = Client::public("app");
/// let scope = Scope::parse("profile").unwrap();
/// let ctx = TokenContext {
///     client: &client,
///     grant_type: &GrantType::AuthorizationCode,
///     user_id: Some("alice"),
///     scope: &scope,
/// };
/// let token = bearer.generate(&ctx, None, true);
/// assert_eq!(token.token_type, "Bearer");
/// assert_eq!(token.expires_in, 600);
/// assert!(token.refresh_token.is_some());
/// ```
#[derive(Clone)]
pub struct BearerToken {
    access_token_generator: TokenGenerator,
    refresh_token_generator: Option<TokenGenerator>,
    expires: ExpiresIn,
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("refresh_tokens", &self.refresh_token_generator.is_some())
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl Default for BearerToken {
    fn default() -> Self {
        BearerToken::new()
    }
}

/// The default generator: `length` CSPRNG characters (6 bits each).
pub fn random_generator(length: usize) -> TokenGenerator {
    Arc::new(move |_: &TokenContext<'_>| generate_token(length))
}

impl BearerToken {
    /// Random 43-character access and refresh tokens (258 bits), Authlib's lifetimes.
    pub fn new() -> Self {
        BearerToken {
            access_token_generator: random_generator(DEFAULT_TOKEN_LENGTH),
            refresh_token_generator: Some(random_generator(DEFAULT_TOKEN_LENGTH)),
            expires: ExpiresIn::defaults(),
        }
    }

    /// Replaces the access token generator.
    pub fn access_token_generator(
        mut self,
        generator: impl Fn(&TokenContext<'_>) -> String + Send + Sync + 'static,
    ) -> Self {
        self.access_token_generator = Arc::new(generator);
        self
    }

    /// Replaces the refresh token generator; `None` issues no refresh tokens.
    pub fn refresh_token_generator(mut self, generator: Option<TokenGenerator>) -> Self {
        self.refresh_token_generator = generator;
        self
    }

    /// Replaces the expiry rule.
    pub fn expires_in(mut self, expires: ExpiresIn) -> Self {
        self.expires = expires;
        self
    }

    /// Whether refresh tokens can be issued.
    pub fn issues_refresh_tokens(&self) -> bool {
        self.refresh_token_generator.is_some()
    }

    /// The lifetime a token for this client and grant would get.
    pub fn expires_in_for(&self, client: &dyn OAuth2Client, grant_type: &GrantType) -> u64 {
        self.expires.seconds(client, grant_type)
    }

    /// Makes a token response: `expires_in` overrides the rule when given; a refresh token is
    /// included only when a refresh generator is set and `include_refresh_token` asks for it.
    pub fn generate(
        &self,
        ctx: &TokenContext<'_>,
        expires_in: Option<u64>,
        include_refresh_token: bool,
    ) -> TokenResponse {
        let refresh_token = match (&self.refresh_token_generator, include_refresh_token) {
            (Some(generator), true) => Some(generator(ctx)),
            _ => None,
        };
        TokenResponse {
            access_token: (self.access_token_generator)(ctx),
            token_type: "Bearer",
            expires_in: expires_in
                .unwrap_or_else(|| self.expires.seconds(ctx.client, ctx.grant_type)),
            refresh_token,
            scope: ctx.scope.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Client;

    fn generate(bearer: &BearerToken, grant: GrantType, refresh: bool) -> TokenResponse {
        let client = Client::public("c");
        let scope = Scope::parse("a b").unwrap();
        let ctx = TokenContext {
            client: &client,
            grant_type: &grant,
            user_id: None,
            scope: &scope,
        };
        bearer.generate(&ctx, None, refresh)
    }

    #[test]
    fn default_lifetimes_are_authlibs() {
        let b = BearerToken::new();
        assert_eq!(
            generate(&b, GrantType::AuthorizationCode, false).expires_in,
            864_000
        );
        assert_eq!(generate(&b, GrantType::Implicit, false).expires_in, 3600);
        assert_eq!(generate(&b, GrantType::Password, false).expires_in, 864_000);
        assert_eq!(
            generate(&b, GrantType::ClientCredentials, false).expires_in,
            864_000
        );
        assert_eq!(
            generate(&b, GrantType::Extension("urn:x".into()), false).expires_in,
            3600
        );
    }

    #[test]
    fn refresh_token_only_when_generator_and_asked() {
        let b = BearerToken::new();
        assert!(generate(&b, GrantType::Password, true)
            .refresh_token
            .is_some());
        assert!(generate(&b, GrantType::Password, false)
            .refresh_token
            .is_none());
        let b = b.refresh_token_generator(None);
        assert!(generate(&b, GrantType::Password, true)
            .refresh_token
            .is_none());
    }

    #[test]
    fn custom_generators_and_expiry_function() {
        let b = BearerToken::new()
            .access_token_generator(|ctx| format!("tok-{}", ctx.client.client_id()))
            .expires_in(ExpiresIn::Custom(Arc::new(|client, grant| {
                if client.client_id() == "c" && *grant == GrantType::Password {
                    42
                } else {
                    1
                }
            })));
        let t = generate(&b, GrantType::Password, false);
        assert_eq!(t.access_token, "tok-c");
        assert_eq!(t.expires_in, 42);
        assert_eq!(
            generate(&b, GrantType::ClientCredentials, false).expires_in,
            1
        );
    }

    #[test]
    fn response_json_shape() {
        let t = generate(&BearerToken::new(), GrantType::Password, true);
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["token_type"], "Bearer");
        assert_eq!(v["scope"], "a b");
        assert_eq!(v["access_token"].as_str().unwrap().len(), 43);
        assert!(!format!("{t:?}").contains(&t.access_token));
    }
}
