//! SQL storage on sqlx: embedded SQLite (the default) and PostgreSQL (several instances sharing
//! one database). One schema, embedded as migrations and applied at start-up unless turned off.
//!
//! Every atomic operation of the storage contract is one statement or one transaction whose
//! first statement takes the row lock:
//! - code redemption: `UPDATE … SET used = TRUE WHERE code_hash = $1 AND used = FALSE
//!   RETURNING …` — of concurrent redemptions exactly one gets the row;
//! - refresh rotation: `UPDATE … SET refresh_token_revoked = TRUE WHERE refresh_token_hash = $1
//!   AND refresh_token_revoked = FALSE RETURNING family`, then the new token, in one
//!   transaction.

pub(crate) mod batch;
mod rows;
pub(crate) mod table;
#[macro_use]
mod storage_impl;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use rows::{ClientRow, CodeRow, TokenRow, UserRow};
pub use table::{
    ClientTable, CodeStatements, CodeTable, CodeValue, TokenStatements, TokenTable, TokenValue,
    UserStatements, UserTable,
};

#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use std::sync::Arc;

use super::{Storage, StorageError};
use crate::config::DatabaseConfig;

/// The tables a store reads and writes, as a marker (`fn` keeps the store `Send + Sync`
/// whatever the row types).
pub(crate) type Tables<C, T, A, U> = std::marker::PhantomData<fn() -> (C, T, A, U)>;

pub(crate) fn db_error(error: sqlx::Error) -> StorageError {
    StorageError::from_source("database error", error)
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
/// and applies migrations unless `migrate = false`.
pub async fn connect(config: &DatabaseConfig) -> Result<Arc<dyn Storage>, StorageError> {
    let url = database_url(config);
    if url.starts_with("sqlite:") {
        // One process owns an SQLite database, so it sees every revocation: token lookups can
        // be cached in memory (see `CachingStore`).
        #[cfg(feature = "sqlite")]
        return Ok(Arc::new(super::CachingStore::new(
            SqliteStore::connect(&url, config).await?,
        )));
    }
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        #[cfg(feature = "postgres")]
        return Ok(Arc::new(PostgresStore::connect(&url, config).await?));
    }
    let scheme = url.split(':').next().unwrap_or("");
    Err(StorageError::new(format!(
        "no store for `{scheme}:` URLs (enable the `sqlite` or `postgres` feature of oauth-runtime)"
    )))
}
