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
    for spec in specs
        .iter()
        .filter(|s| s.required || (s.table_only && in_table))
    {
        if mapping.get(spec.key).is_none() {
            let why = if spec.table_only {
                " (the table needs it)"
            } else {
                ""
            };
            ctxt.error_spanned_by(
                &input.ident,
                format!(
                    "no field holds `{0}`{why}: name a field `{0}` or mark one with #[oauth({0})]",
                    spec.key.as_str()
                ),
            );
        }
    }
}
