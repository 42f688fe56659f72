//! How long a fetched document may be reused, from its HTTP cache headers (RFC 9111 §4.2.1):
//! `Cache-Control: no-store` or `no-cache` not at all, else `max-age` less `Age`, else
//! `Expires` less `Date`.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, AGE, CACHE_CONTROL, DATE, EXPIRES};

/// The freshness lifetime the headers give, or `None` when they give none.
pub(super) fn freshness(headers: &HeaderMap) -> Option<Duration> {
    let age = headers
        .get(AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let mut max_age = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let directive = directive.trim();
            let (name, argument) = match directive.split_once('=') {
                Some((name, argument)) => (name.trim(), Some(argument.trim().trim_matches('"'))),
                None => (directive, None),
            };
            if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                return Some(Duration::ZERO);
            }
            if name.eq_ignore_ascii_case("max-age") {
                // RFC 9111 §1.2.2: an invalid delta-seconds makes the response stale.
                max_age = Some(argument.and_then(|a| a.parse::<u64>().ok()).unwrap_or(0));
            }
        }
    }
    if let Some(max_age) = max_age {
        return Some(Duration::from_secs(max_age.saturating_sub(age)));
    }
    let date = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| httpdate::parse_http_date(v).ok())
    };
    match date(EXPIRES)? {
        // §5.3: an invalid Expires (like "0") means already expired.
        None => Some(Duration::ZERO),
        Some(expires) => {
            let now = date(DATE).flatten().unwrap_or_else(SystemTime::now);
            let lifetime = expires.duration_since(now).unwrap_or(Duration::ZERO);
            Some(lifetime.saturating_sub(Duration::from_secs(age)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn cache_headers_give_the_lifetime() {
        let secs = |pairs: &[(&'static str, &str)]| freshness(&headers(pairs)).map(|d| d.as_secs());
        assert_eq!(secs(&[]), None);
        assert_eq!(secs(&[("cache-control", "public, max-age=600")]), Some(600));
        assert_eq!(
            secs(&[("cache-control", "max-age=600"), ("age", "100")]),
            Some(500)
        );
        assert_eq!(secs(&[("cache-control", "max-age=600, no-cache")]), Some(0));
        assert_eq!(secs(&[("cache-control", "No-Store")]), Some(0));
        assert_eq!(secs(&[("cache-control", "max-age=soon")]), Some(0));
        assert_eq!(
            secs(&[
                ("date", "Tue, 01 Dec 2026 10:00:00 GMT"),
                ("expires", "Tue, 01 Dec 2026 11:00:00 GMT"),
            ]),
            Some(3600)
        );
        assert_eq!(secs(&[("expires", "0")]), Some(0));
        // max-age wins over Expires (RFC 9111 §5.3).
        assert_eq!(
            secs(&[
                ("cache-control", "max-age=60"),
                ("expires", "Tue, 01 Dec 2099 11:00:00 GMT"),
            ]),
            Some(60)
        );
    }
}
