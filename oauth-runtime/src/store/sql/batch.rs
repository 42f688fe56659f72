//! Group commit: concurrent writes of one kind share one statement and one transaction (and
//! concurrent token lookups one query).
//!
//! A single-row commit costs a WAL append and its locking whatever the row, and on SQLite a
//! hop to the connection's thread per statement; under load, a writer task drains the queue and
//! writes everything waiting at once: issued tokens in one multi-row `INSERT`, redeemed codes
//! in one conditional `UPDATE … RETURNING`, rotated refresh tokens in one claim and one insert
//! (`store.rs`). Each caller gets its own answer only after the commit that holds its write:
//! nothing is acknowledged before it is durable to the database's own standard.

use std::future::Future;
use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot};

use std::sync::Arc;

use crate::model::{AuthorizationCode, OAuth2Client, Token};
use crate::secret::SecretHash;
use crate::store::{Rotation, StorageError, StorageResult};

/// A write waiting (`J`), and where its outcome (`O`) goes.
pub(crate) type Job<J, O> = (J, oneshot::Sender<Result<O, String>>);

/// The most writes one transaction takes.
pub(crate) const MAX_BATCH: usize = 512;

/// The queue to a writer task (started on first use, restarted if its runtime went away).
pub(crate) struct Batcher<J, O = ()> {
    sender: Mutex<Option<mpsc::UnboundedSender<Job<J, O>>>>,
}

impl<J, O> std::fmt::Debug for Batcher<J, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl<J, O> Default for Batcher<J, O> {
    fn default() -> Self {
        Batcher {
            sender: Mutex::new(None),
        }
    }
}

impl<J, O> Batcher<J, O> {
    /// Queues `write` and waits for the commit that holds it. `start` spawns a writer task on
    /// the receiver when none is running.
    pub(crate) async fn submit<F>(&self, write: J, start: F) -> StorageResult<O>
    where
        F: Fn(mpsc::UnboundedReceiver<Job<J, O>>),
    {
        let (ack, outcome) = oneshot::channel();
        let mut job = (write, ack);
        for _ in 0..2 {
            let sender = {
                let mut guard = self
                    .sender
                    .lock()
                    .map_err(|_| StorageError::new("writer queue poisoned"))?;
                match guard.as_ref() {
                    Some(sender) if !sender.is_closed() => sender.clone(),
                    _ => {
                        let (sender, receiver) = mpsc::unbounded_channel();
                        start(receiver);
                        *guard = Some(sender.clone());
                        sender
                    }
                }
            };
            match sender.send(job) {
                Ok(()) => {
                    return outcome
                        .await
                        .map_err(|_| StorageError::new("the batch writer stopped"))?
                        .map_err(StorageError::new);
                }
                Err(mpsc::error::SendError(returned)) => job = returned,
            }
        }
        Err(StorageError::new("the batch writer is unavailable"))
    }
}

/// The writer loop: takes what is queued (up to [`MAX_BATCH`]), writes it with `write`, tells
/// every caller its outcome (`write` answers one per write, in order) or the batch's error.
pub(crate) async fn run<J, O, W, Fut>(mut receiver: mpsc::UnboundedReceiver<Job<J, O>>, write: W)
where
    W: Fn(Vec<J>) -> Fut,
    Fut: Future<Output = Result<Vec<O>, String>>,
{
    while let Some(first) = receiver.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (writes, acks): (Vec<J>, Vec<_>) = jobs.into_iter().unzip();
        match write(writes).await {
            Ok(outcomes) if outcomes.len() == acks.len() => {
                for (ack, outcome) in acks.into_iter().zip(outcomes) {
                    let _ = ack.send(Ok(outcome));
                }
            }
            Ok(_) => {
                for ack in acks {
                    let _ = ack.send(Err("the batch writer lost an answer".to_owned()));
                }
            }
            Err(error) => {
                for ack in acks {
                    let _ = ack.send(Err(error.clone()));
                }
            }
        }
    }
}

impl<J: Send + 'static, O: Send + 'static> Batcher<J, O> {
    /// Queues `job` for the writer task of this batcher, started on `pool` with `write` when
    /// none is running, and waits for its outcome. `write` takes the pool and every job
    /// waiting, and answers one outcome per job, in order.
    pub(crate) async fn submit_to<DB, W, Fut>(
        &self,
        pool: &sqlx::Pool<DB>,
        job: J,
        write: W,
    ) -> StorageResult<O>
    where
        DB: sqlx::Database,
        W: Fn(sqlx::Pool<DB>, Vec<J>) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = StorageResult<Vec<O>>> + Send + 'static,
    {
        let pool = pool.clone();
        self.submit(job, move |receiver| {
            let (pool, write) = (pool.clone(), write.clone());
            tokio::spawn(run(receiver, move |jobs| {
                let written = write(pool.clone(), jobs);
                async move { written.await.map_err(|e| e.to_string()) }
            }));
        })
        .await
    }
}

/// The batching tasks of one store, one per kind of statement.
#[derive(Debug, Default)]
pub(crate) struct Batches {
    /// Access tokens looked up by digest (stores without an in-thread reader): concurrent
    /// lookups share one `SELECT … IN (…)`.
    pub(crate) lookups: Batcher<SecretHash, Option<Token>>,
    /// Clients looked up by id: concurrent lookups share one `SELECT … IN (…)`.
    pub(crate) clients: Batcher<String, Option<Arc<dyn OAuth2Client>>>,
    /// Issued tokens (`save_token`).
    pub(crate) tokens: Batcher<Token>,
    /// Codes redeemed: a digest and the client presenting it; the code if this redemption
    /// took it.
    pub(crate) redeems: Batcher<(SecretHash, String), Option<AuthorizationCode>>,
    /// Refresh tokens rotated: the old digest and the new token.
    pub(crate) rotations: Batcher<(SecretHash, Token), Rotation>,
}

/// `count` groups of `width` numbered parameters from `$first`, separated by commas (`$4, $5`;
/// groups wider than one in parentheses: `($3, $4), ($5, $6)`). The count is rounded up to a power of two
/// (the caller repeats its last value) so that few distinct statements are prepared.
pub(crate) fn parameters(count: usize, first: usize, width: usize) -> (String, usize) {
    let padded = count.max(1).next_power_of_two();
    let mut list = String::with_capacity(padded * 8 * width);
    let mut next = first;
    for i in 0..padded {
        if i > 0 {
            list.push_str(", ");
        }
        if width > 1 {
            list.push('(');
        }
        for j in 0..width {
            if j > 0 {
                list.push_str(", ");
            }
            list.push('$');
            list.push_str(&next.to_string());
            next += 1;
        }
        if width > 1 {
            list.push(')');
        }
    }
    (list, padded)
}

#[cfg(test)]
mod tests {
    use super::parameters;

    #[test]
    fn parameters_are_numbered_and_padded_to_a_power_of_two() {
        assert_eq!(parameters(1, 4, 1), ("$4".to_owned(), 1));
        assert_eq!(parameters(3, 4, 1), ("$4, $5, $6, $7".to_owned(), 4));
        assert_eq!(parameters(2, 3, 2), ("($3, $4), ($5, $6)".to_owned(), 2));
        assert_eq!(parameters(0, 1, 1), ("$1".to_owned(), 1));
    }
}
