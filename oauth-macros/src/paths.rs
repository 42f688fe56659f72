//! Absolute paths into the runtime: the only items generated code names, in one table
//! (Rocket codegen's `exports.rs`). Each is a token stream written once, never a string
//! parsed at expansion.

use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn runtime() -> TokenStream {
    quote!(::oauth_runtime)
}

pub(crate) fn private() -> TokenStream {
    quote!(::oauth_runtime::__private)
}

/// The runtime's SQL table traits and their statement and value types.
pub(crate) fn sql() -> TokenStream {
    quote!(::oauth_runtime::store::sql)
}

/// `::oauth_runtime::AuthorizationCodeGrant`.
pub(crate) fn authorization_code_grant() -> TokenStream {
    quote!(::oauth_runtime::AuthorizationCodeGrant)
}

/// `::oauth_runtime::ImplicitGrant`.
pub(crate) fn implicit_grant() -> TokenStream {
    quote!(::oauth_runtime::ImplicitGrant)
}

/// `::oauth_runtime::PasswordGrant`.
pub(crate) fn password_grant() -> TokenStream {
    quote!(::oauth_runtime::PasswordGrant)
}

/// `::oauth_runtime::ClientCredentialsGrant`.
pub(crate) fn client_credentials_grant() -> TokenStream {
    quote!(::oauth_runtime::ClientCredentialsGrant)
}

/// `::oauth_runtime::RefreshTokenGrant`.
pub(crate) fn refresh_token_grant() -> TokenStream {
    quote!(::oauth_runtime::RefreshTokenGrant)
}

/// The type of a record field, for the `Column<T>` conversions of the record derives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RecordType {
    /// Not a record field (client and owner keys map to trait methods, not a record).
    None,
    Hash,
    OptionalHash,
    OptionalChallengeMethod,
    String,
    OptionalString,
    Scope,
    GrantType,
    U64,
    OptionalU64,
    Bool,
}

impl RecordType {
    /// The type's absolute path.
    pub(crate) fn tokens(self) -> TokenStream {
        let rt = runtime();
        match self {
            RecordType::None => quote!(()),
            RecordType::Hash => quote!(#rt::secret::SecretHash),
            RecordType::OptionalHash => quote!(::core::option::Option<#rt::secret::SecretHash>),
            RecordType::OptionalChallengeMethod => {
                quote!(::core::option::Option<#rt::CodeChallengeMethod>)
            }
            RecordType::String => quote!(::std::string::String),
            RecordType::OptionalString => quote!(::core::option::Option<::std::string::String>),
            RecordType::Scope => quote!(#rt::Scope),
            RecordType::GrantType => quote!(#rt::GrantType),
            RecordType::U64 => quote!(u64),
            RecordType::OptionalU64 => quote!(::core::option::Option<u64>),
            RecordType::Bool => quote!(bool),
        }
    }
}
