//! Absolute paths into the runtime: the only items generated code names.

use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn runtime() -> TokenStream {
    quote!(::oauth_runtime)
}

pub(crate) fn private() -> TokenStream {
    quote!(::oauth_runtime::__private)
}
