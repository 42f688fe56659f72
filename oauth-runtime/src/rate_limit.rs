//! A per-address rate limit for unauthenticated writes (dynamic client registration): at most
//! `limit` per address within a fixed window, answered 429 with `Retry-After` beyond it.
//! Bounded like the throttle: IPv6 addresses count per /64, and the table holds at most
//! `MAX_ENTRIES` addresses (when full, expired windows go first, then the whole table).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{ErrorCode, OAuthError};

/// Addresses remembered at most (about 50 bytes each).
const MAX_ENTRIES: usize = 100_000;

/// Counts writes per address.
#[derive(Debug)]
pub(crate) struct RateLimit {
    limit: u32,
    window: Duration,
    counts: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimit {
    /// At most `limit` writes per address within `window` seconds.
    pub(crate) fn new(limit: u32, window: u64) -> Self {
        RateLimit {
            limit,
            window: Duration::from_secs(window),
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one write from `address`; `Err` (429, `Retry-After`) when it is over the limit.
    /// A request without a known address (not over TCP) is not limited.
    pub(crate) fn check(&self, address: Option<IpAddr>) -> Result<(), OAuthError> {
        let Some(address) = address else {
            return Ok(());
        };
        let key = crate::throttle::address_key(address);
        let now = Instant::now();
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if counts.len() >= MAX_ENTRIES && !counts.contains_key(&key) {
            let window = self.window;
            counts.retain(|_, (start, _)| now.duration_since(*start) < window);
            if counts.len() >= MAX_ENTRIES {
                counts.clear();
            }
        }
        let entry = counts.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let retry = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(OAuthError::new(ErrorCode::TemporarilyUnavailable)
                .with_description("too many registrations from this address; retry later")
                .with_status(429)
                .with_retry_after(retry.as_secs().max(1)));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_per_address() {
        let limit = RateLimit::new(2, 3600);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limit.check(Some(a)).is_ok());
        assert!(limit.check(Some(a)).is_ok());
        let refused = limit.check(Some(a)).unwrap_err();
        assert_eq!(refused.status(), 429);
        assert!(limit.check(Some(b)).is_ok());
        assert!(limit.check(None).is_ok());
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let limit = RateLimit::new(1, 0);
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        assert!(limit.check(Some(a)).is_ok());
        assert!(limit.check(Some(a)).is_ok());
    }
}
