//! Brute-force defence for passwords and client secrets (RFC 6749 §10.10, RFC 9700 §4.9 spirit)
//! that neither lets a guesser through nor locks out the innocent (CWE-307 without CWE-645).
//!
//! Three attacks, three counters, all within a sliding `window`:
//!
//! - **Guessing one account from one address**: failures per (account, address). After
//!   `account_failures` of them that pair is refused with 429 and `Retry-After` until the
//!   window has passed — before the credential is checked. Other addresses are not affected,
//!   so the owner elsewhere can still sign in.
//! - **Spraying many accounts from one address**: failures per address. Past
//!   `address_failures` the address is *slowed*, not refused: its credential checks are spaced
//!   by a delay that grows with each further failure, up to `max_delay_ms`. A correct
//!   credential still succeeds, late; a guesser gets at most one attempt per delay, whatever its
//!   concurrency (the spacing is reserved atomically).
//! - **Guessing one account from many addresses**: failures per account from all addresses.
//!   Past `account_wide_failures`, that account's checks are spaced the same way.
//!
//! Accounting is atomic: an attempt reserves its place in the (account, address) count before
//! the credential is checked ([`Throttle::begin`]), so concurrent guesses cannot all pass a
//! limit they would each cross. State is bounded: account names and client ids are hashed into
//! fixed-size keys, IPv6 addresses are counted per /64, entries expire with their window, and
//! the table holds at most `max_entries`; when full, the entries with the fewest failures go
//! first, so an account under attack keeps its count.
//!
//! State is in memory, per instance: with several instances each enforces its own limits.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{ErrorCode, OAuthError};

/// Throttling thresholds (`[default.oauth2.throttle]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Turn throttling off entirely.
    pub enabled: bool,
    /// Failures allowed per (account or client, address) within the window; then 429.
    pub account_failures: u32,
    /// Failures per address, over all accounts, within the window before that address's
    /// credential checks are slowed (never refused).
    pub address_failures: u32,
    /// Failures per account or client, from all addresses, within the window before that
    /// account's credential checks are slowed (never refused).
    pub account_wide_failures: u32,
    /// Delay added per failure beyond a slowing threshold, in milliseconds.
    pub delay_step_ms: u64,
    /// The longest delay between two checks of a slowed address or account, in milliseconds.
    pub max_delay_ms: u64,
    /// The longest a check waits for its turn; a check that would wait longer (only when many
    /// attempts from one slowed address or for one slowed account are already queued) is
    /// answered 429 with `Retry-After`. Seconds.
    pub max_wait: u64,
    /// The window, in seconds.
    pub window: u64,
    /// Entries kept at most (about 100 bytes each).
    pub max_entries: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            enabled: true,
            account_failures: 5,
            address_failures: 100,
            account_wide_failures: 50,
            delay_step_ms: 100,
            max_delay_ms: 2000,
            max_wait: 30,
            window: 300,
            max_entries: 100_000,
        }
    }
}

/// The kind of credential, for the account key (a username and a client id never collide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A resource owner's password (password grant, login form).
    Password,
    /// A client secret.
    ClientSecret,
}

/// An account name or client id, hashed: keys have a fixed size whatever the input.
type AccountKey = [u8; 16];

/// What a failure counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Pair(AccountKey, Option<IpAddr>),
    Address(IpAddr),
    Account(AccountKey),
}

#[derive(Debug)]
struct Entry {
    failures: u32,
    /// Attempts that reserved a place and have no outcome yet (pair keys).
    pending: u32,
    window_start: Instant,
    /// The earliest start of the next check (slowed keys).
    next_slot: Instant,
}

impl Entry {
    fn new(now: Instant) -> Self {
        Entry {
            failures: 0,
            pending: 0,
            window_start: now,
            next_slot: now,
        }
    }

    /// Restarts the count when its window has passed.
    fn refresh(&mut self, now: Instant, window: Duration) {
        if now.duration_since(self.window_start) >= window {
            self.failures = 0;
            self.window_start = now;
        }
    }

