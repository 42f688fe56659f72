// Two fields cannot hold the same key, and a field holds one key.
use oauth_runtime::OAuth2Client;

#[derive(OAuth2Client)]
struct Client {
    client_id: String,
    #[oauth(client_id)]
    other_id: String,
    #[oauth(scope, client_name)]
    both: String,
}

fn main() {}
