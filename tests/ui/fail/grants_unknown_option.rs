// Per-grant options are checked: unknown, duplicate, wrong value type.
use oauth_runtime::grants;

fn main() {
    let _ = grants![
        AuthorizationCode(require_pkce = true, require_pkce = false, pkce = "S256"),
        ClientCredentials(hooks = ()),
        RefreshToken,
        AuthorizationCode,
    ];
    let _ = grants![AuthorizationCode(allow_plain_pkce = "yes")];
}
