//! Checks the arguments together and the item the attribute sits on.

use proc_macro2::TokenStream;
use syn::ItemFn;

use super::parse::Args;
use crate::ctxt::Ctxt;

/// The last segment of a Rocket route attribute path (`get`, `rocket::post`, ...).
const ROUTE_ATTRIBUTES: [&str; 8] = [
    "get", "put", "post", "delete", "head", "patch", "options", "route",
];

pub(crate) fn validate(ctxt: &Ctxt, args: &Args, item: TokenStream) -> Option<ItemFn> {
    if let (Some(scope), Some((span, _))) = (&args.scope, &args.any_of) {
        ctxt.error_spanned_by(
            scope,
            "use either `scope` (all required) or `any_of` (one required), not both",
        );
        ctxt.error_at(*span, "`any_of` given here");
    }
    let item: ItemFn = match syn::parse2(item) {
        Ok(item) => item,
        Err(_) => {
            ctxt.error_at(
                proc_macro2::Span::call_site(),
                "#[require_oauth] applies to a Rocket route function",
            );
            return None;
        }
    };
    let has_route = item.attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|s| ROUTE_ATTRIBUTES.contains(&s.ident.to_string().as_str()))
    });
    if !has_route {
        ctxt.error_spanned_by(
            &item.sig.ident,
            "#[require_oauth] must be placed above the route attribute, e.g.\n\
             #[require_oauth(scope = \"profile\")]\n#[get(\"/me\")]\nfn me(...)",
        );
    }
    if let Some(receiver) = item.sig.receiver() {
        ctxt.error_spanned_by(receiver, "a route handler cannot take `self`");
    }
    Some(item)
}
