// A misspelt standard grant names the known ones and the nearest, at the name.
use oauth_runtime::grants;

fn main() {
    let _ = grants![Passwrd(hooks = MyHooks), RefreshToken];
    let _ = grants![AuthorizationCode, RefreshTokens];
    let _ = grants![Device(poll = 5)];
}
