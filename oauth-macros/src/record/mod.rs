//! `#[derive(OAuth2Token)]` and `#[derive(OAuth2AuthorizationCode)]`: convert a model to and
//! from the framework's records, field by field, through the runtime's `Column` conversions.

mod expand;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::attr::{map_fields, FieldSpec, Mapping};
use crate::ctxt::Ctxt;
use crate::paths::Paths;
use crate::paths::RecordType::{
    Bool, GrantType, Hash, OptionalChallengeMethod, OptionalHash, OptionalString, OptionalU64,
    Scope, String, Strings, U64,
};
use crate::symbol::Key;

/// A record derive: its trait, methods, record type and fields, each written once.
pub(crate) struct RecordSpec {
    /// The `#[oauth(table = "…")]` impl.
    pub(crate) table: fn(&DeriveInput, &Mapping<'_>, &str) -> TokenStream,
    /// `(trait, record, to_method, from_method)` as paths and identifiers.
    pub(crate) names: fn() -> (TokenStream, TokenStream, TokenStream, TokenStream),
    pub(crate) fields: &'static [FieldSpec],
}

pub(crate) const TOKEN: RecordSpec = RecordSpec {
    table: crate::table::token,
    names: || {
        let Paths {
            oauth2_token,
            token_record,
            ..
        } = Paths::get();
        (
            oauth2_token,
            token_record,
            quote!(to_token),
            quote!(from_token),
        )
    },
    fields: &[
        FieldSpec::required(Key::AccessTokenHash, Hash),
        FieldSpec::required(Key::RefreshTokenHash, OptionalHash),
        FieldSpec::required(Key::ClientId, String),
        FieldSpec::required(Key::UserId, OptionalString),
        FieldSpec::required(Key::Scope, Scope),
        FieldSpec::required(Key::GrantType, GrantType),
        FieldSpec::required(Key::IssuedAt, U64),
        FieldSpec::required(Key::ExpiresIn, U64),
        FieldSpec::required(Key::RefreshTokenExpiresAt, OptionalU64),
        FieldSpec::required(Key::Family, String),
        FieldSpec::required(Key::AccessTokenRevoked, Bool),
        FieldSpec::required(Key::RefreshTokenRevoked, Bool),
        // RFC 8707: the resources the token is for; map it to use resource indicators with
        // your own tokens table.
        FieldSpec::optional(Key::Audience, Strings),
    ],
};

pub(crate) const CODE: RecordSpec = RecordSpec {
    table: crate::table::code,
    names: || {
        let Paths {
            oauth2_authorization_code,
            code_record,
            ..
        } = Paths::get();
        (
            oauth2_authorization_code,
            code_record,
            quote!(to_code),
            quote!(from_code),
        )
    },
    fields: &[
        FieldSpec::required(Key::CodeHash, Hash),
        FieldSpec::required(Key::ClientId, String),
        FieldSpec::required(Key::RedirectUri, OptionalString),
        FieldSpec::required(Key::Scope, Scope),
        FieldSpec::required(Key::UserId, String),
        FieldSpec::required(Key::CodeChallenge, OptionalString),
        FieldSpec::required(Key::CodeChallengeMethod, OptionalChallengeMethod),
        FieldSpec::required(Key::IssuedAt, U64),
        FieldSpec::required(Key::ExpiresAt, U64),
        // OpenID Connect (Core §3.1.2.1, §2): echoed in the ID token; map them to sign users
        // in with OpenID Connect from your own codes table.
        FieldSpec::optional(Key::Nonce, OptionalString),
        FieldSpec::optional(Key::AuthTime, OptionalU64),
        // RFC 8707: the resources the authorization request named.
        FieldSpec::optional(Key::Audience, Strings),
        FieldSpec::table_only(Key::Used, Bool),
    ],
};

pub(crate) fn expand(spec: &RecordSpec, input: DeriveInput) -> syn::Result<TokenStream> {
    let ctxt = Ctxt::new();
    let mut mapping = map_fields(&ctxt, &input, spec.fields);
    crate::validate::no_claims(&ctxt, &mut mapping);
    crate::validate::required_keys(&ctxt, &input, spec.fields, &mapping);
    for (field, _) in &mapping.extra {
        ctxt.error_spanned_by(
            field.ident.as_ref(),
            "only client and resource owner tables read columns of their own; a token or code \
             table reads the record's columns (map this field to a key, or drop `column`)",
        );
    }
    if let Err(error) = ctxt.check() {
        let mut tokens = error.into_compile_error();
        tokens.extend(crate::fallback::record(&input, (spec.names)()));
        return Ok(tokens);
    }
    Ok(expand::expand(spec, &input, &mapping))
}
