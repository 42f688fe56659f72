//! Row types of the embedded schema: the store's default tables, mapped with the crate's own
//! derives exactly as an application maps its own tables.

use crate::{OAuth2AuthorizationCode, OAuth2Client, OAuth2Token, OAuth2User};

/// A client in the embedded `oauth2_clients` table (the default client table of the SQL
/// stores; lists are JSON arrays, the secret a hex SHA-256 digest).
#[derive(OAuth2Client)]
#[oauth(table = "oauth2_clients")]
pub struct ClientRow {
    pub(crate) client_id: String,
    pub(crate) secret_hash: Option<String>,
    pub(crate) client_name: Option<String>,
    pub(crate) redirect_uris: String,
    pub(crate) grant_types: String,
    pub(crate) response_types: String,
    pub(crate) scope: String,
    pub(crate) token_endpoint_auth_method: String,
    pub(crate) resource_server: bool,
    pub(crate) resources: Option<String>,
}

/// A token in the embedded `oauth2_tokens` table (the default token table of the SQL stores).
#[derive(OAuth2Token)]
#[oauth(table = "oauth2_tokens")]
pub struct TokenRow {
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
    pub(crate) audience: Option<String>,
}

/// An authorization code in the embedded `oauth2_codes` table (the default code table of the
/// SQL stores).
#[derive(OAuth2AuthorizationCode)]
#[oauth(table = "oauth2_codes")]
pub struct CodeRow {
    pub(crate) code_hash: Vec<u8>,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) scope: String,
    pub(crate) user_id: String,
    pub(crate) code_challenge: Option<String>,
    pub(crate) code_challenge_method: Option<String>,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) nonce: Option<String>,
    pub(crate) auth_time: Option<i64>,
    pub(crate) audience: Option<String>,
    pub(crate) used: bool,
}

/// A resource owner in the embedded `oauth2_users` table (the default owner table of the SQL
/// stores; the password an Argon2id PHC string).
#[derive(OAuth2User)]
#[oauth(table = "oauth2_users")]
pub struct UserRow {
    pub(crate) id: String,
    pub(crate) username: String,
    pub(crate) password_hash: String,
    #[oauth(claim = "email")]
    pub(crate) email: Option<String>,
    #[oauth(claim = "name")]
    pub(crate) name: Option<String>,
}
