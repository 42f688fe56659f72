// The derives need a struct with named fields.
use oauth_runtime::{OAuth2Client, OAuth2Token};

#[derive(OAuth2Client)]
enum Client {
    A,
}

#[derive(OAuth2Token)]
struct Token(String);

fn main() {}
