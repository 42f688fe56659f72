//! Dynamic client registration (RFC 7591) and client configuration (RFC 7592).

use std::net::IpAddr;

use subtle::ConstantTimeEq;

use crate::error::{ErrorCode, OAuthError};
use crate::model::now;
use crate::registration::{ClientMetadata, Registration, RegistrationError};
use crate::response::OAuthResponse;
use crate::secret::{generate_token, SecretHash, DEFAULT_TOKEN_LENGTH};
use crate::server::AuthorizationServer;

/// A request to the registration endpoint or the client configuration endpoint.
#[derive(Clone, Copy, Debug)]
pub struct RegistrationRequest<'a> {
    /// The `Authorization` header, if any: the initial access token (RFC 7591 §3) or the
    /// registration access token (RFC 7592 §3), as `Bearer …`.
    pub authorization: Option<&'a str>,
    /// The JSON body (registration and update).
    pub body: &'a [u8],
    /// The client's address, for the rate limit.
    pub remote_addr: Option<IpAddr>,
    /// The registration endpoint's absolute URL; a client's configuration endpoint is this
    /// followed by `/` and its id (`registration_client_uri`, RFC 7592 §3).
    pub endpoint: &'a str,
}

/// RFC 7591 §3.2.2: a registration error, 400 with a JSON body (never cached, as every
/// answer here: they carry secrets).
fn refused(error: RegistrationError) -> OAuthResponse {
    let body = serde_json::json!({
        "error": error.code,
        "error_description": error.description,
    });
    OAuthResponse::json(400, body.to_string())
}

/// RFC 6750 §3.1: a missing or wrong token, 401 with a `Bearer` challenge. Whether the
/// client exists is not revealed (RFC 7592 §2.1).
fn invalid_token() -> OAuthResponse {
    let mut response = OAuthError::new(ErrorCode::InvalidToken)
        .with_description("the access token is missing or invalid")
        .with_status(401)
        .to_response();
    response.set_header(
        "WWW-Authenticate",
        "Bearer error=\"invalid_token\"".to_owned(),
    );
    response
}

fn not_found() -> OAuthResponse {
    OAuthError::new(ErrorCode::InvalidRequest)
        .with_description("dynamic client registration is not enabled")
        .with_status(404)
        .to_response()
}

fn unavailable(error: crate::store::StorageError) -> OAuthResponse {
    log::error!("oauth2: registration storage failed: {error}");
    OAuthError::temporarily_unavailable(error).to_response()
}

