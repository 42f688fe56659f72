//! An in-process cache of access-token lookups, for stores only this process writes to.
//!
//! Revocation stays correct because every operation that can revoke a token goes through this
//! wrapper: each one bumps an epoch, and an entry from an older epoch is never served. So a
//! revocation is seen by the very next request. It is **not** correct when another process
//! revokes tokens in the same database (several instances on PostgreSQL, or two servers on one
//! SQLite file): do not wrap such stores.
//!
//! Resource owners found by id are remembered too: the storage contract has no operation that
//! changes or removes one. An application that deletes users behind the store's back should
//! not wrap it. Clients are remembered for 60 seconds: a client changed or removed
//! directly in the database is seen within that time.
//!
//! [`CachingStore::shared`] is the variant for a database other processes write too (several
//! instances on PostgreSQL): it remembers resource owners only, for 60 seconds, and reads every
//! token and client from the database, so a revocation, registration change or deletion at
//! another instance is seen by the next request here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use quick_cache::sync::Cache;

use super::{CodeRedemption, Rotation, Storage, StorageResult};
use crate::model::{now, AuthorizationCode, OAuth2Client, ResourceOwner, Token};
use crate::secret::SecretHash;

/// Entries kept at most per map (quick_cache evicts cold entries beyond it).
const CAPACITY: usize = 16_384;

/// How long a client found by id is remembered.
pub(crate) const CLIENT_TTL: Duration = Duration::from_secs(60);

type CachedClient = (Instant, Arc<dyn OAuth2Client>);

/// A [`Storage`] that remembers access-token lookups of the store it wraps.
///
/// ```
/// use oauth_runtime::{CachingStore, MemoryStore};
///
/// let store = CachingStore::new(MemoryStore::new());
/// # let _ = store;
/// ```
pub struct CachingStore<S> {
    inner: S,
    /// Shared database ([`CachingStore::shared`]): owners only, for [`CLIENT_TTL`].
    shared: bool,
    epoch: AtomicU64,
    tokens: Cache<SecretHash, (u64, Arc<Token>)>,
    users: Cache<String, (Instant, ResourceOwner)>,
    clients: Cache<String, CachedClient>,
}

impl<S> std::fmt::Debug for CachingStore<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingStore").finish_non_exhaustive()
    }
}

impl<S: Storage> CachingStore<S> {
    /// Wraps `inner`, a store no other process writes to (an SQLite file).
    pub fn new(inner: S) -> Self {
        Self::with_sharing(inner, false)
    }

    /// Wraps `inner`, a store other processes write to as well (several instances sharing
    /// PostgreSQL): only resource owners found by id are remembered, for 60 seconds; tokens and
    /// clients are read from `inner` at every lookup, so what another instance revokes or
    /// changes is seen at once.
    ///
    /// ```
    /// use oauth_runtime::{CachingStore, MemoryStore};
    ///
    /// let store = CachingStore::shared(MemoryStore::new());
    /// # let _ = store;
    /// ```
    pub fn shared(inner: S) -> Self {
        Self::with_sharing(inner, true)
    }

