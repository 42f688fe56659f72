// Every macro in its documented form compiles.
use oauth_runtime::{grants, require_oauth, CurrentToken, OAuth2Client, OAuth2Token};
use rocket::{get, post};

#[require_oauth(scope = "profile")]
#[get("/me")]
async fn me(token: CurrentToken) -> String {
    token.client_id
}

#[require_oauth(scope = "profile")]
#[get("/borrowed")]
fn borrowed(token: &CurrentToken) -> &str {
    token.client_id()
}

#[require_oauth(optional)]
#[get("/maybe")]
fn maybe(token: Option<&CurrentToken>) -> String {
    token.map(|t| t.client_id().to_owned()).unwrap_or_default()
}

#[require_oauth(any_of = ["a", "b c"], optional)]
#[post("/x")]
pub fn x() {}

#[derive(OAuth2Client)]
pub struct Client {
    client_id: String,
    #[oauth(secret_hash)]
    secret: Option<String>,
}

#[derive(OAuth2Token, Default)]
struct Row {
    access_token_hash: Vec<u8>,
    refresh_token_hash: Option<String>,
    client_id: String,
    user_id: Option<String>,
    scope: String,
    grant_type: String,
    issued_at: i64,
    expires_in: i64,
    refresh_token_expires_at: Option<u64>,
    family: String,
    access_token_revoked: i64,
    refresh_token_revoked: bool,
    #[oauth(skip)]
    note: String,
}

fn main() {
    let _ = rocket::routes![me, borrowed, maybe, x];
    let _ = grants![AuthorizationCode(require_pkce = true, allow_plain_pkce = false), RefreshToken];
    let _: &dyn Fn(&Client) -> &str = &|c| c.client_id();
    let _ = Row::default().to_token();
}
