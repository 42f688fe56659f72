//! The authorization server: configuration, registered grants, token issuance, and the
//! authorization and token endpoints (Authlib's `AuthorizationServer`).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::config::{Config, ConfigError};
use crate::error::{ErrorCode, OAuthError};
use crate::grants::{AuthorizationRequest, Grant};
use crate::hooks::TokenHooks;
use crate::model::{
    now, AuthMethod, Endpoint, GrantType, OAuth2Client, ResourceOwner, ResponseType, Token,
};
use crate::request::{Method, OAuthRequest};
use crate::response::{redirect_with, OAuthResponse, ResponseMode};
use crate::secret::{generate_token, SecretHash};
use crate::store::Storage;
use crate::throttle::Throttle;
use crate::token::{BearerToken, ExpiresIn, NewToken, TokenContext, TokenResponse};

/// An OAuth 2.0 authorization server.
///
/// ```
/// use oauth_runtime::{AuthorizationServer, ClientCredentialsGrant, MemoryStore, OAuthRequest};
/// use oauth_runtime::{Client, GrantType};
///
/// # rocket::async_test(async {
/// let store = MemoryStore::new();
/// store.add_client(
///     Client::with_secret("svc", "a-long-random-secret")
///         .with_grant_types([GrantType::ClientCredentials])
///         .with_auth_method(oauth_runtime::AuthMethod::ClientSecretPost),
/// );
/// let mut server = AuthorizationServer::new(store);
/// server.register_grant(ClientCredentialsGrant);
///
/// let request = OAuthRequest::post_form(&[
///     ("grant_type", "client_credentials"),
///     ("client_id", "svc"),
///     ("client_secret", "a-long-random-secret"),
/// ]);
/// let response = server.create_token_response(&request).await;
/// assert_eq!(response.status, 200);
/// # });
/// ```
pub struct AuthorizationServer {
    storage: Arc<dyn Storage>,
    config: Config,
    bearer: BearerToken,
    token_grants: HashMap<GrantType, Arc<dyn Grant>>,
    authorization_grants: HashMap<ResponseType, Arc<dyn Grant>>,
    throttle: Throttle,
    /// Password verifications running at once (`password_hashing.concurrency`).
    password_slots: tokio::sync::Semaphore,
    pub(crate) introspection_policy: Arc<dyn crate::endpoints::IntrospectionPolicy>,
    token_hooks: Arc<dyn TokenHooks>,
    /// Claims of the application's own for ID tokens and UserInfo.
    claims_hook: Option<Arc<dyn crate::claims_hook::ClaimsHook>>,
    /// The bearer token rules, shared with the resource protector (introspection applies them).
    validator: Arc<dyn crate::resource::BearerTokenValidator>,
    /// Client authentication methods per grant type, where set in code.
    auth_methods: HashMap<GrantType, Vec<AuthMethod>>,
    /// The JWT signing keys, loaded on first use.
    keys: crate::keys::Keys,
    /// Registrations per address (`registration.max_per_address`).
    registration_limit: crate::rate_limit::RateLimit,
    /// Client ID Metadata Documents, when enabled.
    #[cfg(feature = "client-metadata-documents")]
    documents: Option<Arc<crate::client_metadata::MetadataDocuments>>,
}

