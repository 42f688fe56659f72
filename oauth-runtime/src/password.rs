//! Resource-owner password hashing with Argon2id (human passwords need a slow KDF).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

/// A PHC string of a valid Argon2id hash that matches no password a user can type: verified
/// against when the user does not exist, so that a wrong username costs the same time as a wrong
/// password (no user enumeration by timing).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&crate::secret::generate_token(43)).unwrap_or_default())
}

/// Hashes a password into an Argon2id PHC string with a random salt.
///
/// Returns `None` only if the hasher fails (it does not for valid parameters).
pub fn hash_password(password: &str) -> Option<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .ok()
        .map(|hash| hash.to_string())
}

/// Verifies `password` against a stored PHC string; a malformed hash verifies nothing.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the time of one verification and returns `None`: call it when the user is unknown.
pub fn verify_nothing<T>(password: &str) -> Option<T> {
    let _ = verify_password(password, dummy_hash());
    None
}

/// Verifies `password` for a user found by username (owner and stored hash), or spends the
/// same time when none was found. Runs on the blocking pool: Argon2 takes milliseconds of CPU.
pub async fn verify_user(
    found: Option<(crate::ResourceOwner, String)>,
    password: &str,
) -> crate::StorageResult<Option<crate::ResourceOwner>> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || match found {
        Some((owner, hash)) => verify_password(&password, &hash).then_some(owner),
        None => verify_nothing(&password),
    })
    .await
    .map_err(|e| crate::StorageError::from_source("password verification task failed", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_its_password_only() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horse ", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(verify_nothing::<()>("correct horse").is_none());
    }
}
