//! PostgreSQL: for several instances behind a load balancer sharing one database.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Postgres};

use std::marker::PhantomData;
use std::sync::Arc;

use super::batch::Batcher;
use super::rows::{ClientRow, CodeRow, TokenRow, UserRow};
use super::{db_error, TableTypes};
use crate::config::DatabaseConfig;
use crate::store::StorageResult;

/// A [`Storage`](crate::Storage) on PostgreSQL.
///
/// The type parameters are its tables — clients, tokens, codes, resource owners — the
/// embedded schema's by default ([`ClientRow`], [`TokenRow`], [`CodeRow`], [`UserRow`]);
/// `with_clients`, `with_tokens`, `with_codes` and `with_users` switch any of them to a model
/// of the application's own table (`#[oauth(table = "…")]` on its derive).
pub struct PostgresStore<C = ClientRow, T = TokenRow, A = CodeRow, U = UserRow> {
    pool: Pool<Postgres>,
    batcher: Arc<Batcher>,
    writer: Pool<Postgres>,
    tables: TableTypes<C, T, A, U>,
}

impl PostgresStore {
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
        // PostgreSQL runs concurrent writers: one pool serves both.
        let store = PostgresStore {
            writer: pool.clone(),
            pool,
            batcher: Arc::default(),
            tables: PhantomData,
        };
        if config.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }
}

sql_store!(
    PostgresStore,
    Postgres,
    sqlx::migrate!("migrations/postgres")
);
