//! The SQL store, written once over the sqlx database (sqlx's own `Pool<DB>` is the model) and
//! over its four tables: the statements come from the tables' [`ClientTable`](super::ClientTable),
//! [`TokenTable`](super::TokenTable), [`CodeTable`](super::CodeTable) and
//! [`UserTable`](super::UserTable) impls (portable `$n` parameters). `SqliteStore` and
//! `PostgresStore` (features `sqlite`, `postgres`) are this store on their database; only
//! connecting and migrating differ.

use std::sync::Arc;

use sqlx::{Database, Encode, Executor, IntoArguments, Pool, Type};

use super::batch::Batches;
use super::rows::{ClientRow, CodeRow, TokenRow, UserRow};
use super::TableTypes;

/// A [`Storage`](crate::Storage) on an SQL database: SQLite (`SqliteStore`, feature `sqlite`,
/// the default) or PostgreSQL (`PostgresStore`, feature `postgres`).
///
/// The type parameters after the database are its tables — clients, tokens, codes, resource
/// owners — the embedded schema's by default ([`ClientRow`], [`TokenRow`], [`CodeRow`],
/// [`UserRow`]); `with_clients`, `with_tokens`, `with_codes` and `with_users` switch any of
/// them to a model of the application's own table (`#[oauth(table = "…")]` on its derive).
pub struct SqlStore<DB: Database, C = ClientRow, T = TokenRow, A = CodeRow, U = UserRow> {
    pub(crate) pool: Pool<DB>,
    /// SQLite: one connection, so writers queue instead of sleeping in the busy handler;
    /// PostgreSQL: the pool itself.
    pub(crate) writer: Pool<DB>,
    /// The batching tasks (token lookups; group commit of issued tokens, redeemed codes,
    /// rotations).
    pub(crate) batches: Arc<Batches>,
    /// SQLite file with the embedded token table: token lookups on the calling thread.
    #[cfg(feature = "sqlite")]
    pub(crate) reader: Option<Arc<super::sqlite_reader::SqliteReader>>,
    /// SQLite file: the thread that checkpoints its WAL (stops with the last clone).
    #[cfg(feature = "sqlite")]
    pub(crate) checkpointer: Option<Arc<super::sqlite_checkpointer::Checkpointer>>,
    pub(crate) tables: TableTypes<C, T, A, U>,
}

/// The number of rows a statement changed; sqlx has it on each driver's result type only.
#[doc(hidden)]
pub trait RowsAffected {
    /// Rows inserted, updated or deleted.
    fn rows_affected(&self) -> u64;
}

#[cfg(feature = "sqlite")]
impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::sqlite::SqliteQueryResult::rows_affected(self)
    }
}

#[cfg(feature = "postgres")]
impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::postgres::PgQueryResult::rows_affected(self)
    }
}

impl<DB: Database, C, T, A, U> Clone for SqlStore<DB, C, T, A, U> {
    fn clone(&self) -> Self {
        SqlStore {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
            batches: self.batches.clone(),
            #[cfg(feature = "sqlite")]
            reader: self.reader.clone(),
            #[cfg(feature = "sqlite")]
            checkpointer: self.checkpointer.clone(),
            tables: std::marker::PhantomData,
        }
    }
}

