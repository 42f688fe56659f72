//! Maps a struct's fields to the keys a derive knows, from `#[oauth(key)]` or the field name.

use syn::{Data, DeriveInput, Field, Fields, Ident};

use crate::ctxt::Ctxt;

/// A key a field can map to.
pub(crate) struct FieldSpec {
    pub(crate) key: &'static str,
    pub(crate) required: bool,
    /// The record field's type, as a path under `::oauth_runtime` (record derives only).
    pub(crate) record_type: &'static str,
}

impl FieldSpec {
    pub(crate) const fn required(key: &'static str, record_type: &'static str) -> Self {
        FieldSpec {
            key,
            required: true,
            record_type,
        }
    }

    pub(crate) const fn optional(key: &'static str, record_type: &'static str) -> Self {
        FieldSpec {
            key,
            required: false,
            record_type,
        }
    }
}

/// A field mapped to a key.
pub(crate) struct Mapped<'a> {
    pub(crate) field: &'a Field,
    pub(crate) member: &'a Ident,
    pub(crate) spec: &'static FieldSpec,
}

/// The struct's fields: mapped ones, and the rest (which record derives fill with `Default`).
#[derive(Default)]
pub(crate) struct Mapping<'a> {
    pub(crate) mapped: Vec<Mapped<'a>>,
    pub(crate) others: Vec<&'a Field>,
}

impl Mapping<'_> {
    pub(crate) fn get(&self, key: &str) -> Option<&Mapped<'_>> {
        self.mapped.iter().find(|m| m.spec.key == key)
    }
}

enum FieldAttr {
    Key(&'static FieldSpec, proc_macro2::Span),
    Skip,
    None,
}

fn key_list(specs: &[FieldSpec]) -> String {
    let keys: Vec<String> = specs.iter().map(|s| format!("`{}`", s.key)).collect();
    format!("{}, or `skip`", keys.join(", "))
}

/// Reads a field's `#[oauth(...)]` attributes (all of them, reporting every problem).
fn field_attr(ctxt: &Ctxt, field: &Field, specs: &'static [FieldSpec]) -> FieldAttr {
    let mut found = FieldAttr::None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("oauth")) {
        let result = attr.parse_nested_meta(|meta| {
            let span = meta
                .path
                .get_ident()
                .map_or_else(|| attr.pos_span(), Ident::span);
            let this = if meta.path.is_ident("skip") {
                Some(FieldAttr::Skip)
            } else if let Some(spec) = specs.iter().find(|s| meta.path.is_ident(s.key)) {
                Some(FieldAttr::Key(spec, span))
            } else {
                ctxt.error_spanned_by(
                    &meta.path,
                    format!("unknown #[oauth] key; expected {}", key_list(specs)),
                );
                None
            };
            if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
                ctxt.error_spanned_by(&meta.path, "this key takes no value");
                let _ = meta.value().and_then(|v| v.parse::<syn::Expr>());
            }
            if let Some(this) = this {
                if !matches!(found, FieldAttr::None) {
                    ctxt.error_spanned_by(&meta.path, "a field maps to one key only");
                }
                found = this;
            }
            Ok(())
        });
        if let Err(error) = result {
            ctxt.syn_error(error);
        }
    }
    found
}

trait PosSpan {
    fn pos_span(&self) -> proc_macro2::Span;
}

impl PosSpan for syn::Attribute {
    fn pos_span(&self) -> proc_macro2::Span {
        self.pound_token.span
    }
}

/// Maps the fields of `input` (a struct with named fields) to `specs`.
pub(crate) fn map_fields<'a>(
    ctxt: &Ctxt,
    input: &'a DeriveInput,
    specs: &'static [FieldSpec],
) -> Mapping<'a> {
    let mut mapping = Mapping::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("oauth")) {
        ctxt.error_spanned_by(attr, "#[oauth(...)] goes on fields, not on the struct");
    }
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => &named.named,
            _ => {
                ctxt.error_spanned_by(&input.ident, "this derive needs a struct with named fields");
                return mapping;
            }
        },
        Data::Enum(data) => {
            ctxt.error_spanned_by(
                data.enum_token,
                "this derive needs a struct with named fields, not an enum",
            );
            return mapping;
        }
        Data::Union(data) => {
            ctxt.error_spanned_by(
                data.union_token,
                "this derive needs a struct with named fields, not a union",
            );
            return mapping;
        }
    };
    for field in fields {
        let Some(member) = field.ident.as_ref() else {
            continue;
        };
        let (spec, span) = match field_attr(ctxt, field, specs) {
            FieldAttr::Key(spec, span) => (spec, span),
            FieldAttr::Skip => {
                mapping.others.push(field);
                continue;
            }
            FieldAttr::None => match specs.iter().find(|s| member == s.key) {
                Some(spec) => (spec, member.span()),
                None => {
                    mapping.others.push(field);
                    continue;
                }
            },
        };
        if let Some(previous) = mapping.get(spec.key) {
            ctxt.error_at(
                span,
                format!(
                    "`{}` is already mapped by field `{}`",
                    spec.key, previous.member
                ),
            );
            mapping.others.push(field);
            continue;
        }
        mapping.mapped.push(Mapped {
            field,
            member,
            spec,
        });
    }
    for spec in specs.iter().filter(|s| s.required) {
        if mapping.get(spec.key).is_none() {
            ctxt.error_spanned_by(
                &input.ident,
                format!(
                    "no field holds `{0}`: name a field `{0}` or mark one with #[oauth({0})]",
                    spec.key
                ),
            );
        }
    }
    mapping
}
