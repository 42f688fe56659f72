//! Procedural macros for [oauth-runtime](https://docs.rs/oauth-runtime). Depend on
//! `oauth-runtime`, which re-exports them with their documentation and examples; the generated
//! code calls `::oauth_runtime::__private`, which is not API.
//!
//! Set `OAUTH_MACROS_DEBUG=1` while building to print every expansion.

#![deny(unreachable_pub, missing_docs)]
#![forbid(unsafe_code)]

mod attr;
mod client;
mod ctxt;
mod fallback;
mod grants;
mod paths;
mod record;
mod require_oauth;
mod symbol;
mod table;
mod user;
mod validate;

use proc_macro::TokenStream;

fn finish(name: &str, result: syn::Result<proc_macro2::TokenStream>) -> TokenStream {
    let tokens = result.unwrap_or_else(syn::Error::into_compile_error);
    if std::env::var_os("OAUTH_MACROS_DEBUG").is_some_and(|v| v == "1") {
        eprintln!("--- {name} expansion ---\n{tokens}\n");
    }
    tokens.into()
}

/// Protects a Rocket route with a bearer token. See `oauth_runtime::require_oauth`.
#[proc_macro_attribute]
pub fn require_oauth(args: TokenStream, item: TokenStream) -> TokenStream {
    finish(
        "require_oauth",
        require_oauth::expand(args.into(), item.into()),
    )
}

/// Implements `OAuth2Client` for a client model. See `oauth_runtime::OAuth2Client`.
#[proc_macro_derive(OAuth2Client, attributes(oauth))]
pub fn derive_oauth2_client(input: TokenStream) -> TokenStream {
    finish(
        "OAuth2Client",
        client::expand(syn::parse_macro_input!(input)),
    )
}

/// Implements `OAuth2Token` for a token model. See `oauth_runtime::OAuth2Token`.
#[proc_macro_derive(OAuth2Token, attributes(oauth))]
pub fn derive_oauth2_token(input: TokenStream) -> TokenStream {
    finish(
        "OAuth2Token",
        record::expand(&record::TOKEN, syn::parse_macro_input!(input)),
    )
}

/// Implements `OAuth2AuthorizationCode` for an authorization code model.
#[proc_macro_derive(OAuth2AuthorizationCode, attributes(oauth))]
pub fn derive_oauth2_authorization_code(input: TokenStream) -> TokenStream {
    finish(
        "OAuth2AuthorizationCode",
        record::expand(&record::CODE, syn::parse_macro_input!(input)),
    )
}

/// Implements `OAuth2User` for a resource owner model. See `oauth_runtime::OAuth2User`.
#[proc_macro_derive(OAuth2User, attributes(oauth))]
pub fn derive_oauth2_user(input: TokenStream) -> TokenStream {
    finish("OAuth2User", user::expand(syn::parse_macro_input!(input)))
}

/// Declares the grants a server supports. See `oauth_runtime::grants`.
#[proc_macro]
pub fn grants(input: TokenStream) -> TokenStream {
    finish("grants", grants::expand(input.into()))
}
