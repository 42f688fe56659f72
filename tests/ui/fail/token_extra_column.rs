// Only client and resource owner tables read columns of the app's own; a token table reads the
// record's columns.
use oauth_runtime::OAuth2Token;

#[derive(OAuth2Token)]
#[oauth(table = "grants")]
struct Grant {
    access_token_hash: String,
    refresh_token_hash: Option<String>,
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
    #[oauth(column = "note")]
    note: String,
}

fn main() {}
