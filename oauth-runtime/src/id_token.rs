//! OpenID Connect ID tokens (Core §2, §3.1.3.6): issued beside the access token when the
//! granted scope contains `openid`.

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::claims_hook::ClaimsTarget;
use crate::error::{ErrorCode, OAuthError};
use crate::keys::SigningAlgorithm;
use crate::model::{now, AuthorizationCode, OAuth2Client, ResourceOwner};
use crate::scope::Scope;
use crate::server::AuthorizationServer;

/// The `openid` scope value (Core §3.1.2.1).
pub(crate) const OPENID: &str = "openid";

/// The claims of an ID token this server signs.
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_time: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    /// Core §3.1.3.6, §3.3.2.11: the left half of the SHA-256 of the access token, base64url.
    #[serde(skip_serializing_if = "Option::is_none")]
    at_hash: Option<String>,
    /// Core §3.3.2.11: the same of the authorization code (hybrid flow).
    #[serde(skip_serializing_if = "Option::is_none")]
    c_hash: Option<String>,
    /// Released claims (no access token issued, Core §5.4) and the claims hook's.
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

/// `at_hash` / `c_hash` (Core §3.1.3.6, §3.3.2.11): base64url of the left half of the hash
/// of the ID token's `alg`: SHA-256 for RS256 and ES256, SHA-512 for EdDSA with Ed25519
/// (Core errata set 2).
pub(crate) fn half_hash(value: &str, algorithm: SigningAlgorithm) -> String {
    let digest: Vec<u8> = match algorithm {
        SigningAlgorithm::RS256 | SigningAlgorithm::ES256 => {
            Sha256::digest(value.as_bytes()).to_vec()
        }
        SigningAlgorithm::EdDSA => sha2::Sha512::digest(value.as_bytes()).to_vec(),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// What one ID token is about.
pub(crate) struct IdTokenFor<'a> {
    pub(crate) client: &'a dyn OAuth2Client,
    pub(crate) user_id: &'a str,
    pub(crate) scope: &'a Scope,
    pub(crate) nonce: Option<&'a str>,
    pub(crate) auth_time: Option<u64>,
    /// The access token issued with it, for `at_hash`.
    pub(crate) access_token: Option<&'a str>,
    /// The code issued with it, for `c_hash`.
    pub(crate) code: Option<&'a str>,
    /// Core §5.4: when no access token is issued, the claims the scope releases go in the ID
    /// token itself.
    pub(crate) release_claims_of: Option<&'a ResourceOwner>,
}

/// Signs an ID token (Core §2).
pub(crate) async fn issue(
    server: &AuthorizationServer,
    about: IdTokenFor<'_>,
) -> Result<String, OAuthError> {
    // Core §2: `iss` is required, and must be what discovery says.
    let Some(issuer) = server.config().issuer.as_deref() else {
        log::error!("oauth2: an ID token needs `issuer` in the configuration");
        return Err(OAuthError::new(ErrorCode::ServerError)
            .with_description("OpenID Connect needs the server's issuer configured"));
    };
    let client_id = about.client.client_id();
    let mut extra = serde_json::Map::new();
    if let Some(owner) = about.release_claims_of {
        let mut released = crate::claims::released(owner, about.scope);
        released.remove("sub");
        extra.extend(released);
    }
    if server.has_claims_hook() {
        let owner = match about.release_claims_of {
            Some(owner) => Some(owner.clone()),
            None => server.storage().find_user(about.user_id).await?,
        };
        if let Some(owner) = owner {
            let hooked = server
                .hook_claims(&owner, client_id, about.scope, ClaimsTarget::IdToken)
                .await?;
            crate::claims_hook::merge(&mut extra, hooked);
        }
    }
    let algorithm = server.signing_keys().await?.signing_algorithm();
    let iat = now();
    let sub = server.subject_for(about.user_id, about.client);
    let claims = Claims {
        iss: issuer,
        sub: &sub,
        aud: client_id,
        exp: iat.saturating_add(server.config().openid.id_token_expires_in),
        iat,
        auth_time: about.auth_time,
        nonce: about.nonce,
        at_hash: about.access_token.map(|t| half_hash(t, algorithm)),
        c_hash: about.code.map(|c| half_hash(c, algorithm)),
        extra,
    };
    server.sign_jwt("JWT", &claims).await
}

/// The ID token for a code's grant, if its scope asked for one.
pub(crate) async fn for_code(
    server: &AuthorizationServer,
    client: &dyn OAuth2Client,
    code: &AuthorizationCode,
    access_token: &str,
) -> Result<Option<String>, OAuthError> {
    if !code.scope.contains(OPENID) {
        return Ok(None);
    }
    let about = IdTokenFor {
        client,
        user_id: &code.user_id,
        scope: &code.scope,
        nonce: code.nonce.as_deref(),
        auth_time: code.auth_time,
        access_token: Some(access_token),
        code: None,
        release_claims_of: None,
    };
    issue(server, about).await.map(Some)
}

/// What an `id_token_hint` says, once verified.
pub(crate) struct Hint {
    pub(crate) sub: String,
    pub(crate) aud: Vec<String>,
}

/// Verifies an `id_token_hint` (Core §3.1.2.1; RP-Initiated Logout §2): an ID token this server
/// signed with a key it still publishes, from this issuer; expired ones are accepted (a hint
/// names a user, it grants nothing); an RFC 9068 access token is not an ID token.
pub(crate) async fn read_hint(
    server: &AuthorizationServer,
    hint: &str,
) -> Result<Hint, OAuthError> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Audience {
        One(String),
        Many(Vec<String>),
    }
    #[derive(serde::Deserialize)]
    struct Claims {
        sub: String,
        aud: Audience,
    }
    let invalid = || OAuthError::invalid_request("id_token_hint is not an ID token of this server");
    let issuer = server.config().issuer.as_deref().ok_or_else(invalid)?;
    let header = jsonwebtoken::decode_header(hint).map_err(|_| invalid())?;
    if header
        .typ
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("at+jwt"))
    {
        return Err(invalid());
    }
    let keys = server.signing_keys().await?;
    let (algorithm, key) = header
        .kid
        .as_deref()
        .and_then(|kid| keys.verifying_key(kid))
        .ok_or_else(invalid)?;
    if header.alg != algorithm {
        return Err(invalid());
    }
    let mut validation = jsonwebtoken::Validation::new(algorithm);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["iss", "aud", "sub"]);
    validation.set_issuer(&[issuer]);
    let claims = jsonwebtoken::decode::<Claims>(hint, &key, &validation)
        .map_err(|_| invalid())?
        .claims;
    Ok(Hint {
        sub: claims.sub,
        aud: match claims.aud {
            Audience::One(one) => vec![one],
            Audience::Many(many) => many,
        },
    })
}

