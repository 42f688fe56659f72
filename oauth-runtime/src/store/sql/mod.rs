//! SQL storage on sqlx: embedded SQLite (the default) and PostgreSQL (several instances sharing
//! one database). One schema, embedded as migrations and applied at start-up unless turned off.
//!
//! Every atomic operation of the storage contract is one statement or one transaction whose
//! first statement takes the row locks:
//! - code redemption: `UPDATE … SET used = TRUE WHERE used = FALSE AND (code_hash, client_id)
//!   IN (…) RETURNING …` — a row is updated at most once, so of concurrent redemptions exactly
//!   one gets it; concurrent redemptions of different codes share the statement;
//! - refresh rotation: `UPDATE … SET refresh_token_revoked = TRUE WHERE refresh_token_revoked =
//!   FALSE AND refresh_token_hash IN (…) RETURNING …`, then the new tokens, in one transaction
//!   shared by concurrent rotations.
//!
//! # Column types
//!
//! A model mapped to a table with `#[oauth(table = "…")]` may hold its fields in these Rust
//! types (and so in these column types); anything else is a compile error at the field:
//!
//! | record field | field types | SQLite | PostgreSQL |
//! |---|---|---|---|
//! | digests (`access_token_hash`, `refresh_token_hash`, `code_hash`, `secret_hash`) | `Vec<u8>` (32 bytes), `String` (lowercase hex) | `BLOB` / `TEXT` | `BYTEA` / `TEXT` |
//! | times and lifetimes (`issued_at`, `expires_in`, `expires_at`, `refresh_token_expires_at`) | `i64` | `INTEGER` | `BIGINT` |
//! | flags (`access_token_revoked`, `refresh_token_revoked`, `used`, `resource_server`) | `bool`, `i64`, `i32` | `BOOLEAN` / `INTEGER` | `BOOLEAN` / `BIGINT` / `INTEGER` |
//! | text (`client_id`, `user_id`, `scope`, `grant_type`, `family`, `redirect_uri`, …) | `String` | `TEXT` | `TEXT` |
//! | lists (`redirect_uris`, `grant_types`, `response_types`) | `String` (JSON array or space-separated), `Vec<String>` in memory | `TEXT` | `TEXT` |
//! | owner ids (`id` of `OAuth2User`) | `String`, `i64`, `i32` | `TEXT` / `INTEGER` | `TEXT` / `BIGINT` / `INTEGER` |
//!
//! Optional record fields (`refresh_token_hash`, `user_id`, `redirect_uri`, …) take
//! `Option<…>` of the same types. The traits below are implemented by the derives; their items
//! are generated code's, not an API.

pub(crate) mod batch;
mod keys;
#[cfg(feature = "postgres")]
mod postgres;
mod registrations;
mod rows;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_checkpointer;
#[cfg(feature = "sqlite")]
mod sqlite_reader;
mod store;
pub(crate) mod table;

pub use rows::{ClientRow, CodeRow, TokenRow, UserRow};
#[doc(hidden)]
pub use store::RowsAffected;
pub use store::SqlStore;
pub use table::{
    ClientTable, CodeStatements, CodeTable, CodeValue, TokenStatements, TokenTable, TokenValue,
    UserStatements, UserTable,
};

#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::{Storage, StorageError};
use crate::config::DatabaseConfig;

/// The tables a store reads and writes, as a marker (`fn` keeps the store `Send + Sync`
/// whatever the row types).
pub(crate) type TableTypes<C, T, A, U> = std::marker::PhantomData<fn() -> (C, T, A, U)>;

pub(crate) fn db_error(error: sqlx::Error) -> StorageError {
    StorageError::from_source("database error", error)
}

/// Whether PostgreSQL aborted the statement to break a deadlock (`40P01`) or a serialization
/// conflict (`40001`): two concurrent multi-row updates of one token family can lock its rows
/// in different orders, and the database then aborts one of them. An idempotent write is
/// simply run again.
pub(crate) fn is_conflict(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => matches!(e.code().as_deref(), Some("40P01" | "40001")),
        _ => false,
    }
}

/// Runs `statement` until it is not aborted as a conflict ([`is_conflict`]), five retries at
/// most: for writes that are safe to repeat, or whole transactions.
pub(crate) async fn retrying_conflicts<R, F, Fut>(mut statement: F) -> Result<R, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<R, sqlx::Error>>,
{
    let mut attempt = 0;
    loop {
        match statement().await {
            Err(error) if attempt < 5 && is_conflict(&error) => attempt += 1,
            outcome => return outcome,
        }
    }
}

