//! The fairing: reads configuration, builds and manages the server and the resource protector,
//! and writes RFC 6750 responses for refused guards.

use std::sync::Arc;

use ::rocket::fairing::{self, Fairing, Info, Kind};
use ::rocket::figment::providers::Env;
use ::rocket::figment::Figment;
use ::rocket::{Build, Orbit, Request, Response, Rocket};
use serde::Deserialize;
use std::time::Duration;

use super::guard::write_refusal;
use super::protected_resource::metadata_route;
use crate::config::{Config, ConfigError};
use crate::grants::Grant;
use crate::resource::{BearerTokenValidator, ResourceProtector, StorageTokenValidator};
use crate::server::AuthorizationServer;
use crate::store::Storage;
use crate::token::{ExpiresIn, TokenContext, TokenGenerator};

/// Turns a Rocket app into an OAuth 2.0 authorization and resource server.
///
/// On ignite it reads `[default.oauth2]` (and `ROCKET_OAUTH2_*` variables; nested keys with
/// `__`, e.g. `ROCKET_OAUTH2_EXPIRES_IN__PASSWORD=60`), refuses to launch on a bad value
/// (naming the key), and manages an [`AuthorizationServer`] and a [`ResourceProtector`].
///
/// ```no_run
/// use oauth_runtime::{AuthorizationCodeGrant, MemoryStore, OAuth2, RefreshTokenGrant};
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build()
///         .attach(
///             OAuth2::new(MemoryStore::new())
///                 .grant(AuthorizationCodeGrant::new())
///                 .grant(RefreshTokenGrant::new()),
///         )
///         .mount("/oauth", oauth_runtime::oauth_routes())
/// }
/// ```
pub struct OAuth2 {
    storage: StorageSource,
    grants: Vec<Arc<dyn Grant>>,
    access_token_generator: Option<TokenGenerator>,
    refresh_token_generator: Option<TokenGenerator>,
    expires_in: Option<ExpiresIn>,
    validator: Option<Arc<dyn BearerTokenValidator>>,
    introspection_policy: Option<Arc<dyn crate::endpoints::IntrospectionPolicy>>,
    token_hooks: Option<Arc<dyn crate::hooks::TokenHooks>>,
    claims_hook: Option<Arc<dyn crate::claims_hook::ClaimsHook>>,
    auth_methods: Vec<(crate::GrantType, Vec<crate::AuthMethod>)>,
    config: Option<Config>,
}

impl std::fmt::Debug for OAuth2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2")
            .field("grants", &self.grants.len())
            .finish_non_exhaustive()
    }
}

/// Where the storage comes from.
enum StorageSource {
    Given(Arc<dyn Storage>),
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    Database(for<'a> fn(&'a crate::config::DatabaseConfig) -> crate::store::sql::Connecting<'a>),
}

#[derive(Deserialize)]
struct Root {
    #[serde(default)]
    oauth2: Config,
}

impl OAuth2 {
    /// The fairing on `storage`, with no grants yet.
    pub fn new(storage: impl Storage) -> Self {
        Self::with_shared_storage(Arc::new(storage))
    }

    /// The fairing on storage the app shares.
    pub fn with_shared_storage(storage: Arc<dyn Storage>) -> Self {
        Self::with_source(StorageSource::Given(storage))
    }

    /// The fairing on the SQL database that `[default.oauth2.database]` names (else
    /// `DATABASE_URL`, else `sqlite://oauth2.db`), connected and migrated at ignite. Launch
    /// fails, naming the cause, if the database cannot be reached.
    ///
    /// ```no_run
    /// use oauth_runtime::{grants, OAuth2};
    ///
    /// #[rocket::launch]
    /// fn rocket() -> _ {
    ///     rocket::build().attach(OAuth2::database().grants(grants![ClientCredentials]))
    /// }
    /// ```
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub fn database() -> Self {
        use crate::store::sql::{ClientRow, CodeRow, TokenRow, UserRow};
        Self::database_with::<ClientRow, TokenRow, CodeRow, UserRow>()
    }

