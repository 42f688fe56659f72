//! The `sub` an OpenID Connect client sees (Core §8): the user id (public), or a value per
//! sector that clients of different sectors cannot correlate (pairwise, §8.1).

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::config::{OpenIdConfig, SubjectType};
use crate::model::OAuth2Client;

/// The sector of a client (Core §8.1): the host of its redirect URIs when they share one,
/// else (no `sector_identifier_uri` is supported) the client itself.
fn sector(client: &dyn OAuth2Client) -> String {
    let hosts: Vec<String> = client
        .redirect_uris()
        .iter()
        .filter_map(|uri| url::Url::parse(uri).ok())
        .filter_map(|url| url.host_str().map(str::to_owned))
        .collect();
    match hosts.split_first() {
        Some((first, rest)) if rest.iter().all(|h| h == first) => first.clone(),
        _ => format!("client:{}", client.client_id()),
    }
}

/// The subject identifier of `user_id` for `client`.
pub(crate) fn subject(config: &OpenIdConfig, user_id: &str, client: &dyn OAuth2Client) -> String {
    match config.subject_type {
        SubjectType::Public => user_id.to_owned(),
        // §8.1: a hash of the sector, the local id and a secret salt.
        SubjectType::Pairwise => {
            let mut hash = Sha256::new();
            for part in [
                sector(client).as_str(),
                user_id,
                config.pairwise_salt.as_str(),
            ] {
                hash.update((part.len() as u64).to_be_bytes());
                hash.update(part.as_bytes());
            }
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.finalize())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Client;

    #[test]
    fn pairwise_subjects_differ_by_sector_and_agree_within_one() {
        let config = OpenIdConfig {
            subject_type: SubjectType::Pairwise,
            pairwise_salt: "a-salt-of-sixteen-chars".into(),
            ..OpenIdConfig::default()
        };
        let a = Client::public("a").with_redirect_uris(["https://a.example/cb"]);
        let a2 = Client::public("a2").with_redirect_uris(["https://a.example/other"]);
        let b = Client::public("b").with_redirect_uris(["https://b.example/cb"]);
        assert_eq!(subject(&config, "42", &a), subject(&config, "42", &a2));
        assert_ne!(subject(&config, "42", &a), subject(&config, "42", &b));
        assert_ne!(subject(&config, "42", &a), subject(&config, "43", &a));
        assert_ne!(subject(&config, "42", &a), "42");
        let public = OpenIdConfig::default();
        assert_eq!(subject(&public, "42", &a), "42");
    }
}
