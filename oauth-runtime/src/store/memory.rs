//! An in-process store: for tests, examples and single-process servers that may forget
//! everything on restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::{CodeRedemption, Rotation, Storage, StorageError, StorageResult};
use crate::model::{AuthorizationCode, OAuth2Client, ResourceOwner, Token};
use crate::password;
use crate::secret::SecretHash;

#[derive(Default)]
struct Inner {
    clients: HashMap<String, Arc<dyn OAuth2Client>>,
    codes: HashMap<SecretHash, (AuthorizationCode, bool)>,
    tokens: Vec<Token>,
    by_access: HashMap<SecretHash, usize>,
    by_refresh: HashMap<SecretHash, usize>,
    families: HashMap<String, Vec<usize>>,
    users: HashMap<String, (ResourceOwner, String)>,
    signing_keys: Vec<crate::keys::StoredKey>,
    registrations: HashMap<String, crate::registration::Registration>,
}

impl Inner {
    fn insert_token(&mut self, token: Token) {
        let index = self.tokens.len();
        self.by_access.insert(token.access_token_hash, index);
        if let Some(refresh) = token.refresh_token_hash {
            self.by_refresh.insert(refresh, index);
        }
        self.families
            .entry(token.family.clone())
            .or_default()
            .push(index);
        self.tokens.push(token);
    }

    /// Whether `client_id` is registered with the registration access token `token_hash`.
    fn holds_registration(&self, client_id: &str, token_hash: &SecretHash) -> bool {
        self.registrations
            .get(client_id)
            .is_some_and(|current| current.token_hash == *token_hash)
    }

    /// Saves a registration and the client it describes.
    fn put_registration(
        &mut self,
        client: crate::model::Client,
        registration: crate::registration::Registration,
    ) {
        let id = registration.client_id.clone();
        self.clients.insert(id.clone(), Arc::new(client));
        self.registrations.insert(id, registration);
    }

    fn revoke_family(&mut self, family: &str) {
        for &index in self.families.get(family).map(Vec::as_slice).unwrap_or(&[]) {
            let token = &mut self.tokens[index];
            token.access_token_revoked = true;
            token.refresh_token_revoked = true;
        }
    }
}

/// A [`Storage`] in memory. Atomic operations hold one lock for their whole duration.
///
/// ```
/// use oauth_runtime::{Client, MemoryStore, GrantType};
///
/// let store = MemoryStore::new();
/// let (client, secret) = Client::confidential("billing");
/// store.add_client(client.with_grant_types([GrantType::ClientCredentials]).with_scope("invoices"));
/// store.add_user("alice", "correct horse battery");
/// # let _ = secret;
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> StorageResult<MutexGuard<'_, Inner>> {
        self.inner
            .lock()
            .map_err(|_| StorageError::new("memory store lock poisoned"))
    }

    /// Registers a client (replacing one with the same id).
    pub fn add_client(&self, client: impl OAuth2Client) {
        let client: Arc<dyn OAuth2Client> = Arc::new(client);
        if let Ok(mut inner) = self.lock() {
            inner.clients.insert(client.client_id().to_owned(), client);
        }
    }

    /// Registers a resource owner whose id is the username; the password is stored as an
    /// Argon2id hash. Returns the new owner.
    pub fn add_user(&self, username: &str, password: &str) -> ResourceOwner {
        let owner = ResourceOwner::new(username, username);
        let hash = password::hash_password(password).unwrap_or_default();
        if let Ok(mut inner) = self.lock() {
            inner
                .users
                .insert(username.to_owned(), (owner.clone(), hash));
        }
        owner
    }

    /// Number of tokens ever saved (revoked ones included).
    pub fn token_count(&self) -> usize {
        self.lock().map_or(0, |inner| inner.tokens.len())
    }
}

#[async_trait]
impl Storage for MemoryStore {
    async fn find_client(&self, client_id: &str) -> StorageResult<Option<Arc<dyn OAuth2Client>>> {
        Ok(self.lock()?.clients.get(client_id).cloned())
    }

    async fn save_authorization_code(&self, code: AuthorizationCode) -> StorageResult<()> {
        self.lock()?.codes.insert(code.code_hash, (code, false));
        Ok(())
    }

    async fn consume_authorization_code(
        &self,
        code_hash: &SecretHash,
        client_id: &str,
    ) -> StorageResult<CodeRedemption> {
        let mut inner = self.lock()?;
        Ok(match inner.codes.get_mut(code_hash) {
            None => CodeRedemption::Unknown,
            Some((code, _)) if code.client_id != client_id => CodeRedemption::Unknown,
            Some((code, used)) if *used => CodeRedemption::AlreadyUsed(code.clone()),
            Some((code, used)) => {
                *used = true;
                CodeRedemption::Redeemed(code.clone())
            }
        })
    }

    async fn save_token(&self, token: Token) -> StorageResult<()> {
        self.lock()?.insert_token(token);
        Ok(())
    }

    async fn find_access_token(&self, hash: &SecretHash) -> StorageResult<Option<Token>> {
        let inner = self.lock()?;
        Ok(inner.by_access.get(hash).map(|&i| inner.tokens[i].clone()))
    }

