//! RFC 9068 §4: validating a JWT access token at a resource server.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::Deserialize;

use super::config::ResourceServerConfig;
use super::jwks::{Key, ACCEPTED};
use crate::resource::CurrentToken;
use crate::scope::Scope;

/// RFC 9068 §2.2: the claims a JWT access token must carry (and `scope`, if any).
#[derive(Deserialize)]
struct Claims {
    sub: String,
    client_id: String,
    iat: u64,
    exp: u64,
    #[serde(default)]
    scope: Option<String>,
}

/// What a bearer token looks like.
pub(crate) enum Shape {
    /// A JWS in compact form with a header this server can read.
    Jwt(Box<Header>),
    /// A JWS whose header names something this server never accepts (`alg: none`, an unknown
    /// algorithm): refused without asking anyone.
    Refused(&'static str),
    /// Anything else: for introspection.
    Opaque,
}

pub(crate) fn shape(token: &str) -> Shape {
    let mut parts = token.split('.');
    let (Some(first), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Shape::Opaque;
    };
    if let Ok(header) = jsonwebtoken::decode_header(token) {
        return Shape::Jwt(Box::new(header));
    }
    let names_an_algorithm =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, first)
            .ok()
            .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok())
            .is_some_and(|header| header.get("alg").is_some());
    if names_an_algorithm {
        Shape::Refused("the access token's algorithm is not accepted")
    } else {
        Shape::Opaque
    }
}

/// RFC 9068 §4: `typ` MUST be `at+jwt` (or `application/at+jwt`): an ID token or any other JWT
/// of the issuer is not an access token. The algorithm must be an accepted asymmetric one.
pub(crate) fn check_header(header: &Header) -> Result<(), &'static str> {
    let typ = header.typ.as_deref().unwrap_or("");
    if !typ.eq_ignore_ascii_case("at+jwt") && !typ.eq_ignore_ascii_case("application/at+jwt") {
        return Err("the token is not a JWT access token (typ)");
    }
    if !ACCEPTED.contains(&header.alg) {
        return Err("the access token's algorithm is not accepted");
    }
    Ok(())
}

/// Verifies the signature with `key` and checks `iss`, `aud`, `exp`, `nbf` (with the configured
/// clock skew) and the RFC 9068 claims.
pub(crate) fn verify(
    token: &str,
    alg: Algorithm,
    key: &Key,
    config: &ResourceServerConfig,
) -> Result<CurrentToken, &'static str> {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = config.clock_skew;
    let claims = jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => "the access token expired",
            ErrorKind::ImmatureSignature => "the access token is not valid yet",
            ErrorKind::InvalidAudience => "the access token is not meant for this resource server",
            ErrorKind::InvalidIssuer => "the access token was issued by another server",
            ErrorKind::InvalidSignature => "the access token's signature is invalid",
            _ => "the access token is invalid",
        })?
        .claims;
    if claims.iat > crate::model::now().saturating_add(config.clock_skew) {
        return Err("the access token was issued in the future");
    }
    let scope = Scope::parse(claims.scope.as_deref().unwrap_or(""))
        .map_err(|_| "the access token's scope is malformed")?;
    Ok(CurrentToken {
        // RFC 9068 §2.2: a token without a resource owner names the client as its subject.
        user_id: (claims.sub != claims.client_id).then_some(claims.sub),
        client_id: claims.client_id,
        scope,
        grant_type: None,
        issued_at: claims.iat,
        expires_at: claims.exp,
    })
}
