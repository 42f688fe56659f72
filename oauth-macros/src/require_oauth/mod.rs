//! `#[require_oauth(...)]`: adds a hidden bearer-token guard to a Rocket route.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

/// On error the item is emitted unchanged beside the errors, so that uses of the route (in
/// `routes![]`, say) do not add errors of their own.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let ctxt = crate::ctxt::Ctxt::new();
    let args = parse::parse_args(&ctxt, args);
    let parsed = validate::validate(&ctxt, &args, item.clone());
    match (ctxt.check(), parsed) {
        (Ok(()), Some(parsed)) => Ok(expand::expand(&args, parsed)),
        (Err(error), _) => {
            let mut tokens = error.into_compile_error();
            tokens.extend(item);
            Ok(tokens)
        }
        (Ok(()), None) => Ok(item),
    }
}
