//! Resource-server mode: validating the tokens of an authorization server that runs elsewhere.
//!
//! JWT access tokens (RFC 9068) are verified here against the issuer's JWK Set, discovered
//! from its metadata, cached, and reloaded when a token names an unknown `kid` (at most every
//! `jwks_min_refresh` seconds). Opaque tokens are introspected (RFC 7662), the answer reused
//! for `introspection_cache` seconds. Either way the route sees the same [`CurrentToken`].
//! Validated tokens are remembered by their SHA-256 digest, so a token's signature is checked
//! once, not on every request.

pub(crate) mod config;
mod discovery;
mod http;
mod introspection;
mod jwks;
mod jwt;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use self::config::ResourceServerConfig;
use self::discovery::Endpoints;
use self::http::Failure;
use self::jwks::Keys;
use crate::model::now;
use crate::resource::CurrentToken;
use crate::secret::SecretHash;

/// Why a token was not accepted.
pub(crate) enum Refusal {
    /// The token is not valid here: 401 `invalid_token`.
    Invalid(&'static str),
    /// The authorization server could not be reached: 503.
    Unavailable,
}

/// A validated token (or, for introspection, a refusal) and until when it may be reused.
#[derive(Clone)]
struct Remembered {
    token: Option<Arc<CurrentToken>>,
    until: u64,
}

/// The JWK Set as last loaded, and when.
struct LoadedKeys {
    keys: Arc<Keys>,
    loaded: Option<Instant>,
}

/// The authorization server as a resource server sees it.
pub(crate) struct RemoteIssuer {
    config: ResourceServerConfig,
    http: reqwest::Client,
    endpoints: tokio::sync::Mutex<(Option<Arc<Endpoints>>, Option<Instant>)>,
    keys: RwLock<LoadedKeys>,
    /// Serialises JWK Set loads; holds when the last one was tried.
    key_load: tokio::sync::Mutex<Option<Instant>>,
    remembered: quick_cache::sync::Cache<SecretHash, Remembered>,
}

impl RemoteIssuer {
    pub(crate) fn new(config: ResourceServerConfig) -> Result<RemoteIssuer, String> {
        let http = http::client(config.timeout).map_err(|e| e.0)?;
        Ok(RemoteIssuer {
            remembered: quick_cache::sync::Cache::new(config.cache_capacity.max(1)),
            config,
            http,
            endpoints: tokio::sync::Mutex::new((None, None)),
            keys: RwLock::new(LoadedKeys {
                keys: Arc::new(Keys::default()),
                loaded: None,
            }),
            key_load: tokio::sync::Mutex::new(None),
        })
    }

    fn min_refresh(&self) -> Duration {
        Duration::from_secs(self.config.jwks_min_refresh)
    }

    /// Discovers the endpoints and loads the keys, so that the first request does not wait;
    /// a failure is logged and retried when a token needs them.
    pub(crate) async fn prefetch(&self) {
        let publishes_keys = self
            .endpoints()
            .await
            .is_ok_and(|endpoints| endpoints.jwks_uri.is_some());
        if publishes_keys {
            let _ = self.reload_keys(None).await;
        }
    }

    /// The endpoints, discovered once; a failed discovery is retried at most every
    /// `jwks_min_refresh` seconds.
    async fn endpoints(&self) -> Result<Arc<Endpoints>, Refusal> {
        let mut state = self.endpoints.lock().await;
        if let Some(endpoints) = &state.0 {
            return Ok(endpoints.clone());
        }
        if state.1.is_some_and(|at| at.elapsed() < self.min_refresh()) {
            return Err(Refusal::Unavailable);
        }
        state.1 = Some(Instant::now());
        match discovery::discover(&self.http, &self.config).await {
            Ok(endpoints) => {
                let endpoints = Arc::new(endpoints);
                state.0 = Some(endpoints.clone());
                Ok(endpoints)
            }
            Err(failure) => {
                log::warn!("oauth2 resource server: discovery failed: {failure}");
                Err(Refusal::Unavailable)
            }
        }
    }

    /// Validates `token`: remembered, else as a JWT or by introspection.
    pub(crate) async fn authenticate(&self, token: &str) -> Result<Arc<CurrentToken>, Refusal> {
        let digest = SecretHash::of(token);
        let now = now();
        if let Some(remembered) = self.remembered.get(&digest) {
            if remembered.until > now {
                return match remembered.token {
                    Some(token)
                        if token.expires_at.saturating_add(self.config.clock_skew) > now =>
                    {
                        Ok(token)
                    }
                    Some(_) => Err(Refusal::Invalid("the access token expired")),
                    None => Err(Refusal::Invalid("the access token is invalid")),
                };
            }
            self.remembered.remove(&digest);
        }
        match jwt::shape(token) {
            jwt::Shape::Refused(why) => Err(Refusal::Invalid(why)),
            jwt::Shape::Jwt(header) => {
                let validated = Arc::new(self.validate_jwt(token, &header).await?);
                let until = validated.expires_at.saturating_add(self.config.clock_skew);
                self.remember(digest, Some(validated.clone()), until);
                Ok(validated)
            }
            jwt::Shape::Opaque => self.introspect(digest, token, now).await,
        }
    }

