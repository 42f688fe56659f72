//! The storage contract the server runs on, and ready stores.
//!
//! Every method is one operation on the store; the ones that must be atomic say so, and an
//! implementation must make them atomic (a single statement, a transaction, or a lock), because
//! the security of single-use codes and refresh-token rotation rests on it.

mod cache;
mod memory;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod sql;

pub use cache::CachingStore;
pub use memory::MemoryStore;

/// Seconds a used or expired authorization code is kept, so that a late replay is still
/// recognised (and revokes its tokens) before housekeeping deletes it.
pub(crate) const CODE_RETENTION: i64 = 24 * 3600;

use std::sync::Arc;

use async_trait::async_trait;

use crate::model::{AuthorizationCode, OAuth2Client, ResourceOwner, Token};
use crate::secret::SecretHash;

/// A storage failure. Its message (with its causes) is logged, never sent to clients.
#[derive(Debug, thiserror::Error)]
#[error("{message}{}", causes(source.as_deref()))]
pub struct StorageError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StorageError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        StorageError {
            message: message.into(),
            source: None,
        }
    }

    /// A failure caused by `source`.
    pub fn from_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StorageError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// `: cause: cause…` for every error in the chain, for one-line logs.
fn causes(source: Option<&(dyn std::error::Error + Send + Sync + 'static)>) -> String {
    let mut text = String::new();
    let mut next: Option<&dyn std::error::Error> = source.map(|e| e as &dyn std::error::Error);
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

/// The result of a storage operation.
pub type StorageResult<T> = Result<T, StorageError>;

/// The outcome of redeeming an authorization code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeRedemption {
    /// The code was valid and is now used: the caller may issue tokens for it.
    Redeemed(AuthorizationCode),
    /// The code had been redeemed before: a replay (RFC 6749 §4.1.2).
    AlreadyUsed(AuthorizationCode),
    /// No such code, or a code issued to another client — left unused (RFC 6749 §4.1.3).
    Unknown,
}

/// The outcome of rotating a refresh token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The old refresh token was active; it is now revoked and the new token saved.
    Rotated,
    /// The old refresh token was already rotated or revoked: its family is now revoked
    /// (RFC 9700 §4.14.2) and nothing was saved.
    Reused,
    /// No such refresh token.
    Unknown,
}

/// Async storage for clients, codes, tokens and resource owners.
///
/// Implementations hold digests, never plaintext tokens, codes or client secrets.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Finds a client by id.
    async fn find_client(&self, client_id: &str) -> StorageResult<Option<Arc<dyn OAuth2Client>>>;

    /// Saves a newly issued authorization code.
    async fn save_authorization_code(&self, code: AuthorizationCode) -> StorageResult<()>;

    /// Atomically marks the code with this digest as used and returns it, if it was issued to
    /// `client_id`. Two concurrent calls for one code: exactly one gets
    /// [`CodeRedemption::Redeemed`]. A code of another client is not touched
    /// ([`CodeRedemption::Unknown`]).
    async fn consume_authorization_code(
        &self,
        code_hash: &SecretHash,
        client_id: &str,
    ) -> StorageResult<CodeRedemption>;

    /// Saves an issued token.
    async fn save_token(&self, token: Token) -> StorageResult<()>;

    /// Finds a token by the digest of its access token.
    async fn find_access_token(&self, hash: &SecretHash) -> StorageResult<Option<Token>>;

    /// Finds a token by the digest of its refresh token.
    async fn find_refresh_token(&self, hash: &SecretHash) -> StorageResult<Option<Token>>;

    /// Atomically revokes the token holding the refresh token `old` and saves `new`, if the
    /// refresh token is still active; if it was already rotated or revoked, revokes its whole
    /// family instead. Two concurrent rotations of one refresh token: exactly one succeeds.
    async fn rotate_refresh_token(&self, old: &SecretHash, new: Token) -> StorageResult<Rotation>;

    /// Revokes one access token.
    async fn revoke_access_token(&self, hash: &SecretHash) -> StorageResult<()>;

    /// Revokes every access and refresh token of a family.
    async fn revoke_family(&self, family: &str) -> StorageResult<()>;

    /// Whether any access token of `family` is revoked. A code exchange asks after saving its
    /// token, so that a replay racing it revokes what it issued (RFC 6749 §4.1.2).
    async fn family_revoked(&self, family: &str) -> StorageResult<bool>;

    /// Verifies a resource owner's password; `None` when the user is unknown or the password
    /// is wrong (and both take similar time).
    async fn authenticate_user(
        &self,
        username: &str,
        password: &str,
    ) -> StorageResult<Option<ResourceOwner>>;

    /// Finds a resource owner by id.
    async fn find_user(&self, user_id: &str) -> StorageResult<Option<ResourceOwner>>;

    /// The signing keys (`kid`, algorithm, private key, retirement), in any order. The default
    /// keeps none: a store without keys cannot back ID tokens or JWT access tokens.
    async fn signing_keys(&self) -> StorageResult<Vec<crate::keys::StoredKey>> {
        Err(StorageError::new("this store keeps no signing keys"))
    }

    /// Saves a new signing key.
    async fn save_signing_key(&self, key: crate::keys::StoredKey) -> StorageResult<()> {
        let _ = key;
        Err(StorageError::new("this store keeps no signing keys"))
    }

    /// Sets `retires_at` on every key but `keep_kid` that has none (a rotation).
    async fn retire_signing_keys(&self, keep_kid: &str, retires_at: u64) -> StorageResult<()> {
        let _ = (keep_kid, retires_at);
        Err(StorageError::new("this store keeps no signing keys"))
    }

    /// Whether this store keeps dynamic registrations (RFC 7591): the methods below work. The
    /// default keeps none; the memory store and the SQL stores on the embedded clients table
    /// do.
    fn supports_registration(&self) -> bool {
        false
    }

    /// Saves a dynamically registered client: [`find_client`](Self::find_client) finds it
    /// from now on.
    async fn save_registration(
        &self,
        registration: crate::registration::Registration,
    ) -> StorageResult<()> {
        let _ = registration;
        Err(StorageError::new("this store keeps no registrations"))
    }

    /// The registration of `client_id`, if it was registered dynamically.
    async fn find_registration(
        &self,
        client_id: &str,
    ) -> StorageResult<Option<crate::registration::Registration>> {
        let _ = client_id;
        Err(StorageError::new("this store keeps no registrations"))
    }

    /// Atomically replaces the registration of `registration.client_id` if its registration
    /// access token digest is still `token_hash` (RFC 7592 §2.2); `false` when it is not (a
    /// concurrent update rotated it, or the client is gone).
    async fn update_registration(
        &self,
        token_hash: &SecretHash,
        registration: crate::registration::Registration,
    ) -> StorageResult<bool> {
        let _ = (token_hash, registration);
        Err(StorageError::new("this store keeps no registrations"))
    }

    /// Deletes the registered client `client_id` if its registration access token digest is
    /// `token_hash`, and revokes every token issued to it (RFC 7592 §2.3); `false` when
    /// nothing was deleted.
    async fn delete_registration(
        &self,
        client_id: &str,
        token_hash: &SecretHash,
    ) -> StorageResult<bool> {
        let _ = (client_id, token_hash);
        Err(StorageError::new("this store keeps no registrations"))
    }

    /// Deletes codes and tokens that can no longer be used (housekeeping); returns how many.
    /// The default keeps everything.
    async fn purge_expired(&self, now: u64) -> StorageResult<u64> {
        let _ = now;
        Ok(0)
    }
}