impl<DB: Database, C, T, A, U> std::fmt::Debug for SqlStore<DB, C, T, A, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(std::any::type_name::<Self>())
            .field("pool", &self.pool)
            .field("clients", &std::any::type_name::<C>())
            .field("tokens", &std::any::type_name::<T>())
            .field("codes", &std::any::type_name::<A>())
            .field("users", &std::any::type_name::<U>())
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl<DB, C, T, A, U> crate::store::Storage for SqlStore<DB, C, T, A, U>
where
    DB: Database,
    DB::QueryResult: RowsAffected,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    C: crate::store::sql::ClientTable<DB>,
    T: crate::store::sql::TokenTable<DB>,
    A: crate::store::sql::CodeTable<DB>,
    U: crate::store::sql::UserTable<DB>,
    // The signing keys' columns: text and 64-bit integers.
    String: for<'q> Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB>,
    // Registrations: nullable text and a flag.
    Option<String>: for<'q> Encode<'q, DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    async fn find_client(
        &self,
        client_id: &str,
    ) -> crate::store::StorageResult<Option<std::sync::Arc<dyn crate::OAuth2Client>>> {
        // Concurrent lookups share one query (`find_clients`), never one already sent.
        self.batches
            .clients
            .submit_to(&self.pool, client_id.to_owned(), Self::find_clients)
            .await
    }

    async fn save_authorization_code(
        &self,
        code: crate::AuthorizationCode,
    ) -> crate::store::StorageResult<()> {
        let mut query = sqlx::QueryBuilder::<DB>::new(A::STATEMENTS.insert);
        query.push_values([A::from_code(&code)], |values, row| row.push_row(values));
        query
            .build()
            .execute(self.writer())
            .await
            .map_err(crate::store::sql::db_error)?;
        Ok(())
    }

    async fn consume_authorization_code(
        &self,
        code_hash: &crate::secret::SecretHash,
        client_id: &str,
    ) -> crate::store::StorageResult<crate::store::CodeRedemption> {
        use crate::store::sql::CodeValue::CodeHash;
        let db = crate::store::sql::db_error;
        let statements = A::STATEMENTS;
        // Of concurrent redemptions exactly one matches `used = false`; a code of another
        // client is left as it is (RFC 6749 §4.1.3). Concurrent redemptions of different codes
        // share one statement (`redeem_codes`).
        let redeemed = self
            .batches
            .redeems
            .submit_to(
                self.writer(),
                (*code_hash, client_id.to_owned()),
                Self::redeem_codes,
            )
            .await?;
        if let Some(code) = redeemed {
            return Ok(crate::store::CodeRedemption::Redeemed(code));
        }
        let args = crate::store::sql::table::arguments::<DB, _>(&[CodeHash(code_hash)], A::bind)?;
        let used = sqlx::query_with(statements.find, args)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let code = match used {
            Some(row) => A::from_row(&row).map_err(db)?.to_code()?,
            None => return Ok(crate::store::CodeRedemption::Unknown),
        };
        Ok(if code.client_id == client_id {
            crate::store::CodeRedemption::AlreadyUsed(code)
        } else {
            crate::store::CodeRedemption::Unknown
        })
    }

    async fn save_token(&self, token: crate::Token) -> crate::store::StorageResult<()> {
        // Group commit: concurrent issuances share one transaction.
        self.batches
            .tokens
            .submit_to(self.writer(), token, |writer, tokens| async move {
                Self::insert_tokens(&writer, &tokens).await?;
                Ok(vec![(); tokens.len()])
            })
            .await
    }

    async fn find_access_token(
        &self,
        hash: &crate::secret::SecretHash,
    ) -> crate::store::StorageResult<Option<crate::Token>> {
        #[cfg(feature = "sqlite")]
        if let Some(found) =
            self.read_in_thread(|reader| reader.find(super::sqlite_reader::By::Access, hash))
        {
            return Ok(found);
        }
        // Concurrent lookups share one query (`find_tokens`). A lookup joins a query not yet
        // sent, never one in flight: it reads what was committed before it began.
        self.batches
            .lookups
            .submit_to(&self.pool, *hash, Self::find_tokens)
            .await
    }

    async fn find_refresh_token(
        &self,
        hash: &crate::secret::SecretHash,
    ) -> crate::store::StorageResult<Option<crate::Token>> {
        use crate::store::sql::TokenValue::RefreshTokenHash;
        #[cfg(feature = "sqlite")]
        if let Some(found) =
            self.read_in_thread(|reader| reader.find(super::sqlite_reader::By::Refresh, hash))
        {
            return Ok(found);
        }
        self.find_token(T::STATEMENTS.find_by_refresh, RefreshTokenHash(hash))
            .await
    }

    async fn rotate_refresh_token(
        &self,
        old: &crate::secret::SecretHash,
        new: crate::Token,
    ) -> crate::store::StorageResult<crate::store::Rotation> {
        // Concurrent rotations share one transaction (`rotate_tokens`).
        self.batches
            .rotations
            .submit_to(self.writer(), (*old, new), Self::rotate_tokens)
            .await
    }

    async fn revoke_access_token(
        &self,
        hash: &crate::secret::SecretHash,
    ) -> crate::store::StorageResult<()> {
        use crate::store::sql::TokenValue::{AccessTokenHash, AccessTokenRevoked};
        let args = crate::store::sql::table::arguments::<DB, _>(
            &[AccessTokenRevoked(true), AccessTokenHash(hash)],
            T::bind,
        )?;
        sqlx::query_with(T::STATEMENTS.revoke_access, args)
            .execute(self.writer())
            .await
            .map_err(crate::store::sql::db_error)?;
        Ok(())
    }

    async fn revoke_family(&self, family: &str) -> crate::store::StorageResult<()> {
        use crate::store::sql::TokenValue::{AccessTokenRevoked, Family, RefreshTokenRevoked};
        // Concurrent replays of one code or refresh token revoke the same family at once; the
        // update only sets flags, so one the database aborted as a deadlock is run again.
        let values = [
            AccessTokenRevoked(true),
            RefreshTokenRevoked(true),
            Family(family),
        ];
        crate::store::sql::retrying_conflicts(|| async {
            let args = crate::store::sql::table::arguments::<DB, _>(&values, T::bind)
                .map_err(crate::store::sql::as_sqlx)?;
            sqlx::query_with(T::STATEMENTS.revoke_family, args)
                .execute(self.writer())
                .await
        })
        .await
        .map_err(crate::store::sql::db_error)?;
        Ok(())
    }

    async fn family_revoked(&self, family: &str) -> crate::store::StorageResult<bool> {
        use crate::store::sql::TokenValue::{AccessTokenRevoked, Family};
        #[cfg(feature = "sqlite")]
        if let Some(revoked) = self.read_in_thread(|reader| reader.family_revoked(family)) {
            return Ok(revoked);
        }
        let args = crate::store::sql::table::arguments::<DB, _>(
            &[Family(family), AccessTokenRevoked(true)],
            T::bind,
        )?;
        let found = sqlx::query_with(T::STATEMENTS.family_revoked, args)
            .fetch_optional(&self.pool)
            .await
            .map_err(crate::store::sql::db_error)?;
        Ok(found.is_some())
    }

    async fn authenticate_user(
        &self,
        username: &str,
        password: &str,
    ) -> crate::store::StorageResult<Option<crate::ResourceOwner>> {
        let db = crate::store::sql::db_error;
        let mut args = <DB as sqlx::Database>::Arguments::default();
        U::bind_username(username, &mut args).map_err(crate::store::sql::encode_error)?;
        let row = sqlx::query_with(U::STATEMENTS.find_by_username, args)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let user = row.map(|row| U::from_row(&row)).transpose().map_err(db)?;
        // An owner without a password hash is verified like an unknown one: same time.
        let found = user.and_then(|user| {
            let hash = user.password_hash()?.to_owned();
            Some((user.resource_owner(), hash))
        });
        crate::password::verify_user(found, password).await
    }

    async fn find_user(
        &self,
        user_id: &str,
    ) -> crate::store::StorageResult<Option<crate::ResourceOwner>> {
        let db = crate::store::sql::db_error;
        let mut args = <DB as sqlx::Database>::Arguments::default();
        if !U::bind_id(user_id, &mut args).map_err(crate::store::sql::encode_error)? {
            return Ok(None);
        }
        let row = sqlx::query_with(U::STATEMENTS.find_by_id, args)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let user = row.map(|row| U::from_row(&row)).transpose().map_err(db)?;
        Ok(user.map(|user| user.resource_owner()))
    }

    async fn signing_keys(&self) -> crate::store::StorageResult<Vec<crate::keys::StoredKey>> {
        super::keys::all(&self.pool).await
    }

    async fn save_signing_key(
        &self,
        key: crate::keys::StoredKey,
    ) -> crate::store::StorageResult<()> {
        super::keys::insert(self.writer(), key).await
    }

    async fn retire_signing_keys(
        &self,
        keep_kid: &str,
        retires_at: u64,
    ) -> crate::store::StorageResult<()> {
        super::keys::retire(self.writer(), keep_kid, retires_at).await
    }

    /// Registrations live in the embedded clients table: only a store reading clients from
    /// it ([`ClientRow`], the default) keeps them.
    fn supports_registration(&self) -> bool {
        std::any::TypeId::of::<C>() == std::any::TypeId::of::<ClientRow>()
    }

    async fn save_registration(
        &self,
        registration: crate::registration::Registration,
    ) -> crate::store::StorageResult<()> {
        self.registrations_supported()?;
        super::registrations::insert(self.writer(), registration).await
    }

    async fn find_registration(
        &self,
        client_id: &str,
    ) -> crate::store::StorageResult<Option<crate::registration::Registration>> {
        self.registrations_supported()?;
        super::registrations::find(&self.pool, client_id).await
    }

    async fn update_registration(
        &self,
        token_hash: &crate::secret::SecretHash,
        registration: crate::registration::Registration,
    ) -> crate::store::StorageResult<bool> {
        self.registrations_supported()?;
        super::registrations::update(self.writer(), token_hash, registration).await
    }

    async fn delete_registration(
        &self,
        client_id: &str,
        token_hash: &crate::secret::SecretHash,
    ) -> crate::store::StorageResult<bool> {
        use crate::store::sql::TokenValue::{AccessTokenRevoked, ClientId, RefreshTokenRevoked};
        self.registrations_supported()?;
        if !super::registrations::delete(self.writer(), client_id, token_hash).await? {
            return Ok(false);
        }
        // RFC 7592 §2.3: the deleted client's tokens stop working at once.
        let args = crate::store::sql::table::arguments::<DB, _>(
            &[
                AccessTokenRevoked(true),
                RefreshTokenRevoked(true),
                ClientId(client_id),
            ],
            T::bind,
        )?;
        sqlx::query_with(T::STATEMENTS.revoke_client, args)
            .execute(self.writer())
            .await
            .map_err(crate::store::sql::db_error)?;
        Ok(true)
    }

    async fn purge_expired(&self, now: u64) -> crate::store::StorageResult<u64> {
        use crate::store::sql::CodeValue::ExpiresAt;
        let keys = super::keys::purge(self.writer(), now).await?;
        use crate::store::sql::TokenValue::{IssuedAt, RefreshTokenExpiresAt};
        let db = crate::store::sql::db_error;
        // Used codes stay a day past expiry, so a late replay still revokes its tokens.
        let retention = now.saturating_sub(crate::store::CODE_RETENTION.unsigned_abs());
        let args = crate::store::sql::table::arguments::<DB, _>(&[ExpiresAt(retention)], A::bind)?;
        let codes = sqlx::query_with(A::STATEMENTS.purge, args)
            .execute(self.writer())
            .await
            .map_err(db)?;
        // A token row goes when its access token has expired and its refresh token
        // (kept for reuse detection even when rotated) has expired too.
        let args = crate::store::sql::table::arguments::<DB, _>(
            &[IssuedAt(now), RefreshTokenExpiresAt(now)],
            T::bind,
        )?;
        let tokens = sqlx::query_with(T::STATEMENTS.purge, args)
            .execute(self.writer())
            .await
            .map_err(db)?;
        Ok(codes.rows_affected() + tokens.rows_affected() + keys)
    }
}

