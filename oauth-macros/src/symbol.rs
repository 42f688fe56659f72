//! Every `#[oauth(...)]` key, named once (serde's `internals/symbol.rs`). Code matches these
//! values; only [`Key::as_str`] spells a key, so a misspelt key is a compile error here rather
//! than a silent `None` at expansion (a `secret_hash` lookup that misses would make every
//! derived client public).

use proc_macro2::{Ident, Span};

/// A key a field maps to: a field of a runtime record or trait, or a column the store needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    // Clients.
    ClientId,
    SecretHash,
    RedirectUris,
    GrantTypes,
    ResponseTypes,
    Scope,
    TokenEndpointAuthMethod,
    ClientName,
    ResourceServer,
    Resources,
    // Tokens.
    AccessTokenHash,
    RefreshTokenHash,
    UserId,
    GrantType,
    IssuedAt,
    ExpiresIn,
    RefreshTokenExpiresAt,
    Family,
    AccessTokenRevoked,
    RefreshTokenRevoked,
    // Codes.
    CodeHash,
    RedirectUri,
    CodeChallenge,
    CodeChallengeMethod,
    ExpiresAt,
    Nonce,
    AuthTime,
    Audience,
    Used,
    // Resource owners.
    Id,
    Username,
    PasswordHash,
}

impl Key {
    /// The key as written in `#[oauth(...)]`, and the record field (and default column) name.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Key::ClientId => "client_id",
            Key::SecretHash => "secret_hash",
            Key::RedirectUris => "redirect_uris",
            Key::GrantTypes => "grant_types",
            Key::ResponseTypes => "response_types",
            Key::Scope => "scope",
            Key::TokenEndpointAuthMethod => "token_endpoint_auth_method",
            Key::ClientName => "client_name",
            Key::ResourceServer => "resource_server",
            Key::Resources => "resources",
            Key::AccessTokenHash => "access_token_hash",
            Key::RefreshTokenHash => "refresh_token_hash",
            Key::UserId => "user_id",
            Key::GrantType => "grant_type",
            Key::IssuedAt => "issued_at",
            Key::ExpiresIn => "expires_in",
            Key::RefreshTokenExpiresAt => "refresh_token_expires_at",
            Key::Family => "family",
            Key::AccessTokenRevoked => "access_token_revoked",
            Key::RefreshTokenRevoked => "refresh_token_revoked",
            Key::CodeHash => "code_hash",
            Key::RedirectUri => "redirect_uri",
            Key::CodeChallenge => "code_challenge",
            Key::CodeChallengeMethod => "code_challenge_method",
            Key::ExpiresAt => "expires_at",
            Key::Nonce => "nonce",
            Key::AuthTime => "auth_time",
            Key::Audience => "audience",
            Key::Used => "used",
            Key::Id => "id",
            Key::Username => "username",
            Key::PasswordHash => "password_hash",
        }
    }

    /// The record field this key fills (`record.<key>`).
    pub(crate) fn field(self) -> Ident {
        Ident::new(self.as_str(), Span::call_site())
    }

    /// The variant of the runtime's `TokenValue` / `CodeValue` that binds a value of this
    /// key's column: the key in UpperCamelCase (`access_token_hash` → `AccessTokenHash`).
    pub(crate) fn variant(self) -> Ident {
        let camel: String = self
            .as_str()
            .split('_')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
        Ident::new(&camel, Span::call_site())
    }
}

/// The helper attribute of the derives: `#[oauth(...)]`.
pub(crate) const OAUTH: &str = "oauth";
/// `#[oauth(table = "…")]` on a struct.
pub(crate) const TABLE: &str = "table";
/// `#[oauth(column = "…")]` on a field.
pub(crate) const COLUMN: &str = "column";
/// `#[oauth(skip)]` on a field.
pub(crate) const SKIP: &str = "skip";
/// `claim = "email"` on a resource owner field: an OpenID Connect claim.
pub(crate) const CLAIM: &str = "claim";

/// `#[require_oauth(scope = "…")]`.
pub(crate) const SCOPE: &str = "scope";
/// `#[require_oauth(any_of = […])]`.
pub(crate) const ANY_OF: &str = "any_of";
/// `#[require_oauth(optional)]`.
pub(crate) const OPTIONAL: &str = "optional";

/// `grants![Grant(hooks = …)]`: the grant's hook implementation.
pub(crate) const HOOKS: &str = "hooks";
/// `grants![AuthorizationCode(require_pkce = …)]`.
pub(crate) const REQUIRE_PKCE: &str = "require_pkce";
/// `grants![AuthorizationCode(allow_plain_pkce = …)]`.
pub(crate) const ALLOW_PLAIN_PKCE: &str = "allow_plain_pkce";

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn variants_are_the_keys_in_camel_case() {
        assert_eq!(
            Key::AccessTokenHash.variant().to_string(),
            "AccessTokenHash"
        );
        assert_eq!(Key::Used.variant().to_string(), "Used");
        assert_eq!(Key::ClientId.field().to_string(), "client_id");
    }
}
