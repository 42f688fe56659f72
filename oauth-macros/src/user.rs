//! `#[derive(OAuth2User)]`: maps a resource owner model's fields to `OAuth2User` (and, with
//! `#[oauth(table = "…")]`, to the runtime's `UserTable`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::attr::{map_fields, FieldSpec, Mapping};
use crate::ctxt::Ctxt;
use crate::paths::RecordType::None;
use crate::paths::{private, runtime};
use crate::symbol::Key;

/// The keys a resource owner field can map to.
const USER_FIELDS: &[FieldSpec] = &[
    FieldSpec::required(Key::Id, None),
    FieldSpec::required(Key::Username, None),
    FieldSpec::optional(Key::PasswordHash, None),
];

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let ctxt = Ctxt::new();
    let mapping = map_fields(&ctxt, &input, USER_FIELDS);
    if let Err(error) = ctxt.check() {
        let mut tokens = error.into_compile_error();
        tokens.extend(crate::fallback::user(&input));
        return Ok(tokens);
    }
    let mut tokens = user_impl(&input, &mapping);
    if let Some(table) = &mapping.table {
        tokens.extend(crate::table::user(&input, &mapping, table));
    }
    Ok(tokens)
}

/// The `OAuth2User` impl, each conversion spanned at its field's type.
fn user_impl(input: &DeriveInput, mapping: &Mapping<'_>) -> TokenStream {
    let (rt, p, ident) = (runtime(), private(), &input.ident);
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let field = |key: Key| mapping.get(key).map(|m| (m.member, &m.field.ty));
    let id = field(Key::Id).map(
        |(member, ty)| quote_spanned!(ty.span()=> <#ty as #p::IdColumn>::to_id(&self.#member)),
    );
    let username = field(Key::Username).map(
        |(member, ty)| quote_spanned!(ty.span()=> <#ty as #p::RequiredText>::text(&self.#member)),
    );
    let password = field(Key::PasswordHash).map_or_else(
        || quote!(::core::option::Option::None),
        |(member, ty)| quote_spanned!(ty.span()=> <#ty as #p::OptionalText>::text(&self.#member)),
    );
    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::OAuth2User for #ident #ty_generics #where_clause {
            fn resource_owner(&self) -> #rt::ResourceOwner {
                #rt::ResourceOwner::new(#id, #username)
            }
            fn password_hash(&self) -> ::core::option::Option<&str> {
                #password
            }
        }
    }
}
