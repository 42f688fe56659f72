//! Row types of the embedded schema, mapped to the model with the crate's own derives.

use crate::{OAuth2AuthorizationCode, OAuth2Client, OAuth2Token};

/// `oauth2_clients`.
#[derive(sqlx::FromRow, OAuth2Client)]
pub(crate) struct ClientRow {
    pub(crate) client_id: String,
    pub(crate) secret_hash: Option<String>,
    pub(crate) client_name: Option<String>,
    pub(crate) redirect_uris: String,
    pub(crate) grant_types: String,
    pub(crate) response_types: String,
    pub(crate) scope: String,
    pub(crate) token_endpoint_auth_method: String,
}

/// `oauth2_tokens`.
#[derive(sqlx::FromRow, OAuth2Token)]
pub(crate) struct TokenRow {
    pub(crate) access_token_hash: Vec<u8>,
    pub(crate) refresh_token_hash: Option<Vec<u8>>,
    pub(crate) client_id: String,
    pub(crate) user_id: Option<String>,
    pub(crate) scope: String,
    pub(crate) grant_type: String,
    pub(crate) issued_at: i64,
    pub(crate) expires_in: i64,
    pub(crate) refresh_token_expires_at: Option<i64>,
    pub(crate) family: String,
    pub(crate) access_token_revoked: bool,
    pub(crate) refresh_token_revoked: bool,
}

/// `oauth2_codes`.
#[derive(sqlx::FromRow, OAuth2AuthorizationCode)]
pub(crate) struct CodeRow {
    pub(crate) code_hash: Vec<u8>,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) scope: String,
    pub(crate) user_id: String,
    pub(crate) code_challenge: Option<String>,
    pub(crate) code_challenge_method: Option<String>,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
}

/// `oauth2_users` (password hash included, for verification only).
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub(crate) id: String,
    pub(crate) username: String,
    pub(crate) password_hash: String,
}