    fn expired(&self, now: Instant, window: Duration) -> bool {
        self.pending == 0
            && now.duration_since(self.window_start) >= window
            && self.next_slot <= now
    }
}

#[derive(Debug)]
struct Table {
    entries: HashMap<Key, Entry>,
    last_sweep: Instant,
}

/// Counts failed credentials, refuses attacked (account, address) pairs and slows noisy
/// addresses and attacked accounts.
#[derive(Debug)]
pub struct Throttle {
    config: ThrottleConfig,
    table: Mutex<Table>,
    /// Signalled whenever an attempt ends, for attempts waiting for a place.
    ended: tokio::sync::Notify,
    /// Attempts waiting for a place (the common case, none, skips the signal).
    waiting: AtomicUsize,
}

/// Why an attempt may not start now.
enum Busy {
    /// The pair is over its limit, or the wait would be too long: 429.
    Refused(OAuthError),
    /// Places are taken by attempts in flight: wait for one to end, then look again.
    Full,
}

/// An attempt with a reserved place in the counts: report its outcome with
/// [`failed`](Self::failed) or [`succeeded`](Self::succeeded). Dropped without an outcome (the
/// check itself failed, e.g. storage was down) it releases its place and counts nothing.
#[derive(Debug)]
#[must_use = "report the outcome with failed() or succeeded()"]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    keys: Option<(Key, Option<Key>, Key)>,
}