/// The `sub` of an `id_token_hint` issued to `client_id`.
pub(crate) async fn hinted_subject(
    server: &AuthorizationServer,
    hint: &str,
    client_id: &str,
) -> Result<String, OAuthError> {
    let hint = read_hint(server, hint).await?;
    if !hint.aud.iter().any(|a| a == client_id) {
        return Err(OAuthError::invalid_request(
            "id_token_hint was not issued to this client",
        ));
    }
    Ok(hint.sub)
}

#[cfg(test)]
mod tests {
    /// Checked against the definition (Core §3.1.3.6): the first 16 bytes of SHA-256,
    /// base64url; a relying party library checks it end to end.
    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        use sha2::{Digest, Sha256};
        let token = "an-access-token";
        let digest = Sha256::digest(token.as_bytes());
        let expected = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &digest[..16],
        );
        assert_eq!(
            super::half_hash(token, super::SigningAlgorithm::RS256),
            expected
        );
        assert_eq!(expected.len(), 22);
        let long = sha2::Sha512::digest(token.as_bytes());
        let expected = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &long[..32],
        );
        assert_eq!(
            super::half_hash(token, super::SigningAlgorithm::EdDSA),
            expected
        );
        assert_eq!(
            expected.len(),
            43,
            "Ed25519: half of SHA-512 (Core errata set 2)"
        );
    }
}
