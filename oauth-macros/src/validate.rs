//! Rules across a derive's fields, checked after the attributes are parsed (`attr`): every
//! required key is held by a field, and with a table every column the store needs.

use syn::{Data, DeriveInput, Fields};

use crate::attr::{FieldSpec, Mapping};
use crate::ctxt::Ctxt;

/// Reports each required key no field holds, at the struct's name.
pub(crate) fn required_keys(
    ctxt: &Ctxt,
    input: &DeriveInput,
    specs: &[FieldSpec],
    mapping: &Mapping<'_>,
) {
    // Not a struct with named fields: that error stands alone.
    if !matches!(&input.data, Data::Struct(data) if matches!(data.fields, Fields::Named(_))) {
        return;
    }
    let in_table = mapping.table.is_some();
    let missing: Vec<&FieldSpec> = specs
        .iter()
        .filter(|s| s.required || (s.table_only && in_table))
        .filter(|s| mapping.get(s.key).is_none())
        .collect();
    // One mistake, one error: every missing key in a single message.
    let message = match missing.as_slice() {
        [] => return,
        [spec] => {
            let why = if spec.table_only {
                " (the table needs it)"
            } else {
                ""
            };
            format!(
                "no field holds `{0}`{why}: name a field `{0}` or mark one with #[oauth({0})]",
                spec.key.as_str()
            )
        }
        several => {
            let names: Vec<String> = several
                .iter()
                .map(|s| format!("`{}`", s.key.as_str()))
                .collect();
            format!(
                "no fields hold {}: name a field after each, or mark one with #[oauth(key)]",
                names.join(", ")
            )
        }
    };
    ctxt.error_spanned_by(&input.ident, message);
}

/// `#[oauth(claim = "…")]` belongs to resource owners: anywhere else it is an error at the
/// claim (once; the field is then not also reported as an extra column).
pub(crate) fn no_claims(ctxt: &Ctxt, mapping: &mut Mapping<'_>) {
    for (field, _) in std::mem::take(&mut mapping.claims) {
        ctxt.error_spanned_by(
            field.ident.as_ref(),
            "`claim` is for resource owners (#[derive(OAuth2User)]): OpenID Connect claims describe users",
        );
        mapping
            .extra
            .retain(|(extra, _)| !std::ptr::eq(*extra, field));
    }
}
