//! `#[derive(OAuth2Client)]`: maps a client model's fields to the client trait.

mod expand;

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::attr::{map_fields, FieldSpec};
use crate::ctxt::Ctxt;
use crate::paths::RecordType::None;
use crate::symbol::Key;

/// The keys a client field can map to; `client_id` is required.
const CLIENT_FIELDS: &[FieldSpec] = &[
    FieldSpec::required(Key::ClientId, None),
    FieldSpec::optional(Key::SecretHash, None),
    FieldSpec::optional(Key::RedirectUris, None),
    FieldSpec::optional(Key::GrantTypes, None),
    FieldSpec::optional(Key::ResponseTypes, None),
    FieldSpec::optional(Key::Scope, None),
    FieldSpec::optional(Key::TokenEndpointAuthMethod, None),
    FieldSpec::optional(Key::ClientName, None),
    FieldSpec::optional(Key::ResourceServer, None),
    FieldSpec::optional(Key::Resources, None),
];

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let ctxt = Ctxt::new();
    let mut mapping = map_fields(&ctxt, &input, CLIENT_FIELDS);
    crate::validate::no_claims(&ctxt, &mut mapping);
    crate::validate::required_keys(&ctxt, &input, CLIENT_FIELDS, &mapping);
    match ctxt.check() {
        Ok(()) => {
            let mut tokens = expand::expand(&input, &mapping);
            if let Some(table) = &mapping.table {
                tokens.extend(crate::table::client(&input, &mapping, table));
            }
            Ok(tokens)
        }
        Err(error) => {
            let mut tokens = error.into_compile_error();
            tokens.extend(crate::fallback::client(&input));
            Ok(tokens)
        }
    }
}
