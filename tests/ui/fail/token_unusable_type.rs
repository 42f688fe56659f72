// A column type that cannot hold the record field is reported at the field.
use oauth_runtime::OAuth2AuthorizationCode;

#[derive(OAuth2AuthorizationCode)]
struct CodeRow {
    code_hash: String,
    client_id: String,
    redirect_uri: Option<String>,
    scope: String,
    user_id: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    issued_at: f64,
    expires_at: u64,
}

fn main() {}
