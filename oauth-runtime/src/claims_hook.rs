//! Claims of the application's own in ID tokens and at UserInfo (Authlib's
//! `generate_user_info` extension).

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::error::OAuthError;
use crate::model::ResourceOwner;
use crate::scope::Scope;
use crate::store::Storage;

/// Where claims are going.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimsTarget {
    /// An ID token (OpenID Connect Core §2).
    IdToken,
    /// A UserInfo response (Core §5.3).
    UserInfo,
}

/// Adds claims of your own, beside those the standard scopes release from
/// [`ResourceOwner::claims`]. Register it with
/// [`OAuth2::claims_hook`](crate::OAuth2::claims_hook). A claim the protocol defines for the
/// token itself (`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`, `auth_time`, `nonce`,
/// `acr`, `amr`, `azp`, `at_hash`, `c_hash`) is never replaced: such an entry is dropped.
///
/// ```
/// use oauth_runtime::{async_trait, ClaimsHook, ClaimsTarget, OAuthError, ResourceOwner, Scope, Storage};
/// use serde_json::{json, Map, Value};
///
/// /// The user's roles, for clients granted `roles`, in the ID token and at UserInfo.
/// struct Roles;
///
/// #[async_trait]
/// impl ClaimsHook for Roles {
///     async fn claims(
///         &self,
///         _storage: &dyn Storage,
///         owner: &ResourceOwner,
///         _client_id: &str,
///         scope: &Scope,
///         _target: ClaimsTarget,
///     ) -> Result<Map<String, Value>, OAuthError> {
///         let mut claims = Map::new();
///         if scope.contains("roles") {
///             let roles = if owner.username == "admin" { json!(["admin"]) } else { json!([]) };
///             claims.insert("roles".to_owned(), roles);
///         }
///         Ok(claims)
///     }
/// }
/// ```
#[async_trait]
pub trait ClaimsHook: Send + Sync + 'static {
    /// The claims to add for `owner`, whose token for `client_id` has `scope`.
    async fn claims(
        &self,
        storage: &dyn Storage,
        owner: &ResourceOwner,
        client_id: &str,
        scope: &Scope,
        target: ClaimsTarget,
    ) -> Result<Map<String, Value>, OAuthError>;
}

/// Claims about the token rather than the user: a hook never sets them.
const PROTECTED: [&str; 14] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
];

/// Adds `extra` to `claims`, leaving the protected ones alone.
pub(crate) fn merge(claims: &mut Map<String, Value>, extra: Map<String, Value>) {
    for (name, value) in extra {
        if PROTECTED.contains(&name.as_str()) {
            log::warn!("oauth2: the claims hook may not set `{name}`; ignored");
            continue;
        }
        claims.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_claims_stay() {
        let mut claims = Map::new();
        claims.insert("sub".into(), Value::from("42"));
        let mut extra = Map::new();
        extra.insert("sub".into(), Value::from("admin"));
        extra.insert("roles".into(), Value::from("x"));
        merge(&mut claims, extra);
        assert_eq!(claims["sub"], "42");
        assert_eq!(claims["roles"], "x");
    }
}