    /// [`database`](Self::database) on the application's own tables: clients, tokens, codes
    /// and resource owners, each a model deriving its trait with `#[oauth(table = "…")]` or
    /// the embedded row (`store::sql::ClientRow`, `TokenRow`, `CodeRow`, `UserRow`). The
    /// models must suit every database the build enables (both, with both features on).
    ///
    /// ```no_run
    /// use oauth_runtime::store::sql::{CodeRow, TokenRow, UserRow};
    /// use oauth_runtime::{grants, OAuth2, OAuth2Client};
    ///
    /// #[derive(OAuth2Client)]
    /// #[oauth(table = "apps")]
    /// struct App {
    ///     #[oauth(client_id)]
    ///     id: String,
    ///     #[oauth(secret_hash)]
    ///     secret: Option<String>,
    ///     scope: String,
    /// }
    ///
    /// #[rocket::launch]
    /// fn rocket() -> _ {
    ///     rocket::build().attach(
    ///         OAuth2::database_with::<App, TokenRow, CodeRow, UserRow>()
    ///             .grants(grants![ClientCredentials]),
    ///     )
    /// }
    /// ```
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub fn database_with<C, T, A, U>() -> Self
    where
        (C, T, A, U): crate::store::sql::Schema,
    {
        Self::with_source(StorageSource::Database(
            <(C, T, A, U) as crate::store::sql::Schema>::connect,
        ))
    }

    fn with_source(storage: StorageSource) -> Self {
        OAuth2 {
            storage,
            grants: Vec::new(),
            access_token_generator: None,
            refresh_token_generator: None,
            expires_in: None,
            validator: None,
            introspection_policy: None,
            token_hooks: None,
            claims_hook: None,
            auth_methods: Vec::new(),
            config: None,
        }
    }

    /// Registers a grant.
    pub fn grant(mut self, grant: impl Grant) -> Self {
        self.grants.push(Arc::new(grant));
        self
    }

    /// Registers several grants (what [`grants!`](crate::grants!) declares).
    pub fn grants(mut self, grants: Vec<Arc<dyn Grant>>) -> Self {
        self.grants.extend(grants);
        self
    }

