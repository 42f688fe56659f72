// The route attribute expands first when it is on top, so the guard would not be seen:
// #[require_oauth] must come first.
use oauth_runtime::require_oauth;
use rocket::get;

#[get("/me")]
#[require_oauth(scope = "profile")]
fn me() -> &'static str {
    "me"
}

fn main() {}
