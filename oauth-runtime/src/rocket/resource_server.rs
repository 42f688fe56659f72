//! The fairing of a resource server that is not the authorization server.

use ::rocket::fairing::{self, Fairing, Info, Kind};
use ::rocket::figment::providers::Env;
use ::rocket::figment::Figment;
use ::rocket::{Build, Request, Response, Rocket};
use serde::Deserialize;

use super::fairing::figment_error;
use super::guard::write_refusal;
use super::protected_resource::metadata_route;
use crate::config::ConfigError;
use crate::remote::config::ResourceServerConfig;
use crate::resource::ResourceProtector;

/// Protects a Rocket app's routes with the tokens of an authorization server that runs
/// elsewhere (resource-server mode; the `resource-server` feature). The guards and
/// `#[require_oauth]` work as on the authorization server itself, and the route sees the same
/// [`CurrentToken`](crate::CurrentToken).
///
/// On ignite it reads `[default.oauth2_resource_server]` ([`ResourceServerConfig`]; variables
/// `ROCKET_OAUTH2_RESOURCE_SERVER_*` on top), refuses to launch on a bad value, and discovers
/// the issuer's endpoints and keys (if the issuer is down, that is retried on the first token).
///
/// - **JWT access tokens** (RFC 9068) are verified locally against the issuer's JWK Set:
///   `typ` `at+jwt`, an asymmetric `alg` (never `none` or HMAC), a known `kid` (an unknown one
///   reloads the set, so a rotation is picked up without restart), `iss`, `aud` (this server's
///   `audience`), `exp` and `nbf` with `clock_skew`. A revocation at the issuer is not seen:
///   the token's lifetime is the bound.
/// - **Opaque tokens** are introspected (RFC 7662) with `client_id` / `client_secret` (a client
///   registered as a resource server), the answer reused for `introspection_cache` seconds.
/// - **RFC 9728 metadata**: when `audience` is an `https` URL (the resource identifier), the
///   fairing serves `GET /.well-known/oauth-protected-resource` (followed by the audience's
///   path, if any) naming the issuer, and every `401` / `403` challenge carries
///   `resource_metadata="…"` (§5.1), so a client such as an MCP client finds the authorization
///   server from a refusal.
///
/// ```no_run
/// use oauth_runtime::{require_oauth, CurrentToken, ResourceServer};
///
/// #[require_oauth(scope = "notes:read")]
/// #[rocket::get("/notes")]
/// fn notes(token: CurrentToken) -> String {
///     format!("notes of {}", token.user_id().unwrap_or("a service"))
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     // Rocket.toml:
///     // [default.oauth2_resource_server]
///     // issuer = "https://auth.example.com"
///     // audience = "https://notes.example.com"
///     rocket::build()
///         .attach(ResourceServer::new())
///         .mount("/", rocket::routes![notes])
/// }
/// ```
#[derive(Debug, Default)]
pub struct ResourceServer {
    config: Option<ResourceServerConfig>,
}

const SECTION: &str = "oauth2_resource_server";

#[derive(Deserialize)]
struct Root {
    #[serde(default)]
    oauth2_resource_server: ResourceServerConfig,
}

impl ResourceServer {
    /// The fairing, configured from Rocket's configuration.
    pub fn new() -> Self {
        ResourceServer { config: None }
    }

    /// Uses this configuration instead of reading Rocket's.
    pub fn config(mut self, config: ResourceServerConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Reads `oauth2_resource_server` from the figment, with `ROCKET_OAUTH2_RESOURCE_SERVER_*`
    /// variables on top, and checks it.
    pub fn read_config(figment: &Figment) -> Result<ResourceServerConfig, ConfigError> {
        let env = Env::prefixed("ROCKET_OAUTH2_RESOURCE_SERVER_")
            .split("__")
            .map(|key| format!("oauth2_resource_server.{key}").into())
            .global();
        let root: Root = figment
            .clone()
            .merge(env)
            .extract()
            .map_err(|e| figment_error(SECTION, e))?;
        root.oauth2_resource_server
            .validate()
            .map_err(|e| ConfigError {
                section: SECTION,
                ..e
            })?;
        Ok(root.oauth2_resource_server)
    }
}

/// RFC 9728 §2, §3: the path and document of this resource's metadata, if the audience is a URL.
fn protected_resource_metadata(config: &ResourceServerConfig) -> Option<(String, String)> {
    crate::protected_resource::document(&crate::protected_resource::Description {
        resource: &config.audience,
        authorization_server: &config.issuer,
        locations: &config.bearer_token_locations,
        scopes: &config.scopes_supported,
        name: config.resource_name.as_deref(),
    })
}

#[::rocket::async_trait]
impl Fairing for ResourceServer {
    fn info(&self) -> Info {
        Info {
            name: "OAuth 2.0 resource server",
            kind: Kind::Ignite | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let config = match &self.config {
            Some(config) => Ok(config.clone()),
            None => ResourceServer::read_config(rocket.figment()),
        };
        let config = match config {
            Ok(config) => config,
            Err(error) => {
                log::error!("configuration error: {error}");
                return Err(rocket);
            }
        };
        let metadata = protected_resource_metadata(&config);
        match ResourceProtector::remote(config) {
            Ok(protector) => {
                protector.prefetch().await;
                let rocket = match metadata {
                    Some((path, body)) => rocket.mount("/", vec![metadata_route(&path, body)]),
                    None => rocket,
                };
                Ok(rocket.manage(protector))
            }
            Err(error) => {
                log::error!("configuration error: {error}");
                Err(rocket)
            }
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        write_refusal(request, response);
    }
}