/// The bearer token of an `Authorization` header (RFC 6750 §2.1; the scheme is
/// case-insensitive).
fn bearer(authorization: Option<&str>) -> Option<&str> {
    let (scheme, token) = authorization?.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl AuthorizationServer {
    /// Whether the registration endpoint is served (`registration.enabled`).
    pub fn registration_enabled(&self) -> bool {
        self.config().registration.enabled
    }

    /// The registration endpoint (RFC 7591 §3): validates the metadata (as
    /// [`ClientMetadata::from_request`] describes, and within `registration.scope`), stores
    /// the client, and answers 201 with its id, its secret (confidential clients), the
    /// registered metadata, and a registration access token for the client configuration
    /// endpoint (RFC 7592 §3). Gated by `registration.initial_access_token` when set;
    /// `registration.max_per_address` per window per address, then 429.
    pub async fn create_registration_response(
        &self,
        request: &RegistrationRequest<'_>,
    ) -> OAuthResponse {
        let config = &self.config().registration;
        if !config.enabled || !self.storage().supports_registration() {
            return not_found();
        }
        // RFC 7591 §3: an initial access token, when the server requires one.
        if let Some(expected) = &config.initial_access_token {
            let given = bearer(request.authorization).unwrap_or("");
            let matches: bool = SecretHash::of(given)
                .as_bytes()
                .ct_eq(SecretHash::of(expected).as_bytes())
                .into();
            if !matches {
                return invalid_token();
            }
        }
        if let Err(error) = self.registration_limit().check(request.remote_addr) {
            return error.to_response();
        }
        let metadata = match ClientMetadata::from_request(request.body)
            .and_then(|metadata| self.registrable(metadata))
        {
            Ok(metadata) => metadata,
            Err(error) => return refused(error),
        };
        let public = metadata.token_endpoint_auth_method == "none";
        let secret = (!public).then(|| generate_token(DEFAULT_TOKEN_LENGTH));
        let token = generate_token(DEFAULT_TOKEN_LENGTH);
        let registration = Registration {
            client_id: generate_token(24),
            secret_hash: secret.as_deref().map(SecretHash::of),
            metadata,
            token_hash: SecretHash::of(&token),
            issued_at: now(),
        };
        let body = information(&registration, secret.as_deref(), &token, request.endpoint);
        if let Err(error) = self.storage().save_registration(registration).await {
            return unavailable(error);
        }
        OAuthResponse::json(201, body.to_string())
    }

    /// Reads a registration (RFC 7592 §2.1) with its registration access token: 200 with the
    /// client information (the token is not rotated; the answer repeats the presented one).
    pub async fn read_registration(
        &self,
        client_id: &str,
        request: &RegistrationRequest<'_>,
    ) -> OAuthResponse {
        match self.authorized_registration(client_id, request).await {
            Ok(registration) => {
                let token = bearer(request.authorization).unwrap_or_default();
                let body = information(&registration, None, token, request.endpoint);
                OAuthResponse::json(200, body.to_string())
            }
            Err(response) => response,
        }
    }

    /// Updates a registration (RFC 7592 §2.2): the body replaces the metadata (validated as at
    /// registration; `client_id` must match and a `client_secret`, if sent, must be the
    /// current one). The registration access token is rotated: the answer carries the new one
    /// and the old one stops working. A client that becomes confidential gets a secret; one
    /// that becomes public loses it.
    pub async fn update_registration(
        &self,
        client_id: &str,
        request: &RegistrationRequest<'_>,
    ) -> OAuthResponse {
        let current = match self.authorized_registration(client_id, request).await {
            Ok(registration) => registration,
            Err(response) => return response,
        };
        // RFC 7592 §2.2: the request names the client, and may carry its current secret.
        let body: serde_json::Value = serde_json::from_slice(request.body).unwrap_or_default();
        if body.get("client_id").and_then(|v| v.as_str()) != Some(client_id) {
            return refused(RegistrationError {
                code: "invalid_client_metadata",
                description: "the body must name the client's client_id (RFC 7592 §2.2)".to_owned(),
            });
        }
        if let Some(secret) = body.get("client_secret").and_then(|v| v.as_str()) {
            if current.secret_hash != Some(SecretHash::of(secret)) {
                return refused(RegistrationError {
                    code: "invalid_client_metadata",
                    description: "client_secret is not the client's secret".to_owned(),
                });
            }
        }
        let metadata = match ClientMetadata::from_json(body).and_then(|m| self.registrable(m)) {
            Ok(metadata) => metadata,
            Err(error) => return refused(error),
        };
        let public = metadata.token_endpoint_auth_method == "none";
        let (secret_hash, new_secret) = match (public, current.secret_hash) {
            (true, _) => (None, None),
            (false, Some(hash)) => (Some(hash), None),
            (false, None) => {
                let secret = generate_token(DEFAULT_TOKEN_LENGTH);
                (Some(SecretHash::of(&secret)), Some(secret))
            }
        };
        let token = generate_token(DEFAULT_TOKEN_LENGTH);
        let updated = Registration {
            client_id: client_id.to_owned(),
            secret_hash,
            metadata,
            token_hash: SecretHash::of(&token),
            issued_at: current.issued_at,
        };
        let body = information(&updated, new_secret.as_deref(), &token, request.endpoint);
        match self
            .storage()
            .update_registration(&current.token_hash, updated)
            .await
        {
            Ok(true) => OAuthResponse::json(200, body.to_string()),
            // A concurrent update rotated the token first.
            Ok(false) => invalid_token(),
            Err(error) => unavailable(error),
        }
    }

    /// Deletes a registration (RFC 7592 §2.3): 204, the client is gone and every token
    /// issued to it is revoked.
    pub async fn delete_registration(
        &self,
        client_id: &str,
        request: &RegistrationRequest<'_>,
    ) -> OAuthResponse {
        let current = match self.authorized_registration(client_id, request).await {
            Ok(registration) => registration,
            Err(response) => return response,
        };
        match self
            .storage()
            .delete_registration(client_id, &current.token_hash)
            .await
        {
            Ok(true) => OAuthResponse {
                status: 204,
                headers: Vec::new(),
                body: None,
            },
            Ok(false) => invalid_token(),
            Err(error) => unavailable(error),
        }
    }

    /// The registration of `client_id` if the request carries its registration access token.
    async fn authorized_registration(
        &self,
        client_id: &str,
        request: &RegistrationRequest<'_>,
    ) -> Result<Registration, OAuthResponse> {
        if !self.config().registration.enabled || !self.storage().supports_registration() {
            return Err(not_found());
        }
        let Some(token) = bearer(request.authorization) else {
            return Err(invalid_token());
        };
        let registration = self
            .storage()
            .find_registration(client_id)
            .await
            .map_err(unavailable)?;
        let presented = SecretHash::of(token);
        match registration {
            Some(registration)
                if bool::from(
                    registration
                        .token_hash
                        .as_bytes()
                        .ct_eq(presented.as_bytes()),
                ) =>
            {
                Ok(registration)
            }
            _ => Err(invalid_token()),
        }
    }

    /// Parsed and validated request metadata, within the registration policy
    /// ([`ClientMetadata::limited_to`] `registration.scope`).
    fn registrable(&self, metadata: ClientMetadata) -> Result<ClientMetadata, RegistrationError> {
        let allowed: crate::Scope = self
            .config()
            .registration
            .scope
            .parse()
            .unwrap_or_else(|_| crate::Scope::empty());
        metadata.limited_to(&allowed)
    }
}

/// The client information response (RFC 7591 §3.2.1, RFC 7592 §3): the registered metadata,
/// the id, the secret when one was just issued, and the configuration endpoint with its token
/// when one was just issued.
fn information(
    registration: &Registration,
    secret: Option<&str>,
    token: &str,
    endpoint: &str,
) -> serde_json::Value {
    let mut body = serde_json::to_value(&registration.metadata).unwrap_or_default();
    body["client_id"] = registration.client_id.clone().into();
    body["client_id_issued_at"] = registration.issued_at.into();
    if let Some(secret) = secret {
        body["client_secret"] = secret.into();
    }
    if registration.secret_hash.is_some() {
        // RFC 7591 §3.2.1: 0 — the secret does not expire.
        body["client_secret_expires_at"] = 0.into();
    }
    if !token.is_empty() {
        body["registration_access_token"] = token.into();
    }
    body["registration_client_uri"] = format!(
        "{}/{}",
        endpoint.trim_end_matches('/'),
        registration.client_id
    )
    .into();
    body
}
