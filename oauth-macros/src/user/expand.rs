//! Emits the `OAuth2User` impl.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::attr::Mapping;
use crate::paths::Paths;
use crate::symbol::Key;

/// The `OAuth2User` impl, each conversion spanned at its field's type.
pub(crate) fn expand(input: &DeriveInput, mapping: &Mapping<'_>) -> TokenStream {
    let Paths {
        id_column,
        oauth2_user,
        optional_text,
        required_text,
        resource_owner,
        ..
    } = Paths::get();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let field = |key: Key| mapping.get(key).map(|m| (m.member, &m.field.ty));
    let id = field(Key::Id)
        .map(|(member, ty)| quote_spanned!(ty.span()=> <#ty as #id_column>::to_id(&self.#member)));
    let username = field(Key::Username).map(
        |(member, ty)| quote_spanned!(ty.span()=> <#ty as #required_text>::text(&self.#member)),
    );
    let password = field(Key::PasswordHash).map_or_else(
        || quote!(::core::option::Option::None),
        |(member, ty)| quote_spanned!(ty.span()=> <#ty as #optional_text>::text(&self.#member)),
    );
    // OpenID Connect claims: each field's value as JSON (absent when `None`).
    let claims = mapping.claims.iter().filter_map(|(field, claim)| {
        let (member, ty) = (field.ident.as_ref()?, &field.ty);
        Some(quote_spanned!(ty.span()=> .with_claim_value(#claim, &self.#member)))
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics #oauth2_user for #ident #ty_generics #where_clause {
            fn resource_owner(&self) -> #resource_owner {
                #resource_owner::new(#id, #username) #(#claims)*
            }
            fn password_hash(&self) -> ::core::option::Option<&str> {
                #password
            }
        }
    }
}
