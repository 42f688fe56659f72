//! WAL checkpoints on a thread of their own, so that the writer never runs one.
//!
//! In WAL mode a commit appends pages to the `-wal` file; a checkpoint copies them back into the
//! database and syncs both files (two `fsync`s, ~40 ms each on the benchmark machine). By
//! default the committing connection checkpoints once the WAL passes `wal_autocheckpoint`
//! pages — inside its commit, with every queued write waiting behind it. Under a sustained
//! write load it is worse: a passive checkpoint can never catch up with a writer that commits
//! every few milliseconds, so the WAL is never reset, stays past the threshold, and *every*
//! commit checkpoints (measured: a quarter of the writer thread's time, and token requests with
//! a p99 of 360 ms; BENCHMARKS.md, issue 16 round 4).
//!
//! Here the writer's automatic checkpoint is only a backstop ([`BACKSTOP_FRAMES`]); this thread
//! runs a passive checkpoint every [`INTERVAL`] — it copies and syncs without taking the write
//! lock, so writers go on committing — and, once the WAL holds [`RESTART_FRAMES`], a `RESTART`
//! checkpoint, which waits for the writer's current transaction, copies the few pages the
//! passive one left and lets the next writer start the WAL from its beginning: the file stays
//! bounded. Crash safety is SQLite's own whoever checkpoints: the WAL is only ever reused after
//! its pages are in the synced database file.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How often the WAL is checkpointed.
const INTERVAL: Duration = Duration::from_millis(100);

/// WAL pages (4 KiB each) past which the checkpoint also resets the WAL (64 MiB).
const RESTART_FRAMES: i64 = 16_384;

/// Extra passive passes at most before a restart, and the frames appended during a pass below
/// which the restart goes ahead.
const MAX_CATCH_UP: usize = 4;
const CAUGHT_UP_FRAMES: i64 = 512;

/// The writer's own automatic checkpoint, for when this thread cannot keep up (256 MiB).
pub(super) const BACKSTOP_FRAMES: u32 = 65_536;

/// How long a `RESTART` checkpoint waits for the writer's transaction and for readers of the
/// old WAL; it is tried again at the next interval if they are still there.
const RESTART_WAIT: Duration = Duration::from_millis(200);

/// The checkpointing thread of one database file; it stops when this is dropped (with the last
/// clone of the store).
#[derive(Debug)]
pub(crate) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database file at `path` (which exists once the store is
    /// connected). Without a thread (the system refused one) the writer's backstop checkpoints.
    pub(crate) fn start(path: PathBuf) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("oauth2-sqlite-checkpoint".into())
            .spawn(move || run(&path, &stopped));
        if let Err(error) = spawned {
            log::warn!("oauth2: no checkpoint thread ({error}); the writer checkpoints");
        }
        Checkpointer { _stop: stop }
    }
}

fn run(path: &Path, stopped: &mpsc::Receiver<()>) {
    let mut open = None;
    let mut last = Progress::default();
    // Every sender gone (the store dropped) or a message: stop.
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
        if open.is_none() {
            open = Files::open(path)
                .map_err(|error| log::debug!("oauth2: checkpoint connection: {error}"))
                .ok();
        }
        if let Some(files) = &open {
            match files.checkpoint(last) {
                Ok(progress) => last = progress,
                Err(error) => {
                    log::debug!("oauth2: background checkpoint failed: {error}");
                    open = None;
                }
            }
        }
    }
}

/// The checkpointing connection, and the database file to sync.
struct Files {
    connection: Connection,
    database: File,
}

/// What `PRAGMA wal_checkpoint` answered: frames in the WAL, frames copied into the database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Progress {
    frames: i64,
    copied: i64,
}

impl Files {
    fn open(path: &Path) -> Result<Files, Box<dyn std::error::Error>> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags)?;
        connection.busy_timeout(RESTART_WAIT)?;
        // It reads WAL frames and writes database pages, nothing a page cache would serve again.
        connection.pragma_update(None, "cache_size", -256)?;
        let database = File::open(path)?;
        Ok(Files {
            connection,
            database,
        })
    }

    /// One passive checkpoint, and a restarting one if the WAL has grown past
    /// [`RESTART_FRAMES`].
    fn checkpoint(&self, last: Progress) -> Result<Progress, Box<dyn std::error::Error>> {
        let progress = self.wal_checkpoint("PASSIVE")?;
        // A passive checkpoint that cannot reach the WAL's end (the writer appended meanwhile)
        // copies pages without syncing the database; the sync is left to the checkpoint that
        // does reach the end — the restarting one, which holds the write lock meanwhile. Syncing
        // here, with no lock held, leaves that one little to flush (measured: a 180 ms `fsync`
        // with the writer waiting, before this).
        if progress != last && progress.copied > 0 {
            self.database.sync_data()?;
        }
        if progress.frames >= RESTART_FRAMES {
            // The restart copies, under the write lock, what was appended since the last pass:
            // a few more passes first (until one finds little new), each shrinking that, and
            // the database synced (measured: the writer's stall at a restart went from ~170 ms
            // to ~60 ms).
            let mut before = progress;
            for _ in 0..MAX_CATCH_UP {
                let pass = self.wal_checkpoint("PASSIVE")?;
                let appended = pass.frames - before.frames;
                before = pass;
                if appended < CAUGHT_UP_FRAMES {
                    break;
                }
            }
            self.database.sync_data()?;
            return Ok(self.wal_checkpoint("RESTART")?);
        }
        Ok(progress)
    }

    fn wal_checkpoint(&self, mode: &str) -> rusqlite::Result<Progress> {
        // `PRAGMA wal_checkpoint` answers (busy, frames in the WAL, frames checkpointed).
        let statement = format!("PRAGMA wal_checkpoint({mode})");
        self.connection.query_row(&statement, [], |row| {
            Ok(Progress {
                frames: row.get(1)?,
                copied: row.get(2)?,
            })
        })
    }
}
