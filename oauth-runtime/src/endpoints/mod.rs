//! Endpoints beside the token endpoint: revocation (RFC 7009), introspection (RFC 7662) and
//! metadata (RFC 8414).

mod introspection;
mod metadata;
mod registration;
mod revocation;

pub use introspection::{IntrospectionPolicy, OwnTokensOrResourceServer};
pub use metadata::{EndpointUrls, ServerMetadata};
pub use registration::RegistrationRequest;

use crate::model::Token;
use crate::secret::SecretHash;
use crate::store::{Storage, StorageResult};

/// Which kind of token a presented string turned out to be.
enum Found {
    Access(Token),
    Refresh(Token),
}

/// Finds a token by its string, trying the hinted type first and then the other
/// (RFC 7009 §2.1: "MUST extend its search across all of its supported token types").
async fn find_token(
    storage: &dyn Storage,
    token: &str,
    hint: Option<&str>,
) -> StorageResult<Option<Found>> {
    let hash = SecretHash::of(token);
    let refresh_first = hint == Some("refresh_token");
    for refresh in [refresh_first, !refresh_first] {
        let found = if refresh {
            storage.find_refresh_token(&hash).await?.map(Found::Refresh)
        } else {
            storage.find_access_token(&hash).await?.map(Found::Access)
        };
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}
