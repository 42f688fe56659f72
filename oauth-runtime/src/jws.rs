//! Signing JWTs with a private key parsed once (RFC 7515 §7.1 compact serialization).
//!
//! `jsonwebtoken::encode` takes the key as DER bytes and parses it again at every signature —
//! for a 2048-bit RSA key most of the cost of an RS256 token. [`JwsSigner`] keeps the parsed
//! key (RustCrypto's `rsa`, `p256`, `ed25519-dalek`, as `jsonwebtoken`'s backend uses), and
//! [`JwsSigner::sign`] writes what `jsonwebtoken::encode` writes: `BASE64URL(header) "."
//! BASE64URL(claims) "." BASE64URL(signature)`. Verification stays `jsonwebtoken`'s.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

use crate::keys::SigningAlgorithm;

/// A parsed private key, ready to sign.
pub(crate) enum JwsSigner {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RS256); blinded with the OS RNG.
    Rs256(Box<rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>>),
    /// ECDSA P-256 with SHA-256 (ES256), RFC 6979 deterministic nonces.
    Es256(Box<p256::ecdsa::SigningKey>),
    /// Ed25519 (EdDSA, RFC 8037).
    EdDsa(Box<ed25519_dalek::SigningKey>),
}

impl JwsSigner {
    /// Parses the PKCS#8 PEM of a key of `algorithm`; `None` if it does not parse.
    pub(crate) fn from_pkcs8_pem(algorithm: SigningAlgorithm, pem: &str) -> Option<JwsSigner> {
        Some(match algorithm {
            SigningAlgorithm::RS256 => {
                let key =
                    <rsa::PrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(pem).ok()?;
                JwsSigner::Rs256(Box::new(rsa::pkcs1v15::SigningKey::new(key)))
            }
            SigningAlgorithm::ES256 => {
                let key =
                    <p256::ecdsa::SigningKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_pem(pem)
                        .ok()?;
                JwsSigner::Es256(Box::new(key))
            }
            SigningAlgorithm::EdDSA => {
                let key = <ed25519_dalek::SigningKey as ed25519_dalek::pkcs8::DecodePrivateKey>::from_pkcs8_pem(pem).ok()?;
                JwsSigner::EdDsa(Box::new(key))
            }
        })
    }

    /// The signature of `message`, as the JWS signature bytes of the algorithm (for ES256 the
    /// 64-byte `R || S` of RFC 7518 §3.4).
    fn signature(&self, message: &[u8]) -> Option<Vec<u8>> {
        match self {
            JwsSigner::Rs256(key) => {
                use rsa::signature::{SignatureEncoding, Signer};
                key.try_sign(message).ok().map(|s| s.to_vec())
            }
            JwsSigner::Es256(key) => {
                use p256::ecdsa::signature::Signer;
                let signature: p256::ecdsa::Signature = key.try_sign(message).ok()?;
                Some(signature.to_bytes().to_vec())
            }
            JwsSigner::EdDsa(key) => {
                use ed25519_dalek::Signer;
                Some(key.sign(message).to_bytes().to_vec())
            }
        }
    }

    /// The compact JWS of `claims` under `header`; `None` if either does not serialize or
    /// signing fails.
    pub(crate) fn sign<T: Serialize>(
        &self,
        header: &jsonwebtoken::Header,
        claims: &T,
    ) -> Option<String> {
        let mut jws = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).ok()?);
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(serde_json::to_vec(claims).ok()?, &mut jws);
        let signature = self.signature(jws.as_bytes())?;
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut jws);
        Some(jws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::StoredKey;

    /// The three algorithms sign deterministically (PKCS#1 v1.5, RFC 6979 ECDSA, Ed25519), so
    /// the JWS must be `jsonwebtoken::encode`'s, byte for byte.
    #[test]
    fn signs_what_jsonwebtoken_signs() {
        let claims = serde_json::json!({"iss": "https://as.example", "sub": "alice", "exp": 1});
        for algorithm in [
            SigningAlgorithm::RS256,
            SigningAlgorithm::ES256,
            SigningAlgorithm::EdDSA,
        ] {
            let key = StoredKey::generate(algorithm, 0).unwrap();
            let pem = key.private_key_pem.as_bytes();
            let (encoding, alg) = match algorithm {
                SigningAlgorithm::RS256 => (
                    jsonwebtoken::EncodingKey::from_rsa_pem(pem),
                    jsonwebtoken::Algorithm::RS256,
                ),
                SigningAlgorithm::ES256 => (
                    jsonwebtoken::EncodingKey::from_ec_pem(pem),
                    jsonwebtoken::Algorithm::ES256,
                ),
                SigningAlgorithm::EdDSA => (
                    jsonwebtoken::EncodingKey::from_ed_pem(pem),
                    jsonwebtoken::Algorithm::EdDSA,
                ),
            };
            let mut header = jsonwebtoken::Header::new(alg);
            header.kid = Some(key.kid.clone());
            header.typ = Some("at+jwt".to_owned());
            let expected = jsonwebtoken::encode(&header, &claims, &encoding.unwrap()).unwrap();
            let signer = JwsSigner::from_pkcs8_pem(algorithm, &key.private_key_pem).unwrap();
            assert_eq!(
                signer.sign(&header, &claims).unwrap(),
                expected,
                "{algorithm:?}"
            );
        }
    }
}
