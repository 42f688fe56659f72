//! Ready metadata routes: RFC 8414 and OpenID Connect Discovery, describing what is mounted.

use ::rocket::http::Method;
use ::rocket::route::{self as handler, Handler};
use ::rocket::{Data, Request, Route};

use crate::endpoints::EndpointUrls;
use crate::error::{ErrorCode, OAuthError};
use crate::response::OAuthResponse;
use crate::server::AuthorizationServer;

/// `GET /.well-known/oauth-authorization-server` (RFC 8414) and
/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0), to mount at `/`,
/// for endpoints mounted at `base` (where [`oauth_routes`](super::oauth_routes) is): the
/// authorization endpoint at `{base}/authorize`, the end-session endpoint at `{base}/logout`,
/// each advertised only if a `GET` route is mounted there (likewise revocation, introspection,
/// the JWK Set and UserInfo). URLs start with the configured `issuer`; without one the
/// documents are 404 (RFC 8414 §2 requires it).
///
/// ```no_run
/// # use oauth_runtime::{MemoryStore, OAuth2};
/// rocket::build()
///     .attach(OAuth2::new(MemoryStore::new()))
///     .mount("/oauth", oauth_runtime::oauth_routes())
///     .mount("/", oauth_runtime::rocket::discovery_routes("/oauth"));
/// ```
pub fn discovery_routes(base: &str) -> Vec<Route> {
    let base = base.trim_end_matches('/').to_owned();
    vec![
        Route::new(
            Method::Get,
            "/.well-known/oauth-authorization-server",
            Discovery {
                base: base.clone(),
                openid: false,
            },
        ),
        Route::new(
            Method::Get,
            "/.well-known/openid-configuration",
            Discovery { base, openid: true },
        ),
    ]
}

#[derive(Clone, Debug)]
struct Discovery {
    base: String,
    openid: bool,
}

impl Discovery {
    fn document(&self, request: &Request<'_>) -> Result<String, OAuthError> {
        let not_found = || OAuthError::new(ErrorCode::InvalidRequest).with_status(404);
        let server = request
            .rocket()
            .state::<AuthorizationServer>()
            .ok_or_else(not_found)?;
        let issuer = server.config().issuer.as_deref().ok_or_else(not_found)?;
        let issuer = issuer.trim_end_matches('/');
        let base = &self.base;
        let mounted = |method: Method, path: &str| {
            let full = format!("{base}{path}");
            request
                .rocket()
                .routes()
                .any(|route| route.method == method && route.uri.path() == full.as_str())
        };
        let url = |path: &str| format!("{issuer}{base}{path}");
        let optional = |method: Method, path: &str| mounted(method, path).then(|| url(path));
        let urls = EndpointUrls {
            authorization: url("/authorize"),
            token: url("/token"),
            revocation: optional(Method::Post, "/revoke"),
            introspection: optional(Method::Post, "/introspect"),
            jwks: optional(Method::Get, "/jwks"),
            userinfo: optional(Method::Get, "/userinfo"),
            end_session: optional(Method::Get, "/logout"),
            registration: (server.registration_enabled()
                && server.storage().supports_registration())
            .then(|| optional(Method::Post, "/register"))
            .flatten(),
        };
        let metadata = match self.openid {
            true => server.openid_configuration(&urls),
            false => server.metadata(&urls),
        };
        let metadata = metadata.ok_or_else(not_found)?;
        serde_json::to_string(&metadata)
            .map_err(|_| OAuthError::new(ErrorCode::ServerError).with_status(500))
    }
}

#[::rocket::async_trait]
impl Handler for Discovery {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> handler::Outcome<'r> {
        let response = match self.document(request) {
            Ok(body) => OAuthResponse::json(200, body),
            Err(error) => error.to_response(),
        };
        handler::Outcome::from(request, response)
    }
}
