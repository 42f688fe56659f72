// Table and column names must be plain SQL identifiers; `column` needs a table; a code table
// needs its `used` flag.
use oauth_runtime::{OAuth2AuthorizationCode, OAuth2Client};

#[derive(OAuth2Client)]
#[oauth(table = "clients; DROP TABLE users")]
struct App {
    #[oauth(client_id, column = "id-with-dash")]
    id: String,
}

#[derive(OAuth2Client)]
struct NoTable {
    #[oauth(client_id, column = "id")]
    id: String,
}

#[derive(OAuth2AuthorizationCode)]
#[oauth(table = "codes")]
struct Code {
    code_hash: Vec<u8>,
    client_id: String,
    redirect_uri: Option<String>,
    scope: String,
    user_id: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    issued_at: i64,
    expires_at: i64,
}

#[derive(OAuth2AuthorizationCode)]
struct UsedWithoutTable {
    code_hash: Vec<u8>,
    client_id: String,
    redirect_uri: Option<String>,
    scope: String,
    user_id: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    issued_at: i64,
    expires_at: i64,
    #[oauth(used)]
    spent: bool,
}

fn main() {}
