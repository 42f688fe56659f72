//! A notes API that is *not* the authorization server: it protects `GET /api/notes` with the
//! example provider's access tokens, in resource-server mode. It never sees the provider's
//! database: JWT access tokens are checked against the provider's published keys, opaque ones
//! by asking the provider (introspection).
//!
//! Configuration, in `Rocket.toml` or `ROCKET_OAUTH2_RESOURCE_SERVER_*` variables:
//!
//! ```toml
//! [default.oauth2_resource_server]
//! issuer = "http://127.0.0.1:8000"     # the provider
//! audience = "http://127.0.0.1:8001"   # this API, as the provider's JWTs name it in `aud`
//! client_id = "…"                      # for opaque tokens: a client registered with
//! client_secret = "…"                  # `provider clients create --resource-server`
//! ```

use oauth_runtime::{require_oauth, CurrentToken, ResourceServer};
use rocket::figment::providers::{Env, Format, Toml};
use rocket::figment::{Figment, Profile};
use rocket::serde::json::Json;
use rocket::{get, routes, Build, Rocket};
use serde_json::{json, Value};

/// The notes of the token's user (here, a fixed list naming them).
#[require_oauth(scope = "profile")]
#[get("/notes")]
fn notes(token: &CurrentToken) -> Json<Value> {
    notes_of(token.user_id().unwrap_or("a service"), token.client_id())
}

/// The public notes: the same answer without a token (the benchmark's unprotected twin).
#[get("/notes/public")]
fn public_notes() -> Json<Value> {
    notes_of("everyone", "-")
}

fn notes_of(owner: &str, client_id: &str) -> Json<Value> {
    Json(json!({
        "owner": owner,
        "client_id": client_id,
        "notes": [format!("{owner}'s first note")],
    }))
}

/// What an unauthenticated caller may see.
#[get("/health")]
fn health() -> &'static str {
    "ok"
}

/// Rocket's configuration (`Rocket.toml`, `ROCKET_*` variables) over the defaults of the
/// README's tour: the provider on port 8000, this API on 8001.
pub fn figment() -> Figment {
    Figment::from(rocket::Config::default())
        .merge(("port", 8001))
        .merge(("oauth2_resource_server.issuer", "http://127.0.0.1:8000"))
        .merge(("oauth2_resource_server.audience", "http://127.0.0.1:8001"))
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or(
            "ROCKET_PROFILE",
            rocket::Config::DEFAULT_PROFILE,
        ))
}

/// The app on `figment`.
pub fn rocket(figment: Figment) -> Rocket<Build> {
    rocket::custom(figment)
        .attach(ResourceServer::new())
        .mount("/api", routes![notes, public_notes, health])
}
