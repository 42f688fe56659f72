//! Items the macros refer to by absolute path (`::oauth_runtime::__private::…`). Not API: may
//! change in any release.

use crate::model::{AuthMethod, GrantType, ResponseType};
use crate::scope::Scope;
use crate::secret::SecretHash;

pub use crate::rocket::OptionalAuthorized;
/// RFC 6749 §3.3 scope syntax (non-empty), for generated code and the property tests.
pub const fn is_valid_scope(s: &str) -> bool {
    crate::scope::is_valid_scope(s)
}
pub use std::sync::Arc;

pub use crate::field_types::{parse_list, Column, IdColumn, ListField, OptionalText, RequiredText};

/// sqlx, for the `#[oauth(table = "…")]` impls.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sqlx;

/// A stored scope; a malformed one grants nothing (fail closed).
pub fn scope_of(text: Option<&str>) -> Scope {
    text.and_then(|s| s.parse().ok()).unwrap_or_default()
}

/// Checks a secret against a stored hex SHA-256 digest, in constant time.
pub fn check_secret(stored_hex: Option<&str>, secret: &str) -> bool {
    stored_hex
        .and_then(SecretHash::from_hex)
        .is_some_and(|hash| hash.verify(secret))
}

/// The registered method; RFC 7591 §2 default `client_secret_basic` when a secret is stored,
/// `none` otherwise. An unknown value falls back to `client_secret_basic`, which a client
/// without a valid secret cannot pass (fail closed).
pub fn auth_method(text: Option<&str>, has_secret: bool) -> AuthMethod {
    match text {
        Some(s) => s.parse().unwrap_or(AuthMethod::ClientSecretBasic),
        None if has_secret => AuthMethod::ClientSecretBasic,
        None => AuthMethod::None,
    }
}

/// Whether `list` (or RFC 7591's default `["code"]` when unmapped) holds the response type.
pub fn has_response_type(list: Option<Vec<String>>, response_type: ResponseType) -> bool {
    match list {
        Some(list) => list
            .iter()
            .any(|s| s.parse::<ResponseType>() == Ok(response_type)),
        None => response_type == ResponseType::Code,
    }
}

/// Whether `list` (or RFC 7591's default `["authorization_code"]` when unmapped) holds the
/// grant type.
pub fn has_grant_type(list: Option<Vec<String>>, grant_type: &GrantType) -> bool {
    match list {
        Some(list) => list.iter().any(|s| s == grant_type.as_str()),
        None => *grant_type == GrantType::AuthorizationCode,
    }
}

/// A flag field (`bool`, or an integer where 0 is false) as a `bool`.
pub fn flag<C: Column<bool>>(value: &C) -> bool {
    value.to_record().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_from_text() {
        assert_eq!(parse_list("a b,c"), ["a", "b", "c"]);
        assert_eq!(
            parse_list(r#"["https://a/cb", "x y"]"#),
            ["https://a/cb", "x y"]
        );
        assert!(parse_list("[broken").is_empty());
    }

    #[test]
    fn auth_method_defaults() {
        assert_eq!(auth_method(None, true), AuthMethod::ClientSecretBasic);
        assert_eq!(auth_method(None, false), AuthMethod::None);
        assert_eq!(
            auth_method(Some("client_secret_post"), true),
            AuthMethod::ClientSecretPost
        );
        assert_eq!(
            auth_method(Some("bogus"), false),
            AuthMethod::ClientSecretBasic
        );
    }
}