/// The statements behind the storage contract's operations, on the store's four tables.
impl<DB, C, T, A, U> SqlStore<DB, C, T, A, U>
where
    DB: Database,
    DB::QueryResult: RowsAffected,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    C: crate::store::sql::ClientTable<DB> + 'static,
    T: crate::store::sql::TokenTable<DB>,
    A: crate::store::sql::CodeTable<DB>,
{
    /// What `read` answers on the in-thread reader, if this store has one and it answered;
    /// `None` sends the read through the pool.
    #[cfg(feature = "sqlite")]
    fn read_in_thread<R>(
        &self,
        read: impl FnOnce(&super::sqlite_reader::SqliteReader) -> Result<R, String>,
    ) -> Option<R> {
        match read(self.reader.as_deref()?) {
            Ok(found) => Some(found),
            Err(error) => {
                log::debug!("oauth2: in-thread read failed, using the pool: {error}");
                None
            }
        }
    }

    async fn find_token(
        &self,
        sql: &'static str,
        value: crate::store::sql::TokenValue<'_>,
    ) -> crate::store::StorageResult<Option<crate::Token>> {
        let db = crate::store::sql::db_error;
        let args = crate::store::sql::table::arguments::<DB, _>(&[value], T::bind)?;
        let row = sqlx::query_with(sql, args)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|row| T::from_row(&row).map_err(db)?.to_token())
            .transpose()
    }

    /// The access tokens with the digests `hashes`, found with one query.
    async fn find_tokens(
        pool: Pool<DB>,
        hashes: Vec<crate::secret::SecretHash>,
    ) -> crate::store::StorageResult<Vec<Option<crate::Token>>> {
        use crate::store::sql::TokenValue::AccessTokenHash;
        let statement = T::STATEMENTS.find_many_by_access;
        let rows = Self::fetch_for_keys(
            &pool,
            statement,
            "{hashes}",
            &hashes,
            AccessTokenHash,
            T::bind,
        )
        .await?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let token = T::from_row(row).map_err(crate::store::sql::db_error)?;
            let token = token.to_token()?;
            found.insert(token.access_token_hash, token);
        }
        Ok(hashes.iter().map(|hash| found.get(hash).cloned()).collect())
    }

    /// The rows of `statement` whose `marker` is replaced by one parameter per key, each bound
    /// by `bind` (the list padded as [`parameters`](super::batch::parameters) says): one query
    /// for a batch of lookups.
    async fn fetch_for_keys<'k, K, V: Copy>(
        pool: &Pool<DB>,
        statement: &str,
        marker: &str,
        keys: &'k [K],
        value: impl Fn(&'k K) -> V,
        bind: impl Fn(V, &mut DB::Arguments) -> Result<(), sqlx::error::BoxDynError>,
    ) -> crate::store::StorageResult<Vec<DB::Row>> {
        let (list, padded) = super::batch::parameters(keys.len(), 1, 1);
        let sql = statement.replace(marker, &list);
        let values: Vec<V> = (0..padded)
            .map(|i| value(&keys[i.min(keys.len() - 1)]))
            .collect();
        let args = crate::store::sql::table::arguments::<DB, _>(&values, bind)?;
        // The statement is the derive's, with numbered parameters put in: no input in it.
        sqlx::query_with(sqlx::AssertSqlSafe(sql.as_str()), args)
            .fetch_all(pool)
            .await
            .map_err(crate::store::sql::db_error)
    }

    /// Inserts tokens with one multi-row statement: atomic, one round trip.
    async fn insert_tokens<'e, E>(
        executor: E,
        tokens: &[crate::Token],
    ) -> crate::store::StorageResult<()>
    where
        E: sqlx::Executor<'e, Database = DB>,
    {
        let mut query = sqlx::QueryBuilder::<DB>::new(T::STATEMENTS.insert);
        query.push_values(tokens, |values, token| {
            T::from_token(token).push_row(values)
        });
        query
            .build()
            .execute(executor)
            .await
            .map_err(crate::store::sql::db_error)?;
        Ok(())
    }

    /// The clients with the ids `ids`, found with one query.
    async fn find_clients(
        pool: Pool<DB>,
        ids: Vec<String>,
    ) -> crate::store::StorageResult<Vec<Option<Arc<dyn crate::OAuth2Client>>>> {
        let db = crate::store::sql::db_error;
        let rows = Self::fetch_for_keys(
            &pool,
            C::FIND_MANY,
            "{ids}",
            &ids,
            String::as_str,
            C::bind_client_id,
        )
        .await?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let client = C::from_row(row).map_err(db)?;
            found.insert(
                client.client_id().to_owned(),
                Arc::new(client) as Arc<dyn crate::OAuth2Client>,
            );
        }
        Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
    }

    /// Redeems the codes of concurrent requests with one statement: `UPDATE … SET used = TRUE
    /// WHERE used = FALSE AND (code_hash, client_id) IN (…) RETURNING …`. A row is updated (and
    /// returned) at most once, so of two requests for one code at most one gets it (the first
    /// in the batch); a request whose code is not returned was not redeemed (used, unknown, or
    /// another client's), and the caller looks at why.
    async fn redeem_codes(
        writer: Pool<DB>,
        jobs: Vec<(crate::secret::SecretHash, String)>,
    ) -> crate::store::StorageResult<Vec<Option<crate::AuthorizationCode>>> {
        use crate::store::sql::CodeValue::{ClientId, CodeHash, Used};
        let db = crate::store::sql::db_error;
        let (pairs, padded) = super::batch::parameters(jobs.len(), 3, 2);
        let sql = A::STATEMENTS.redeem_many.replace("{pairs}", &pairs);
        let mut values = vec![Used(true), Used(false)];
        for i in 0..padded {
            let (hash, client_id) = &jobs[i.min(jobs.len() - 1)];
            values.extend([CodeHash(hash), ClientId(client_id)]);
        }
        // PostgreSQL: two instances' batches can lock rows in different orders.
        let rows = crate::store::sql::retrying_conflicts(|| async {
            let args = crate::store::sql::table::arguments::<DB, _>(&values, A::bind)
                .map_err(crate::store::sql::as_sqlx)?;
            // The statement is the derive's, with numbered parameters put in: no input in it.
            sqlx::query_with(sqlx::AssertSqlSafe(sql.as_str()), args)
                .fetch_all(&writer)
                .await
        })
        .await
        .map_err(db)?;
        let mut redeemed = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let code = A::from_row(row).map_err(db)?.to_code()?;
            redeemed.insert(code.code_hash, code);
        }
        Ok(jobs
            .iter()
            .map(|(hash, client_id)| {
                let mine = redeemed
                    .get(hash)
                    .is_some_and(|code| code.client_id == *client_id);
                if mine {
                    redeemed.remove(hash)
                } else {
                    None
                }
            })
            .collect())
    }

    /// Rotates the refresh tokens of concurrent requests in one transaction, whose first
    /// statement claims every old token still unrevoked at once (`UPDATE … RETURNING`, which
    /// takes the rows' locks): each claimed token's rotation inserts its new token (one
    /// multi-row insert); the others (already rotated or revoked — a replay — or unknown)
    /// revoke the family of their old token, after the inserts, so a replay in the same batch
    /// as the rotation it replays revokes the new token too, as it would one batch later.
    async fn rotate_tokens(
        writer: Pool<DB>,
        jobs: Vec<(crate::secret::SecretHash, crate::Token)>,
    ) -> crate::store::StorageResult<Vec<crate::store::Rotation>> {
        crate::store::sql::retrying_conflicts(|| Self::try_rotate_tokens(&writer, &jobs))
            .await
            .map_err(crate::store::sql::db_error)
    }

    /// One attempt of [`rotate_tokens`](Self::rotate_tokens).
    async fn try_rotate_tokens(
        writer: &Pool<DB>,
        jobs: &[(crate::secret::SecretHash, crate::Token)],
    ) -> Result<Vec<crate::store::Rotation>, sqlx::Error> {
        use crate::store::sql::TokenValue::{
            AccessTokenRevoked, RefreshTokenHash, RefreshTokenRevoked,
        };
        use crate::store::Rotation;
        let statements = T::STATEMENTS;
        let encode = crate::store::sql::as_sqlx;
        let mut tx = writer.begin().await?;
        let (hashes, padded) = super::batch::parameters(jobs.len(), 4, 1);
        let sql = statements.claim_refresh_many.replace("{hashes}", &hashes);
        let mut values = vec![
            RefreshTokenRevoked(true),
            AccessTokenRevoked(true),
            RefreshTokenRevoked(false),
        ];
        for i in 0..padded {
            values.push(RefreshTokenHash(&jobs[i.min(jobs.len() - 1)].0));
        }
        let args =
            crate::store::sql::table::arguments::<DB, _>(&values, T::bind).map_err(encode)?;
        // The statement is the derive's, with numbered parameters put in: no input in it.
        let query = sqlx::query_with(sqlx::AssertSqlSafe(sql.as_str()), args);
        let rows = query.fetch_all(&mut *tx).await?;
        let mut claimed = std::collections::HashSet::with_capacity(rows.len());
        for row in &rows {
            let token = T::from_row(row)?.to_token().map_err(encode)?;
            claimed.extend(token.refresh_token_hash);
        }
        let mut rotations = Vec::with_capacity(jobs.len());
        let mut new_tokens = Vec::with_capacity(claimed.len());
        for (old, new) in jobs {
            // A token claimed once rotates once: a second request for it in this batch is a
            // replay.
            if claimed.remove(old) {
                rotations.push(Some(Rotation::Rotated));
                new_tokens.push(new.clone());
            } else {
                rotations.push(None);
            }
        }
        if !new_tokens.is_empty() {
            Self::insert_tokens(&mut *tx, &new_tokens)
                .await
                .map_err(encode)?;
        }
        let mut answers = Vec::with_capacity(jobs.len());
        for ((old, _), rotation) in jobs.iter().zip(rotations) {
            if let Some(rotated) = rotation {
                answers.push(rotated);
                continue;
            }
            // Revoked already (a replay) or unknown: revoke the family it belongs to, if any.
            let args = crate::store::sql::table::arguments::<DB, _>(
                &[
                    AccessTokenRevoked(true),
                    RefreshTokenRevoked(true),
                    RefreshTokenHash(old),
                ],
                T::bind,
            )
            .map_err(encode)?;
            let revoked = sqlx::query_with(statements.revoke_family_of_refresh, args)
                .execute(&mut *tx)
                .await?;
            answers.push(if revoked.rows_affected() > 0 {
                Rotation::Reused
            } else {
                Rotation::Unknown
            });
        }
        tx.commit().await?;
        Ok(answers)
    }
}

