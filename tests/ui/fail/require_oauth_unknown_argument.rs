// Unknown arguments and duplicates are all reported.
use oauth_runtime::require_oauth;
use rocket::get;

#[require_oauth(scopes = "profile", optional, optional, realm = "x")]
#[get("/me")]
fn me() -> &'static str {
    "me"
}

fn main() {}
