//! `#[derive(OAuth2User)]`: maps a resource owner model's fields to `OAuth2User` (and, with
//! `#[oauth(table = "…")]`, to the runtime's `UserTable`).

mod expand;

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::attr::{map_fields, FieldSpec};
use crate::ctxt::Ctxt;
use crate::paths::RecordType::None;
use crate::symbol::Key;

/// The keys a resource owner field can map to.
const USER_FIELDS: &[FieldSpec] = &[
    FieldSpec::required(Key::Id, None),
    FieldSpec::required(Key::Username, None),
    FieldSpec::optional(Key::PasswordHash, None),
];

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let ctxt = Ctxt::new();
    let mapping = map_fields(&ctxt, &input, USER_FIELDS);
    crate::validate::required_keys(&ctxt, &input, USER_FIELDS, &mapping);
    if let Err(error) = ctxt.check() {
        let mut tokens = error.into_compile_error();
        tokens.extend(crate::fallback::user(&input));
        return Ok(tokens);
    }
    let mut tokens = expand::expand(&input, &mapping);
    if let Some(table) = &mapping.table {
        tokens.extend(crate::table::user(&input, &mapping, table));
    }
    Ok(tokens)
}
