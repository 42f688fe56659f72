//! `grants![...]`: the grants a server supports, with per-grant options.

mod expand;
mod parse;
mod validate;

use crate::paths::Paths;
use proc_macro2::TokenStream;

pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let Paths {
        arc, grant_trait, ..
    } = Paths::get();
    let ctxt = crate::ctxt::Ctxt::new();
    let grants = parse::parse(&ctxt, input);
    if let Some(grants) = &grants {
        validate::validate(&ctxt, grants);
    }
    let grants = grants.unwrap_or_default();
    match ctxt.check() {
        Ok(()) => Ok(expand::expand(&grants)),
        // In expression position: the errors as statements, then a value of the right type.
        Err(error) => {
            let errors = error.into_compile_error();
            Ok(quote::quote!({
                #errors
                ::std::vec::Vec::<#arc<dyn #grant_trait>>::new()
            }))
        }
    }
}
