// The derives with #[oauth(table = "…")] give a store on the application's own tables, on
// both databases, whichever combination of tables is the application's.
use oauth_runtime::{
    OAuth2AuthorizationCode, OAuth2Client, OAuth2Token, OAuth2User, PostgresStore, SqliteStore,
    Storage,
};

#[derive(OAuth2Client)]
#[oauth(table = "auth.apps")]
struct App {
    #[oauth(client_id, column = "app_id")]
    id: Box<str>,
    redirect_uris: Option<String>,
}

#[derive(OAuth2Token)]
#[oauth(table = "tokens")]
struct Tok {
    access_token_hash: Vec<u8>,
    refresh_token_hash: Option<Vec<u8>>,
    client_id: String,
    user_id: Option<String>,
    scope: String,
    grant_type: String,
    issued_at: i64,
    expires_in: i64,
    refresh_token_expires_at: Option<i64>,
    family: String,
    access_token_revoked: bool,
    refresh_token_revoked: bool,
}

#[derive(OAuth2AuthorizationCode)]
#[oauth(table = "codes")]
struct Code {
    code_hash: String,
    client_id: String,
    redirect_uri: Option<String>,
    scope: String,
    user_id: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    issued_at: i64,
    expires_at: i64,
    used: i64,
}

#[derive(OAuth2User)]
#[oauth(table = "users")]
struct User {
    id: i32,
    username: String,
    #[oauth(skip)]
    password_hash: String,
}

fn storage(_: impl Storage) {}

fn main() {
    let _ = |s: SqliteStore| storage(s.with_clients::<App>());
    let _ = |s: SqliteStore| storage(s.with_tokens::<Tok>().with_codes::<Code>());
    let _ = |s: PostgresStore| {
        storage(s.with_clients::<App>().with_tokens::<Tok>().with_codes::<Code>().with_users::<User>())
    };
    let _ = |s: SqliteStore| storage(s.with_users::<User>());
}