impl<DB: Database> SqlStore<DB> {
    /// Wraps a pool the application already has (migrations are not applied; call
    /// [`migrate`](Self::migrate)). Writes share the pool. On SQLite the pool's own settings
    /// apply, SQLite's default checkpoints (inside commits) among them: the dedicated writer
    /// connection, in-thread token lookups and checkpoint thread of `connect` are not set up.
    pub fn from_pool(pool: sqlx::Pool<DB>) -> Self {
        SqlStore {
            writer: pool.clone(),
            pool,
            batches: std::sync::Arc::default(),
            #[cfg(feature = "sqlite")]
            reader: None,
            #[cfg(feature = "sqlite")]
            checkpointer: None,
            tables: std::marker::PhantomData,
        }
    }
}

impl<DB: Database, C, T, A, U> SqlStore<DB, C, T, A, U> {
    /// Refuses registration operations on a store whose clients live in the application's
    /// own table (the server checks [`supports_registration`] before enabling registration).
    ///
    /// [`supports_registration`]: crate::Storage::supports_registration
    fn registrations_supported(&self) -> crate::store::StorageResult<()>
    where
        C: 'static,
    {
        if std::any::TypeId::of::<C>() == std::any::TypeId::of::<ClientRow>() {
            Ok(())
        } else {
            Err(crate::store::StorageError::new(
                "registrations need the embedded clients table",
            ))
        }
    }

