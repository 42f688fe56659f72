//! Ready routes for the endpoints that need nothing of the application.

use ::rocket::http::Method;
use ::rocket::route::{self as handler, Handler};
use ::rocket::{Data, Request, Route, State};

use crate::error::OAuthError;

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

/// The signing keys' public parts, a JWK Set (RFC 7517 §5): what relying parties and
/// resource servers verify the server's JWTs with. Cacheable for five minutes; a client that
/// meets an unknown `kid` fetches it again.
#[::rocket::get("/jwks")]
async fn jwks(server: &State<AuthorizationServer>) -> OAuthResponse {
    match server.signing_keys().await {
        Ok(keys) => {
            let mut response = OAuthResponse::from_result(Ok(keys.jwks()));
            response
                .headers
                .retain(|(name, _)| !matches!(*name, "Cache-Control" | "Pragma"));
            response.set_header("Cache-Control", "public, max-age=300".to_owned());
            response
        }
        Err(error) => {
            log::error!("oauth2: signing keys unavailable: {error}");
            error.with_status(503).to_response()
        }
    }
}

/// The OpenID Connect UserInfo endpoint (Core §5.3): the token's user, for a token with the
/// `openid` scope (else 403 `insufficient_scope`): `sub` and the claims its scope releases
/// (§5.4: `profile`, `email`, `address`, `phone`).
#[::rocket::get("/userinfo")]
async fn userinfo_get(
    server: &State<AuthorizationServer>,
    token: super::Authorized<OpenIdScope>,
) -> OAuthResponse {
    userinfo(server, &token).await
}

/// UserInfo by `POST` (Core §5.3.1: both methods).
#[::rocket::post("/userinfo")]
async fn userinfo_post(
    server: &State<AuthorizationServer>,
    token: super::Authorized<OpenIdScope>,
) -> OAuthResponse {
    userinfo(server, &token).await
}

/// The `openid` scope, required at the UserInfo endpoint.
struct OpenIdScope;

impl super::RequiredScope for OpenIdScope {
    const REQUIRED: crate::ScopeRequirement<'static> =
        crate::ScopeRequirement::AllOf(&[crate::id_token::OPENID]);
}

async fn userinfo(server: &AuthorizationServer, token: &crate::CurrentToken) -> OAuthResponse {
    // A token without a user (client credentials) has no UserInfo.
    let Some(sub) = token.user_id() else {
        return OAuthError::new(crate::ErrorCode::InvalidRequest)
            .with_description("the token has no user")
            .with_status(403)
            .to_response();
    };
    let owner = match server.storage().find_user(sub).await {
        Ok(Some(owner)) => owner,
        Ok(None) => {
            return OAuthError::new(crate::ErrorCode::InvalidRequest)
                .with_description("the user no longer exists")
                .with_status(401)
                .to_response()
        }
        Err(error) => return OAuthError::temporarily_unavailable(error).to_response(),
    };
    OAuthResponse::from_result(userinfo_claims(server, token, &owner).await)
}

/// `sub` (public or pairwise) and the claims the token's scope and the claims hook release.
async fn userinfo_claims(
    server: &AuthorizationServer,
    token: &crate::CurrentToken,
    owner: &crate::ResourceOwner,
) -> Result<serde_json::Map<String, serde_json::Value>, crate::OAuthError> {
    let mut claims = crate::claims::released(owner, token.scope());
    if server.config().openid.subject_type != crate::SubjectType::Public {
        let client = server
            .find_client(token.client_id())
            .await?
            .ok_or_else(|| {
                crate::OAuthError::new(crate::ErrorCode::InvalidToken)
                    .with_description("the client no longer exists")
                    .with_status(401)
            })?;
        claims.insert(
            "sub".to_owned(),
            server.subject_for(&owner.id, client.as_ref()).into(),
        );
    }
    let extra = server
        .hook_claims(
            owner,
            token.client_id(),
            token.scope(),
            crate::ClaimsTarget::UserInfo,
        )
        .await?;
    crate::claims_hook::merge(&mut claims, extra);
    Ok(claims)
}

/// `POST /token`, `POST /revoke`, `POST /introspect`, `GET /jwks`, `GET|POST /userinfo`, and
/// dynamic client registration (`POST /register`, `GET|PUT|DELETE /register/<client_id>`,
/// RFC 7591 / RFC 7592: 404 unless `registration.enabled`), to mount where you like
/// (`.mount("/oauth", oauth_routes())`). The authorization endpoint needs your login and
/// consent pages, so it is yours to write with
/// [`AuthorizationServer::validate_authorization_request`] and
/// [`AuthorizationServer::create_authorization_response`].
pub fn oauth_routes() -> Vec<Route> {
    let mut routes =
        ::rocket::routes![token, revoke, introspect, jwks, userinfo_get, userinfo_post];
    // RFC 6749 §3.2: the token endpoint takes POST only; other methods get a JSON answer,
    // not Rocket's HTML 404.
    for path in ["/token", "/revoke", "/introspect"] {
        for method in [Method::Get, Method::Put, Method::Delete, Method::Patch] {
            routes.push(Route::new(method, path, PostOnly));
        }
    }
    routes.extend(super::registration::routes());
    routes
}

/// Answers 405 `invalid_request` with `Allow: POST`.
#[derive(Clone, Copy, Debug)]
struct PostOnly;

#[::rocket::async_trait]
impl Handler for PostOnly {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> handler::Outcome<'r> {
        let mut response = OAuthError::invalid_request("the endpoint accepts POST only")
            .with_status(405)
            .to_response();
        response.set_header("Allow", "POST".to_owned());
        handler::Outcome::from(request, response)
    }
}
