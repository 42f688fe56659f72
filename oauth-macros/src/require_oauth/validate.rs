//! Checks the arguments together and the item the attribute sits on.

use proc_macro2::TokenStream;
use syn::{FnArg, GenericArgument, ItemFn, LitStr, PathArguments, Type};

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
    for lit in args
        .scope
        .iter()
        .chain(args.any_of.iter().flat_map(|(_, any)| any))
    {
        check_scope(ctxt, lit);
    }
    check_token_parameters(ctxt, args, &item);
    Some(item)
}

/// RFC 6749 §3.3: `scope = scope-token *( SP scope-token )`,
/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`. The macro checks the literal's syntax so
/// that the error points at it; what the scope means stays with the runtime.
fn check_scope(ctxt: &Ctxt, lit: &LitStr) {
    let value = lit.value();
    let token_char = |b: u8| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E);
    let problem = if value.is_empty() {
        Some("a scope cannot be empty".to_owned())
    } else if value.split(' ').any(str::is_empty) {
        Some("separate scope tokens by single spaces, with none at either end".to_owned())
    } else {
        value
            .bytes()
            .find(|b| *b != b' ' && !token_char(*b))
            .map(|b| match b {
                b'"' => "a scope token cannot contain `\"`".to_owned(),
                b'\\' => "a scope token cannot contain `\\`".to_owned(),
                _ if b.is_ascii() => format!("a scope token cannot contain {:?}", b as char),
                _ => "a scope token is printable ASCII".to_owned(),
            })
    };
    if let Some(problem) = problem {
        ctxt.error_spanned_by(
            lit,
            format!("invalid scope {value:?}: {problem} (RFC 6749 §3.3)"),
        );
    }
}

/// Whether `ty` is `CurrentToken` or `&CurrentToken` (by its last path segment) and, if so,
/// wrapped in `Option`.
fn token_parameter(ty: &Type) -> Option<bool> {
    if let Type::Reference(reference) = ty {
        return (token_parameter(&reference.elem) == Some(false)).then_some(false);
    }
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident == "CurrentToken" {
        return Some(false);
    }
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => (token_parameter(inner) == Some(false)).then_some(true),
        _ => None,
    }
}

/// `optional` routes run without a token, so they take `Option<CurrentToken>`; the others
/// always have one, so they take `CurrentToken` (a mismatch would compile and then answer 401
/// to a request the route should have served, or never see `None`).
fn check_token_parameters(ctxt: &Ctxt, args: &Args, item: &ItemFn) {
    for input in &item.sig.inputs {
        let FnArg::Typed(param) = input else { continue };
        match (token_parameter(&param.ty), args.optional.is_some()) {
            (Some(false), true) => ctxt.error_spanned_by(
                &param.ty,
                "with `optional` a request may carry no token: take `Option<CurrentToken>`",
            ),
            (Some(true), false) => ctxt.error_spanned_by(
                &param.ty,
                "without `optional` every request carries a valid token: take `CurrentToken`, \
                 or add `optional` to #[require_oauth] to serve requests without one",
            ),
            _ => {}
        }
    }
}
