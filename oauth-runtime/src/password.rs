//! Resource-owner password hashing with Argon2id (human passwords need a slow KDF).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

/// A PHC string of a valid Argon2id hash that matches no password a user can type: verified
/// against when the user does not exist, so that a wrong username costs the same time as a wrong
/// password (no user enumeration by timing).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&crate::secret::generate_token(43)).unwrap_or_default())
}

/// Hashes a password into an Argon2id PHC string with a random salt.
///
/// Returns `None` only if the hasher fails (it does not for valid parameters).
pub fn hash_password(password: &str) -> Option<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .ok()
        .map(|hash| hash.to_string())
}

/// Verifies `password` against a stored PHC string; a malformed hash verifies nothing.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the time of one verification and returns `None`: call it when the user is unknown.
pub(crate) fn verify_nothing<T>(password: &str) -> Option<T> {
    let _ = verify_password(password, dummy_hash());
    None
}

/// Verifies `password` for a user found by username (owner and stored hash), or spends the
/// same time when none was found. Runs on the hashing threads: Argon2 takes milliseconds of
/// CPU and ~19 MiB.
pub async fn verify_user(
    found: Option<(crate::ResourceOwner, String)>,
    password: &str,
) -> crate::StorageResult<Option<crate::ResourceOwner>> {
    let password = password.to_owned();
    on_hashing_thread(move || match found {
        Some((owner, hash)) => verify_password(&password, &hash).then_some(owner),
        None => verify_nothing(&password),
    })
    .await
}

/// Hashes a password on the hashing threads (see [`hash_password`]).
pub async fn hash_password_async(password: &str) -> crate::StorageResult<String> {
    let password = password.to_owned();
    on_hashing_thread(move || hash_password(&password))
        .await?
        .ok_or_else(|| crate::StorageError::new("password hashing failed"))
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `work` on one of a fixed set of threads (one per core), not on Tokio's blocking pool.
///
/// Argon2 allocates ~19 MiB per hash. On a pool of many short-lived threads each thread's
/// allocator arena keeps its block after the hash (150 concurrent sign-ins left ~360 MiB
/// resident even with only two verifications at a time); on a few long-lived threads the same
/// blocks are reused, so memory stays at about cores × 19 MiB. The server admits at most
/// `password_hashing.concurrency` verifications at once, so the queue stays short.
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> crate::StorageResult<T> {
    static QUEUE: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> =
        std::sync::OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        for index in 0..threads {
            let receiver = receiver.clone();
            let _ = std::thread::Builder::new()
                .name(format!("oauth-hash-{index}"))
                .spawn(move || loop {
                    let job = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
        }
        std::sync::Mutex::new(sender)
    });
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(work());
    });
    let failed = |_| crate::StorageError::new("password hashing threads are unavailable");
    queue
        .lock()
        .map_err(|_| crate::StorageError::new("password hashing queue poisoned"))?
        .send(job)
        .map_err(failed)?;
    result
        .await
        .map_err(|e| crate::StorageError::from_source("password hashing task failed", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_its_password_only() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horse ", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(verify_nothing::<()>("correct horse").is_none());
    }

    #[rocket::async_test]
    async fn hashing_threads_verify_and_hash() {
        let phc = hash_password_async("pw").await.unwrap();
        let owner = crate::ResourceOwner::new("1", "a");
        let found = verify_user(Some((owner.clone(), phc)), "pw").await.unwrap();
        assert_eq!(found, Some(owner));
        assert_eq!(verify_user(None, "pw").await.unwrap(), None);
    }
}
