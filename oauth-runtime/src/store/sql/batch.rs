//! Group commit of issued tokens: concurrent `save_token` calls share one transaction.
//!
//! A single-row commit costs a WAL append and its locking whatever the row; under load, a
//! writer task drains the queue and commits everything waiting at once. Each caller gets its
//! answer only after the commit that holds its token: nothing is acknowledged before it is
//! durable to the database's own standard.

use std::future::Future;
use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot};

use crate::model::Token;
use crate::store::{StorageError, StorageResult};

/// A token waiting to be written, and where its outcome goes.
pub(crate) type Job = (Token, oneshot::Sender<Result<(), String>>);

/// The most tokens one transaction takes.
pub(crate) const MAX_BATCH: usize = 512;

/// The queue to the writer task (started on first use, restarted if its runtime went away).
#[derive(Debug, Default)]
pub(crate) struct Batcher {
    sender: Mutex<Option<mpsc::UnboundedSender<Job>>>,
}

impl Batcher {
    /// Queues `token` and waits for the commit that holds it. `start` spawns a writer task on
    /// the receiver when none is running.
    pub(crate) async fn submit<F>(&self, token: Token, start: F) -> StorageResult<()>
    where
        F: Fn(mpsc::UnboundedReceiver<Job>),
    {
        let (ack, outcome) = oneshot::channel();
        let mut job = (token, ack);
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
                        .map_err(|_| StorageError::new("the token writer stopped"))?
                        .map_err(StorageError::new);
                }
                Err(mpsc::error::SendError(returned)) => job = returned,
            }
        }
        Err(StorageError::new("the token writer is unavailable"))
    }
}

/// The writer loop: takes what is queued (up to [`MAX_BATCH`]), writes it with `write`, tells
/// every caller the outcome.
pub(crate) async fn run<W, Fut>(mut receiver: mpsc::UnboundedReceiver<Job>, write: W)
where
    W: Fn(Vec<Token>) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    while let Some(first) = receiver.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (tokens, acks): (Vec<Token>, Vec<_>) = jobs.into_iter().unzip();
        let outcome = write(tokens).await;
        for ack in acks {
            let _ = ack.send(outcome.clone());
        }
    }
}
