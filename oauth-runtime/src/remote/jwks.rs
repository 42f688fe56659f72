//! The issuer's public keys (RFC 7517 JWK Set), by `kid`, for verifying JWT access tokens.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

/// The algorithms a token may be signed with: asymmetric only. `none` and the HMAC family are
/// never accepted, so a token "signed" with nothing, or with a public key used as an HMAC
/// secret, is refused before any key is looked at.
pub(crate) const ACCEPTED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// One verification key.
pub(crate) struct Key {
    kid: Option<String>,
    /// The JWK's `alg`, when it names one: a token must use exactly that.
    algorithm: Option<Algorithm>,
    pub(crate) decoding: DecodingKey,
}

/// The keys of one JWK Set.
#[derive(Default)]
pub(crate) struct Keys {
    keys: Vec<Key>,
}

fn algorithm(alg: KeyAlgorithm) -> Option<Algorithm> {
    Some(match alg {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        _ => return None,
    })
}

impl Keys {
    /// The signature keys of a JWK Set document; keys this server cannot use (encryption keys,
    /// symmetric keys, unknown types) are left out, not fatal.
    pub(crate) fn parse(document: &serde_json::Value) -> Keys {
        let entries = document
            .get("keys")
            .and_then(|k| k.as_array())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let keys = entries
            .iter()
            .filter_map(|entry| serde_json::from_value::<Jwk>(entry.clone()).ok())
            .filter(|jwk| !matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)))
            .filter(|jwk| {
                let symmetric = matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_));
                !symmetric
                    && jwk
                        .common
                        .key_algorithm
                        .is_none_or(|a| algorithm(a).is_some())
            })
            .filter_map(|jwk| {
                let decoding = DecodingKey::from_jwk(&jwk).ok()?;
                Some(Key {
                    kid: jwk.common.key_id.clone(),
                    algorithm: jwk.common.key_algorithm.and_then(algorithm),
                    decoding,
                })
            })
            .collect();
        Keys { keys }
    }

    /// The key for a token's `kid` and `alg`. A token without `kid` is matched only when the
    /// set has a single key.
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&Key> {
        let key = match kid {
            Some(kid) => self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))?,
            None => match self.keys.as_slice() {
                [only] => only,
                _ => return None,
            },
        };
        key.algorithm.is_none_or(|a| a == alg).then_some(key)
    }

    /// Whether a key of `self` is missing from `newer` (then tokens verified with it must be
    /// verified again).
    pub(crate) fn dropped_in(&self, newer: &Keys) -> bool {
        self.keys
            .iter()
            .any(|k| !newer.keys.iter().any(|n| n.kid == k.kid))
    }

    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
