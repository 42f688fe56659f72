//! Emits the scope marker type, compile-time scope checks, and the hidden guard parameter.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{parse_quote, FnArg, ItemFn};

use super::parse::Args;
use crate::paths::{private, runtime};

pub(crate) fn expand(args: &Args, mut item: ItemFn) -> TokenStream {
    let rt = runtime();
    let private = private();
    let vis = &item.vis;
    let marker = format_ident!("__oauth_scope_{}", item.sig.ident);
    let (requirement, literals) = match (&args.scope, &args.any_of) {
        (Some(scope), _) => {
            let tokens: Vec<String> = scope.value().split(' ').map(str::to_owned).collect();
            (
                quote!(#rt::ScopeRequirement::AllOf(&[#(#tokens),*])),
                vec![scope.clone()],
            )
        }
        (None, Some((_, any))) => (
            quote!(#rt::ScopeRequirement::AnyOf(&[#(#any),*])),
            any.clone(),
        ),
        (None, None) => (quote!(#rt::ScopeRequirement::None), Vec::new()),
    };
    // RFC 6749 §3.3 syntax, checked by the runtime's const fn at the literal's span.
    let checks = literals
        .iter()
        .map(|lit| quote_spanned!(lit.span()=> const _: () = #private::assert_scope(#lit);));
    let guard = match args.optional {
        Some(_) => quote!(#private::OptionalAuthorized<#marker>),
        None => quote!(#rt::Authorized<#marker>),
    };
    let param: FnArg = parse_quote!(__oauth_guard: #guard);
    item.sig.inputs.insert(0, param);
    quote! {
        #(#checks)*

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #marker;

        impl #rt::RequiredScope for #marker {
            const REQUIRED: #rt::ScopeRequirement<'static> = #requirement;
        }

        #item
    }
}
