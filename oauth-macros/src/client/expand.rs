//! Emits the `OAuth2Client` impl; each trait call is spanned at the field's type, so an
//! unsupported type is reported there.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::attr::Mapping;
use crate::paths::Paths;
use crate::symbol::Key;

pub(crate) fn expand(input: &DeriveInput, mapping: &Mapping<'_>) -> TokenStream {
    let Paths {
        auth_method_of,
        auth_method_type,
        check_secret,
        flag,
        grant_type_type,
        has_grant_type,
        has_response_type,
        list_field,
        oauth2_client,
        optional_text,
        required_text,
        response_type_type,
        scope_of,
        scope_type,
        ..
    } = Paths::get();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    let text = |key: Key| {
        mapping.get(key).map(|m| {
            let (name, ty) = (&m.member, &m.field.ty);
            quote_spanned!(ty.span()=> <#ty as #optional_text>::text(&self.#name))
        })
    };
    let list = |key: Key| {
        mapping.get(key).map(|m| {
            let (name, ty) = (&m.member, &m.field.ty);
            quote_spanned!(ty.span()=> <#ty as #list_field>::list(&self.#name))
        })
    };
    let client_id = mapping.get(Key::ClientId).map(|m| {
        let (name, ty) = (&m.member, &m.field.ty);
        quote_spanned!(ty.span()=> <#ty as #required_text>::text(&self.#name))
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
    let resources = list(Key::Resources).unwrap_or_else(|| quote!(::std::vec::Vec::new()));
    let resource_server = mapping.get(Key::ResourceServer).map_or_else(
        || quote!(false),
        |m| {
            let (name, ty) = (&m.member, &m.field.ty);
            quote_spanned!(ty.span()=> #flag::<#ty>(&self.#name))
        },
    );

    quote! {
        #[automatically_derived]
        impl #impl_generics #oauth2_client for #ident #ty_generics #where_clause {
            fn client_id(&self) -> &str {
                #client_id
            }
            fn redirect_uris(&self) -> ::std::vec::Vec<::std::string::String> {
                #redirect_uris
            }
            fn scope(&self) -> #scope_type {
                #scope_of(#scope)
            }
            fn check_client_secret(&self, secret: &str) -> bool {
                #check_secret(#secret, secret)
            }
            fn token_endpoint_auth_method(&self) -> #auth_method_type {
                let secret: ::core::option::Option<&str> = #secret;
                #auth_method_of(#method, secret.is_some())
            }
            fn check_response_type(&self, response_type: #response_type_type) -> bool {
                #has_response_type(#response_types, response_type)
            }
            fn check_grant_type(&self, grant_type: &#grant_type_type) -> bool {
                #has_grant_type(#grant_types, grant_type)
            }
            fn client_name(&self) -> ::core::option::Option<&str> {
                #name
            }
            fn is_resource_server(&self) -> bool {
                #resource_server
            }
            fn allowed_resources(&self) -> ::std::vec::Vec<::std::string::String> {
                #resources
            }
        }
    }
}
