//! Signing keys for the JWTs the server issues (OpenID Connect ID tokens, RFC 9068 access
//! tokens): generated on first use, kept in the configured storage so that every instance signs
//! with the same keys, published as a JWK Set (RFC 7517), and rotated with the previous keys
//! published until every token they signed has expired.
//!
//! The JWK Set and verification are `jsonwebtoken`'s (with its pure-Rust `rust_crypto`
//! backend); signing uses the same RustCrypto crates with the key parsed once (the crate's
//! `jws` module); key generation is `rsa`'s, `p256`'s and `ed25519-dalek`'s. Private keys
//! never appear in `Debug`, logs or errors.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, OAuthError};
use crate::model::UnknownValue;

/// The algorithm of a signing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 and a 2048-bit key: what every relying party verifies
    /// (OpenID Connect Core §15.1 requires it of providers).
    #[default]
    RS256,
    /// ECDSA on P-256 with SHA-256: smaller keys and signatures.
    ES256,
    /// Ed25519 (RFC 8037): the fastest to sign and verify, the smallest; not every relying
    /// party verifies it yet.
    EdDSA,
}

impl SigningAlgorithm {
    /// The JOSE name (`RS256`, `ES256`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SigningAlgorithm::RS256 => "RS256",
            SigningAlgorithm::ES256 => "ES256",
            SigningAlgorithm::EdDSA => "EdDSA",
        }
    }

    fn jose(self) -> Algorithm {
        match self {
            SigningAlgorithm::RS256 => Algorithm::RS256,
            SigningAlgorithm::ES256 => Algorithm::ES256,
            SigningAlgorithm::EdDSA => Algorithm::EdDSA,
        }
    }
}

impl FromStr for SigningAlgorithm {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "RS256" => Ok(SigningAlgorithm::RS256),
            "ES256" => Ok(SigningAlgorithm::ES256),
            "EdDSA" => Ok(SigningAlgorithm::EdDSA),
            other => Err(UnknownValue::new("signing algorithm", other)),
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signing key as storage keeps it: the private key in PKCS#8 PEM.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// The key id (`kid`), unique.
    pub kid: String,
    /// The algorithm it signs with.
    pub algorithm: SigningAlgorithm,
    /// The private key, PKCS#8 PEM.
    pub private_key_pem: String,
    /// When it was made (Unix seconds).
    pub created_at: u64,
    /// When it stops being published (Unix seconds): set at rotation to a time after every
    /// token it signed has expired. `None` while it is the signing key.
    pub retires_at: Option<u64>,
}

impl fmt::Debug for StoredKey {
    /// Never prints the private key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("created_at", &self.created_at)
            .field("retires_at", &self.retires_at)
            .finish_non_exhaustive()
    }
}

fn key_error(what: &str) -> OAuthError {
    // The cause is logged by the caller without the key; the error says nothing of it.
    OAuthError::new(ErrorCode::ServerError).with_description(format!("signing key: {what}"))
}

