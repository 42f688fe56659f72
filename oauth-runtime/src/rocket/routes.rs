//! Ready routes for the endpoints that need nothing of the application.

use ::rocket::{Route, State};

use crate::request::OAuthRequest;
use crate::response::OAuthResponse;
use crate::server::AuthorizationServer;

/// The token endpoint (RFC 6749 §3.2).
#[::rocket::post("/token", data = "<request>")]
async fn token(server: &State<AuthorizationServer>, request: OAuthRequest) -> OAuthResponse {
    server.create_token_response(&request).await
}

/// The revocation endpoint (RFC 7009).
#[::rocket::post("/revoke", data = "<request>")]
async fn revoke(server: &State<AuthorizationServer>, request: OAuthRequest) -> OAuthResponse {
    server.create_revocation_response(&request).await
}

/// The introspection endpoint (RFC 7662).
#[::rocket::post("/introspect", data = "<request>")]
async fn introspect(server: &State<AuthorizationServer>, request: OAuthRequest) -> OAuthResponse {
    server.create_introspection_response(&request).await
}

/// `POST /token`, `POST /revoke` and `POST /introspect`, to mount where you like
/// (`.mount("/oauth", oauth_routes())`). The authorization endpoint needs your login and
/// consent pages, so it is yours to write with
/// [`AuthorizationServer::validate_authorization_request`] and
/// [`AuthorizationServer::create_authorization_response`].
pub fn oauth_routes() -> Vec<Route> {
    ::rocket::routes![token, revoke, introspect]
}