    async fn find_refresh_token(&self, hash: &SecretHash) -> StorageResult<Option<Token>> {
        let inner = self.lock()?;
        Ok(inner.by_refresh.get(hash).map(|&i| inner.tokens[i].clone()))
    }

    async fn rotate_refresh_token(&self, old: &SecretHash, new: Token) -> StorageResult<Rotation> {
        let mut inner = self.lock()?;
        let Some(&index) = inner.by_refresh.get(old) else {
            return Ok(Rotation::Unknown);
        };
        let current = &mut inner.tokens[index];
        if current.refresh_token_revoked {
            let family = current.family.clone();
            inner.revoke_family(&family);
            return Ok(Rotation::Reused);
        }
        current.refresh_token_revoked = true;
        current.access_token_revoked = true;
        inner.insert_token(new);
        Ok(Rotation::Rotated)
    }

    async fn revoke_access_token(&self, hash: &SecretHash) -> StorageResult<()> {
        let mut inner = self.lock()?;
        if let Some(&index) = inner.by_access.get(hash) {
            inner.tokens[index].access_token_revoked = true;
        }
        Ok(())
    }

    async fn revoke_family(&self, family: &str) -> StorageResult<()> {
        self.lock()?.revoke_family(family);
        Ok(())
    }

    async fn family_revoked(&self, family: &str) -> StorageResult<bool> {
        let inner = self.lock()?;
        Ok(inner.families.get(family).is_some_and(|indexes| {
            indexes
                .iter()
                .any(|&i| inner.tokens[i].access_token_revoked)
        }))
    }

    async fn authenticate_user(
        &self,
        username: &str,
        password: &str,
    ) -> StorageResult<Option<ResourceOwner>> {
        let found = self.lock()?.users.get(username).cloned();
        password::verify_user(found, password).await
    }

    async fn find_user(&self, user_id: &str) -> StorageResult<Option<ResourceOwner>> {
        Ok(self
            .lock()?
            .users
            .get(user_id)
            .map(|(owner, _)| owner.clone()))
    }

    async fn signing_keys(&self) -> StorageResult<Vec<crate::keys::StoredKey>> {
        Ok(self.lock()?.signing_keys.clone())
    }

    async fn save_signing_key(&self, key: crate::keys::StoredKey) -> StorageResult<()> {
        self.lock()?.signing_keys.push(key);
        Ok(())
    }

    async fn retire_signing_keys(&self, keep_kid: &str, retires_at: u64) -> StorageResult<()> {
        for key in &mut self.lock()?.signing_keys {
            if key.kid != keep_kid && key.retires_at.is_none() {
                key.retires_at = Some(retires_at);
            }
        }
        Ok(())
    }

    fn supports_registration(&self) -> bool {
        true
    }

    async fn save_registration(
        &self,
        registration: crate::registration::Registration,
    ) -> StorageResult<()> {
        let client = registration.stored_client()?;
        let mut inner = self.lock()?;
        if inner.clients.contains_key(&registration.client_id) {
            return Err(StorageError::new("the client id is taken"));
        }
        inner.put_registration(client, registration);
        Ok(())
    }

    async fn find_registration(
        &self,
        client_id: &str,
    ) -> StorageResult<Option<crate::registration::Registration>> {
        Ok(self.lock()?.registrations.get(client_id).cloned())
    }

    async fn update_registration(
        &self,
        token_hash: &SecretHash,
        registration: crate::registration::Registration,
    ) -> StorageResult<bool> {
        let client = registration.stored_client()?;
        let mut inner = self.lock()?;
        if !inner.holds_registration(&registration.client_id, token_hash) {
            return Ok(false);
        }
        inner.put_registration(client, registration);
        Ok(true)
    }

    async fn delete_registration(
        &self,
        client_id: &str,
        token_hash: &SecretHash,
    ) -> StorageResult<bool> {
        let mut inner = self.lock()?;
        if !inner.holds_registration(client_id, token_hash) {
            return Ok(false);
        }
        inner.registrations.remove(client_id);
        inner.clients.remove(client_id);
        for token in inner.tokens.iter_mut().filter(|t| t.client_id == client_id) {
            token.access_token_revoked = true;
            token.refresh_token_revoked = true;
        }
        Ok(true)
    }

    async fn purge_expired(&self, now: u64) -> StorageResult<u64> {
        let mut inner = self.lock()?;
        inner
            .signing_keys
            .retain(|key| key.retires_at.is_none_or(|at| at > now));
        let codes_before = inner.codes.len();
        let cutoff = now.saturating_sub(super::CODE_RETENTION.unsigned_abs());
        inner.codes.retain(|_, (code, _)| code.expires_at >= cutoff);
        let tokens_before = inner.tokens.len();
        let tokens = std::mem::take(&mut inner.tokens);
        inner.by_access.clear();
        inner.by_refresh.clear();
        inner.families.clear();
        // Same rule as the SQL stores: a token goes when its access token has expired and its
        // refresh token (kept for reuse detection even when rotated) has expired too.
        for token in tokens {
            let refresh_gone = token.refresh_token_hash.is_none()
                || token.refresh_token_expires_at.is_some_and(|exp| exp < now);
            if !(token.expires_at() < now && refresh_gone) {
                inner.insert_token(token);
            }
        }
        let purged = (codes_before - inner.codes.len()) + (tokens_before - inner.tokens.len());
        Ok(purged as u64)
    }
}