impl StoredKey {
    /// A new key for `algorithm` (RSA generation takes a moment: call it off the async
    /// runtime, as the server does).
    pub fn generate(algorithm: SigningAlgorithm, now: u64) -> Result<StoredKey, OAuthError> {
        use p256::pkcs8::{EncodePrivateKey, LineEnding};
        let pem = match algorithm {
            SigningAlgorithm::RS256 => {
                let key = rsa::PrivateKey::new(&mut rand::rng(), 2048)
                    .map_err(|_| key_error("RSA key generation failed"))?;
                rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&key, rsa::pkcs8::LineEnding::LF)
                    .map_err(|_| key_error("RSA key encoding failed"))?
                    .to_string()
            }
            SigningAlgorithm::ES256 => {
                let key = <p256::SecretKey as p256::elliptic_curve::Generate>::generate();
                key.to_pkcs8_pem(LineEnding::LF)
                    .map_err(|_| key_error("EC key encoding failed"))?
                    .to_string()
            }
            SigningAlgorithm::EdDSA => {
                let mut seed = zeroize::Zeroizing::new([0u8; 32]);
                rand::fill(&mut seed[..]);
                let key = ed25519_dalek::SigningKey::from_bytes(&seed);
                ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_pem(
                    &key,
                    ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF,
                )
                .map_err(|_| key_error("Ed25519 key encoding failed"))?
                .to_string()
            }
        };
        Ok(StoredKey {
            kid: crate::secret::generate_token(22),
            algorithm,
            private_key_pem: pem,
            created_at: now,
            retires_at: None,
        })
    }

    fn encoding_key(&self) -> Result<EncodingKey, OAuthError> {
        let pem = self.private_key_pem.as_bytes();
        match self.algorithm {
            SigningAlgorithm::RS256 => EncodingKey::from_rsa_pem(pem),
            SigningAlgorithm::ES256 => EncodingKey::from_ec_pem(pem),
            SigningAlgorithm::EdDSA => EncodingKey::from_ed_pem(pem),
        }
        .map_err(|_| key_error("the stored private key does not parse"))
    }
}

/// The public JWK of an Ed25519 key (RFC 8037 §2). `Jwk::from_encoding_key` expects the
/// PKCS#8 v1 encoding, and `ed25519-dalek` writes v2 (with the public key), so the public key is
/// taken from the parsed private key instead.
fn ed25519_public_jwk(pem: &str) -> Result<Jwk, OAuthError> {
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    use jsonwebtoken::jwk::{
        AlgorithmParameters, CommonParameters, EllipticCurve, KeyAlgorithm, OctetKeyPairParameters,
        OctetKeyPairType,
    };
    let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
        .map_err(|_| key_error("the stored private key does not parse"))?;
    let x = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        key.verifying_key().to_bytes(),
    );
    Ok(Jwk {
        common: CommonParameters {
            key_algorithm: Some(KeyAlgorithm::EdDSA),
            ..Default::default()
        },
        algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x,
        }),
    })
}

/// A key ready to sign: its id, algorithm, parsed private key and public JWK.
struct ReadyKey {
    stored: StoredKey,
    signer: crate::jws::JwsSigner,
    public: Jwk,
}

/// The keys in use: the signing key (the newest not retiring) and those still published.
pub struct KeySet {
    keys: Vec<ReadyKey>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| &k.stored))
            .finish()
    }
}

impl KeySet {
    /// The keys of `stored` still published at `now`; `None` if none of them can sign.
    pub(crate) fn new(stored: Vec<StoredKey>, now: u64) -> Result<Option<KeySet>, OAuthError> {
        let mut keys = Vec::new();
        for key in stored {
            if key.retires_at.is_some_and(|at| at <= now) {
                continue;
            }
            let encoding = key.encoding_key()?;
            let mut public = match key.algorithm {
                SigningAlgorithm::EdDSA => ed25519_public_jwk(&key.private_key_pem)?,
                algorithm => Jwk::from_encoding_key(&encoding, algorithm.jose())
                    .map_err(|_| key_error("no public key"))?,
            };
            public.common.key_id = Some(key.kid.clone());
            public.common.public_key_use = Some(PublicKeyUse::Signature);
            let signer = crate::jws::JwsSigner::from_pkcs8_pem(key.algorithm, &key.private_key_pem)
                .ok_or_else(|| key_error("the stored private key does not parse"))?;
            keys.push(ReadyKey {
                stored: key,
                signer,
                public,
            });
        }
        // Newest first: the signing key is the newest that is not retiring.
        keys.sort_by_key(|k| std::cmp::Reverse(k.stored.created_at));
        if !keys.iter().any(|k| k.stored.retires_at.is_none()) {
            return Ok(None);
        }
        Ok(Some(KeySet { keys }))
    }

