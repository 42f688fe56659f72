// A resource owner needs an id and a username; an id must be text or an integer key.
use oauth_runtime::OAuth2User;

#[derive(OAuth2User)]
struct NoUsername {
    id: String,
    #[oauth(password)]
    secret: String,
}

#[derive(OAuth2User)]
struct FloatId {
    id: f64,
    username: String,
}

fn main() {}