    /// The same store with clients read from `C`'s own table: a model deriving
    /// `OAuth2Client` with `#[oauth(table = "…")]`.
    pub fn with_clients<C2>(self) -> SqlStore<DB, C2, T, A, U> {
        self.retype()
    }

    /// The same store with tokens kept in `T`'s own table: a model deriving
    /// `OAuth2Token` with `#[oauth(table = "…")]`.
    pub fn with_tokens<T2: 'static>(self) -> SqlStore<DB, C, T2, A, U> {
        let mut store = self.retype();
        // The in-thread reader knows the embedded table only: the new table's lookups go
        // through the pool, unless it is the embedded table again.
        #[cfg(feature = "sqlite")]
        if std::any::TypeId::of::<T2>() != std::any::TypeId::of::<TokenRow>() {
            store.reader = None;
        }
        store
    }

    /// The same store with authorization codes kept in `A`'s own table: a model
    /// deriving `OAuth2AuthorizationCode` with `#[oauth(table = "…")]`.
    pub fn with_codes<A2>(self) -> SqlStore<DB, C, T, A2, U> {
        self.retype()
    }

    /// The same store with resource owners found and authenticated in `U`'s own table:
    /// a model deriving `OAuth2User` with `#[oauth(table = "…")]`.
    pub fn with_users<U2>(self) -> SqlStore<DB, C, T, A, U2> {
        self.retype()
    }

    /// The same pools as a store of other tables. The writer tasks write the old tables: the
    /// new store starts its own (on first use).
    fn retype<C2, T2, A2, U2>(self) -> SqlStore<DB, C2, T2, A2, U2> {
        SqlStore {
            pool: self.pool,
            writer: self.writer,
            batches: std::sync::Arc::default(),
            #[cfg(feature = "sqlite")]
            reader: self.reader,
            #[cfg(feature = "sqlite")]
            checkpointer: self.checkpointer,
            tables: std::marker::PhantomData,
        }
    }

    /// The pool writes go through.
    fn writer(&self) -> &sqlx::Pool<DB> {
        &self.writer
    }

    /// The pool, to share with the application.
    pub fn pool(&self) -> &sqlx::Pool<DB> {
        &self.pool
    }
}

