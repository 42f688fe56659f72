//! Parses the arguments: `scope = "a b"`, `any_of = ["a", "b c"]`, `optional`.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Expr, ExprArray, Lit, LitStr};

use crate::ctxt::Ctxt;
use crate::symbol::{ANY_OF, OPTIONAL, SCOPE};

/// The parsed arguments, each with the span it was written at.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) scope: Option<LitStr>,
    pub(crate) any_of: Option<(Span, Vec<LitStr>)>,
    pub(crate) optional: Option<Span>,
}

/// The arguments, for error messages.
fn keys() -> String {
    format!("`{SCOPE} = \"...\"`, `{ANY_OF} = [\"...\", ...]` or `{OPTIONAL}`")
}

pub(crate) fn parse_args(ctxt: &Ctxt, tokens: TokenStream) -> Args {
    let mut args = Args::default();
    let parser = syn::meta::parser(|meta| {
        let path = &meta.path;
        if path.is_ident(SCOPE) {
            let lit: LitStr = meta.value()?.parse()?;
            if args.scope.is_some() {
                ctxt.error_spanned_by(path, "duplicate `scope`");
            }
            args.scope = Some(lit);
        } else if path.is_ident(ANY_OF) {
            let array: ExprArray = meta.value()?.parse()?;
            let mut scopes = Vec::new();
            for element in &array.elems {
                match element {
                    Expr::Lit(lit) => match &lit.lit {
                        Lit::Str(s) => scopes.push(s.clone()),
                        other => ctxt.error_spanned_by(other, "expected a scope string"),
                    },
                    other => ctxt.error_spanned_by(other, "expected a scope string"),
                }
            }
            if scopes.is_empty() && array.elems.is_empty() {
                ctxt.error_spanned_by(&array, "`any_of` needs at least one scope");
            }
            if args.any_of.is_some() {
                ctxt.error_spanned_by(path, "duplicate `any_of`");
            }
            args.any_of = Some((array.span(), scopes));
        } else if path.is_ident(OPTIONAL) {
            if args.optional.is_some() {
                ctxt.error_spanned_by(path, "duplicate `optional`");
            }
            args.optional = Some(path.span());
        } else {
            ctxt.error_spanned_by(path, format!("unknown argument; expected {}", keys()));
            if meta.input.peek(syn::Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            }
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(tokens) {
        ctxt.syn_error(error);
    }
    args
}