    fn signing(&self) -> &ReadyKey {
        // `new` refuses a set without one.
        self.keys
            .iter()
            .find(|k| k.stored.retires_at.is_none())
            .unwrap_or(&self.keys[0])
    }

    /// The id (`kid`) of the key that signs now.
    pub fn signing_kid(&self) -> &str {
        &self.signing().stored.kid
    }

    /// The algorithm of the key that signs now.
    pub fn signing_algorithm(&self) -> SigningAlgorithm {
        self.signing().stored.algorithm
    }

    /// The public key published as `kid`, for verifying what this server signed.
    pub(crate) fn verifying_key(
        &self,
        kid: &str,
    ) -> Option<(Algorithm, jsonwebtoken::DecodingKey)> {
        let key = self.keys.iter().find(|k| k.stored.kid == kid)?;
        let decoding = jsonwebtoken::DecodingKey::from_jwk(&key.public).ok()?;
        Some((key.stored.algorithm.jose(), decoding))
    }

    /// The published keys (RFC 7517 §5): the signing key and the retiring ones, public parts
    /// only.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys.iter().map(|k| k.public.clone()).collect(),
        }
    }

    /// Signs `claims` as a JWS (compact form) with the signing key; `typ` is the header's
    /// type (`at+jwt` for RFC 9068 access tokens, `JWT` otherwise).
    pub fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String, OAuthError> {
        let key = self.signing();
        let mut header = Header::new(key.stored.algorithm.jose());
        header.kid = Some(key.stored.kid.clone());
        header.typ = Some(typ.to_owned());
        key.signer
            .sign(&header, claims)
            .ok_or_else(|| key_error("signing failed"))
    }
}

/// The keys a server uses, loaded from storage on first use and every minute after (so that a
/// rotation at another instance is picked up).
pub(crate) struct Keys {
    current: tokio::sync::RwLock<Option<(Arc<KeySet>, std::time::Instant)>>,
}

/// How long a loaded key set is used before storage is asked again.
const RELOAD: std::time::Duration = std::time::Duration::from_secs(60);

impl Keys {
    pub(crate) fn new() -> Keys {
        Keys {
            current: tokio::sync::RwLock::new(None),
        }
    }

    /// The key set; loads it (and makes the first key, if storage has none that can sign).
    pub(crate) async fn get(
        &self,
        storage: &dyn crate::Storage,
        algorithm: SigningAlgorithm,
    ) -> Result<Arc<KeySet>, OAuthError> {
        if let Some((set, loaded)) = &*self.current.read().await {
            if loaded.elapsed() < RELOAD {
                return Ok(set.clone());
            }
        }
        let mut current = self.current.write().await;
        if let Some((set, loaded)) = &*current {
            if loaded.elapsed() < RELOAD {
                return Ok(set.clone());
            }
        }
        let now = crate::model::now();
        let set = match KeySet::new(storage.signing_keys().await?, now)? {
            Some(set) => set,
            None => {
                let key = generate(algorithm, now).await?;
                storage.save_signing_key(key).await?;
                // Another instance may have made one at the same time: both are published,
                // the newest signs.
                KeySet::new(storage.signing_keys().await?, now)?
                    .ok_or_else(|| key_error("storage lost the new key"))?
            }
        };
        let set = Arc::new(set);
        *current = Some((set.clone(), std::time::Instant::now()));
        Ok(set)
    }

    /// Makes a new signing key; the previous ones stay published until `retire_at`.
    pub(crate) async fn rotate(
        &self,
        storage: &dyn crate::Storage,
        algorithm: SigningAlgorithm,
        retire_at: u64,
    ) -> Result<Arc<KeySet>, OAuthError> {
        let now = crate::model::now();
        let key = generate(algorithm, now).await?;
        let kid = key.kid.clone();
        storage.save_signing_key(key).await?;
        storage.retire_signing_keys(&kid, retire_at).await?;
        let set = Arc::new(
            KeySet::new(storage.signing_keys().await?, now)?
                .ok_or_else(|| key_error("storage lost the new key"))?,
        );
        *self.current.write().await = Some((set.clone(), std::time::Instant::now()));
        Ok(set)
    }
}

