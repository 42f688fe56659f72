//! Brute-force throttling of failed credentials (RFC 6749 §10.10, RFC 9700 §4.9 spirit).
//!
//! Failures are counted per (account, source address) and per source address within a window.
//! A key over its limit is refused with 429 and `Retry-After` until the window that holds its
//! failures has passed — before the credential is even checked. A success clears the
//! (account, address) count, and a correct credential from another address is never refused
//! because of someone else's failures: per-account counts are per address.
//!
//! State is in memory, per instance: with several instances each enforces its own limits.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::error::{ErrorCode, OAuthError};

/// Throttling thresholds (`[default.oauth2.throttle]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Turn throttling off entirely.
    pub enabled: bool,
    /// Failures allowed per (account or client, address) within the window.
    pub account_failures: u32,
    /// Failures allowed per address, over all accounts, within the window.
    pub address_failures: u32,
    /// The window, in seconds.
    pub window: u64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            enabled: true,
            account_failures: 5,
            address_failures: 50,
            window: 300,
        }
    }
}

/// What a failure counts against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Account(String, Option<IpAddr>),
    Address(IpAddr),
}

#[derive(Debug)]
struct Entry {
    failures: u32,
    window_start: Instant,
}

/// Entries kept at most; beyond it, expired entries are swept (and, if still full, new keys are
/// not tracked rather than memory growing without bound).
const MAX_ENTRIES: usize = 100_000;

/// Counts failed credentials and refuses keys over their limits.
#[derive(Debug)]
pub struct Throttle {
    config: ThrottleConfig,
    entries: Mutex<HashMap<Key, Entry>>,
}

/// The kind of credential, for the account key (a username and a client id never collide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A resource owner's password (password grant, login form).
    Password,
    /// A client secret.
    ClientSecret,
}

fn account(kind: Credential, name: &str, address: Option<IpAddr>) -> Key {
    let prefix = match kind {
        Credential::Password => "user:",
        Credential::ClientSecret => "client:",
    };
    Key::Account(format!("{prefix}{name}"), address)
}

impl Throttle {
    /// A throttle with these thresholds.
    pub fn new(config: ThrottleConfig) -> Self {
        Throttle {
            config,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn window(&self) -> Duration {
        Duration::from_secs(self.config.window)
    }

    /// Seconds until `key` may try again, if it is over `limit`.
    fn blocked(
        &self,
        entries: &HashMap<Key, Entry>,
        key: &Key,
        limit: u32,
        now: Instant,
    ) -> Option<u64> {
        let entry = entries.get(key)?;
        let elapsed = now.duration_since(entry.window_start);
        if entry.failures >= limit && elapsed < self.window() {
            Some((self.window() - elapsed).as_secs().max(1))
        } else {
            None
        }
    }

    /// Refuses (429, `Retry-After`) a credential check for `name` from `address` when either
    /// key is over its limit.
    pub fn check(
        &self,
        kind: Credential,
        name: &str,
        address: Option<IpAddr>,
    ) -> Result<(), OAuthError> {
        if !self.config.enabled {
            return Ok(());
        }
        let Ok(entries) = self.entries.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let by_account = self.blocked(
            &entries,
            &account(kind, name, address),
            self.config.account_failures,
            now,
        );
        let by_address = address.and_then(|a| {
            self.blocked(
                &entries,
                &Key::Address(a),
                self.config.address_failures,
                now,
            )
        });
        match by_account.max(by_address) {
            Some(retry_after) => Err(OAuthError::new(ErrorCode::TemporarilyUnavailable)
                .with_description("too many failed attempts; retry later")
                .with_status(429)
                .with_retry_after(retry_after)),
            None => Ok(()),
        }
    }

    /// Counts a failed credential.
    pub fn failed(&self, kind: Credential, name: &str, address: Option<IpAddr>) {
        if !self.config.enabled {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let now = Instant::now();
        if entries.len() >= MAX_ENTRIES {
            let window = self.window();
            entries.retain(|_, e| now.duration_since(e.window_start) < window);
        }
        let mut keys = vec![account(kind, name, address)];
        keys.extend(address.map(Key::Address));
        for key in keys {
            if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
                continue;
            }
            let entry = entries.entry(key).or_insert(Entry {
                failures: 0,
                window_start: now,
            });
            if now.duration_since(entry.window_start) >= self.window() {
                *entry = Entry {
                    failures: 0,
                    window_start: now,
                };
            }
            entry.failures = entry.failures.saturating_add(1);
        }
    }

    /// Clears the (account, address) count after a correct credential.
    pub fn succeeded(&self, kind: Credential, name: &str, address: Option<IpAddr>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&account(kind, name, address));
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
            ..Default::default()
        })
    }

    #[test]
    fn account_is_refused_after_its_limit_from_that_address_only() {
        let t = throttle();
        for _ in 0..3 {
            assert!(t.check(Credential::Password, "alice", ip(1)).is_ok());
            t.failed(Credential::Password, "alice", ip(1));
        }
        let refused = t.check(Credential::Password, "alice", ip(1)).unwrap_err();
        assert_eq!(refused.status(), 429);
        assert!(refused.to_response().header("Retry-After").is_some());
        assert!(t.check(Credential::Password, "alice", ip(2)).is_ok());
        assert!(t.check(Credential::ClientSecret, "alice", ip(1)).is_ok());
    }

    #[test]
    fn address_is_refused_after_spraying_accounts() {
        let t = throttle();
        for user in ["a", "b", "c", "d", "e"] {
            t.failed(Credential::Password, user, ip(3));
        }
        assert!(t.check(Credential::Password, "f", ip(3)).is_err());
        assert!(t.check(Credential::Password, "f", ip(4)).is_ok());
    }

    #[test]
    fn success_clears_the_account_count() {
        let t = throttle();
        t.failed(Credential::Password, "alice", ip(1));
        t.failed(Credential::Password, "alice", ip(1));
        t.succeeded(Credential::Password, "alice", ip(1));
        t.failed(Credential::Password, "alice", ip(1));
        assert!(t.check(Credential::Password, "alice", ip(1)).is_ok());
    }

    #[test]
    fn disabled_throttle_never_refuses() {
        let t = Throttle::new(ThrottleConfig {
            enabled: false,
            account_failures: 1,
            ..Default::default()
        });
        t.failed(Credential::Password, "alice", ip(1));
        t.failed(Credential::Password, "alice", ip(1));
        assert!(t.check(Credential::Password, "alice", ip(1)).is_ok());
    }
}