    /// Makes access tokens with `generator` instead of random `token_length` characters
    /// (Authlib's `access_token_generator`). Every other configured value stays. The generator
    /// must return a fresh, unguessable value each call.
    ///
    /// ```no_run
    /// use oauth_runtime::{grants, ExpiresIn, GrantType, MemoryStore, OAuth2};
    ///
    /// let oauth = OAuth2::new(MemoryStore::new())
    ///     .grants(grants![Password, RefreshToken])
    ///     .access_token_generator(|ctx| {
    ///         format!("at_{}", oauth_runtime::secret::generate_token(43))
    ///     })
    ///     // One hour for password tokens; `expires_in.*` from configuration for the rest.
    ///     .expires_in(ExpiresIn::custom(|_client, grant| {
    ///         (*grant == GrantType::Password).then_some(3600)
    ///     }));
    /// ```
    pub fn access_token_generator(
        mut self,
        generator: impl Fn(&TokenContext<'_>) -> String + Send + Sync + 'static,
    ) -> Self {
        self.access_token_generator = Some(std::sync::Arc::new(generator));
        self
    }

    /// Makes refresh tokens with `generator` (Authlib's `refresh_token_generator`). Whether
    /// refresh tokens are issued stays with configuration (`refresh_token_generator`).
    pub fn refresh_token_generator(
        mut self,
        generator: impl Fn(&TokenContext<'_>) -> String + Send + Sync + 'static,
    ) -> Self {
        self.refresh_token_generator = Some(std::sync::Arc::new(generator));
        self
    }

    /// Decides access token lifetimes in code (Authlib's `expires_generator`); what the rule
    /// leaves open keeps `expires_in.<grant_type>` from configuration.
    pub fn expires_in(mut self, rule: ExpiresIn) -> Self {
        self.expires_in = Some(rule);
        self
    }

    /// Replaces the storage-backed bearer token validator, for protected routes and for the
    /// introspection endpoint's revocation and expiry rules.
    pub fn validator(mut self, validator: impl BearerTokenValidator) -> Self {
        self.validator = Some(Arc::new(validator));
        self
    }

    /// Replaces who may introspect what (default: a client its own tokens, a resource server
    /// every token; see [`IntrospectionPolicy`](crate::endpoints::IntrospectionPolicy)).
    pub fn introspection_policy(
        mut self,
        policy: impl crate::endpoints::IntrospectionPolicy,
    ) -> Self {
        self.introspection_policy = Some(Arc::new(policy));
        self
    }

    /// Runs `hooks` on every token request and every issued token ([`TokenHooks`]: extra
    /// response fields, extra checks).
    ///
    /// [`TokenHooks`]: crate::TokenHooks
    pub fn token_hooks(mut self, hooks: impl crate::hooks::TokenHooks) -> Self {
        self.token_hooks = Some(Arc::new(hooks));
        self
    }

    /// Adds the claims `hook` gives to ID tokens and UserInfo responses ([`ClaimsHook`]).
    ///
    /// [`ClaimsHook`]: crate::ClaimsHook
    pub fn claims_hook(mut self, hook: impl crate::claims_hook::ClaimsHook) -> Self {
        self.claims_hook = Some(Arc::new(hook));
        self
    }

    /// The client authentication methods the token endpoint accepts for `grant_type`
    /// (Authlib's `TOKEN_ENDPOINT_AUTH_METHODS`), instead of the grant's own list.
    ///
    /// ```no_run
    /// use oauth_runtime::{grants, AuthMethod, GrantType, MemoryStore, OAuth2};
    ///
    /// let oauth = OAuth2::new(MemoryStore::new())
    ///     .grants(grants![ClientCredentials])
    ///     .token_endpoint_auth_methods(GrantType::ClientCredentials, [AuthMethod::ClientSecretBasic]);
    /// ```
    pub fn token_endpoint_auth_methods(
        mut self,
        grant_type: crate::GrantType,
        methods: impl IntoIterator<Item = crate::AuthMethod>,
    ) -> Self {
        self.auth_methods
            .push((grant_type, methods.into_iter().collect()));
        self
    }

    /// Uses this configuration instead of reading Rocket's.
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Reads `oauth2` from the figment, with `ROCKET_OAUTH2_*` variables on top, and checks
    /// it. An error names the key under `oauth2` and what is wrong with it.
    pub fn read_config(figment: &Figment) -> Result<Config, ConfigError> {
        let env = Env::prefixed("ROCKET_OAUTH2_")
            .split("__")
            .map(|key| format!("oauth2.{key}").into())
            .global();
        let root: Root = figment
            .clone()
            .merge(env)
            .extract()
            .map_err(|e| figment_error("oauth2", e))?;
        root.oauth2.validate()?;
        Ok(root.oauth2)
    }

    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres")),
        allow(unused_variables)
    )]
    async fn storage(&self, config: &Config) -> Result<Arc<dyn Storage>, String> {
        match &self.storage {
            StorageSource::Given(storage) => Ok(storage.clone()),
            #[cfg(any(feature = "sqlite", feature = "postgres"))]
            StorageSource::Database(connect) => connect(&config.database)
                .await
                .map_err(|e| format!("oauth2.database: {e}")),
        }
    }

