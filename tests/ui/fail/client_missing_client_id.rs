// A client model needs a client id.
use oauth_runtime::OAuth2Client;

#[derive(OAuth2Client)]
struct Client {
    id: String,
    redirect_uris: Vec<String>,
}

fn main() {}
