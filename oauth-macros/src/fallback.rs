//! Stub impls emitted beside a compile error (thiserror's `fallback.rs`): the user's type still
//! implements the trait, so one mistake in a derive yields its own error and not a cascade of
//! "trait not implemented" errors wherever the type is used. They never run: the crate does
//! not compile while the error stands.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::paths::runtime;

/// `impl <trait_path> for <input> { <items> }`, with the input's generics.
fn stub(input: &DeriveInput, trait_path: TokenStream, items: TokenStream) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[allow(unused_variables)]
        impl #impl_generics #trait_path for #ident #ty_generics #where_clause {
            #items
        }
    }
}

/// `OAuth2Client`.
pub(crate) fn client(input: &DeriveInput) -> TokenStream {
    let rt = runtime();
    stub(
        input,
        quote!(#rt::OAuth2Client),
        quote! {
            fn client_id(&self) -> &str { ::core::unimplemented!() }
            fn redirect_uris(&self) -> ::std::vec::Vec<::std::string::String> { ::core::unimplemented!() }
            fn scope(&self) -> #rt::Scope { ::core::unimplemented!() }
            fn check_client_secret(&self, secret: &str) -> bool { ::core::unimplemented!() }
            fn token_endpoint_auth_method(&self) -> #rt::AuthMethod { ::core::unimplemented!() }
            fn check_response_type(&self, response_type: #rt::ResponseType) -> bool { ::core::unimplemented!() }
            fn check_grant_type(&self, grant_type: &#rt::GrantType) -> bool { ::core::unimplemented!() }
        },
    )
}

/// `OAuth2Token` / `OAuth2AuthorizationCode`: `trait_path` with its record and conversions.
pub(crate) fn record(
    input: &DeriveInput,
    (trait_path, record, to_method, from_method): (
        TokenStream,
        TokenStream,
        TokenStream,
        TokenStream,
    ),
) -> TokenStream {
    let rt = runtime();
    stub(
        input,
        trait_path,
        quote! {
            fn #to_method(&self) -> ::core::result::Result<#record, #rt::StorageError> { ::core::unimplemented!() }
            fn #from_method(_: &#record) -> Self { ::core::unimplemented!() }
        },
    )
}

/// `OAuth2User`.
pub(crate) fn user(input: &DeriveInput) -> TokenStream {
    let rt = runtime();
    stub(
        input,
        quote!(#rt::OAuth2User),
        quote! {
            fn resource_owner(&self) -> #rt::ResourceOwner { ::core::unimplemented!() }
            fn password_hash(&self) -> ::core::option::Option<&str> { ::core::unimplemented!() }
        },
    )
}
