//! Which OpenID Connect claims a scope releases (Core §5.4), from a resource owner's claims.

use serde_json::{Map, Value};

use crate::model::ResourceOwner;
use crate::scope::Scope;

/// The standard scopes and the claims each releases (OpenID Connect Core §5.4).
pub(crate) const SCOPE_CLAIMS: [(&str, &[&str]); 4] = [
    (
        "profile",
        &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
        ],
    ),
    ("email", &["email", "email_verified"]),
    ("address", &["address"]),
    ("phone", &["phone_number", "phone_number_verified"]),
];

/// `sub` and the claims `scope` releases: those of the owner's claims that a granted standard
/// scope names, and, with `profile`, the username as `preferred_username` unless a claim
/// gives one.
pub(crate) fn released(owner: &ResourceOwner, scope: &Scope) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".to_owned(), Value::String(owner.id.clone()));
    for (scope_value, names) in SCOPE_CLAIMS {
        if !scope.contains(scope_value) {
            continue;
        }
        for name in names {
            if let Some(value) = owner.claims.get(*name) {
                claims.insert((*name).to_owned(), value.clone());
            }
        }
    }
    if scope.contains("profile") && !claims.contains_key("preferred_username") {
        claims.insert(
            "preferred_username".to_owned(),
            Value::String(owner.username.clone()),
        );
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scope_releases_its_claims_only() {
        let owner = ResourceOwner::new("42", "ada")
            .with_claim("email", "ada@example.com")
            .with_claim("name", "Ada Lovelace")
            .with_claim("employee_id", "E-1");
        let only = |scope: &str| released(&owner, &Scope::parse(scope).unwrap());
        assert_eq!(
            Value::Object(only("openid")),
            serde_json::json!({"sub": "42"})
        );
        assert_eq!(
            Value::Object(only("openid email")),
            serde_json::json!({"sub": "42", "email": "ada@example.com"})
        );
        assert_eq!(
            Value::Object(only("openid profile")),
            serde_json::json!({"sub": "42", "name": "Ada Lovelace", "preferred_username": "ada"})
        );
        // A claim no standard scope names is never released by scope.
        assert!(!only("openid profile email employee_id").contains_key("employee_id"));
    }
}
