//! Embedded SQLite: WAL journal, a busy timeout, created on first use.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;

use std::marker::PhantomData;
use std::sync::Arc;

use super::rows::{ClientRow, CodeRow, TokenRow, UserRow};
use super::sqlite_checkpointer::{Checkpointer, BACKSTOP_FRAMES};
use super::sqlite_reader::SqliteReader;
use super::{db_error, SqlStore};
use crate::config::DatabaseConfig;
use crate::store::{StorageError, StorageResult};

/// A [`Storage`](crate::Storage) on SQLite.
///
/// Reads use a pool of connections; writes go through a single connection, so concurrent
/// writers queue in the pool instead of sleeping in SQLite's busy handler (SQLite runs one
/// writer at a time anyway).
///
/// The type parameters are its tables — clients, tokens, codes, resource owners — the
/// embedded schema's by default ([`ClientRow`], [`TokenRow`], [`CodeRow`], [`UserRow`]);
/// `with_clients`, `with_tokens`, `with_codes` and `with_users` switch any of them to a model
/// of the application's own table (`#[oauth(table = "…")]` on its derive).
pub type SqliteStore<C = ClientRow, T = TokenRow, A = CodeRow, U = UserRow> =
    SqlStore<Sqlite, C, T, A, U>;

impl SqlStore<Sqlite> {
    /// Opens (creating if missing) the database at `url` (`sqlite://path.db`,
    /// `sqlite::memory:`), in WAL mode, and applies migrations unless `config.migrate` is off.
    pub async fn connect(url: &str, config: &DatabaseConfig) -> StorageResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(db_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(config.acquire_timeout.max(1)))
            .foreign_keys(true)
            // Checkpoints (and their fsyncs) run on a thread of their own, off the writer's
            // path (`sqlite_checkpointer`); the writer checkpoints itself only if the WAL
            // passes 256 MiB.
            .pragma("wal_autocheckpoint", BACKSTOP_FRAMES.to_string())
            // A larger page cache per connection (8 MiB): index pages of a large token table
            // stay in memory. (Memory-mapped I/O would too, but counts the file into the RSS
            // of every connection.)
            .pragma("cache_size", "-8192");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(config.acquire_timeout))
            .connect_with(options.clone())
            .await
            .map_err(db_error)?;
        // An in-memory database exists per connection: everything shares the one connection.
        let pool = if url.contains(":memory:") {
            writer.clone()
        } else {
            // sqlx runs each SQLite connection on a thread of its own; more reader threads than
            // cores only add context switches (measured: BENCHMARKS.md), so readers are capped
            // at twice the cores.
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let readers = config
                .max_connections
                .min(u32::try_from(cores * 2).unwrap_or(u32::MAX))
                .max(1);
            SqlitePoolOptions::new()
                .max_connections(readers)
                .min_connections(config.min_connections.min(readers))
                .acquire_timeout(Duration::from_secs(config.acquire_timeout))
                .connect_with(options.clone())
                .await
                .map_err(db_error)?
        };
        // A file (not an in-memory database): token lookups run on the calling thread, and
        // checkpoints on a thread of their own.
        let file = !url.contains(":memory:");
        let reader = file.then(|| Arc::new(SqliteReader::new(options.get_filename())));
        let checkpointer =
            file.then(|| Arc::new(Checkpointer::start(options.get_filename().to_owned())));
        let store = SqlStore {
            reader,
            checkpointer,
            pool,
            writer,
            batches: Arc::default(),
            tables: PhantomData,
        };
        if config.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }
}

impl<C, T, A, U> SqlStore<Sqlite, C, T, A, U> {
    /// Applies the embedded schema migrations (the `oauth2_*` tables).
    pub async fn migrate(&self) -> StorageResult<()> {
        sqlx::migrate!("migrations/sqlite")
            .run(&self.writer)
            .await
            .map_err(|e| StorageError::from_source("migration failed", e))
    }
}
