//! The `#[oauth(...)]` attribute parser every derive shares: maps a struct's fields to the keys
//! a derive knows, from `#[oauth(key)]` or the field name, and reads the struct's
//! `#[oauth(table = "…")]` and the fields' `#[oauth(column = "…")]`.

use proc_macro2::Span;
use syn::{Data, DeriveInput, Field, Fields, Ident, LitStr};

use crate::ctxt::Ctxt;
use crate::paths::RecordType;
use crate::symbol::{Key, CLAIM, COLUMN, OAUTH, SKIP, TABLE};

/// A key a field can map to.
pub(crate) struct FieldSpec {
    pub(crate) key: Key,
    pub(crate) required: bool,
    /// Required only with `#[oauth(table = "…")]` (a column the store needs that the record
    /// does not hold, such as a code's `used` flag).
    pub(crate) table_only: bool,
    /// The record field's type (record derives only).
    pub(crate) record_type: RecordType,
}

impl FieldSpec {
    pub(crate) const fn required(key: Key, record_type: RecordType) -> Self {
        FieldSpec {
            key,
            required: true,
            table_only: false,
            record_type,
        }
    }

    pub(crate) const fn optional(key: Key, record_type: RecordType) -> Self {
        FieldSpec {
            key,
            required: false,
            table_only: false,
            record_type,
        }
    }

    pub(crate) const fn table_only(key: Key, record_type: RecordType) -> Self {
        FieldSpec {
            key,
            required: false,
            table_only: true,
            record_type,
        }
    }
}

/// A field mapped to a key.
pub(crate) struct Mapped<'a> {
    pub(crate) field: &'a Field,
    pub(crate) member: &'a Ident,
    pub(crate) spec: &'static FieldSpec,
    /// The column it is stored in: `#[oauth(column = "…")]`, else the field name.
    pub(crate) column: String,
}

/// The struct's table, fields mapped to keys, and the rest (which the derives fill with
/// `Default`).
#[derive(Default)]
pub(crate) struct Mapping<'a> {
    /// `#[oauth(table = "…")]`, checked to be an SQL identifier.
    pub(crate) table: Option<String>,
    pub(crate) mapped: Vec<Mapped<'a>>,
    pub(crate) others: Vec<&'a Field>,
    /// Unmapped fields the table derive also reads (`#[oauth(column = "…")]` on a field no key
    /// holds): the application's own columns, e.g. `is_official`. Also in `others`.
    pub(crate) extra: Vec<(&'a Field, String)>,
    /// Unmapped fields that are OpenID Connect claims (`#[oauth(claim = "email")]`), with the
    /// claim's name. Also in `others` (and in `extra` when there is a table).
    pub(crate) claims: Vec<(&'a Field, String)>,
}

impl Mapping<'_> {
    pub(crate) fn get(&self, key: Key) -> Option<&Mapped<'_>> {
        self.mapped.iter().find(|m| m.spec.key == key)
    }
}

/// What a field's `#[oauth(...)]` attributes say.
#[derive(Default)]
struct FieldAttr {
    key: Option<(&'static FieldSpec, Span)>,
    skip: bool,
    column: Option<LitStr>,
    claim: Option<LitStr>,
}

fn key_list(specs: &[FieldSpec]) -> String {
    let keys: Vec<String> = specs
        .iter()
        .map(|s| format!("`{}`", s.key.as_str()))
        .collect();
    format!("{}, `{COLUMN} = \"…\"`, or `{SKIP}`", keys.join(", "))
}

/// Whether `name` is a plain SQL identifier (letters, digits, `_`; not starting with a
/// digit), or two joined by a dot when `qualified` (`schema.table`). The derives refuse
/// anything else, so generated statements never need quoting.
fn is_identifier(name: &str, qualified: bool) -> bool {
    let plain = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    match name.split_once('.') {
        Some((schema, table)) if qualified => plain(schema) && plain(table),
        Some(_) => false,
        None => plain(name),
    }
}

/// Reads a field's `#[oauth(...)]` attributes (all of them, reporting every problem).
fn field_attr(ctxt: &Ctxt, field: &Field, specs: &'static [FieldSpec]) -> FieldAttr {
    let mut found = FieldAttr::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident(OAUTH)) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(CLAIM) {
                let name: LitStr = meta.value()?.parse()?;
                if name.value().is_empty() || name.value().contains(char::is_whitespace) {
                    ctxt.error_spanned_by(&name, "a claim name is one word, e.g. \"email\"");
                }
                if found.claim.replace(name).is_some() {
                    ctxt.error_spanned_by(&meta.path, "`claim` is given twice");
                }
                return Ok(());
            }
            if meta.path.is_ident(COLUMN) {
                let name: LitStr = meta.value()?.parse()?;
                if !is_identifier(&name.value(), false) {
                    ctxt.error_spanned_by(
                        &name,
                        "a column name must be an SQL identifier (letters, digits and `_`)",
                    );
                }
                if found.column.replace(name).is_some() {
                    ctxt.error_spanned_by(&meta.path, "`column` is given twice");
                }
                return Ok(());
            }
            let span = meta
                .path
                .get_ident()
                .map_or_else(|| attr.pound_token.span, Ident::span);
            let spec = specs.iter().find(|s| meta.path.is_ident(s.key.as_str()));
            if spec.is_none() && !meta.path.is_ident(SKIP) {
                ctxt.error_spanned_by(
                    &meta.path,
                    format!("unknown #[oauth] key; expected {}", key_list(specs)),
                );
            }
            if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
                ctxt.error_spanned_by(&meta.path, "this key takes no value");
                let _ = meta.value().and_then(|v| v.parse::<syn::Expr>());
            }
            let already = found.key.is_some() || found.skip;
            if spec.is_some() || meta.path.is_ident(SKIP) {
                if already {
                    ctxt.error_spanned_by(&meta.path, "a field maps to one key only");
                }
                match spec {
                    Some(spec) => found.key = Some((spec, span)),
                    None => found.skip = true,
                }
            }
            Ok(())
        });
        if let Err(error) = result {
            ctxt.syn_error(error);
        }
    }
    found
}

