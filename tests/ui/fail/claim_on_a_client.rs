// OpenID Connect claims describe users: `claim` on a client (or a token, or a code) is refused,
// and on a user field mapped to a key too.
use oauth_runtime::{OAuth2Client, OAuth2User};

#[derive(OAuth2Client)]
struct App {
    client_id: String,
    #[oauth(claim = "name")]
    name: String,
}

#[derive(OAuth2User)]
struct Account {
    id: String,
    #[oauth(username, claim = "email")]
    email: String,
    #[oauth(claim = "two words")]
    nickname: String,
}

fn main() {}
