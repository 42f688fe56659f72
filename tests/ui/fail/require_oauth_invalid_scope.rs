// Scope literals are checked against RFC 6749 §3.3 at compile time.
use oauth_runtime::require_oauth;
use rocket::get;

#[require_oauth(scope = "profile  email")]
#[get("/me")]
fn me() -> &'static str {
    "me"
}

#[require_oauth(any_of = ["ok", "bad\"quote"])]
#[get("/other")]
fn other() -> &'static str {
    "other"
}

fn main() {}
