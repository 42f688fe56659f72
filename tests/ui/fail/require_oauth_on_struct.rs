// #[require_oauth] only makes sense on a route function.
use oauth_runtime::require_oauth;

#[require_oauth(scope = "profile")]
struct NotARoute;

fn main() {}
