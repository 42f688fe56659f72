//! Emits a `Vec<Arc<dyn Grant>>` built with the runtime's grant constructors.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::{GrantDecl, OptionValue};
use crate::paths::{respan, Paths};
use crate::symbol::HOOKS;

pub(crate) fn expand(grants: &[GrantDecl]) -> TokenStream {
    let Paths {
        arc, grant_trait, ..
    } = Paths::get();
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
            quote!(#arc::new(#value) as #arc<dyn #grant_trait>)
        }
        GrantDecl::Custom(expr) => {
            // The paths take the expression's span, so a type that is not a `Grant` is
            // reported at the expression.
            let (arc, grant_trait) = (
                respan(arc.clone(), expr.span()),
                respan(grant_trait.clone(), expr.span()),
            );
            quote_spanned!(expr.span()=> #arc::new(#expr) as #arc<dyn #grant_trait>)
        }
    });
    quote! {
        {
            let grants: ::std::vec::Vec<#arc<dyn #grant_trait>> = ::std::vec![#(#items),*];
            grants
        }
    }
}