/// Reads the struct's `#[oauth(table = "…")]`.
fn struct_attr(ctxt: &Ctxt, input: &DeriveInput) -> Option<String> {
    let mut table = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident(OAUTH)) {
        let result = attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident(TABLE) {
                ctxt.error_spanned_by(
                    &meta.path,
                    "unknown #[oauth] key on a struct; expected `table = \"…\"` (keys of fields go on the fields)",
                );
                let _ = meta.value().and_then(|v| v.parse::<syn::Expr>());
                return Ok(());
            }
            let name: LitStr = meta.value()?.parse()?;
            if !is_identifier(&name.value(), true) {
                ctxt.error_spanned_by(
                    &name,
                    "a table name must be an SQL identifier (letters, digits and `_`), optionally `schema.table`",
                );
            }
            if table.replace(name.value()).is_some() {
                ctxt.error_spanned_by(&meta.path, "`table` is given twice");
            }
            Ok(())
        });
        if let Err(error) = result {
            ctxt.syn_error(error);
        }
    }
    table
}

/// The named fields of `input`, or an error at what it is instead.
fn named_fields<'a>(
    ctxt: &Ctxt,
    input: &'a DeriveInput,
) -> Option<&'a syn::punctuated::Punctuated<Field, syn::Token![,]>> {
    let message = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => return Some(&named.named),
            _ => {
                ctxt.error_spanned_by(&input.ident, "this derive needs a struct with named fields");
                return None;
            }
        },
        Data::Enum(data) => (data.enum_token.span, "not an enum"),
        Data::Union(data) => (data.union_token.span, "not a union"),
    };
    ctxt.error_at(
        message.0,
        format!(
            "this derive needs a struct with named fields, {}",
            message.1
        ),
    );
    None
}

/// Maps the fields of `input` (a struct with named fields) to `specs`.
pub(crate) fn map_fields<'a>(
    ctxt: &Ctxt,
    input: &'a DeriveInput,
    specs: &'static [FieldSpec],
) -> Mapping<'a> {
    let mut mapping = Mapping {
        table: struct_attr(ctxt, input),
        ..Mapping::default()
    };
    let Some(fields) = named_fields(ctxt, input) else {
        return mapping;
    };
    for field in fields {
        let Some(member) = field.ident.as_ref() else {
            continue;
        };
        let attr = field_attr(ctxt, field, specs);
        if let Some(column) = &attr.column {
            if mapping.table.is_none() {
                ctxt.error_spanned_by(
                    column,
                    "`column` names a column of the struct's table: add #[oauth(table = \"…\")] to the struct",
                );
            }
        }
        // A field named like a table-only key is that key only when there is a table.
        let by_name = || {
            specs
                .iter()
                .find(|s| member == s.key.as_str() && (!s.table_only || mapping.table.is_some()))
        };
        if let (Some(claim), true) = (&attr.claim, attr.key.is_some() || attr.skip) {
            ctxt.error_spanned_by(
                claim,
                "`claim` goes on a field of its own, not one mapped to a key or skipped",
            );
        }
        let (spec, span) = match attr.key {
            _ if attr.skip => {
                mapping.others.push(field);
                continue;
            }
            Some(key) => key,
            None => match by_name() {
                Some(spec) => (spec, member.span()),
                None => {
                    if let Some(claim) = &attr.claim {
                        mapping.claims.push((field, claim.value()));
                        if mapping.table.is_some() && attr.column.is_none() {
                            mapping.extra.push((field, member.to_string()));
                        }
                    }
                    if let Some(column) = &attr.column {
                        mapping.extra.push((field, column.value()));
                    }
                    mapping.others.push(field);
                    continue;
                }
            },
        };
        if spec.table_only && mapping.table.is_none() {
            ctxt.error_at(
                span,
                format!(
                    "`{}` is a column of the struct's table: add #[oauth(table = \"…\")] to the struct",
                    spec.key.as_str()
                ),
            );
        }
        if let Some(previous) = mapping.get(spec.key) {
            ctxt.error_at(
                span,
                format!(
                    "`{}` is already mapped by field `{}`",
                    spec.key.as_str(),
                    previous.member
                ),
            );
            mapping.others.push(field);
            continue;
        }
        let column = attr
            .column
            .as_ref()
            .map_or_else(|| member.to_string(), LitStr::value);
        mapping.mapped.push(Mapped {
            field,
            member,
            spec,
            column,
        });
    }
    mapping
}

#[cfg(test)]
mod tests {
    use super::is_identifier;

    #[test]
    fn identifiers() {
        assert!(is_identifier("oauth2_tokens", false));
        assert!(is_identifier("_x1", false));
        assert!(is_identifier("auth.tokens", true));
        assert!(!is_identifier("auth.tokens", false));
        assert!(!is_identifier("1abc", false));
        assert!(!is_identifier("a b", false));
        assert!(!is_identifier("t; DROP TABLE x", true));
        assert!(!is_identifier("\"quoted\"", false));
        assert!(!is_identifier("", false));
        assert!(!is_identifier("a.b.c", true));
    }
}
