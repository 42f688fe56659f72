// A value that is not a hook implementation is reported at the value.
use oauth_runtime::grants;

fn main() {
    let _ = grants![Password(hooks = 1), RefreshToken];
}
