//! `#[require_oauth(...)]`: adds a hidden bearer-token guard to a Rocket route.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let ctxt = crate::ctxt::Ctxt::new();
    let args = parse::parse_args(&ctxt, args);
    let item = validate::validate(&ctxt, &args, item);
    ctxt.check()?;
    match item {
        Some(item) => Ok(expand::expand(&args, item)),
        None => Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            "invalid #[require_oauth] input",
        )),
    }
}