    async fn build(
        &self,
        config: Config,
    ) -> Result<(AuthorizationServer, ResourceProtector), String> {
        let storage = self.storage(&config).await?;
        if config.registration.enabled && !storage.supports_registration() {
            return Err(
                "oauth2.registration.enabled: this store keeps no registrations (the \
                        SQL stores do on the embedded clients table, and the memory store)"
                    .to_owned(),
            );
        }
        let mut server =
            AuthorizationServer::with_config(storage.clone(), config).map_err(|e| e.to_string())?;
        for grant in &self.grants {
            server.register_shared_grant(grant.clone());
        }
        if let Some(generator) = &self.access_token_generator {
            server
                .bearer_mut()
                .set_access_token_generator(generator.clone());
        }
        if let Some(generator) = &self.refresh_token_generator {
            server
                .bearer_mut()
                .set_refresh_token_generator(generator.clone());
        }
        if let Some(rule) = &self.expires_in {
            server.set_expires_in(rule.clone());
        }
        if let Some(hooks) = &self.token_hooks {
            server.set_shared_token_hooks(hooks.clone());
        }
        if let Some(hook) = &self.claims_hook {
            server.set_shared_claims_hook(hook.clone());
        }
        for (grant_type, methods) in &self.auth_methods {
            server.set_token_endpoint_auth_methods(grant_type.clone(), methods.iter().copied());
        }
        if let Some(policy) = &self.introspection_policy {
            server.introspection_policy = policy.clone();
        }
        let validator = self
            .validator
            .clone()
            .unwrap_or_else(|| Arc::new(StorageTokenValidator));
        server.set_validator(validator.clone());
        let mut protector = ResourceProtector::new(&server.config().realm, storage, validator)
            .with_locations(server.config().bearer_token_locations.clone());
        if let Some(resource) = &server.config().resource {
            protector = protector.for_resource(resource);
        }
        Ok((server, protector))
    }
}

#[::rocket::async_trait]
impl Fairing for OAuth2 {
    fn info(&self) -> Info {
        Info {
            name: "OAuth 2.0",
            kind: Kind::Ignite | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let config = match &self.config {
            Some(config) => Ok(config.clone()),
            None => OAuth2::read_config(rocket.figment()),
        };
        let built = match config {
            Ok(config) => self.build(config).await,
            Err(error) => Err(error.to_string()),
        };
        match built {
            Ok((server, protector)) => {
                let config = server.config();
                // RFC 9728: this app's API describes itself when it names its identifier.
                let metadata = config.resource.as_deref().and_then(|resource| {
                    crate::protected_resource::document(&crate::protected_resource::Description {
                        resource,
                        authorization_server: config.issuer.as_deref().unwrap_or_default(),
                        locations: &config.bearer_token_locations,
                        scopes: &config.resource_scopes,
                        name: config.resource_name.as_deref(),
                    })
                });
                let rocket = match metadata {
                    Some((path, body)) => rocket.mount("/", vec![metadata_route(&path, body)]),
                    None => rocket,
                };
                Ok(rocket.manage(server).manage(protector))
            }
            Err(message) => {
                log::error!("oauth2 configuration error: {message}");
                Err(rocket)
            }
        }
    }

    /// Starts housekeeping: every `purge_interval` seconds, expired codes and tokens go.
    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(server) = rocket.state::<AuthorizationServer>() else {
            return;
        };
        let interval = server.config().purge_interval;
        if interval == 0 {
            return;
        }
        let storage = server.shared_storage();
        let mut shutdown = rocket.shutdown();
        ::rocket::tokio::spawn(async move {
            let mut ticks = ::rocket::tokio::time::interval(Duration::from_secs(interval));
            loop {
                ::rocket::tokio::select! {
                    _ = ticks.tick() => {}
                    _ = &mut shutdown => break,
                }
                match storage.purge_expired(crate::model::now()).await {
                    Ok(n) if n > 0 => log::info!("oauth2: purged {n} expired codes and tokens"),
                    Ok(_) => {}
                    Err(e) => log::warn!("oauth2: housekeeping failed: {e}"),
                }
            }
        });
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        write_refusal(request, response);
    }
}

/// A figment extraction error as a configuration error: the key under `oauth2` (from the
/// error's path; an unknown field names itself in the message) and figment's description.
pub(crate) fn figment_error(section: &'static str, error: ::rocket::figment::Error) -> ConfigError {
    let key = error
        .path
        .iter()
        .skip_while(|part| *part == section)
        .cloned()
        .collect::<Vec<_>>()
        .join(".");
    ConfigError {
        section,
        key,
        message: error.kind.to_string(),
    }
}
