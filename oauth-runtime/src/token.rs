//! RFC 6750 bearer token generation (Authlib's `BearerToken`).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{GrantType, OAuth2Client};
use crate::scope::Scope;
use crate::secret::generate_token;

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
    /// The resources the token is for (RFC 8707); empty for no audience.
    pub audience: Vec<String>,
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
            audience: Vec::new(),
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

    /// For the resources `audience` (RFC 8707).
    pub fn for_audience(mut self, audience: Vec<String>) -> Self {
        self.audience = audience;
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
    /// The resources the token is for (RFC 8707); empty for no audience.
    pub audience: &'a [String],
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

/// A function of the client and grant type giving a token lifetime in seconds, or `None` for
/// the configured lifetime of the grant (`expires_in.<grant_type>`).
pub type ExpiresFn = Arc<dyn Fn(&dyn OAuth2Client, &GrantType) -> Option<u64> + Send + Sync>;

/// How long an access token lives, when code decides
/// ([`OAuth2::expires_in`](crate::OAuth2::expires_in)). What it leaves open falls back to the
/// configured lifetimes (`expires_in.<grant_type>`, else Authlib's defaults).
///
/// ```
/// use oauth_runtime::{ExpiresIn, GrantType};
///
/// // Ten minutes for password tokens, the configured lifetime for the others.
/// let rule = ExpiresIn::custom(|_client, grant| (*grant == GrantType::Password).then_some(600));
/// # let _ = rule;
/// ```
#[derive(Clone)]
pub enum ExpiresIn {
    /// The same number of seconds for every token.
    Fixed(u64),
    /// Seconds per grant type; grants not listed get their configured lifetime.
    PerGrant(HashMap<GrantType, u64>),
    /// A function of the client (reach your own model with
    /// [`downcast_ref`](trait.OAuth2Client.html#method.downcast_ref)) and the grant type;
    /// `None` is the configured lifetime.
    Custom(ExpiresFn),
}

impl ExpiresIn {
    /// [`Custom`](ExpiresIn::Custom) from a closure.
    pub fn custom(
        f: impl Fn(&dyn OAuth2Client, &GrantType) -> Option<u64> + Send + Sync + 'static,
    ) -> Self {
        ExpiresIn::Custom(Arc::new(f))
    }

    /// The rule's answer, if it has one for this client and grant.
    fn seconds(&self, client: &dyn OAuth2Client, grant_type: &GrantType) -> Option<u64> {
        match self {
            ExpiresIn::Fixed(secs) => Some(*secs),
            ExpiresIn::PerGrant(map) => map.get(grant_type).copied(),
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
    /// Further fields ([`insert_field`](Self::insert_field)).
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

impl TokenResponse {
    /// The fields RFC 6749 §5.1 defines, which [`insert_field`](Self::insert_field) refuses.
    pub const STANDARD_FIELDS: [&'static str; 5] = [
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
    ];

    /// Adds a field to the response (RFC 6749 §5.1: "The client MUST ignore unrecognized
    /// value names"). A standard field cannot be replaced this way: that is a `server_error`.
    pub fn insert_field(
        &mut self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Result<(), crate::OAuthError> {
        let name = name.into();
        if Self::STANDARD_FIELDS.contains(&name.as_str()) {
            return Err(crate::OAuthError::new(crate::ErrorCode::ServerError)
                .with_description(format!("a hook may not replace `{name}`")));
        }
        self.extra.insert(name, value.into());
        Ok(())
    }

    /// The fields added with [`insert_field`](Self::insert_field).
    pub fn extra_fields(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.extra
    }
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

/// The bearer token generator the server runs: access and refresh token generators and the
/// lifetimes. Built from configuration ([`Config::bearer_token`](crate::Config)); code
/// replaces one part at a time ([`OAuth2::access_token_generator`](crate::OAuth2),
/// [`OAuth2::refresh_token_generator`](crate::OAuth2), [`OAuth2::expires_in`](crate::OAuth2)),
/// so no setting in code discards another from configuration.
#[derive(Clone)]
pub(crate) struct BearerToken {
    access_token_generator: TokenGenerator,
    /// `None`: refresh tokens are off (`refresh_token_generator = false`).
    refresh_token_generator: Option<TokenGenerator>,
    /// The rule set in code, if any.
    rule: Option<ExpiresIn>,
    /// The configured lifetimes per grant (Authlib's defaults under `expires_in.*`).
    lifetimes: HashMap<GrantType, u64>,
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("refresh_tokens", &self.refresh_token_generator.is_some())
            .field("rule", &self.rule)
            .field("lifetimes", &self.lifetimes)
            .finish_non_exhaustive()
    }
}

/// The default generator: `length` CSPRNG characters (6 bits each).
pub(crate) fn random_generator(length: usize) -> TokenGenerator {
    Arc::new(move |_: &TokenContext<'_>| generate_token(length))
}

impl BearerToken {
    /// Random tokens of `length` characters, refresh tokens when `refresh`, and Authlib's
    /// lifetimes overridden by `lifetimes`.
    pub(crate) fn configured(
        length: usize,
        refresh: bool,
        lifetimes: &HashMap<GrantType, u64>,
    ) -> Self {
        let mut all: HashMap<GrantType, u64> = GRANT_TYPES_EXPIRES_IN.iter().cloned().collect();
        all.extend(lifetimes.iter().map(|(g, s)| (g.clone(), *s)));
        BearerToken {
            access_token_generator: random_generator(length),
            refresh_token_generator: refresh.then(|| random_generator(length)),
            rule: None,
            lifetimes: all,
        }
    }

    /// Replaces the access token generator.
    pub(crate) fn set_access_token_generator(&mut self, generator: TokenGenerator) {
        self.access_token_generator = generator;
    }

    /// Replaces how refresh tokens are made; whether they are issued stays with configuration.
    pub(crate) fn set_refresh_token_generator(&mut self, generator: TokenGenerator) {
        if self.refresh_token_generator.is_some() {
            self.refresh_token_generator = Some(generator);
        }
    }

    /// Sets the expiry rule; what it leaves open keeps the configured lifetimes.
    pub(crate) fn set_expires_in(&mut self, rule: ExpiresIn) {
        self.rule = Some(rule);
    }

    /// Whether refresh tokens can be issued.
    #[cfg(test)]
    pub(crate) fn issues_refresh_tokens(&self) -> bool {
        self.refresh_token_generator.is_some()
    }

    /// The longest configured access token lifetime (what a rule in code leaves open).
    pub(crate) fn longest_configured_lifetime(&self) -> u64 {
        self.lifetimes
            .values()
            .copied()
            .chain([DEFAULT_EXPIRES_IN])
            .max()
            .unwrap_or(DEFAULT_EXPIRES_IN)
    }

    /// The lifetime a token for this client and grant gets.
    pub(crate) fn expires_in_for(&self, client: &dyn OAuth2Client, grant_type: &GrantType) -> u64 {
        self.rule
            .as_ref()
            .and_then(|rule| rule.seconds(client, grant_type))
            .or_else(|| self.lifetimes.get(grant_type).copied())
            .unwrap_or(DEFAULT_EXPIRES_IN)
    }

    /// Makes a token response; a refresh token is included only when refresh tokens are on
    /// and `include_refresh_token` asks for one.
    pub(crate) fn generate(
        &self,
        ctx: &TokenContext<'_>,
        include_refresh_token: bool,
    ) -> TokenResponse {
        let refresh_token = match (&self.refresh_token_generator, include_refresh_token) {
            (Some(generator), true) => Some(generator(ctx)),
            _ => None,
        };
        TokenResponse {
            access_token: (self.access_token_generator)(ctx),
            token_type: "Bearer",
            expires_in: self.expires_in_for(ctx.client, ctx.grant_type),
            refresh_token,
            scope: ctx.scope.clone(),
            extra: serde_json::Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Client;
    use crate::secret::DEFAULT_TOKEN_LENGTH;

    fn generate(bearer: &BearerToken, grant: GrantType, refresh: bool) -> TokenResponse {
        let client = Client::public("c");
        let scope = Scope::parse("a b").unwrap();
        let ctx = TokenContext {
            client: &client,
            grant_type: &grant,
            user_id: None,
            scope: &scope,
            audience: &[],
        };
        bearer.generate(&ctx, refresh)
    }

    fn defaults() -> BearerToken {
        BearerToken::configured(DEFAULT_TOKEN_LENGTH, true, &HashMap::new())
    }

    #[test]
    fn default_lifetimes_are_authlibs() {
        let b = defaults();
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
    fn refresh_token_only_when_on_and_asked() {
        let mut b = defaults();
        assert!(generate(&b, GrantType::Password, true)
            .refresh_token
            .is_some());
        assert!(generate(&b, GrantType::Password, false)
            .refresh_token
            .is_none());
        let mut off = BearerToken::configured(43, false, &HashMap::new());
        off.set_refresh_token_generator(random_generator(50));
        assert!(generate(&off, GrantType::Password, true)
            .refresh_token
            .is_none());
        b.set_refresh_token_generator(Arc::new(|_: &TokenContext<'_>| "r".repeat(50)));
        assert_eq!(
            generate(&b, GrantType::Password, true)
                .refresh_token
                .unwrap(),
            "r".repeat(50)
        );
    }

    #[test]
    fn a_rule_in_code_keeps_the_configured_lifetimes_it_leaves_open() {
        let configured = HashMap::from([(GrantType::ClientCredentials, 77)]);
        let mut b = BearerToken::configured(43, true, &configured);
        b.set_access_token_generator(Arc::new(|ctx: &TokenContext<'_>| {
            format!("tok-{}", ctx.client.client_id())
        }));
        b.set_expires_in(ExpiresIn::custom(|client, grant| {
            (client.client_id() == "c" && *grant == GrantType::Password).then_some(42)
        }));
        let t = generate(&b, GrantType::Password, false);
        assert_eq!(t.access_token, "tok-c");
        assert_eq!(t.expires_in, 42);
        assert_eq!(
            generate(&b, GrantType::ClientCredentials, false).expires_in,
            77
        );
        assert_eq!(generate(&b, GrantType::Implicit, false).expires_in, 3600);
    }

    #[test]
    fn extra_fields_are_added_but_never_replace_standard_ones() {
        let mut t = generate(&defaults(), GrantType::Password, true);
        t.insert_field("id_hint", "alice").unwrap();
        t.insert_field("n", 3).unwrap();
        for name in TokenResponse::STANDARD_FIELDS {
            let error = t.insert_field(name, "x").unwrap_err();
            assert_eq!(error.code(), crate::ErrorCode::ServerError);
        }
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(
            (v["id_hint"].as_str(), v["n"].as_i64()),
            (Some("alice"), Some(3))
        );
        assert_eq!(v["access_token"].as_str(), Some(t.access_token.as_str()));
    }

    #[test]
    fn response_json_shape() {
        let t = generate(&defaults(), GrantType::Password, true);
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["token_type"], "Bearer");
        assert_eq!(v["scope"], "a b");
        assert_eq!(v["access_token"].as_str().unwrap().len(), 43);
        assert!(!format!("{t:?}").contains(&t.access_token));
    }
}
