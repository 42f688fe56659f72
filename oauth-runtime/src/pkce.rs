//! Proof Key for Code Exchange (RFC 7636).

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::model::CodeChallengeMethod;
use crate::secret::constant_time_eq;

/// `1*128unreserved` of length 43..=128 (RFC 7636 §4.1 `code-verifier`, §4.2 `code-challenge`).
pub fn is_valid_verifier(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The challenge grammar is the verifier's (RFC 7636 §4.2).
pub fn is_valid_challenge(s: &str) -> bool {
    is_valid_verifier(s)
}

/// `code_challenge_method` of an authorization request; absent means `plain` (RFC 7636
/// §4.3).
pub(crate) fn method_or_plain(s: Option<&str>) -> Option<CodeChallengeMethod> {
    s.map_or(Some(CodeChallengeMethod::Plain), |s| s.parse().ok())
}

/// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// RFC 7636 §4.6: the server recomputes the challenge from the verifier and compares.
pub fn verify(verifier: &str, challenge: &str, method: CodeChallengeMethod) -> bool {
    match method {
        CodeChallengeMethod::S256 => constant_time_eq(&s256_challenge(verifier), challenge),
        CodeChallengeMethod::Plain => constant_time_eq(verifier, challenge),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(s256_challenge(VERIFIER), CHALLENGE);
        assert!(verify(VERIFIER, CHALLENGE, CodeChallengeMethod::S256));
        assert!(!verify(VERIFIER, CHALLENGE, CodeChallengeMethod::Plain));
        assert!(!verify(
            &VERIFIER.replace('d', "e"),
            CHALLENGE,
            CodeChallengeMethod::S256
        ));
    }

    #[test]
    fn verifier_grammar() {
        assert!(is_valid_verifier(VERIFIER));
        assert!(is_valid_verifier(&"a".repeat(128)));
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn method_parsing() {
        assert_eq!(method_or_plain(None), Some(CodeChallengeMethod::Plain));
        assert_eq!(
            method_or_plain(Some("S256")),
            Some(CodeChallengeMethod::S256)
        );
        assert_eq!(method_or_plain(Some("s256")), None);
    }
}