    fn with_sharing(inner: S, shared: bool) -> Self {
        CachingStore {
            inner,
            shared,
            epoch: AtomicU64::new(0),
            tokens: Cache::new(CAPACITY),
            users: Cache::new(CAPACITY),
            clients: Cache::new(CAPACITY),
        }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Forgets every cached lookup: called before any operation that may revoke. Entries of an
    /// older epoch are never served and are overwritten or evicted as new lookups come; the map
    /// is not cleared here, which would stall readers behind the write lock.
    fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl<S: Storage> Storage for CachingStore<S> {
    async fn find_client(&self, client_id: &str) -> StorageResult<Option<Arc<dyn OAuth2Client>>> {
        if self.shared {
            return self.inner.find_client(client_id).await;
        }
        if let Some((at, client)) = self.clients.get(client_id) {
            if at.elapsed() < CLIENT_TTL {
                return Ok(Some(client));
            }
        }
        let found = self.inner.find_client(client_id).await?;
        if let Some(client) = &found {
            self.clients
                .insert(client_id.to_owned(), (Instant::now(), client.clone()));
        }
        Ok(found)
    }

    async fn save_authorization_code(&self, code: AuthorizationCode) -> StorageResult<()> {
        self.inner.save_authorization_code(code).await
    }

    async fn consume_authorization_code(
        &self,
        code_hash: &SecretHash,
        client_id: &str,
    ) -> StorageResult<CodeRedemption> {
        self.inner
            .consume_authorization_code(code_hash, client_id)
            .await
    }

    async fn save_token(&self, token: Token) -> StorageResult<()> {
        self.inner.save_token(token).await
    }

    async fn find_access_token(&self, hash: &SecretHash) -> StorageResult<Option<Token>> {
        if self.shared {
            return self.inner.find_access_token(hash).await;
        }
        let epoch = self.epoch.load(Ordering::SeqCst);
        if let Some((at, token)) = self.tokens.get(hash) {
            if at == epoch {
                return Ok(Some(Token::clone(&token)));
            }
        }
        let found = self.inner.find_access_token(hash).await?;
        // Only live tokens are remembered; revoked or expired ones are looked up each time. An
        // invalidation since the lookup began means the row may be stale: not remembered.
        if let Some(token) = &found {
            if !token.access_token_revoked
                && !token.is_expired(now())
                && self.epoch.load(Ordering::SeqCst) == epoch
            {
                self.tokens.insert(*hash, (epoch, Arc::new(token.clone())));
            }
        }
        Ok(found)
    }

    async fn find_refresh_token(&self, hash: &SecretHash) -> StorageResult<Option<Token>> {
        self.inner.find_refresh_token(hash).await
    }

    async fn rotate_refresh_token(&self, old: &SecretHash, new: Token) -> StorageResult<Rotation> {
        self.invalidate();
        let result = self.inner.rotate_refresh_token(old, new).await;
        self.invalidate();
        result
    }

    async fn revoke_access_token(&self, hash: &SecretHash) -> StorageResult<()> {
        self.invalidate();
        let result = self.inner.revoke_access_token(hash).await;
        self.invalidate();
        result
    }

    async fn revoke_family(&self, family: &str) -> StorageResult<()> {
        self.invalidate();
        let result = self.inner.revoke_family(family).await;
        self.invalidate();
        result
    }

    async fn family_revoked(&self, family: &str) -> StorageResult<bool> {
        self.inner.family_revoked(family).await
    }

    async fn authenticate_user(
        &self,
        username: &str,
        password: &str,
    ) -> StorageResult<Option<ResourceOwner>> {
        self.inner.authenticate_user(username, password).await
    }

    async fn find_user(&self, user_id: &str) -> StorageResult<Option<ResourceOwner>> {
        if let Some((at, owner)) = self.users.get(user_id) {
            // Forever for a store this process alone writes (nothing in the storage contract
            // changes an owner); for a shared one, as long as a client.
            if !self.shared || at.elapsed() < CLIENT_TTL {
                return Ok(Some(owner));
            }
        }
        let found = self.inner.find_user(user_id).await?;
        if let Some(owner) = &found {
            self.users
                .insert(user_id.to_owned(), (Instant::now(), owner.clone()));
        }
        Ok(found)
    }

    async fn signing_keys(&self) -> StorageResult<Vec<crate::keys::StoredKey>> {
        self.inner.signing_keys().await
    }

    async fn save_signing_key(&self, key: crate::keys::StoredKey) -> StorageResult<()> {
        self.inner.save_signing_key(key).await
    }

    async fn retire_signing_keys(&self, keep_kid: &str, retires_at: u64) -> StorageResult<()> {
        self.inner.retire_signing_keys(keep_kid, retires_at).await
    }

    fn supports_registration(&self) -> bool {
        self.inner.supports_registration()
    }

    async fn save_registration(
        &self,
        registration: crate::registration::Registration,
    ) -> StorageResult<()> {
        self.inner.save_registration(registration).await
    }

    async fn find_registration(
        &self,
        client_id: &str,
    ) -> StorageResult<Option<crate::registration::Registration>> {
        self.inner.find_registration(client_id).await
    }

    async fn update_registration(
        &self,
        token_hash: &SecretHash,
        registration: crate::registration::Registration,
    ) -> StorageResult<bool> {
        let client_id = registration.client_id.clone();
        let updated = self
            .inner
            .update_registration(token_hash, registration)
            .await?;
        // The next lookup reads the updated client, not the remembered one.
        self.clients.remove(&client_id);
        Ok(updated)
    }

    async fn delete_registration(
        &self,
        client_id: &str,
        token_hash: &SecretHash,
    ) -> StorageResult<bool> {
        // Its tokens are revoked: no cached lookup may outlive that.
        self.invalidate();
        let deleted = self.inner.delete_registration(client_id, token_hash).await;
        self.invalidate();
        self.clients.remove(client_id);
        deleted
    }

    async fn purge_expired(&self, now: u64) -> StorageResult<u64> {
        self.invalidate();
        let result = self.inner.purge_expired(now).await;
        self.invalidate();
        result
    }
}
