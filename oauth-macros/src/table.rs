//! `#[oauth(table = "…")]`: the `ClientTable` / `TokenTable` / `CodeTable` / `UserTable` impls
//! that let the runtime's SQL stores read and write the struct's own table.
//!
//! Statements are built here, at compile time, from the table and column names (the parser
//! has checked they are plain SQL identifiers), and emitted as string literals. Each impl is
//! generic over the sqlx database, bounded on the mapped fields' types, so one derive serves
//! SQLite and PostgreSQL; a field type the database cannot hold is reported at the store that
//! uses it.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{parse_quote, parse_quote_spanned, DeriveInput, Generics};

use crate::paths::{private, runtime};
use crate::record::fields::Mapping;

/// `c1, c2, …`: the mapped columns, in field order (the order `from_row` reads them in).
fn columns(mapping: &Mapping<'_>) -> String {
    let names: Vec<&str> = mapping.mapped.iter().map(|m| m.column.as_str()).collect();
    names.join(", ")
}

/// The column a key is stored in (the parser has made sure required keys are mapped).
fn column<'m>(mapping: &'m Mapping<'_>, key: &str) -> &'m str {
    mapping.get(key).map_or("", |m| m.column.as_str())
}

/// The struct's generics with the database parameter `__DB` added, and the where clause with
/// what the mapped fields' types must support.
fn generics(input: &DeriveInput, mapping: &Mapping<'_>) -> Generics {
    let p = private();
    let mut generics = input.generics.clone();
    generics.params.push(parse_quote!(__DB: #p::sqlx::Database));
    let where_clause = generics.make_where_clause();
    where_clause
        .predicates
        .push(parse_quote!(usize: #p::sqlx::ColumnIndex<<__DB as #p::sqlx::Database>::Row>));
    for m in &mapping.mapped {
        let ty = &m.field.ty;
        where_clause
            .predicates
            .push(parse_quote_spanned! {ty.span()=>
                #ty: for<'__q> #p::sqlx::Encode<'__q, __DB>
                    + for<'__r> #p::sqlx::Decode<'__r, __DB>
                    + #p::sqlx::Type<__DB>
            });
    }
    generics
}

/// `fn from_row`: each mapped field from its column, by position; the others `Default`.
fn from_row(input: &DeriveInput, mapping: &Mapping<'_>) -> TokenStream {
    let p = private();
    let ident = &input.ident;
    let mapped = mapping.mapped.iter().enumerate().map(|(index, m)| {
        let (member, ty) = (m.member, &m.field.ty);
        quote_spanned!(ty.span()=> #member: #p::sqlx::Row::try_get::<#ty, usize>(row, #index)?)
    });
    let others = mapping.others.iter().filter_map(|field| {
        let member = field.ident.as_ref()?;
        Some(quote_spanned!(field.ty.span()=> #member: ::core::default::Default::default()))
    });
    quote! {
        fn from_row(
            row: &<__DB as #p::sqlx::Database>::Row,
        ) -> ::core::result::Result<Self, #p::sqlx::Error> {
            ::core::result::Result::Ok(#ident { #(#mapped,)* #(#others,)* })
        }
    }
}

/// `fn push_row`: the mapped fields, in column order.
fn push_row(mapping: &Mapping<'_>) -> TokenStream {
    let p = private();
    let pushes = mapping.mapped.iter().map(|m| {
        let member = m.member;
        quote_spanned!(m.field.ty.span()=> values.push_bind(self.#member);)
    });
    quote! {
        fn push_row(self, mut values: #p::sqlx::query_builder::Separated<'_, __DB, &'static str>) {
            #(#pushes)*
        }
    }
}

/// One arm of `fn bind`: `Variant(value) => add(<FieldType as Column<Record>>::from_record(expr))`.
fn bind_arm(
    mapping: &Mapping<'_>,
    value_enum: &TokenStream,
    variant: &str,
    key: &str,
    record_type: TokenStream,
    value: TokenStream,
) -> TokenStream {
    let p = private();
    let variant = syn::Ident::new(variant, proc_macro2::Span::call_site());
    let Some(m) = mapping.get(key) else {
        return TokenStream::new();
    };
    let ty = &m.field.ty;
    quote_spanned! {ty.span()=>
        #value_enum::#variant(value) => #p::sqlx::Arguments::add(
            args,
            <#ty as #p::Column<#record_type>>::from_record(#value),
        ),
    }
}

/// The `ClientTable` impl.
pub(crate) fn client(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let ident = &input.ident;
    let generics = generics(input, mapping);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let find = format!(
        "SELECT {} FROM {table} WHERE {} = $1",
        columns(mapping),
        column(mapping, "client_id")
    );
    let id_ty = mapping.get("client_id").map(|m| &m.field.ty);
    let from_row = from_row(input, mapping);
    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::store::sql::ClientTable<__DB> for #ident #ty_generics #where_clause {
            const FIND: &'static str = #find;

            fn bind_client_id(
                client_id: &str,
                args: &mut <__DB as #p::sqlx::Database>::Arguments,
            ) -> ::core::result::Result<(), #p::sqlx::error::BoxDynError> {
                #p::sqlx::Arguments::add(args, <#id_ty as ::core::convert::From<&str>>::from(client_id))
            }

            #from_row
        }
    }
}

/// The `TokenTable` impl.
pub(crate) fn token(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let ident = &input.ident;
    let generics = generics(input, mapping);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let cols = columns(mapping);
    let c = |key| column(mapping, key);
    let (access, refresh, family) = (c("access_token_hash"), c("refresh_token_hash"), c("family"));
    let (arev, rrev) = (c("access_token_revoked"), c("refresh_token_revoked"));
    let (issued, expires_in, rexp) = (
        c("issued_at"),
        c("expires_in"),
        c("refresh_token_expires_at"),
    );
    let insert = format!("INSERT INTO {table} ({cols}) ");
    let find_by_access = format!("SELECT {cols} FROM {table} WHERE {access} = $1");
    let find_by_refresh = format!("SELECT {cols} FROM {table} WHERE {refresh} = $1");
    let claim_refresh =
        format!("UPDATE {table} SET {rrev} = $1, {arev} = $2 WHERE {refresh} = $3 AND {rrev} = $4");
    let revoke_family_of_refresh = format!(
        "UPDATE {table} SET {arev} = $1, {rrev} = $2 WHERE {family} IN \
         (SELECT {family} FROM {table} WHERE {refresh} = $3)"
    );
    let revoke_family = format!("UPDATE {table} SET {arev} = $1, {rrev} = $2 WHERE {family} = $3");
    let revoke_access = format!("UPDATE {table} SET {arev} = $1 WHERE {access} = $2");
    let purge = format!(
        "DELETE FROM {table} WHERE {issued} + {expires_in} < $1 \
         AND ({refresh} IS NULL OR {rexp} < $2)"
    );
    let value = quote!(#rt::store::sql::TokenValue);
    let hash = quote!(#rt::secret::SecretHash);
    let arms = [
        bind_arm(
            mapping,
            &value,
            "AccessTokenHash",
            "access_token_hash",
            hash.clone(),
            quote!(value),
        ),
        bind_arm(
            mapping,
            &value,
            "RefreshTokenHash",
            "refresh_token_hash",
            quote!(::core::option::Option<#hash>),
            quote!(&::core::option::Option::Some(*value)),
        ),
        bind_arm(
            mapping,
            &value,
            "AccessTokenRevoked",
            "access_token_revoked",
            quote!(bool),
            quote!(&value),
        ),
        bind_arm(
            mapping,
            &value,
            "RefreshTokenRevoked",
            "refresh_token_revoked",
            quote!(bool),
            quote!(&value),
        ),
        bind_arm(
            mapping,
            &value,
            "Family",
            "family",
            quote!(::std::string::String),
            quote!(&::std::string::String::from(value)),
        ),
        bind_arm(
            mapping,
            &value,
            "IssuedAt",
            "issued_at",
            quote!(u64),
            quote!(&value),
        ),
        bind_arm(
            mapping,
            &value,
            "RefreshTokenExpiresAt",
            "refresh_token_expires_at",
            quote!(::core::option::Option<u64>),
            quote!(&::core::option::Option::Some(value)),
        ),
    ];
    let from_row = from_row(input, mapping);
    let push_row = push_row(mapping);
    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::store::sql::TokenTable<__DB> for #ident #ty_generics #where_clause {
            const STATEMENTS: #rt::store::sql::TokenStatements = #rt::store::sql::TokenStatements {
                insert: #insert,
                find_by_access: #find_by_access,
                find_by_refresh: #find_by_refresh,
                claim_refresh: #claim_refresh,
                revoke_family_of_refresh: #revoke_family_of_refresh,
                revoke_family: #revoke_family,
                revoke_access: #revoke_access,
                purge: #purge,
            };

            #from_row

            #push_row

            fn bind(
                value: #value<'_>,
                args: &mut <__DB as #p::sqlx::Database>::Arguments,
            ) -> ::core::result::Result<(), #p::sqlx::error::BoxDynError> {
                match value {
                    #(#arms)*
                }
            }
        }
    }
}

/// The `CodeTable` impl.
pub(crate) fn code(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let ident = &input.ident;
    let generics = generics(input, mapping);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let cols = columns(mapping);
    let (hash_col, used, expires) = (
        column(mapping, "code_hash"),
        column(mapping, "used"),
        column(mapping, "expires_at"),
    );
    let insert = format!("INSERT INTO {table} ({cols}) ");
    let redeem = format!(
        "UPDATE {table} SET {used} = $1 WHERE {hash_col} = $2 AND {used} = $3 RETURNING {cols}"
    );
    let find = format!("SELECT {cols} FROM {table} WHERE {hash_col} = $1");
    let purge = format!("DELETE FROM {table} WHERE {expires} < $1");
    let value = quote!(#rt::store::sql::CodeValue);
    let arms = [
        bind_arm(
            mapping,
            &value,
            "CodeHash",
            "code_hash",
            quote!(#rt::secret::SecretHash),
            quote!(value),
        ),
        bind_arm(
            mapping,
            &value,
            "Used",
            "used",
            quote!(bool),
            quote!(&value),
        ),
        bind_arm(
            mapping,
            &value,
            "ExpiresAt",
            "expires_at",
            quote!(u64),
            quote!(&value),
        ),
    ];
    let from_row = from_row(input, mapping);
    let push_row = push_row(mapping);
    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::store::sql::CodeTable<__DB> for #ident #ty_generics #where_clause {
            const STATEMENTS: #rt::store::sql::CodeStatements = #rt::store::sql::CodeStatements {
                insert: #insert,
                redeem: #redeem,
                find: #find,
                purge: #purge,
            };

            #from_row

            #push_row

            fn bind(
                value: #value<'_>,
                args: &mut <__DB as #p::sqlx::Database>::Arguments,
            ) -> ::core::result::Result<(), #p::sqlx::error::BoxDynError> {
                match value {
                    #(#arms)*
                }
            }
        }
    }
}

/// The `UserTable` impl.
pub(crate) fn user(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let ident = &input.ident;
    let generics = generics(input, mapping);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let cols = columns(mapping);
    let find_by_username = format!(
        "SELECT {cols} FROM {table} WHERE {} = $1",
        column(mapping, "username")
    );
    let find_by_id = format!(
        "SELECT {cols} FROM {table} WHERE {} = $1",
        column(mapping, "id")
    );
    let username_ty = mapping.get("username").map(|m| &m.field.ty);
    let id_ty = mapping.get("id").map(|m| &m.field.ty);
    let from_row = from_row(input, mapping);
    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::store::sql::UserTable<__DB> for #ident #ty_generics #where_clause {
            const STATEMENTS: #rt::store::sql::UserStatements = #rt::store::sql::UserStatements {
                find_by_username: #find_by_username,
                find_by_id: #find_by_id,
            };

            #from_row

            fn bind_username(
                username: &str,
                args: &mut <__DB as #p::sqlx::Database>::Arguments,
            ) -> ::core::result::Result<(), #p::sqlx::error::BoxDynError> {
                #p::sqlx::Arguments::add(args, <#username_ty as ::core::convert::From<&str>>::from(username))
            }

            fn bind_id(
                id: &str,
                args: &mut <__DB as #p::sqlx::Database>::Arguments,
            ) -> ::core::result::Result<bool, #p::sqlx::error::BoxDynError> {
                match <#id_ty as #p::IdColumn>::from_id(id) {
                    ::core::option::Option::Some(id) => {
                        #p::sqlx::Arguments::add(args, id)?;
                        ::core::result::Result::Ok(true)
                    }
                    ::core::option::Option::None => ::core::result::Result::Ok(false),
                }
            }
        }
    }
}