    fn remember(&self, digest: SecretHash, token: Option<Arc<CurrentToken>>, until: u64) {
        self.remembered.insert(digest, Remembered { token, until });
    }

    async fn validate_jwt(
        &self,
        token: &str,
        header: &jsonwebtoken::Header,
    ) -> Result<CurrentToken, Refusal> {
        jwt::check_header(header).map_err(Refusal::Invalid)?;
        let kid = header.kid.as_deref();
        let keys = match self.current_keys() {
            Some(keys) if keys.find(kid, header.alg).is_some() => keys,
            // An unknown `kid` (or stale keys): the issuer may have rotated; load again.
            _ => self.reload_keys(kid).await?,
        };
        let key = keys.find(kid, header.alg).ok_or(Refusal::Invalid(
            "the access token's signing key is unknown",
        ))?;
        jwt::verify(token, header.alg, key, &self.config).map_err(Refusal::Invalid)
    }

    /// The loaded keys, if they are fresh enough.
    fn current_keys(&self) -> Option<Arc<Keys>> {
        let loaded = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let fresh = loaded
            .loaded
            .is_some_and(|at| at.elapsed() < Duration::from_secs(self.config.jwks_refresh));
        fresh.then(|| loaded.keys.clone())
    }

    /// Loads the JWK Set unless another task just did (or one was tried less than
    /// `jwks_min_refresh` ago); the keys as they now are.
    async fn reload_keys(&self, wanted: Option<&str>) -> Result<Arc<Keys>, Refusal> {
        let mut last = self.key_load.lock().await;
        {
            let loaded = self.keys.read().unwrap_or_else(|e| e.into_inner());
            let fresh = loaded
                .loaded
                .is_some_and(|at| at.elapsed() < Duration::from_secs(self.config.jwks_refresh));
            // Another task may have loaded them while this one waited.
            if fresh && wanted.is_none_or(|kid| loaded.keys.has_kid(kid)) {
                return Ok(loaded.keys.clone());
            }
            if last.is_some_and(|at| at.elapsed() < self.min_refresh()) {
                return match loaded.loaded {
                    Some(_) => Ok(loaded.keys.clone()),
                    None => Err(Refusal::Unavailable),
                };
            }
        }
        *last = Some(Instant::now());
        let endpoints = self.endpoints().await?;
        let Some(jwks_uri) = endpoints.jwks_uri.as_deref() else {
            return Err(Refusal::Invalid(
                "the authorization server publishes no keys for JWT access tokens",
            ));
        };
        let document: serde_json::Value = match http::get_json(&self.http, jwks_uri).await {
            Ok(document) => document,
            Err(Failure(why)) => {
                log::warn!("oauth2 resource server: loading the JWK Set failed: {why}");
                let loaded = self.keys.read().unwrap_or_else(|e| e.into_inner());
                // Stale keys still verify what they signed; none at all is an outage.
                return match loaded.loaded {
                    Some(_) => Ok(loaded.keys.clone()),
                    None => Err(Refusal::Unavailable),
                };
            }
        };
        let keys = Arc::new(Keys::parse(&document));
        if keys.is_empty() {
            log::warn!("oauth2 resource server: the JWK Set at {jwks_uri} has no usable key");
        }
        let mut loaded = self.keys.write().unwrap_or_else(|e| e.into_inner());
        // A key the issuer withdrew no longer vouches for the tokens it signed.
        if loaded.keys.dropped_in(&keys) {
            self.remembered.clear();
        }
        *loaded = LoadedKeys {
            keys: keys.clone(),
            loaded: Some(Instant::now()),
        };
        Ok(keys)
    }

    async fn introspect(
        &self,
        digest: SecretHash,
        token: &str,
        now: u64,
    ) -> Result<Arc<CurrentToken>, Refusal> {
        if self.config.client_id.is_none() {
            return Err(Refusal::Invalid(
                "opaque access tokens are not accepted here (no introspection client configured)",
            ));
        }
        let endpoints = self.endpoints().await?;
        let Some(endpoint) = endpoints.introspection_endpoint.as_deref() else {
            return Err(Refusal::Invalid(
                "the authorization server has no introspection endpoint",
            ));
        };
        let answer = introspection::introspect(&self.http, endpoint, &self.config, token)
            .await
            .map_err(|Failure(why)| {
                log::warn!("oauth2 resource server: introspection failed: {why}");
                Refusal::Unavailable
            })?
            .map(Arc::new);
        let ttl = self.config.introspection_cache;
        if ttl > 0 {
            let until = now.saturating_add(ttl);
            let until = answer.as_ref().map_or(until, |t| until.min(t.expires_at));
            self.remember(digest, answer.clone(), until);
        }
        answer.ok_or(Refusal::Invalid("the access token is invalid"))
    }
}