impl fmt::Debug for AuthorizationServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationServer")
            .field("config", &self.config)
            .field("grant_types", &self.token_grants.keys().collect::<Vec<_>>())
            .field(
                "response_types",
                &self.authorization_grants.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl AuthorizationServer {
    /// A server on `storage` with the default configuration and no grants.
    pub fn new(storage: impl Storage) -> Self {
        // The default configuration is valid (a unit test in `config` says so).
        Self::unchecked(Arc::new(storage), Config::default())
    }

    /// A server on shared storage with a checked configuration.
    pub fn with_config(storage: Arc<dyn Storage>, config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        #[cfg(feature = "client-metadata-documents")]
        let documents = match config.client_metadata_documents.enabled {
            true => Some(Arc::new(
                crate::client_metadata::MetadataDocuments::new(&config.client_metadata_documents)
                    .map_err(|e| crate::config::error("client_metadata_documents", e))?,
            )),
            false => None,
        };
        #[allow(unused_mut)]
        let mut server = Self::unchecked(storage, config);
        #[cfg(feature = "client-metadata-documents")]
        {
            server.documents = documents;
        }
        Ok(server)
    }

    fn unchecked(storage: Arc<dyn Storage>, config: Config) -> Self {
        AuthorizationServer {
            storage,
            bearer: config.bearer_token(),
            throttle: Throttle::new(config.throttle.clone()),
            password_slots: tokio::sync::Semaphore::new(
                match config.password_hashing.concurrency {
                    0 => std::thread::available_parallelism().map_or(2, usize::from),
                    n => n,
                },
            ),
            introspection_policy: Arc::new(crate::endpoints::OwnTokensOrResourceServer),
            token_hooks: Arc::new(crate::hooks::NoHooks),
            claims_hook: None,
            validator: Arc::new(crate::resource::StorageTokenValidator),
            auth_methods: HashMap::new(),
            keys: crate::keys::Keys::new(),
            registration_limit: crate::rate_limit::RateLimit::new(
                config.registration.max_per_address,
                config.registration.window,
            ),
            #[cfg(feature = "client-metadata-documents")]
            documents: None,
            config,
            token_grants: HashMap::new(),
            authorization_grants: HashMap::new(),
        }
    }

    /// Registers a grant at the endpoints it serves, replacing a grant registered for the
    /// same grant type or response type.
    pub fn register_grant(&mut self, grant: impl Grant) -> &mut Self {
        self.register_shared_grant(Arc::new(grant))
    }

    /// Registers an already shared grant.
    pub fn register_shared_grant(&mut self, grant: Arc<dyn Grant>) -> &mut Self {
        if let Some(grant_type) = grant.grant_type() {
            self.token_grants.insert(grant_type, grant.clone());
        }
        for response_type in grant.response_types() {
            self.authorization_grants
                .insert(response_type, grant.clone());
        }
        self
    }

    /// Replaces how access tokens are made (configuration: random, `token_length`
    /// characters). The generator must return a fresh, unguessable value each call.
    pub fn set_access_token_generator(
        &mut self,
        generator: impl Fn(&TokenContext<'_>) -> String + Send + Sync + 'static,
    ) -> &mut Self {
        self.bearer.set_access_token_generator(Arc::new(generator));
        self
    }

    /// The token generator, for the fairing to replace one part of it with a shared generator.
    pub(crate) fn bearer_mut(&mut self) -> &mut BearerToken {
        &mut self.bearer
    }

    /// Replaces how refresh tokens are made. Whether they are issued stays with configuration
    /// (`refresh_token_generator`) and the client's grant types.
    pub fn set_refresh_token_generator(
        &mut self,
        generator: impl Fn(&TokenContext<'_>) -> String + Send + Sync + 'static,
    ) -> &mut Self {
        self.bearer.set_refresh_token_generator(Arc::new(generator));
        self
    }

    /// Decides access token lifetimes in code; what the rule leaves open keeps the configured
    /// `expires_in.<grant_type>`.
    pub fn set_expires_in(&mut self, rule: ExpiresIn) -> &mut Self {
        self.bearer.set_expires_in(rule);
        self
    }

    /// Replaces who may introspect what (default:
    /// [`OwnTokensOrResourceServer`](crate::endpoints::OwnTokensOrResourceServer)).
    pub fn set_introspection_policy(
        &mut self,
        policy: impl crate::endpoints::IntrospectionPolicy,
    ) -> &mut Self {
        self.introspection_policy = Arc::new(policy);
        self
    }

    /// Sets the hooks every token request and issued token goes through ([`TokenHooks`]).
    pub fn set_token_hooks(&mut self, hooks: impl TokenHooks) -> &mut Self {
        self.token_hooks = Arc::new(hooks);
        self
    }

    /// Adds the claims `hook` gives to ID tokens and UserInfo responses ([`ClaimsHook`]).
    ///
    /// [`ClaimsHook`]: crate::ClaimsHook
    pub fn set_claims_hook(&mut self, hook: impl crate::claims_hook::ClaimsHook) -> &mut Self {
        self.claims_hook = Some(Arc::new(hook));
        self
    }

    pub(crate) fn set_shared_claims_hook(
        &mut self,
        hook: Arc<dyn crate::claims_hook::ClaimsHook>,
    ) -> &mut Self {
        self.claims_hook = Some(hook);
        self
    }

    /// The claims the hook adds, if one is set.
    pub(crate) async fn hook_claims(
        &self,
        owner: &crate::ResourceOwner,
        client_id: &str,
        scope: &crate::Scope,
        target: crate::claims_hook::ClaimsTarget,
    ) -> Result<serde_json::Map<String, serde_json::Value>, OAuthError> {
        match &self.claims_hook {
            Some(hook) => {
                hook.claims(self.storage(), owner, client_id, scope, target)
                    .await
            }
            None => Ok(serde_json::Map::new()),
        }
    }

    pub(crate) fn has_claims_hook(&self) -> bool {
        self.claims_hook.is_some()
    }

    /// The `sub` `client` sees for `user_id` (public or pairwise, Core §8).
    pub fn subject_for(&self, user_id: &str, client: &dyn crate::OAuth2Client) -> String {
        crate::subject::subject(&self.config().openid, user_id, client)
    }

    pub(crate) fn set_shared_token_hooks(&mut self, hooks: Arc<dyn TokenHooks>) -> &mut Self {
        self.token_hooks = hooks;
        self
    }

    /// The client authentication methods the token endpoint accepts for `grant_type`
    /// (Authlib's `TOKEN_ENDPOINT_AUTH_METHODS`), replacing the grant's own list: e.g. only
    /// `client_secret_basic` for `client_credentials`. A client must also be registered with
    /// the method it uses.
    pub fn set_token_endpoint_auth_methods(
        &mut self,
        grant_type: GrantType,
        methods: impl IntoIterator<Item = AuthMethod>,
    ) -> &mut Self {
        self.auth_methods
            .insert(grant_type, methods.into_iter().collect());
        self
    }

    /// Sets the bearer token rules the introspection endpoint applies (the `OAuth2` fairing
    /// sets the resource protector's validator here too).
    pub fn set_validator(
        &mut self,
        validator: Arc<dyn crate::resource::BearerTokenValidator>,
    ) -> &mut Self {
        self.validator = validator;
        self
    }

    pub(crate) fn validator(&self) -> &dyn crate::resource::BearerTokenValidator {
        self.validator.as_ref()
    }

    /// The signing keys: loaded from storage on first use (and every minute after, so a
    /// rotation elsewhere is seen), the first one made when storage has none
    /// (`signing.algorithm`).
    pub async fn signing_keys(&self) -> Result<Arc<crate::keys::KeySet>, OAuthError> {
        self.keys
            .get(self.storage.as_ref(), self.config.signing.algorithm)
            .await
    }

    /// Makes a new signing key (`signing.algorithm`); the previous ones stay published for
    /// `signing.retire_after` seconds (by default the longest configured access token
    /// lifetime), so that every token they signed still verifies until it expires.
    pub async fn rotate_signing_key(&self) -> Result<Arc<crate::keys::KeySet>, OAuthError> {
        let retain = match self.config.signing.retire_after {
            0 => self.bearer.longest_configured_lifetime(),
            secs => secs,
        };
        self.keys
            .rotate(
                self.storage.as_ref(),
                self.config.signing.algorithm,
                now().saturating_add(retain),
            )
            .await
    }

    /// Signs `claims` as a JWT with the current signing key (`kid` in the header); `typ` is
    /// the header type (`JWT`, or `at+jwt` for an RFC 9068 access token).
    pub async fn sign_jwt<T: serde::Serialize + Sync>(
        &self,
        typ: &str,
        claims: &T,
    ) -> Result<String, OAuthError> {
        self.signing_keys().await?.sign(typ, claims)
    }

    /// Runs the [`TokenHooks::process_token`] hook on a token just saved.
    pub(crate) async fn process_token(
        &self,
        record: &Token,
        response: &mut TokenResponse,
    ) -> Result<(), OAuthError> {
        self.token_hooks
            .process_token(self.storage.as_ref(), record, response)
            .await
    }

    pub(crate) fn introspection_policy(&self) -> &dyn crate::endpoints::IntrospectionPolicy {
        self.introspection_policy.as_ref()
    }

    /// The storage.
    pub fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// The storage, shared.
    pub fn shared_storage(&self) -> Arc<dyn Storage> {
        self.storage.clone()
    }

    /// The brute-force throttle of failed passwords and client secrets: the grants and client
    /// authentication use it, and so can an app's own sign-in form.
    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    /// Verifies a resource owner's password as the password grant does, for an app's own
    /// sign-in form: throttled per (account, address) and slowed for noisy addresses and
    /// attacked accounts ([`Throttle`]), and run while at most
    /// `password_hashing.concurrency` verifications run at once.
    ///
    /// `Ok(None)` is a wrong username or password (both cost one Argon2 verification). `Err`
    /// is 429 (throttled, with `Retry-After`), 503 `temporarily_unavailable` (no verification
    /// slot within `password_hashing.max_wait`, or storage down).
    pub async fn authenticate_user(
        &self,
        username: &str,
        password: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<Option<ResourceOwner>, OAuthError> {
        self.check_password(username, address, || {
            self.storage.authenticate_user(username, password)
        })
        .await
    }

    /// Runs `verify` (a password check for `username`) under the throttle and the password
    /// hashing limit, and records its outcome.
    pub(crate) async fn check_password<F, Fut>(
        &self,
        username: &str,
        address: Option<std::net::IpAddr>,
        verify: F,
    ) -> Result<Option<ResourceOwner>, OAuthError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::StorageResult<Option<ResourceOwner>>>,
    {
        let attempt = self
            .throttle
            .begin(crate::throttle::Credential::Password, username, address)
            .await?;
        let wait = std::time::Duration::from_secs(self.config.password_hashing.max_wait);
        let busy = || {
            OAuthError::new(ErrorCode::TemporarilyUnavailable)
                .with_description("the server is busy; retry later")
                .with_status(503)
                .with_retry_after(1)
        };
        let _permit = match tokio::time::timeout(wait, self.password_slots.acquire()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(busy()),
        };
        match verify().await? {
            Some(owner) => {
                attempt.succeeded();
                Ok(Some(owner))
            }
            None => {
                attempt.failed();
                Ok(None)
            }
        }
    }

    /// The client `client_id` names: a client in storage, else — with Client ID Metadata
    /// Documents enabled and an `https` URL as the id — the client its metadata document
    /// describes (fetched, or from the cache). `None` for an unknown client; an
    /// `invalid_client` error (status 400) says why a document could not be used.
    pub async fn find_client(
        &self,
        client_id: &str,
    ) -> Result<Option<Arc<dyn OAuth2Client>>, OAuthError> {
        let found = self.lookup_client(client_id, OAuthError::from).await?;
        Ok(found.map(|(client, _)| client))
    }

    /// [`find_client`](Self::find_client), and whether the client came from a metadata
    /// document; a storage failure becomes `storage_failure`'s error (at the authorization
    /// endpoint `temporarily_unavailable`, elsewhere `server_error`: RFC 6749 §4.1.2.1, §5.2).
    pub(crate) async fn lookup_client(
        &self,
        client_id: &str,
        storage_failure: fn(crate::store::StorageError) -> OAuthError,
    ) -> Result<Option<(Arc<dyn OAuth2Client>, bool)>, OAuthError> {
        if let Some(client) = self
            .storage
            .find_client(client_id)
            .await
            .map_err(storage_failure)?
        {
            return Ok(Some((client, false)));
        }
        #[cfg(feature = "client-metadata-documents")]
        if let Some(documents) = self
            .documents
            .as_ref()
            .filter(|documents| documents.applies_to(client_id))
        {
            return match documents.client(client_id).await {
                Ok(client) => Ok(Some((client as Arc<dyn OAuth2Client>, true))),
                Err(why) => {
                    log::info!("client metadata document {client_id} refused: {why}");
                    Err(OAuthError::new(ErrorCode::InvalidClient)
                        .with_description(format!("client metadata document: {why}"))
                        .with_status(400))
                }
            };
        }
        Ok(None)
    }

    pub(crate) fn registration_limit(&self) -> &crate::rate_limit::RateLimit {
        &self.registration_limit
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The grant types served at the token endpoint.
    pub fn grant_types(&self) -> impl Iterator<Item = &GrantType> {
        self.token_grants.keys()
    }

    /// The response types served at the authorization endpoint.
    pub fn response_types(&self) -> impl Iterator<Item = ResponseType> + '_ {
        self.authorization_grants.keys().copied()
    }

    /// Generates a token and its record without saving it (with `access_token_format = "jwt"`,
    /// the access token is a signed RFC 9068 JWT). A refresh token is included when
    /// asked, the generator makes them, and the client may use the refresh grant.
    pub async fn generate_token(
        &self,
        client: &dyn OAuth2Client,
        token: NewToken<'_>,
    ) -> Result<(TokenResponse, Token), OAuthError> {
        let NewToken {
            grant_type,
            user_id,
            scope,
            include_refresh_token,
            family,
            audience,
        } = token;
        let include_refresh_token = include_refresh_token
            && self.token_grants.contains_key(&GrantType::RefreshToken)
            && client.check_grant_type(&GrantType::RefreshToken);
        let ctx = TokenContext {
            client,
            grant_type: &grant_type,
            user_id,
            scope: &scope,
            audience: &audience,
        };
        let mut response = self.bearer.generate(&ctx, include_refresh_token);
        let issued_at = now();
        if self.config.access_token_format == crate::config::AccessTokenFormat::Jwt {
            response.access_token =
                crate::jwt_access_token::sign(self, &ctx, issued_at, response.expires_in).await?;
        }
        let refresh_lifetime = self.config.refresh_token_expires_in;
        let record = Token {
            access_token_hash: SecretHash::of(&response.access_token),
            refresh_token_hash: response.refresh_token.as_deref().map(SecretHash::of),
            client_id: client.client_id().to_owned(),
            user_id: user_id.map(str::to_owned),
            scope,
            grant_type,
            issued_at,
            expires_in: response.expires_in,
            refresh_token_expires_at: (refresh_lifetime > 0)
                .then(|| issued_at.saturating_add(refresh_lifetime)),
            family: family.unwrap_or_else(|| generate_token(32)),
            access_token_revoked: false,
            refresh_token_revoked: false,
            audience,
        };
        Ok((response, record))
    }

    /// Generates a token, saves its record, runs [`TokenHooks::process_token`], and returns
    /// both (what grants use to issue).
    pub async fn issue_token(
        &self,
        client: &dyn OAuth2Client,
        token: NewToken<'_>,
    ) -> Result<(TokenResponse, Token), OAuthError> {
        let (mut response, record) = self.generate_token(client, token).await?;
        self.storage.save_token(record.clone()).await?;
        self.process_token(&record, &mut response).await?;
        Ok((response, record))
    }

    /// Validates an authorization request for the consent page (RFC 6749 §4.1.1, §4.2.1).
    ///
    /// An error whose [`target`](OAuthError::target) is
    /// [`Direct`](crate::ErrorTarget::Direct) concerns the client or redirect URI: show it to
    /// the user, never redirect. Other errors redirect to the verified redirect URI.
    pub async fn validate_authorization_request(
        &self,
        request: &OAuthRequest,
    ) -> Result<AuthorizationRequest, OAuthError> {
        if let Some(error) = request.malformed() {
            return Err(error.clone());
        }
        if !matches!(request.method(), Method::Get | Method::Post) {
            return Err(OAuthError::invalid_request("use GET or POST").with_status(405));
        }
        // RFC 6749 §4.1.2.1: if the client or redirect URI cannot be verified, the server
        // MUST NOT redirect; it informs the resource owner.
        let client_id = crate::grants::required(request, "client_id")?;
        let found = self
            .lookup_client(client_id, OAuthError::temporarily_unavailable)
            .await?;
        let (client, from_document) = found.ok_or_else(|| {
            // Shown to the resource owner; no client authentication failed, so 400.
            OAuthError::new(ErrorCode::InvalidClient)
                .with_description("unknown client")
                .with_status(400)
        })?;
        let given = request.param("redirect_uri");
        let redirect_uri = match given {
            // RFC 9700 §4.1.3: exact string matching.
            Some(uri) if client.check_redirect_uri(uri) => uri.to_owned(),
            Some(_) => {
                return Err(OAuthError::invalid_request(
                    "redirect_uri is not registered",
                ));
            }
            // RFC 6749 §3.1.2.3: required when several (or no) URIs are registered.
            None => client
                .default_redirect_uri()
                .ok_or_else(|| OAuthError::invalid_request("missing `redirect_uri` parameter"))?,
        };
        let state = request.param("state");
        let issuer = self.config.issuer.as_deref();
        let response_type = request
            .param("response_type")
            .map(|rt| rt.parse::<ResponseType>().ok());
        // The server, not the grant, decides where the response goes: RFC 6749 §4.1.2 (query)
        // for `code`, §4.2.2 (fragment) for `token`; an unknown type errs in the query.
        let mut mode = match response_type {
            Some(Some(rt)) => ResponseMode::default_for(rt),
            _ => ResponseMode::Query,
        };
        let redirect =
            |error: OAuthError, mode| error.redirect_to(&redirect_uri, mode, state, issuer);
        let response_type = match response_type {
            None => {
                return Err(redirect(
                    OAuthError::invalid_request("missing `response_type` parameter"),
                    mode,
                ))
            }
            Some(rt) => rt,
        };
        let grant =
            response_type.and_then(|rt| self.authorization_grants.get(&rt).map(|g| (rt, g)));
        let Some((response_type, grant)) = grant else {
            return Err(redirect(
                OAuthError::new(ErrorCode::UnsupportedResponseType),
                mode,
            ));
        };
        if let Some(requested) = request.param("response_mode") {
            mode = ResponseMode::requested(requested, response_type)
                .map_err(|why| redirect(OAuthError::invalid_request(why), mode))?;
        }
        let redirect = |error: OAuthError| redirect(error, mode);
        if !client.check_response_type(response_type) {
            return Err(redirect(OAuthError::unauthorized_client(
                "the client may not use this response_type",
            )));
        }
        let scope = crate::grants::requested_scope(request.param("scope"), client.as_ref())
            .map_err(redirect)?;
        // RFC 8707 §2: the resources the tokens will be for; `invalid_target` otherwise.
        let resources = crate::resource_indicator::requested(request)
            .and_then(|requested| {
                crate::resource_indicator::grant(&self.config, client.as_ref(), requested)
            })
            .map_err(redirect)?;
        let mut authorization = AuthorizationRequest {
            client,
            response_type,
            redirect_uri: redirect_uri.clone(),
            redirect_uri_given: given.is_some(),
            scope,
            state: state.map(str::to_owned),
            code_challenge: None,
            code_challenge_method: None,
            nonce: request.param("nonce").map(str::to_owned),
            resources,
            response_mode: mode,
            from_metadata_document: from_document,
        };
        grant
            .validate_authorization_request(self, request, &mut authorization)
            .await
            .map_err(redirect)?;
        Ok(authorization)
    }

    /// Answers an authorization request after the resource owner decided: `Some(user)` grants,
    /// `None` denies (`access_denied`). The request is validated again, so the consent form
    /// cannot be used to change what was shown.
    ///
    /// `Ok` is a redirect to the client (with the grant, or with an error about the request);
    /// `Err` is an error that must not be redirected (see
    /// [`validate_authorization_request`](Self::validate_authorization_request)).
    pub async fn create_authorization_response(
        &self,
        request: &OAuthRequest,
        user: Option<&ResourceOwner>,
    ) -> Result<OAuthResponse, OAuthError> {
        let authorization = match self.validate_authorization_request(request).await {
            Ok(authorization) => authorization,
            Err(error) if error.target() == &crate::ErrorTarget::Direct => return Err(error),
            Err(error) => return Ok(error.to_response()),
        };
        let redirect =
            |error: OAuthError| authorization.error_response(error, self.config.issuer.as_deref());
        let Some(user) = user else {
            return Ok(redirect(
                OAuthError::new(ErrorCode::AccessDenied)
                    .with_description("the resource owner denied the request"),
            ));
        };
        let Some(grant) = self.authorization_grants.get(&authorization.response_type) else {
            return Ok(redirect(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
            )));
        };
        let mut params = match grant
            .create_authorization_response(self, &authorization, user)
            .await
        {
            Ok(params) => params,
            Err(error) => return Ok(redirect(error)),
        };
        if let Some(state) = &authorization.state {
            params.push(("state".to_owned(), state.clone()));
        }
        if let Some(issuer) = &self.config.issuer {
            // RFC 9207: the issuer identifies the server to the client (mix-up defence).
            params.push(("iss".to_owned(), issuer.clone()));
        }
        let borrowed: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Ok(OAuthResponse::redirect(redirect_with(
            &authorization.redirect_uri,
            authorization.response_mode,
            &borrowed,
        )))
    }

    /// Answers a token request (RFC 6749 §3.2, §5): a JSON token response, or a JSON error.
    /// Both carry `Cache-Control: no-store` and `Pragma: no-cache`.
    pub async fn create_token_response(&self, request: &OAuthRequest) -> OAuthResponse {
        OAuthResponse::from_result(self.token_response(request).await)
    }

    async fn token_response(&self, request: &OAuthRequest) -> Result<TokenResponse, OAuthError> {
        check_post_form(request)?;
        let unsupported = || OAuthError::new(ErrorCode::UnsupportedGrantType);
        let grant_type: GrantType = crate::grants::required(request, "grant_type")?
            .parse()
            .map_err(|_| unsupported())?;
        let grant = self.token_grants.get(&grant_type).ok_or_else(unsupported)?;
        let methods = match self.auth_methods.get(&grant_type) {
            Some(methods) => methods.as_slice(),
            None => grant.token_endpoint_auth_methods(),
        };
        let client =
            crate::client_auth::authenticate_client(self, request, Endpoint::Token, methods)
                .await?;
        if !client.check_grant_type(&grant_type) {
            return Err(OAuthError::unauthorized_client(
                "the client may not use this grant type",
            ));
        }
        self.token_hooks
            .validate_token_request(self.storage.as_ref(), request, client.as_ref(), &grant_type)
            .await?;
        grant.create_token_response(self, request, &client).await
    }
}

/// RFC 6749 §3.2: the token endpoint (and RFC 7009 / 7662 endpoints) take `POST` with an
/// `application/x-www-form-urlencoded` body.
pub(crate) fn check_post_form(request: &OAuthRequest) -> Result<(), OAuthError> {
    if let Some(error) = request.malformed() {
        return Err(error.clone());
    }
    if request.method() != Method::Post {
        return Err(OAuthError::invalid_request("the endpoint accepts POST only").with_status(405));
    }
    if !request.is_form() {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    Ok(())
}