impl<DB, C, T, A> SqlStore<DB, C, T, A, crate::store::sql::UserRow>
where
    DB: Database,
    DB::QueryResult: RowsAffected,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    /// Registers a resource owner in the embedded `oauth2_users` table with an Argon2id
    /// password hash; the id is generated. A store reading owners from the
    /// application's own table leaves registration to the application.
    pub async fn create_user(
        &self,
        username: &str,
        password: &str,
    ) -> crate::store::StorageResult<crate::ResourceOwner> {
        self.create_user_with_profile(username, password, None, None)
            .await
    }

    /// [`create_user`](Self::create_user) with the OpenID Connect claims the embedded table
    /// keeps: `email` and `name` (released at UserInfo under the `email` and `profile`
    /// scopes).
    pub async fn create_user_with_profile(
        &self,
        username: &str,
        password: &str,
        email: Option<&str>,
        name: Option<&str>,
    ) -> crate::store::StorageResult<crate::ResourceOwner> {
        let owner = crate::ResourceOwner::new(crate::secret::generate_token(22), username)
            .with_claim("email", email)
            .with_claim("name", name);
        let password = password.to_owned();
        let hash = crate::password::hash_password_async(&password).await?;
        sqlx::query(
            "INSERT INTO oauth2_users (id, username, password_hash, created_at, email, name) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&owner.id)
        .bind(&owner.username)
        .bind(hash)
        .bind(i64::try_from(crate::model::now()).unwrap_or(i64::MAX))
        .bind(email.map(str::to_owned))
        .bind(name.map(str::to_owned))
        .execute(self.writer())
        .await
        .map_err(crate::store::sql::db_error)?;
        Ok(owner)
    }
}

