//! Emits the record conversions (`to_token`/`from_token`, `to_code`/`from_code`), each
//! spanned at its field's type, and the table impl when there is a table.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use super::RecordSpec;
use crate::attr::Mapping;
use crate::paths::Paths;

pub(crate) fn expand(spec: &RecordSpec, input: &DeriveInput, mapping: &Mapping<'_>) -> TokenStream {
    let Paths {
        column,
        storage_error,
        ..
    } = Paths::get();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (trait_path, record, to_method, from_method) = (spec.names)();
    let to_fields = mapping.mapped.iter().filter(|m| !m.spec.table_only).map(|m| {
        let (member, ty, key) = (m.member, &m.field.ty, m.spec.key.field());
        let record_ty = m.spec.record_type.tokens();
        quote_spanned!(ty.span()=> #key: <#ty as #column<#record_ty>>::to_record(&self.#member)?)
    });
    // An optional key no field holds is absent from the record.
    let unmapped = spec
        .fields
        .iter()
        .filter(|f| !f.required && !f.table_only && mapping.get(f.key).is_none())
        .map(|f| {
            let key = f.key.field();
            quote!(#key: ::core::default::Default::default())
        });
    let to_fields = to_fields.chain(unmapped);
    let from_fields = mapping.mapped.iter().map(|m| {
        let (member, ty, key) = (m.member, &m.field.ty, m.spec.key.field());
        let record_ty = m.spec.record_type.tokens();
        // A table-only column (a code's `used` flag) starts false.
        let value = if m.spec.table_only {
            quote!(&false)
        } else {
            quote!(&record.#key)
        };
        quote_spanned!(ty.span()=> #member: <#ty as #column<#record_ty>>::from_record(#value))
    });
    let defaults = mapping.others.iter().filter_map(|field| {
        let member = field.ident.as_ref()?;
        Some(quote_spanned!(field.ty.span()=> #member: ::core::default::Default::default()))
    });
    let table = mapping
        .table
        .as_deref()
        .map(|table| (spec.table)(input, mapping, table));
    quote! {
        #table
        #[automatically_derived]
        impl #impl_generics #trait_path for #ident #ty_generics #where_clause {
            fn #to_method(&self) -> ::core::result::Result<#record, #storage_error> {
                ::core::result::Result::Ok(#record { #(#to_fields,)* })
            }
            fn #from_method(record: &#record) -> Self {
                #ident { #(#from_fields,)* #(#defaults,)* }
            }
        }
    }
}
