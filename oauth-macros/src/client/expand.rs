//! Emits the `OAuth2Client` impl; each trait call is spanned at the field's type, so an
//! unsupported type is reported there.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::attr::Mapping;
use crate::paths::{private, runtime};
use crate::symbol::Key;

pub(crate) fn expand(input: &DeriveInput, mapping: &Mapping<'_>) -> TokenStream {
    let rt = runtime();
    let p = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    let text = |key: Key| {
        mapping.get(key).map(|m| {
            let (name, ty) = (&m.member, &m.field.ty);
            quote_spanned!(ty.span()=> <#ty as #p::OptionalText>::text(&self.#name))
        })
    };
    let list = |key: Key| {
        mapping.get(key).map(|m| {
            let (name, ty) = (&m.member, &m.field.ty);
            quote_spanned!(ty.span()=> <#ty as #p::ListField>::list(&self.#name))
        })
    };
    let client_id = mapping.get(Key::ClientId).map(|m| {
        let (name, ty) = (&m.member, &m.field.ty);
        quote_spanned!(ty.span()=> <#ty as #p::RequiredText>::text(&self.#name))
    });
    let secret = text(Key::SecretHash).unwrap_or_else(|| quote!(::core::option::Option::None));
    let redirect_uris = list(Key::RedirectUris).unwrap_or_else(|| quote!(::std::vec::Vec::new()));
    let optional_list = |key: Key| match list(key) {
        Some(tokens) => quote!(::core::option::Option::Some(#tokens)),
        None => quote!(::core::option::Option::None),
    };
    let grant_types = optional_list(Key::GrantTypes);
    let response_types = optional_list(Key::ResponseTypes);
    let none = || quote!(::core::option::Option::None);
    let scope = text(Key::Scope).unwrap_or_else(none);
    let method = text(Key::TokenEndpointAuthMethod).unwrap_or_else(none);
    let name = text(Key::ClientName).unwrap_or_else(none);
    let resource_server = mapping.get(Key::ResourceServer).map_or_else(
        || quote!(false),
        |m| {
            let (name, ty) = (&m.member, &m.field.ty);
            quote_spanned!(ty.span()=> #p::flag::<#ty>(&self.#name))
        },
    );

    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::OAuth2Client for #ident #ty_generics #where_clause {
            fn client_id(&self) -> &str {
                #client_id
            }
            fn redirect_uris(&self) -> ::std::vec::Vec<::std::string::String> {
                #redirect_uris
            }
            fn scope(&self) -> #rt::Scope {
                #p::scope_of(#scope)
            }
            fn check_client_secret(&self, secret: &str) -> bool {
                #p::check_secret(#secret, secret)
            }
            fn token_endpoint_auth_method(&self) -> #rt::AuthMethod {
                let secret: ::core::option::Option<&str> = #secret;
                #p::auth_method(#method, secret.is_some())
            }
            fn check_response_type(&self, response_type: #rt::ResponseType) -> bool {
                #p::has_response_type(#response_types, response_type)
            }
            fn check_grant_type(&self, grant_type: &#rt::GrantType) -> bool {
                #p::has_grant_type(#grant_types, grant_type)
            }
            fn client_name(&self) -> ::core::option::Option<&str> {
                #name
            }
            fn is_resource_server(&self) -> bool {
                #resource_server
            }
        }
    }
}
