//! Emits a `Vec<Arc<dyn Grant>>` built with the runtime's grant constructors.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::{GrantDecl, OptionValue};
use crate::paths::{private, runtime};
use crate::symbol::HOOKS;

pub(crate) fn expand(grants: &[GrantDecl]) -> TokenStream {
    let rt = runtime();
    let p = private();
    let items = grants.iter().map(|grant| match grant {
        GrantDecl::Standard {
            standard,
            ident,
            options,
        } => {
            let ty = (standard.runtime_type)();
            let hooks = options.iter().find_map(|o| match &o.value {
                OptionValue::Expr(e) if o.key == HOOKS => Some(e),
                _ => None,
            });
            let mut value = match (hooks, standard.options.contains(&HOOKS)) {
                (Some(hooks), _) => quote_spanned!(hooks.span()=> #ty::with_hooks(#hooks)),
                (None, true) => quote_spanned!(ident.span()=> #ty::new()),
                (None, false) => quote_spanned!(ident.span()=> #ty),
            };
            for option in options {
                if let OptionValue::Bool(b) = &option.value {
                    let key = &option.key;
                    value = quote!(#value.#key(#b));
                }
            }
            quote!(#p::Arc::new(#value) as #p::Arc<dyn #rt::Grant>)
        }
        GrantDecl::Custom(expr) => {
            // Paths written inside `quote_spanned!`, so a type that is not a `Grant` is reported
            // at the expression.
            quote_spanned!(expr.span()=>
                ::oauth_runtime::__private::Arc::new(#expr)
                    as ::oauth_runtime::__private::Arc<dyn ::oauth_runtime::Grant>
            )
        }
    });
    quote! {
        {
            let grants: ::std::vec::Vec<#p::Arc<dyn #rt::Grant>> = ::std::vec![#(#items),*];
            grants
        }
    }
}
