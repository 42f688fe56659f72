//! OpenID Connect ID tokens (Core §2, §3.1.3.6): issued beside the access token when the
//! granted scope contains `openid`.

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ErrorCode, OAuthError};
use crate::model::{now, AuthorizationCode};
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
    /// Core §3.1.3.6: the left half of the SHA-256 of the access token (RS256 and ES256 both
    /// hash with SHA-256), base64url.
    at_hash: String,
}

/// `at_hash` / `c_hash` (Core §3.1.3.6, §3.3.2.11): base64url of the left half of the hash.
pub(crate) fn half_hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// The ID token for a code's grant, if its scope asked for one.
pub(crate) async fn for_code(
    server: &AuthorizationServer,
    code: &AuthorizationCode,
    access_token: &str,
) -> Result<Option<String>, OAuthError> {
    if !code.scope.contains(OPENID) {
        return Ok(None);
    }
    // Core §2: `iss` is required, and must be what discovery says.
    let Some(issuer) = server.config().issuer.as_deref() else {
        log::error!("oauth2: an ID token needs `issuer` in the configuration");
        return Err(OAuthError::new(ErrorCode::ServerError)
            .with_description("OpenID Connect needs the server's issuer configured"));
    };
    let iat = now();
    let claims = Claims {
        iss: issuer,
        sub: &code.user_id,
        aud: &code.client_id,
        exp: iat.saturating_add(server.config().openid.id_token_expires_in),
        iat,
        auth_time: code.auth_time,
        nonce: code.nonce.as_deref(),
        at_hash: half_hash(access_token),
    };
    server.sign_jwt("JWT", &claims).await.map(Some)
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
        assert_eq!(super::half_hash(token), expected);
        assert_eq!(expected.len(), 22);
    }
}
