//! Token lookups on an SQLite file without a thread hop.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement to it
//! through a channel: for a point lookup (a few microseconds of SQLite work) the two thread
//! switches are most of the cost, and under load the lookups queue for the pooled connections
//! (BENCHMARKS.md, issue 16: the scheduler was a third of the profile at 10⁶ tokens). This
//! reader runs the lookup on the calling thread instead, through `rusqlite` connections to the
//! same file, taken from a small idle list and put back — at most one per thread that is in a
//! lookup at once, so as many as the runtime has workers.
//!
//! It answers token lookups by digest and the revoked-family check, on the embedded token table
//! only (`TokenRow`, whose columns it names); a store on the application's own token table goes
//! through sqlx. It never writes (`PRAGMA query_only`).
//! Consistency is the pool's: in WAL mode each statement reads the newest committed snapshot,
//! so a revocation committed by the writer is seen by every lookup that starts after it.
//!
//! A lookup blocks its worker thread for as long as SQLite takes: microseconds from the page
//! cache, a `pread` from the operating system's cache otherwise. It never waits on a lock: the
//! connections have no busy timeout, and a lookup that meets one (`SQLITE_BUSY`, which WAL
//! readers see only around recovery) or any other error is handed back to the caller, which
//! runs it through the pool instead.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::rows::TokenRow;
use crate::model::{OAuth2Token, Token};
use crate::secret::SecretHash;

/// The embedded token table's columns, in [`TokenRow`]'s order (a macro: `concat!` takes
/// literals).
macro_rules! columns {
    () => {
        "access_token_hash, refresh_token_hash, client_id, user_id, scope, grant_type, \
         issued_at, expires_in, refresh_token_expires_at, family, access_token_revoked, \
         refresh_token_revoked, audience"
    };
}

/// Page cache per reader connection, in KiB (SQLite's `cache_size` when negative). The upper
/// levels of the digest index stay in it; leaf pages of a large table come from the operating
/// system's cache, outside the process's memory.
const CACHE_KIB: i64 = 2048;

/// Idle connections kept at most; more are closed when put back.
const MAX_IDLE: usize = 16;

/// Which unique digest column a lookup is by.
#[derive(Clone, Copy, Debug)]
pub(crate) enum By {
    /// `access_token_hash`.
    Access,
    /// `refresh_token_hash`.
    Refresh,
}

impl By {
    fn statement(self) -> &'static str {
        match self {
            By::Access => concat!(
                "SELECT ",
                columns!(),
                " FROM oauth2_tokens WHERE access_token_hash = ?1"
            ),
            By::Refresh => concat!(
                "SELECT ",
                columns!(),
                " FROM oauth2_tokens WHERE refresh_token_hash = ?1"
            ),
        }
    }
}

/// In-thread readers of one SQLite file's token table.
#[derive(Debug)]
pub(crate) struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl SqliteReader {
    /// Readers of the database file at `path` (opened on first use; the file must exist by
    /// then, as it does once the store is connected).
    pub(crate) fn new(path: &Path) -> Self {
        SqliteReader {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The token whose digest in column `by` is `hash`, read on this thread.
    pub(crate) fn find(&self, by: By, hash: &SecretHash) -> Result<Option<Token>, String> {
        self.with_connection(|connection| read(connection, by, hash))?
            .transpose()
    }

    /// Whether a token of `family` has its access token revoked (the family was revoked), read
    /// on this thread.
    pub(crate) fn family_revoked(&self, family: &str) -> Result<bool, String> {
        self.with_connection(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT 1 FROM oauth2_tokens WHERE family = ?1 AND access_token_revoked = TRUE \
                 LIMIT 1",
            )?;
            statement.exists([family])
        })
    }

    /// Runs `read` on an idle connection (opened if there is none), which goes back to the idle
    /// list unless `read` failed.
    fn with_connection<R>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<R>,
    ) -> Result<R, String> {
        let connection = match self.take() {
            Some(connection) => connection,
            None => self.open().map_err(|e| e.to_string())?,
        };
        let result = read(&connection);
        if result.is_ok() {
            self.put_back(connection);
        }
        result.map_err(|e| e.to_string())
    }

    fn take(&self) -> Option<Connection> {
        self.idle.lock().ok()?.pop()
    }

    fn put_back(&self, connection: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(connection);
            }
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        // No busy handler: a lookup never sleeps on a lock on a runtime thread; the caller
        // falls back to the pool.
        connection.busy_timeout(std::time::Duration::ZERO)?;
        connection.pragma_update(None, "query_only", true)?;
        connection.pragma_update(None, "cache_size", -CACHE_KIB)?;
        Ok(connection)
    }
}

/// Runs the lookup on `connection`; the row becomes a [`Token`] through [`TokenRow`], as the
/// pool's lookups do.
fn read(
    connection: &Connection,
    by: By,
    hash: &SecretHash,
) -> rusqlite::Result<Option<Result<Token, String>>> {
    let mut statement = connection.prepare_cached(by.statement())?;
    statement
        .query_row([hash.as_bytes().as_slice()], |row| {
            Ok(TokenRow {
                access_token_hash: row.get(0)?,
                refresh_token_hash: row.get(1)?,
                client_id: row.get(2)?,
                user_id: row.get(3)?,
                scope: row.get(4)?,
                grant_type: row.get(5)?,
                issued_at: row.get(6)?,
                expires_in: row.get(7)?,
                refresh_token_expires_at: row.get(8)?,
                family: row.get(9)?,
                access_token_revoked: row.get(10)?,
                refresh_token_revoked: row.get(11)?,
                audience: row.get(12)?,
            })
        })
        .optional()
        .map(|row| row.map(|row| row.to_token().map_err(|e| e.to_string())))
}
