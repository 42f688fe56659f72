//! `#[derive(OAuth2Token)]` and `#[derive(OAuth2AuthorizationCode)]`: convert a model to and
//! from the framework's records, field by field, through the runtime's `Column` conversions.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::attr::{map_fields, FieldSpec, Mapping};
use crate::ctxt::Ctxt;
use crate::paths::RecordType::{
    Bool, GrantType, Hash, OptionalChallengeMethod, OptionalHash, OptionalString, OptionalU64,
    Scope, String, U64,
};
use crate::paths::{private, runtime};
use crate::symbol::Key;

/// A record derive: its trait, methods, record type and fields, each written once.
pub(crate) struct RecordSpec {
    /// The `#[oauth(table = "…")]` impl.
    table: fn(&DeriveInput, &Mapping<'_>, &str) -> TokenStream,
    /// `(trait, record, to_method, from_method)` as paths and identifiers.
    names: fn() -> (TokenStream, TokenStream, TokenStream, TokenStream),
    fields: &'static [FieldSpec],
}

pub(crate) const TOKEN: RecordSpec = RecordSpec {
    table: crate::table::token,
    names: || {
        let rt = runtime();
        (
            quote!(#rt::OAuth2Token),
            quote!(#rt::Token),
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
    ],
};

pub(crate) const CODE: RecordSpec = RecordSpec {
    table: crate::table::code,
    names: || {
        let rt = runtime();
        (
            quote!(#rt::OAuth2AuthorizationCode),
            quote!(#rt::AuthorizationCode),
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
        FieldSpec::table_only(Key::Used, Bool),
    ],
};

pub(crate) fn expand(spec: &RecordSpec, input: DeriveInput) -> syn::Result<TokenStream> {
    let ctxt = Ctxt::new();
    let mapping = map_fields(&ctxt, &input, spec.fields);
    let rt = runtime();
    let p = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (trait_path, record, to_method, from_method) = (spec.names)();
    if let Err(error) = ctxt.check() {
        let mut tokens = error.into_compile_error();
        tokens.extend(crate::fallback::record(&input, (spec.names)()));
        return Ok(tokens);
    }
    let to_fields = mapping.mapped.iter().filter(|m| !m.spec.table_only).map(|m| {
        let (member, ty, key) = (m.member, &m.field.ty, m.spec.key.field());
        let record_ty = m.spec.record_type.tokens();
        quote_spanned!(ty.span()=> #key: <#ty as #p::Column<#record_ty>>::to_record(&self.#member)?)
    });
    let from_fields = mapping.mapped.iter().map(|m| {
        let (member, ty, key) = (m.member, &m.field.ty, m.spec.key.field());
        let record_ty = m.spec.record_type.tokens();
        // A table-only column (a code's `used` flag) starts false.
        let value = if m.spec.table_only {
            quote!(&false)
        } else {
            quote!(&record.#key)
        };
        quote_spanned!(ty.span()=> #member: <#ty as #p::Column<#record_ty>>::from_record(#value))
    });
    let defaults = mapping.others.iter().filter_map(|field| {
        let member = field.ident.as_ref()?;
        Some(quote_spanned!(field.ty.span()=> #member: ::core::default::Default::default()))
    });
    let table = mapping
        .table
        .as_deref()
        .map(|table| (spec.table)(&input, &mapping, table));
    Ok(quote! {
        #table
        #[automatically_derived]
        impl #impl_generics #trait_path for #ident #ty_generics #where_clause {
            fn #to_method(&self) -> ::core::result::Result<#record, #rt::StorageError> {
                ::core::result::Result::Ok(#record { #(#to_fields,)* })
            }
            fn #from_method(record: &#record) -> Self {
                #ident { #(#from_fields,)* #(#defaults,)* }
            }
        }
    })
}
