//! Emits the `OAuth2User` impl.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::attr::Mapping;
use crate::paths::{private, runtime};
use crate::symbol::Key;

/// The `OAuth2User` impl, each conversion spanned at its field's type.
pub(crate) fn expand(input: &DeriveInput, mapping: &Mapping<'_>) -> TokenStream {
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
