//! Embedded SQLite: WAL journal, a busy timeout, created on first use.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

use super::db_error;
use crate::config::DatabaseConfig;
use crate::store::StorageResult;

/// A [`Storage`](crate::Storage) on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: Pool<Sqlite>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path.db`,
    /// `sqlite::memory:`), in WAL mode, and applies migrations unless `config.migrate` is off.
    pub async fn connect(url: &str, config: &DatabaseConfig) -> StorageResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(db_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(config.acquire_timeout.max(1)))
            .foreign_keys(true);
        // An in-memory database exists per connection: keep a single one.
        let max = if url.contains(":memory:") {
            1
        } else {
            config.max_connections
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .min_connections(config.min_connections.min(max))
            .acquire_timeout(Duration::from_secs(config.acquire_timeout))
            .connect_with(options)
            .await
            .map_err(db_error)?;
        let store = SqliteStore { pool };
        if config.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }
}

sql_store!(SqliteStore, Sqlite, sqlx::migrate!("migrations/sqlite"));
