// All-of and any-of together are ambiguous.
use oauth_runtime::require_oauth;
use rocket::get;

#[require_oauth(scope = "profile", any_of = ["email"])]
#[get("/me")]
fn me() -> &'static str {
    "me"
}

#[require_oauth(any_of = [1, "email"])]
#[get("/other")]
fn other() -> &'static str {
    "other"
}

fn main() {}