fn account_key(kind: Credential, name: &str) -> AccountKey {
    let prefix: &[u8] = match kind {
        Credential::Password => b"user\0",
        Credential::ClientSecret => b"client\0",
    };
    let digest = Sha256::new()
        .chain_update(prefix)
        .chain_update(name.as_bytes())
        .finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// The address as counted: IPv4 as is, IPv6 per /64 (one host usually has a whole /64, so
/// counting single IPv6 addresses would let it rotate through 2^64 of them).
pub(crate) fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

fn refused(retry_after: Duration) -> OAuthError {
    OAuthError::new(ErrorCode::TemporarilyUnavailable)
        .with_description("too many failed attempts; retry later")
        .with_status(429)
        .with_retry_after(retry_after.as_secs().max(1))
}

impl Throttle {
    /// A throttle with these thresholds.
    pub fn new(config: ThrottleConfig) -> Self {
        Throttle {
            config,
            table: Mutex::new(Table {
                entries: HashMap::new(),
                last_sweep: Instant::now(),
            }),
            ended: tokio::sync::Notify::new(),
            waiting: AtomicUsize::new(0),
        }
    }

    fn window(&self) -> Duration {
        Duration::from_secs(self.config.window)
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // A panic while holding the lock cannot leave the counts inconsistent beyond one
        // attempt, so a poisoned lock is used as is rather than failing open.
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The spacing a slowed key imposes, from its failures beyond `threshold`.
    fn delay(&self, failures: u32, threshold: u32) -> Duration {
        let excess = u64::from(failures.saturating_sub(threshold));
        Duration::from_millis(
            excess
                .saturating_mul(self.config.delay_step_ms)
                .min(self.config.max_delay_ms),
        )
    }

    /// Reserves a place for one credential check of `name` from `address`, waiting first when
    /// the address or the account is slowed.
    ///
    /// Refuses with 429 `temporarily_unavailable` and `Retry-After` when the (account,
    /// address) pair is over `account_failures`, or when the wait for a turn would exceed
    /// `max_wait`. While the pair's remaining failures are all taken by attempts in flight,
    /// the attempt waits for one of them to end: concurrent guesses cannot pass the limit
    /// together, and concurrent correct credentials merely queue.
    pub async fn begin(
        &self,
        kind: Credential,
        name: &str,
        address: Option<IpAddr>,
    ) -> Result<Attempt<'_>, OAuthError> {
        if !self.config.enabled {
            return Ok(Attempt {
                throttle: self,
                keys: None,
            });
        }
        let account = account_key(kind, name);
        let address = address.map(address_key);
        let keys = (
            Key::Pair(account, address),
            address.map(Key::Address),
            Key::Account(account),
        );
        let start = match self.reserve(keys) {
            Ok(start) => start,
            Err(Busy::Refused(error)) => return Err(error),
            // Boxed: the rare slow path does not enlarge every caller's future.
            Err(Busy::Full) => Box::pin(self.wait_for_place(keys)).await?,
        };
        let attempt = Attempt {
            throttle: self,
            keys: Some(keys),
        };
        // Waiting holds the reservation: concurrent attempts queue behind one another.
        if let Some(start) = start {
            Box::pin(tokio::time::sleep_until(start.into())).await;
        }
        Ok(attempt)
    }

    /// The slow path of [`begin`](Self::begin): the pair's places are all taken by attempts in
    /// flight, so wait for one to end (at most `max_wait`) and try again.
    async fn wait_for_place(
        &self,
        keys: (Key, Option<Key>, Key),
    ) -> Result<Option<Instant>, OAuthError> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(self.config.max_wait);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let result = loop {
            // Registered before looking again, so an end between the two is not missed.
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            match self.reserve(keys) {
                Ok(start) => break Ok(start),
                Err(Busy::Refused(error)) => break Err(error),
                Err(Busy::Full) => {
                    if tokio::time::timeout_at(deadline, ended).await.is_err() {
                        break Err(refused(Duration::from_secs(1)));
                    }
                }
            }
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        result
    }

    /// Wakes attempts waiting for a place, if any.
    fn wake_waiters(&self) {
        if self.waiting.load(Ordering::SeqCst) > 0 {
            self.ended.notify_waiters();
        }
    }

    /// The atomic part of [`begin`](Self::begin): checks the pair, takes a place in it, and
    /// reserves a turn at the slowed keys; the start time when the check must wait.
    fn reserve(
        &self,
        (pair, address, account): (Key, Option<Key>, Key),
    ) -> Result<Option<Instant>, Busy> {
        let now = Instant::now();
        let window = self.window();
        let mut table = self.lock();
        self.make_room(&mut table, now);
        let entry = table.entries.entry(pair).or_insert_with(|| Entry::new(now));
        entry.refresh(now, window);
        if entry.failures >= self.config.account_failures {
            let retry = window.saturating_sub(now.duration_since(entry.window_start));
            return Err(Busy::Refused(refused(retry)));
        }
        if entry.failures.saturating_add(entry.pending) >= self.config.account_failures {
            return Err(Busy::Full);
        }
        // The turn: the latest free slot of the slowed keys (at most two: no allocation).
        let mut slowed: [Option<(Key, Duration, Instant)>; 2] = [None, None];
        let candidates = [
            address.map(|k| (k, self.config.address_failures)),
            Some((account, self.config.account_wide_failures)),
        ];
        for (slot, (key, threshold)) in slowed.iter_mut().zip(candidates.into_iter().flatten()) {
            if let Some(entry) = table.entries.get_mut(&key) {
                entry.refresh(now, window);
                let delay = self.delay(entry.failures, threshold);
                if !delay.is_zero() {
                    *slot = Some((key, delay, entry.next_slot));
                }
            }
        }
        let start = slowed
            .iter()
            .flatten()
            .map(|(_, _, next)| *next)
            .fold(now, Instant::max);
        let wait = start.duration_since(now);
        if wait > Duration::from_secs(self.config.max_wait) {
            return Err(Busy::Refused(refused(wait)));
        }
        for (key, delay, _) in slowed.iter().flatten() {
            if let Some(entry) = table.entries.get_mut(key) {
                entry.next_slot = start + *delay;
            }
        }
        if let Some(entry) = table.entries.get_mut(&pair) {
            entry.pending += 1;
        }
        Ok((start > now).then_some(start))
    }

    /// Keeps the table within `max_entries`: expired entries go on a timer (every quarter
    /// window) and whenever the table is full; if still full, the half with the fewest
    /// failures goes, so the counts of attacked accounts and noisy addresses stay.
    fn make_room(&self, table: &mut Table, now: Instant) {
        let window = self.window();
        // Room for the up to three entries one attempt adds.
        let full = |table: &Table| table.entries.len() + 3 >= self.config.max_entries;
        if full(table) || now.duration_since(table.last_sweep) >= window / 4 {
            table.entries.retain(|_, e| !e.expired(now, window));
            table.last_sweep = now;
        }
        if full(table) {
            let mut counts: Vec<(u32, Key)> = table
                .entries
                .iter()
                .filter(|(_, e)| e.pending == 0)
                .map(|(k, e)| (e.failures, *k))
                .collect();
            let evict = counts.len().min(table.entries.len() / 2);
            if evict > 0 && evict < counts.len() {
                counts.select_nth_unstable_by_key(evict, |(failures, _)| *failures);
            }
            for (_, key) in counts.iter().take(evict) {
                table.entries.remove(key);
            }
        }
    }

    fn record(&self, keys: (Key, Option<Key>, Key), failed: bool) {
        self.record_locked(keys, failed);
        self.wake_waiters();
    }

    fn record_locked(&self, keys: (Key, Option<Key>, Key), failed: bool) {
        let now = Instant::now();
        let window = self.window();
        let mut table = self.lock();
        let (pair, address, account) = keys;
        if let Some(entry) = table.entries.get_mut(&pair) {
            entry.pending = entry.pending.saturating_sub(1);
            if failed {
                entry.refresh(now, window);
                entry.failures = entry.failures.saturating_add(1);
            } else {
                entry.failures = 0;
            }
        }
        if failed {
            self.make_room(&mut table, now);
            for key in address.into_iter().chain([account]) {
                let entry = table.entries.entry(key).or_insert_with(|| Entry::new(now));
                entry.refresh(now, window);
                entry.failures = entry.failures.saturating_add(1);
            }
        }
    }

    /// Entries held now (for tests and metrics).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Attempt<'_> {
    /// The credential was wrong: counts against the pair, the address and the account.
    pub fn failed(mut self) {
        if let Some(keys) = self.keys.take() {
            self.throttle.record(keys, true);
        }
    }

    /// The credential was right: clears the (account, address) count.
    pub fn succeeded(mut self) {
        if let Some(keys) = self.keys.take() {
            self.throttle.record(keys, false);
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if let Some((pair, _, _)) = self.keys.take() {
            if let Some(entry) = self.throttle.lock().entries.get_mut(&pair) {
                entry.pending = entry.pending.saturating_sub(1);
            }
            self.throttle.wake_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    fn throttle() -> Throttle {
        Throttle::new(ThrottleConfig {
            account_failures: 3,
            address_failures: 5,
            account_wide_failures: 8,
            delay_step_ms: 1,
            max_delay_ms: 5,
            ..Default::default()
        })
    }

    async fn fail(t: &Throttle, name: &str, address: Option<IpAddr>) -> Result<(), OAuthError> {
        t.begin(Credential::Password, name, address).await?.failed();
        Ok(())
    }

    #[rocket::async_test]
    async fn pair_is_refused_after_its_limit_from_that_address_only() {
        let t = throttle();
        for _ in 0..3 {
            fail(&t, "alice", ip(1)).await.unwrap();
        }
        let refused = t
            .begin(Credential::Password, "alice", ip(1))
            .await
            .unwrap_err();
        assert_eq!(refused.status(), 429);
        assert!(refused.to_response().header("Retry-After").is_some());
        t.begin(Credential::Password, "alice", ip(2))
            .await
            .unwrap()
            .succeeded();
        t.begin(Credential::ClientSecret, "alice", ip(1))
            .await
            .unwrap()
            .succeeded();
    }

    #[rocket::async_test]
    async fn spraying_slows_the_address_but_never_refuses_it() {
        let t = throttle();
        for user in 0..20 {
            fail(&t, &format!("user{user}"), ip(3)).await.unwrap();
        }
        let started = Instant::now();
        t.begin(Credential::Password, "good", ip(3))
            .await
            .unwrap()
            .succeeded();
        t.begin(Credential::Password, "good2", ip(3))
            .await
            .unwrap()
            .succeeded();
        assert!(
            started.elapsed() >= Duration::from_millis(5),
            "the second check waited its turn"
        );
    }

    #[rocket::async_test]
    async fn attempts_in_flight_hold_their_place() {
        let t = throttle();
        let mut in_flight = Vec::new();
        for _ in 0..3 {
            in_flight.push(t.begin(Credential::Password, "alice", ip(9)).await.unwrap());
        }
        // A fourth waits while the three may still fail...
        let waiting = tokio::time::timeout(
            Duration::from_millis(50),
            t.begin(Credential::Password, "alice", ip(9)),
        )
        .await;
        assert!(waiting.is_err(), "the fourth attempt did not wait");
        // ... and once they have failed, it is refused outright.
        for attempt in in_flight.drain(..) {
            attempt.failed();
        }
        assert!(t.begin(Credential::Password, "alice", ip(9)).await.is_err());
        // Correct credentials in flight only queue: each success frees its place.
        let fresh = throttle();
        let mut oks = Vec::new();
        for _ in 0..3 {
            oks.push(
                fresh
                    .begin(Credential::Password, "bob", ip(9))
                    .await
                    .unwrap(),
            );
        }
        let fourth = fresh.begin(Credential::Password, "bob", ip(9));
        let release = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            oks.pop().unwrap().succeeded();
        };
        let (fourth, ()) = tokio::join!(fourth, release);
        fourth.unwrap().succeeded();
    }

    #[rocket::async_test]
    async fn dropped_attempt_releases_its_place() {
        let t = throttle();
        for _ in 0..10 {
            drop(t.begin(Credential::Password, "alice", ip(1)).await.unwrap());
        }
        t.begin(Credential::Password, "alice", ip(1))
            .await
            .unwrap()
            .succeeded();
    }

    #[rocket::async_test]
    async fn success_clears_the_pair_count() {
        let t = throttle();
        fail(&t, "alice", ip(1)).await.unwrap();
        fail(&t, "alice", ip(1)).await.unwrap();
        t.begin(Credential::Password, "alice", ip(1))
            .await
            .unwrap()
            .succeeded();
        fail(&t, "alice", ip(1)).await.unwrap();
        fail(&t, "alice", ip(1)).await.unwrap();
        t.begin(Credential::Password, "alice", ip(1))
            .await
            .unwrap()
            .succeeded();
    }

    #[rocket::async_test]
    async fn disabled_throttle_never_refuses() {
        let t = Throttle::new(ThrottleConfig {
            enabled: false,
            account_failures: 1,
            ..Default::default()
        });
        for _ in 0..5 {
            fail(&t, "alice", ip(1)).await.unwrap();
        }
        assert!(t.is_empty());
    }

    #[rocket::async_test]
    async fn table_is_bounded_and_keeps_the_attacked_account() {
        let t = Throttle::new(ThrottleConfig {
            max_entries: 1000,
            address_failures: u32::MAX,
            account_wide_failures: u32::MAX,
            ..Default::default()
        });
        for _ in 0..5 {
            fail(&t, "victim", ip(1)).await.unwrap();
        }
        for i in 0..20_000u32 {
            let address = Some(IpAddr::from(i.to_be_bytes()));
            fail(&t, &format!("noise{i}"), address).await.unwrap();
            assert!(t.len() <= 1000);
        }
        assert!(t
            .begin(Credential::Password, "victim", ip(1))
            .await
            .is_err());
    }

    #[test]
    fn ipv6_is_counted_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(address_key(mapped), ip(1).unwrap());
    }

    #[test]
    fn keys_have_a_fixed_size() {
        let long = "x".repeat(200 * 1024);
        assert_eq!(account_key(Credential::ClientSecret, &long).len(), 16);
        assert_ne!(
            account_key(Credential::ClientSecret, "a"),
            account_key(Credential::Password, "a")
        );
    }
}