/// Generates a key on a blocking thread (RSA generation takes tens of milliseconds or more).
async fn generate(algorithm: SigningAlgorithm, now: u64) -> Result<StoredKey, OAuthError> {
    tokio::task::spawn_blocking(move || StoredKey::generate(algorithm, now))
        .await
        .map_err(|_| key_error("key generation was interrupted"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_private_key() {
        let key = StoredKey::generate(SigningAlgorithm::ES256, 1).unwrap();
        let printed = format!("{key:?}");
        assert!(
            !printed.contains("PRIVATE KEY") && !printed.contains(&key.private_key_pem[40..80])
        );
        let set = KeySet::new(vec![key], 2).unwrap().unwrap();
        assert!(!format!("{set:?}").contains("PRIVATE"));
    }

    #[test]
    fn jwks_has_public_parts_only_and_retired_keys_drop_out() {
        let old = StoredKey {
            retires_at: Some(100),
            ..StoredKey::generate(SigningAlgorithm::RS256, 1).unwrap()
        };
        let new = StoredKey::generate(SigningAlgorithm::ES256, 2).unwrap();
        let set = KeySet::new(vec![old.clone(), new.clone()], 50)
            .unwrap()
            .unwrap();
        assert_eq!(set.signing_kid(), new.kid);
        let jwks = serde_json::to_value(set.jwks()).unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2);
        for key in keys {
            assert_eq!(key["use"], "sig");
            for private in ["d", "p", "q", "dp", "dq", "qi"] {
                assert!(key.get(private).is_none(), "{key}");
            }
        }
        let set = KeySet::new(vec![old, new], 100).unwrap().unwrap();
        assert_eq!(set.jwks().keys.len(), 1);
        let only_retiring = StoredKey {
            retires_at: Some(500),
            ..StoredKey::generate(SigningAlgorithm::ES256, 3).unwrap()
        };
        assert!(KeySet::new(vec![only_retiring], 100).unwrap().is_none());
    }

    #[test]
    fn every_algorithm_signs_what_its_published_key_verifies() {
        for algorithm in [
            SigningAlgorithm::RS256,
            SigningAlgorithm::ES256,
            SigningAlgorithm::EdDSA,
        ] {
            let key = StoredKey::generate(algorithm, 1).unwrap();
            assert_eq!(key.algorithm.as_str().parse(), Ok(algorithm));
            let set = KeySet::new(vec![key], 2).unwrap().unwrap();
            let jwt = set
                .sign("JWT", &serde_json::json!({"sub": "x", "exp": u64::MAX / 2}))
                .unwrap();
            let jwks = set.jwks();
            let public = &jwks.keys[0];
            let header = jsonwebtoken::decode_header(&jwt).unwrap();
            assert_eq!(header.alg, algorithm.jose(), "{algorithm}");
            let decoding = jsonwebtoken::DecodingKey::from_jwk(public).unwrap();
            let claims = jsonwebtoken::decode::<serde_json::Value>(
                &jwt,
                &decoding,
                &jsonwebtoken::Validation::new(algorithm.jose()),
            )
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"))
            .claims;
            assert_eq!(claims["sub"], "x");
        }
        let ed = serde_json::to_value(
            KeySet::new(
                vec![StoredKey::generate(SigningAlgorithm::EdDSA, 1).unwrap()],
                2,
            )
            .unwrap()
            .unwrap()
            .jwks(),
        )
        .unwrap();
        // RFC 8037 §2: an Ed25519 public key is an OKP with `crv` and `x`, no private `d`.
        assert_eq!(ed["keys"][0]["kty"], "OKP");
        assert_eq!(ed["keys"][0]["crv"], "Ed25519");
        assert!(ed["keys"][0].get("d").is_none());
    }
}
