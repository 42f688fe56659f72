// Every record field must be stored: all missing ones are listed at once.
use oauth_runtime::OAuth2Token;

#[derive(OAuth2Token)]
struct TokenRow {
    access_token_hash: String,
    client_id: String,
    scope: String,
}

fn main() {}
