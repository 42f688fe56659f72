// `optional` takes `Option<CurrentToken>`; without it, a plain `CurrentToken` (either may be
// borrowed: `&CurrentToken`).
use oauth_runtime::{require_oauth, CurrentToken};
use rocket::get;

#[require_oauth(optional, scope = "read")]
#[get("/feed")]
fn feed(token: CurrentToken) -> String {
    token.client_id().to_owned()
}

#[require_oauth(scope = "read")]
#[get("/me")]
fn me(token: Option<CurrentToken>) -> String {
    token.map(|t| t.client_id().to_owned()).unwrap_or_default()
}

#[require_oauth(optional)]
#[get("/borrowed")]
fn borrowed(token: &CurrentToken) -> String {
    token.client_id().to_owned()
}

fn main() {}