impl<DB, T, A, U> SqlStore<DB, crate::store::sql::ClientRow, T, A, U>
where
    DB: Database,
    DB::QueryResult: RowsAffected,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
{
    /// Registers a client in the embedded `oauth2_clients` table (its secret stored as
    /// the digest it already is). A store reading clients from the application's own
    /// table leaves registration to the application.
    pub async fn create_client(&self, client: &crate::Client) -> crate::store::StorageResult<()> {
        let json = |list: Vec<String>| serde_json::Value::from(list).to_string();
        sqlx::query(
            "INSERT INTO oauth2_clients (client_id, secret_hash, client_name, redirect_uris, \
             grant_types, response_types, scope, token_endpoint_auth_method, created_at, \
             resource_server, resources) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&client.client_id)
        .bind(client.secret_hash.map(|h| h.to_hex()))
        .bind(&client.client_name)
        .bind(json(client.redirect_uris.clone()))
        .bind(json(
            client
                .grant_types
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
        ))
        .bind(json(
            client
                .response_types
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
        ))
        .bind(client.scope.to_string())
        .bind(client.token_endpoint_auth_method.as_str().to_owned())
        .bind(i64::try_from(crate::model::now()).unwrap_or(i64::MAX))
        .bind(client.resource_server)
        .bind((!client.resources.is_empty()).then(|| json(client.resources.clone())))
        .execute(self.writer())
        .await
        .map_err(crate::store::sql::db_error)?;
        Ok(())
    }
}
