//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client
//! whose `client_id` is an `https` URL is described by the JSON document at that URL, fetched
//! when the client is first seen and reused as its cache headers allow.
//!
//! Fetching a URL a stranger chose is guarded: public addresses only, checked on the address
//! connected to ([`address`]); no redirects; a time and size limit ([`fetch`]); the id's URL
//! rules ([`client_id`]); and the document's own rules ([`document`]).

mod address;
mod cache_control;
mod client_id;
mod document;
mod fetch;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::ClientMetadataDocumentsConfig;
use crate::model::Client;
use crate::scope::Scope;

/// The lifetime of a document whose answer carried no cache headers (then clamped to the
/// configured bounds).
const DEFAULT_FRESHNESS: Duration = Duration::from_secs(300);

/// Documents kept at most.
const CACHE_CAPACITY: usize = 10_000;

/// Resolves metadata document client ids, with a cache.
pub(crate) struct MetadataDocuments {
    config: ClientMetadataDocumentsConfig,
    scope: Scope,
    http: reqwest::Client,
    cache: quick_cache::sync::Cache<String, (Arc<Client>, Instant)>,
}

impl MetadataDocuments {
    /// For a validated configuration.
    pub(crate) fn new(config: &ClientMetadataDocumentsConfig) -> Result<Self, String> {
        Ok(MetadataDocuments {
            scope: config.scope.parse().map_err(|_| "scope is malformed")?,
            http: fetch::http_client(config.timeout, config.allow_private_addresses)?,
            cache: quick_cache::sync::Cache::new(CACHE_CAPACITY),
            config: config.clone(),
        })
    }

    /// Whether `client_id` is meant as a metadata document URL.
    pub(crate) fn applies_to(&self, client_id: &str) -> bool {
        client_id::is_url(client_id, self.config.allow_private_addresses)
    }

    /// The client the document at `client_id` describes, from the cache while it is fresh;
    /// otherwise fetched, checked and cached; or why it cannot be used.
    pub(crate) async fn client(&self, client_id: &str) -> Result<Arc<Client>, String> {
        if let Some((client, until)) = self.cache.get(client_id) {
            if Instant::now() < until {
                return Ok(client);
            }
        }
        let url = client_id::parse(client_id, self.config.allow_private_addresses)?;
        let fetched = fetch::fetch(&self.http, &url, self.config.max_bytes).await?;
        let client = Arc::new(document::client(client_id, &fetched.body, &self.scope)?);
        let lifetime = fetched.freshness.unwrap_or(DEFAULT_FRESHNESS).clamp(
            Duration::from_secs(self.config.min_cache_age),
            Duration::from_secs(self.config.max_cache_age),
        );
        if lifetime.is_zero() {
            self.cache.remove(client_id);
        } else {
            self.cache.insert(
                client_id.to_owned(),
                (client.clone(), Instant::now() + lifetime),
            );
        }
        Ok(client)
    }
}
