//! Stub impls emitted beside a compile error (thiserror's `fallback.rs`): the user's type still
//! implements the trait, so one mistake in a derive yields its own error and not a cascade of
//! "trait not implemented" errors wherever the type is used. They never run: the crate does
//! not compile while the error stands.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::paths::Paths;

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
    let Paths {
        auth_method_type,
        grant_type_type,
        oauth2_client,
        response_type_type,
        scope_type,
        ..
    } = Paths::get();
    stub(
        input,
        quote!(#oauth2_client),
        quote! {
            fn client_id(&self) -> &str { ::core::unimplemented!() }
            fn redirect_uris(&self) -> ::std::vec::Vec<::std::string::String> { ::core::unimplemented!() }
            fn scope(&self) -> #scope_type { ::core::unimplemented!() }
            fn check_client_secret(&self, secret: &str) -> bool { ::core::unimplemented!() }
            fn token_endpoint_auth_method(&self) -> #auth_method_type { ::core::unimplemented!() }
            fn check_response_type(&self, response_type: #response_type_type) -> bool { ::core::unimplemented!() }
            fn check_grant_type(&self, grant_type: &#grant_type_type) -> bool { ::core::unimplemented!() }
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
    let Paths { storage_error, .. } = Paths::get();
    stub(
        input,
        trait_path,
        quote! {
            fn #to_method(&self) -> ::core::result::Result<#record, #storage_error> { ::core::unimplemented!() }
            fn #from_method(_: &#record) -> Self { ::core::unimplemented!() }
        },
    )
}

/// `OAuth2User`.
pub(crate) fn user(input: &DeriveInput) -> TokenStream {
    let Paths {
        oauth2_user,
        resource_owner,
        ..
    } = Paths::get();
    stub(
        input,
        quote!(#oauth2_user),
        quote! {
            fn resource_owner(&self) -> #resource_owner { ::core::unimplemented!() }
            fn password_hash(&self) -> ::core::option::Option<&str> { ::core::unimplemented!() }
        },
    )
}
