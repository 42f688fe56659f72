//! PostgreSQL: for several instances behind a load balancer sharing one database.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::Postgres;

use std::marker::PhantomData;
use std::sync::Arc;

use super::rows::{ClientRow, CodeRow, TokenRow, UserRow};
use super::{db_error, SqlStore};
use crate::config::DatabaseConfig;
use crate::store::{StorageError, StorageResult};

/// A [`Storage`](crate::Storage) on PostgreSQL.
///
/// The type parameters are its tables — clients, tokens, codes, resource owners — the
/// embedded schema's by default ([`ClientRow`], [`TokenRow`], [`CodeRow`], [`UserRow`]);
/// `with_clients`, `with_tokens`, `with_codes` and `with_users` switch any of them to a model
/// of the application's own table (`#[oauth(table = "…")]` on its derive).
pub type PostgresStore<C = ClientRow, T = TokenRow, A = CodeRow, U = UserRow> =
    SqlStore<Postgres, C, T, A, U>;

impl SqlStore<Postgres> {
    /// Connects to `url` (`postgres://user:pass@host/db`) and applies migrations unless
    /// `config.migrate` is off. Several instances may run them at once: sqlx takes an advisory
    /// lock.
    pub async fn connect(url: &str, config: &DatabaseConfig) -> StorageResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .min_connections(config.min_connections)
            .acquire_timeout(Duration::from_secs(config.acquire_timeout))
            .connect(url)
            .await
            .map_err(db_error)?;
        // PostgreSQL runs concurrent batches: one pool serves both.
        let store = SqlStore {
            #[cfg(feature = "sqlite")]
            reader: None,
            #[cfg(feature = "sqlite")]
            checkpointer: None,
            writer: pool.clone(),
            pool,
            batches: Arc::default(),
            tables: PhantomData,
        };
        if config.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }
}

impl<C, T, A, U> SqlStore<Postgres, C, T, A, U> {
    /// Applies the embedded schema migrations (the `oauth2_*` tables). Several instances may
    /// run them at once: sqlx takes an advisory lock.
    pub async fn migrate(&self) -> StorageResult<()> {
        sqlx::migrate!("migrations/postgres")
            .run(&self.writer)
            .await
            .map_err(|e| StorageError::from_source("migration failed", e))
    }
}