/// A storage error inside a database operation that retries (binding a value, reading a row
/// back), carried as sqlx's own error (a decode error whose source it is): never a conflict, so
/// never retried.
pub(crate) fn as_sqlx(error: StorageError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(error))
}

/// A query of the application's own (in a hook, say) fails as a storage error: `?` turns it
/// into 503 `temporarily_unavailable` / `server_error` like the store's own failures.
impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        db_error(error)
    }
}

/// A value that could not be bound as a statement parameter.
pub(crate) fn encode_error(error: sqlx::error::BoxDynError) -> StorageError {
    db_error(sqlx::Error::Encode(error))
}

/// The database URL: `oauth2.database.url`, else `DATABASE_URL`, else an SQLite file
/// `oauth2.db` in the working directory (created on first use).
pub fn database_url(config: &DatabaseConfig) -> String {
    config
        .url
        .clone()
        .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "sqlite://oauth2.db".to_owned())
}

/// Connects to the database the configuration names (SQLite or PostgreSQL, by URL scheme),
/// with the embedded tables, and applies migrations unless `migrate = false`.
pub async fn connect(config: &DatabaseConfig) -> Result<Arc<dyn Storage>, StorageError> {
    <(ClientRow, TokenRow, CodeRow, UserRow) as Schema>::connect(config).await
}

/// The future of [`Schema::connect`].
pub type Connecting<'a> =
    Pin<Box<dyn Future<Output = Result<Arc<dyn Storage>, StorageError>> + Send + 'a>>;

/// A store's four tables as one type, `(clients, tokens, codes, owners)`, that every database
/// this build supports can hold: what [`OAuth2::database_with`](crate::OAuth2::database_with)
/// connects to. Implemented for every such tuple of table models (the derives with
/// `#[oauth(table = "…")]`, or the embedded [`ClientRow`], [`TokenRow`], [`CodeRow`],
/// [`UserRow`]).
pub trait Schema: Send + Sync + 'static {
    /// Connects to the database `config` names (SQLite or PostgreSQL, by URL scheme), applies
    /// the embedded migrations unless `migrate = false`, and returns the store on these tables
    /// (behind a [`CachingStore`](super::CachingStore): on SQLite, whose file one process owns,
    /// remembering token lookups; on PostgreSQL [`shared`](super::CachingStore::shared),
    /// remembering resource owners only).
    fn connect(config: &DatabaseConfig) -> Connecting<'_>;
}

/// `impl Schema for (C, T, A, U)` where the four are tables on each of `$db`.
macro_rules! schema {
    ($($db:ty),+) => {
        impl<C, T, A, U> Schema for (C, T, A, U)
        where
            $(C: ClientTable<$db>, T: TokenTable<$db>, A: CodeTable<$db>, U: UserTable<$db>,)+
        {
            fn connect(config: &DatabaseConfig) -> Connecting<'_> {
                Box::pin(async move {
                    let url = database_url(config);
                    if url.starts_with("sqlite:") {
                        // One process owns an SQLite database, so it sees every revocation:
                        // token lookups can be cached in memory (see `CachingStore`).
                        #[cfg(feature = "sqlite")]
                        {
                            let store = SqliteStore::connect(&url, config).await?;
                            let store = store.with_clients::<C>().with_tokens::<T>();
                            let store = store.with_codes::<A>().with_users::<U>();
                            return Ok(Arc::new(super::CachingStore::new(store)) as Arc<dyn Storage>);
                        }
                    }
                    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
                        #[cfg(feature = "postgres")]
                        {
                            let store = PostgresStore::connect(&url, config).await?;
                            let store = store.with_clients::<C>().with_tokens::<T>();
                            let store = store.with_codes::<A>().with_users::<U>();
                            // Other instances write the database too: owners only are
                            // remembered (see `CachingStore::shared`).
                            return Ok(Arc::new(super::CachingStore::shared(store)) as Arc<dyn Storage>);
                        }
                    }
                    let scheme = url.split(':').next().unwrap_or("");
                    Err(StorageError::new(format!(
                        "no store for `{scheme}:` URLs (enable the `sqlite` or `postgres` feature of oauth-runtime)"
                    )))
                })
            }
        }
    };
}

#[cfg(all(feature = "sqlite", feature = "postgres"))]
schema!(sqlx::Sqlite, sqlx::Postgres);
#[cfg(all(feature = "sqlite", not(feature = "postgres")))]
schema!(sqlx::Sqlite);
#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
schema!(sqlx::Postgres);
