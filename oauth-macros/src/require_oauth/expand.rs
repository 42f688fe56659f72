//! Emits the scope marker type, compile-time scope checks, and the hidden guard parameter.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{parse_quote, FnArg, ItemFn};

use super::parse::Args;
use crate::paths::{private, Paths};

pub(crate) fn expand(args: &Args, mut item: ItemFn) -> TokenStream {
    let Paths {
        authorized,
        required_scope,
        scope_requirement,
        ..
    } = Paths::get();
    let private = private();
    let vis = &item.vis;
    let marker = format_ident!("__oauth_scope_{}", item.sig.ident);
    let requirement = match (&args.scope, &args.any_of) {
        (Some(scope), _) => {
            let tokens: Vec<String> = scope.value().split(' ').map(str::to_owned).collect();
            quote!(#scope_requirement::AllOf(&[#(#tokens),*]))
        }
        (None, Some((_, any))) => quote!(#scope_requirement::AnyOf(&[#(#any),*])),
        (None, None) => quote!(#scope_requirement::None),
    };
    let guard = match args.optional {
        Some(_) => quote!(#private::OptionalAuthorized<#marker>),
        None => quote!(#authorized<#marker>),
    };
    let param: FnArg = parse_quote!(__oauth_guard: #guard);
    item.sig.inputs.insert(0, param);
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #marker;

        impl #required_scope for #marker {
            const REQUIRED: #scope_requirement<'static> = #requirement;
        }

        #item
    }
}
