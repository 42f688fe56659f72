// A user-defined grant must implement `Grant`.
use oauth_runtime::grants;

struct NotAGrant;

fn main() {
    let _ = grants![RefreshToken, NotAGrant];
    let _ = grants![];
}
