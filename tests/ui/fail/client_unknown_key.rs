// Unknown keys, keys with values and struct-level attributes are reported together.
use oauth_runtime::OAuth2Client;

#[derive(OAuth2Client)]
#[oauth(tabel = "clients")]
struct Client {
    #[oauth(client_id)]
    id: String,
    #[oauth(redirect_uri)]
    uris: Vec<String>,
    #[oauth(scope = "profile")]
    scope: String,
}

fn main() {}
