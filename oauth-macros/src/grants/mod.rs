//! `grants![...]`: the grants a server supports, with per-grant options.

mod expand;
mod parse;

use proc_macro2::TokenStream;

pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let ctxt = crate::ctxt::Ctxt::new();
    let grants = parse::parse(&ctxt, input);
    ctxt.check()?;
    Ok(expand::expand(&grants))
}
