//! RFC 9068 JWT access tokens: what `access_token_format = "jwt"` issues instead of a random
//! string. The token is still saved by its SHA-256 digest, so this server's guards refuse a
//! revoked one and introspection reports it inactive; a resource server that validates the
//! JWT alone sees a revocation only when the token expires.

use serde::Serialize;

use crate::error::OAuthError;
use crate::server::AuthorizationServer;
use crate::token::TokenContext;

/// RFC 9068 §2.2 claims.
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    exp: u64,
    aud: Audience<'a>,
    /// The resource owner, or the client for a client credentials token (§2.2).
    sub: &'a str,
    client_id: &'a str,
    iat: u64,
    /// Unique per token (§2.2), so that two tokens issued in one second differ.
    jti: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    scope: String,
}

/// `aud`: one string, or an array when the token is for several resources (RFC 7519 §4.1.3).
#[derive(Serialize)]
#[serde(untagged)]
enum Audience<'a> {
    One(&'a str),
    Many(&'a [String]),
}

/// The signed access token for `ctx`, issued at `iat` for `expires_in` seconds.
pub(crate) async fn sign(
    server: &AuthorizationServer,
    ctx: &TokenContext<'_>,
    iat: u64,
    expires_in: u64,
) -> Result<String, OAuthError> {
    let config = server.config();
    // `Config::validate` refuses the JWT format without an issuer.
    let issuer = config.issuer.as_deref().unwrap_or_default();
    let claims = Claims {
        iss: issuer,
        exp: iat.saturating_add(expires_in),
        // RFC 8707 / RFC 9068 §3: the resources the token was requested for; otherwise the
        // configured audience.
        aud: match ctx.audience {
            [] => Audience::One(config.access_token_audience.as_deref().unwrap_or(issuer)),
            [one] => Audience::One(one),
            many => Audience::Many(many),
        },
        sub: ctx.user_id.unwrap_or(ctx.client.client_id()),
        client_id: ctx.client.client_id(),
        iat,
        jti: crate::secret::generate_token(22),
        scope: ctx.scope.to_string(),
    };
    // RFC 9068 §2.1: `typ` is `at+jwt`.
    server.sign_jwt("at+jwt", &claims).await
}
