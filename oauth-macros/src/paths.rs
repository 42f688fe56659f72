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

/// `tokens` with every token at `span`: a path interpolated where an error should point at
/// the user's code.
pub(crate) fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// The runtime's SQL table traits and their statement and value types.
pub(crate) fn sql() -> TokenStream {
    quote!(::oauth_runtime::store::sql)
}

/// Declares [`Paths`]: each runtime item generated code names, written once.
macro_rules! exports {
    ($($name:ident => $path:path;)*) => {
        /// The runtime items generated code names. A function takes the ones it uses with
        /// `let Paths { scope_type, .. } = Paths::get();` and interpolates them (`#scope_type`).
        pub(crate) struct Paths {
            $(pub(crate) $name: TokenStream,)*
        }

        impl Paths {
            pub(crate) fn get() -> Paths {
                Paths { $($name: quote!($path),)* }
            }
        }
    };
}

exports! {
    oauth2_client => ::oauth_runtime::OAuth2Client;
    oauth2_user => ::oauth_runtime::OAuth2User;
    oauth2_token => ::oauth_runtime::OAuth2Token;
    oauth2_authorization_code => ::oauth_runtime::OAuth2AuthorizationCode;
    token_record => ::oauth_runtime::Token;
    code_record => ::oauth_runtime::AuthorizationCode;
    scope_type => ::oauth_runtime::Scope;
    scope_requirement => ::oauth_runtime::ScopeRequirement;
    required_scope => ::oauth_runtime::RequiredScope;
    authorized => ::oauth_runtime::Authorized;
    auth_method_type => ::oauth_runtime::AuthMethod;
    response_type_type => ::oauth_runtime::ResponseType;
    grant_type_type => ::oauth_runtime::GrantType;
    resource_owner => ::oauth_runtime::ResourceOwner;
    storage_error => ::oauth_runtime::StorageError;
    grant_trait => ::oauth_runtime::Grant;
    arc => ::oauth_runtime::__private::Arc;
    column => ::oauth_runtime::field_types::Column;
    required_text => ::oauth_runtime::field_types::RequiredText;
    optional_text => ::oauth_runtime::field_types::OptionalText;
    list_field => ::oauth_runtime::field_types::ListField;
    id_column => ::oauth_runtime::field_types::IdColumn;
    flag => ::oauth_runtime::__private::flag;
    scope_of => ::oauth_runtime::__private::scope_of;
    check_secret => ::oauth_runtime::__private::check_secret;
    auth_method_of => ::oauth_runtime::__private::auth_method;
    has_response_type => ::oauth_runtime::__private::has_response_type;
    has_grant_type => ::oauth_runtime::__private::has_grant_type;
    sqlx_database => ::oauth_runtime::__private::sqlx::Database;
    sqlx_arguments => ::oauth_runtime::__private::sqlx::Arguments;
    sqlx_row => ::oauth_runtime::__private::sqlx::Row;
    sqlx_error => ::oauth_runtime::__private::sqlx::Error;
    sqlx_encode => ::oauth_runtime::__private::sqlx::Encode;
    sqlx_decode => ::oauth_runtime::__private::sqlx::Decode;
    sqlx_type => ::oauth_runtime::__private::sqlx::Type;
    column_index => ::oauth_runtime::__private::sqlx::ColumnIndex;
    separated => ::oauth_runtime::__private::sqlx::query_builder::Separated;
    box_dyn_error => ::oauth_runtime::__private::sqlx::error::BoxDynError;
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

/// `::oauth_runtime::OpenIdImplicitGrant`.
pub(crate) fn openid_implicit_grant() -> TokenStream {
    quote!(::oauth_runtime::OpenIdImplicitGrant)
}

/// `::oauth_runtime::OpenIdHybridGrant`.
pub(crate) fn openid_hybrid_grant() -> TokenStream {
    quote!(::oauth_runtime::OpenIdHybridGrant)
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
    /// An audience: resource URIs (RFC 8707).
    Strings,
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
            RecordType::Strings => quote!(::std::vec::Vec<::std::string::String>),
        }
    }
}
