//! Random secrets and their digests.
//!
//! Tokens, codes and client secrets are high-entropy values from a CSPRNG, so a single SHA-256
//! digest is a sound way to store them: the store keeps only digests, and a lookup is one
//! indexed equality on the digest (slow KDFs are for human passwords, not for these).

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The alphabet of generated secrets: base64url, 6 bits per character.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The default length of generated tokens: 43 characters, 258 bits of entropy.
pub const DEFAULT_TOKEN_LENGTH: usize = 43;

/// The shortest token length accepted by configuration (≥ 256 bits of entropy).
pub const MIN_TOKEN_LENGTH: usize = 43;

/// A random string of `length` base64url characters from the thread CSPRNG (ChaCha12 seeded
/// from the OS). Each character carries 6 bits: a byte masked to 6 bits is uniform.
pub fn generate_token(length: usize) -> String {
    let mut bytes = vec![0u8; length];
    rand::fill(&mut bytes[..]);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 0x3f)]))
        .collect()
}

/// The SHA-256 digest of a token, code or client secret: what the store keeps.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretHash([u8; 32]);

impl SecretHash {
    /// Digests a secret.
    pub fn of(secret: &str) -> SecretHash {
        SecretHash(Sha256::digest(secret.as_bytes()).into())
    }

    /// Wraps a stored digest.
    pub fn from_bytes(bytes: [u8; 32]) -> SecretHash {
        SecretHash(bytes)
    }

    /// Parses the 64-digit lowercase hex form.
    pub fn from_hex(hex: &str) -> Option<SecretHash> {
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, chunk) in hex.as_bytes().chunks(2).enumerate() {
            let s = std::str::from_utf8(chunk).ok()?;
            out[i] = u8::from_str_radix(s, 16).ok()?;
        }
        Some(SecretHash(out))
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64-digit lowercase hex form.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `secret` digests to this hash, compared in constant time.
    pub fn verify(&self, secret: &str) -> bool {
        let candidate = SecretHash::of(secret);
        self.0.ct_eq(&candidate.0).into()
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({}…)", &self.to_hex()[..8])
    }
}

/// Constant-time equality of two strings (lengths are not secret).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_length_and_alphabet() {
        let t = generate_token(DEFAULT_TOKEN_LENGTH);
        assert_eq!(t.len(), 43);
        assert!(t.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(t, generate_token(DEFAULT_TOKEN_LENGTH));
    }

    #[test]
    fn hash_verifies_only_its_secret() {
        let h = SecretHash::of("s3cret");
        assert!(h.verify("s3cret"));
        assert!(!h.verify("s3cret "));
        assert_eq!(SecretHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(SecretHash::from_hex("zz"), None);
    }

    #[test]
    fn sha256_vector() {
        // FIPS 180-2 test vector "abc".
        assert_eq!(
            SecretHash::of("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn debug_does_not_print_the_digest_in_full() {
        let h = SecretHash::of("x");
        assert!(format!("{h:?}").len() < 30);
    }
}
