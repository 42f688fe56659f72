//! `#[derive(OAuth2Token)]` and `#[derive(OAuth2AuthorizationCode)]`: convert a model to and
//! from the framework's records, field by field, through the runtime's `Column` conversions.

pub(crate) mod fields;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::ctxt::Ctxt;
use crate::paths::{private, runtime};
use fields::{map_fields, FieldSpec, Mapping};

const HASH: &str = "::oauth_runtime::secret::SecretHash";
const OPT_HASH: &str = "::core::option::Option<::oauth_runtime::secret::SecretHash>";
const OPT_METHOD: &str = "::core::option::Option<::oauth_runtime::CodeChallengeMethod>";
const STRING: &str = "::std::string::String";
const OPT_STRING: &str = "::core::option::Option<::std::string::String>";
const OPT_U64: &str = "::core::option::Option<u64>";
const SCOPE: &str = "::oauth_runtime::Scope";
const GRANT_TYPE: &str = "::oauth_runtime::GrantType";
const U64: &str = "u64";
const BOOL: &str = "bool";

/// A record derive: its trait, methods, record type and fields.
pub(crate) struct RecordSpec {
    /// The `#[oauth(table = "…")]` impl.
    table: fn(&DeriveInput, &Mapping<'_>, &str) -> TokenStream,
    trait_name: &'static str,
    record: &'static str,
    to_method: &'static str,
    from_method: &'static str,
    fields: &'static [FieldSpec],
}

pub(crate) const TOKEN: RecordSpec = RecordSpec {
    table: crate::table::token,
    trait_name: "OAuth2Token",
    record: "Token",
    to_method: "to_token",
    from_method: "from_token",
    fields: &[
        FieldSpec::required("access_token_hash", HASH),
        FieldSpec::required("refresh_token_hash", OPT_HASH),
        FieldSpec::required("client_id", STRING),
        FieldSpec::required("user_id", OPT_STRING),
        FieldSpec::required("scope", SCOPE),
        FieldSpec::required("grant_type", GRANT_TYPE),
        FieldSpec::required("issued_at", U64),
        FieldSpec::required("expires_in", U64),
        FieldSpec::required("refresh_token_expires_at", OPT_U64),
        FieldSpec::required("family", STRING),
        FieldSpec::required("access_token_revoked", BOOL),
        FieldSpec::required("refresh_token_revoked", BOOL),
    ],
};

pub(crate) const CODE: RecordSpec = RecordSpec {
    table: crate::table::code,
    trait_name: "OAuth2AuthorizationCode",
    record: "AuthorizationCode",
    to_method: "to_code",
    from_method: "from_code",
    fields: &[
        FieldSpec::required("code_hash", HASH),
        FieldSpec::required("client_id", STRING),
        FieldSpec::required("redirect_uri", OPT_STRING),
        FieldSpec::required("scope", SCOPE),
        FieldSpec::required("user_id", STRING),
        FieldSpec::required("code_challenge", OPT_STRING),
        FieldSpec::required("code_challenge_method", OPT_METHOD),
        FieldSpec::required("issued_at", U64),
        FieldSpec::required("expires_at", U64),
        FieldSpec::table_only("used", BOOL),
    ],
};

/// The record field's type, written as an absolute path in the spec.
fn record_type(path: &str) -> TokenStream {
    path.parse().unwrap_or_else(|_| quote!(()))
}

pub(crate) fn expand(spec: &RecordSpec, input: DeriveInput) -> syn::Result<TokenStream> {
    let ctxt = Ctxt::new();
    let mapping = map_fields(&ctxt, &input, spec.fields);
    let rt = runtime();
    let p = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let trait_name = format_ident!("{}", spec.trait_name);
    let record = format_ident!("{}", spec.record);
    let to_method = format_ident!("{}", spec.to_method);
    let from_method = format_ident!("{}", spec.from_method);
    if let Err(error) = ctxt.check() {
        let mut tokens = error.into_compile_error();
        tokens.extend(quote! {
            impl #impl_generics #rt::#trait_name for #ident #ty_generics #where_clause {
                fn #to_method(&self) -> ::core::result::Result<#rt::#record, #rt::StorageError> { ::core::unimplemented!() }
                fn #from_method(_: &#rt::#record) -> Self { ::core::unimplemented!() }
            }
        });
        return Ok(tokens);
    }
    let to_fields = mapping.mapped.iter().filter(|m| !m.spec.table_only).map(|m| {
        let (member, ty, key) = (m.member, &m.field.ty, format_ident!("{}", m.spec.key));
        let record_ty = record_type(m.spec.record_type);
        quote_spanned!(ty.span()=> #key: <#ty as #p::Column<#record_ty>>::to_record(&self.#member)?)
    });
    let from_fields = mapping.mapped.iter().map(|m| {
        let (member, ty, key) = (m.member, &m.field.ty, format_ident!("{}", m.spec.key));
        let record_ty = record_type(m.spec.record_type);
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
        impl #impl_generics #rt::#trait_name for #ident #ty_generics #where_clause {
            fn #to_method(&self) -> ::core::result::Result<#rt::#record, #rt::StorageError> {
                ::core::result::Result::Ok(#rt::#record { #(#to_fields,)* })
            }
            fn #from_method(record: &#rt::#record) -> Self {
                #ident { #(#from_fields,)* #(#defaults,)* }
            }
        }
    })
}
