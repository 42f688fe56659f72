//! `#[derive(OAuth2Client)]`: maps a client model's fields to the client trait.

mod expand;

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::ctxt::Ctxt;
use crate::record::fields::{map_fields, FieldSpec};

/// The keys a client field can map to; `client_id` is required.
const CLIENT_FIELDS: &[FieldSpec] = &[
    FieldSpec::required("client_id", ""),
    FieldSpec::optional("secret_hash", ""),
    FieldSpec::optional("redirect_uris", ""),
    FieldSpec::optional("grant_types", ""),
    FieldSpec::optional("response_types", ""),
    FieldSpec::optional("scope", ""),
    FieldSpec::optional("token_endpoint_auth_method", ""),
    FieldSpec::optional("client_name", ""),
    FieldSpec::optional("resource_server", ""),
];

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let ctxt = Ctxt::new();
    let mapping = map_fields(&ctxt, &input, CLIENT_FIELDS);
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
            tokens.extend(expand::stub(&input));
            Ok(tokens)
        }
    }
}
