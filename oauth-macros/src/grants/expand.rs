//! Emits a `Vec<Arc<dyn Grant>>` built with the runtime's grant constructors.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::{GrantDecl, OptionValue};
use crate::paths::{private, runtime};

pub(crate) fn expand(grants: &[GrantDecl]) -> TokenStream {
    let rt = runtime();
    let p = private();
    let items = grants.iter().map(|grant| match grant {
        GrantDecl::Standard {
            standard,
            ident,
            options,
        } => {
            let ty = format_ident!("{}", standard.runtime_type, span = ident.span());
            let hooks = options.iter().find_map(|o| match &o.value {
                OptionValue::Expr(e) if o.key == "hooks" => Some(e),
                _ => None,
            });
            let mut value = match (hooks, standard.options.contains(&"hooks")) {
                (Some(hooks), _) => {
                    quote_spanned!(hooks.span()=> ::oauth_runtime::#ty::with_hooks(#hooks))
                }
                (None, true) => quote!(#rt::#ty::new()),
                (None, false) => quote!(#rt::#ty),
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
