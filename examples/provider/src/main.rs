//! A complete OAuth 2.0 provider on oauth-runtime.
//!
//! `cargo run -p provider` serves on http://127.0.0.1:8000 with a demo client and user,
//! printed at start-up with a ready `curl` line.

use oauth_runtime::{
    grants, require_oauth, AuthorizationServer, Client, CurrentToken, GrantType, MemoryStore,
    OAuth2, OAuthError, OAuthRequest, OAuthResponse, ResponseType,
};
use rocket::response::content::RawHtml;
use rocket::serde::json::Json;
use rocket::{get, post, routes, State};
use serde_json::{json, Value};

mod pages;

/// The signed-in user's profile.
#[require_oauth(scope = "profile")]
#[get("/me")]
fn me(token: CurrentToken) -> Json<Value> {
    Json(json!({
        "username": token.user_id(),
        "client_id": token.client_id(),
        "scope": token.scope().to_string(),
    }))
}

/// Unprotected, to measure what protection costs.
#[get("/ping")]
fn ping() -> Json<Value> {
    Json(json!({ "pong": true }))
}

/// The authorization endpoint: a sign-in and consent page.
#[get("/authorize")]
async fn authorize(
    server: &State<AuthorizationServer>,
    request: OAuthRequest,
) -> Result<RawHtml<String>, Result<OAuthResponse, RawHtml<String>>> {
    match server.validate_authorization_request(&request).await {
        Ok(auth) => Ok(RawHtml(pages::consent(&auth, request.query(), None))),
        Err(error) if error.target() == &oauth_runtime::ErrorTarget::Direct => {
            Err(Err(RawHtml(pages::error(&error))))
        }
        Err(error) => Err(Ok(error.to_response())),
    }
}

/// The consent form: signs the user in and answers the client.
#[post("/authorize", data = "<request>")]
async fn decide(
    server: &State<AuthorizationServer>,
    request: OAuthRequest,
) -> Result<OAuthResponse, RawHtml<String>> {
    let page_error = |error: OAuthError| RawHtml(pages::error(&error));
    let user = match request.param("decision") {
        Some("allow") => {
            let username = request.param("username").unwrap_or("");
            let password = request.param("password").unwrap_or("");
            match server.storage().authenticate_user(username, password).await {
                Ok(Some(user)) => Some(user),
                Ok(None) => {
                    let auth = server
                        .validate_authorization_request(&request)
                        .await
                        .map_err(page_error)?;
                    let page = pages::consent(
                        &auth,
                        request.params(),
                        Some("Wrong username or password."),
                    );
                    return Err(RawHtml(page));
                }
                Err(error) => return Err(page_error(error.into())),
            }
        }
        _ => None,
    };
    server
        .create_authorization_response(&request, user.as_ref())
        .await
        .map_err(page_error)
}

fn demo_store() -> (MemoryStore, String) {
    let store = MemoryStore::new();
    let secret = "demo-secret-change-me-0123456789abcdefghijkl".to_owned();
    store.add_client(
        Client::with_secret("demo", &secret)
            .name("Demo App")
            .redirect_uris(["http://127.0.0.1:9000/callback"])
            .grant_types([
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::Password,
                GrantType::ClientCredentials,
            ])
            .response_types([ResponseType::Code, ResponseType::Token])
            .scope("profile email"),
    );
    store.add_user("demo", "demo-password");
    (store, secret)
}

#[rocket::launch]
fn rocket() -> _ {
    let (store, secret) = demo_store();
    println!(
        "\nDemo client `demo` (secret `{secret}`), demo user `demo` / `demo-password`.\n\
         Try:\n  curl -s -u demo:{secret} -d grant_type=password -d username=demo \
         -d password=demo-password -d scope=profile http://127.0.0.1:8000/oauth/token\n"
    );
    rocket::build()
        .attach(OAuth2::new(store).grants(grants![
            AuthorizationCode,
            Implicit,
            Password,
            ClientCredentials,
            RefreshToken,
        ]))
        .mount("/oauth", oauth_runtime::oauth_routes())
        .mount("/oauth", routes![authorize, decide])
        .mount("/api", routes![me, ping])
}
