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

use crate::attr::Mapping;
use crate::paths::{sql, Paths, RecordType};
use crate::symbol::Key;

/// `c1, c2, …`: the mapped columns, in field order (the order `from_row` reads them in).
fn columns(mapping: &Mapping<'_>) -> String {
    let names: Vec<&str> = mapping.mapped.iter().map(|m| m.column.as_str()).collect();
    names.join(", ")
}

/// `c1, c2, …, e1, …`: the mapped columns, then the application's own extra columns (the
/// order `from_row` reads them in). Only clients and resource owners have extra columns.
fn select_columns(mapping: &Mapping<'_>) -> String {
    let names: Vec<&str> = mapping
        .mapped
        .iter()
        .map(|m| m.column.as_str())
        .chain(mapping.extra.iter().map(|(_, column)| column.as_str()))
        .collect();
    names.join(", ")
}

/// The column a key is stored in (the parser has made sure required keys are mapped).
fn column<'m>(mapping: &'m Mapping<'_>, key: Key) -> &'m str {
    mapping.get(key).map_or("", |m| m.column.as_str())
}

/// The struct's generics with the database parameter `__DB` added, and the where clause with
/// what the mapped fields' types must support.
fn generics(input: &DeriveInput, mapping: &Mapping<'_>) -> Generics {
    let Paths {
        column_index,
        sqlx_database,
        sqlx_decode,
        sqlx_encode,
        sqlx_type,
        ..
    } = Paths::get();
    let mut generics = input.generics.clone();
    generics.params.push(parse_quote!(__DB: #sqlx_database));
    let where_clause = generics.make_where_clause();
    where_clause
        .predicates
        .push(parse_quote!(usize: #column_index<<__DB as #sqlx_database>::Row>));
    for (field, _) in &mapping.extra {
        let ty = &field.ty;
        where_clause
            .predicates
            .push(parse_quote_spanned! {ty.span()=>
                #ty: for<'__r> #sqlx_decode<'__r, __DB> + #sqlx_type<__DB>
            });
    }
    for m in &mapping.mapped {
        let ty = &m.field.ty;
        where_clause
            .predicates
            .push(parse_quote_spanned! {ty.span()=>
                #ty: for<'__q> #sqlx_encode<'__q, __DB>
                    + for<'__r> #sqlx_decode<'__r, __DB>
                    + #sqlx_type<__DB>
            });
    }
    generics
}

/// `fn from_row`: each mapped field from its column, by position; the others `Default`.
fn from_row(input: &DeriveInput, mapping: &Mapping<'_>) -> TokenStream {
    let Paths {
        sqlx_database,
        sqlx_error,
        sqlx_row,
        ..
    } = Paths::get();
    let ident = &input.ident;
    let mapped = mapping.mapped.iter().enumerate().map(|(index, m)| {
        let (member, ty) = (m.member, &m.field.ty);
        quote_spanned!(ty.span()=> #member: #sqlx_row::try_get::<#ty, usize>(row, #index)?)
    });
    let first_extra = mapping.mapped.len();
    let extra = mapping
        .extra
        .iter()
        .enumerate()
        .filter_map(|(i, (field, _))| {
            let (member, ty, index) = (field.ident.as_ref()?, &field.ty, first_extra + i);
            Some(
                quote_spanned!(ty.span()=> #member: #sqlx_row::try_get::<#ty, usize>(row, #index)?),
            )
        });
    let others = mapping
        .others
        .iter()
        .filter(|field| {
            !mapping
                .extra
                .iter()
                .any(|(extra, _)| std::ptr::eq(*extra, **field))
        })
        .filter_map(|field| {
            let member = field.ident.as_ref()?;
            Some(quote_spanned!(field.ty.span()=> #member: ::core::default::Default::default()))
        });
    quote! {
        fn from_row(
            row: &<__DB as #sqlx_database>::Row,
        ) -> ::core::result::Result<Self, #sqlx_error> {
            ::core::result::Result::Ok(#ident { #(#mapped,)* #(#extra,)* #(#others,)* })
        }
    }
}

/// `fn push_row`: the mapped fields, in column order.
fn push_row(mapping: &Mapping<'_>) -> TokenStream {
    let Paths { separated, .. } = Paths::get();
    let pushes = mapping.mapped.iter().map(|m| {
        let member = m.member;
        quote_spanned!(m.field.ty.span()=> values.push_bind(self.#member);)
    });
    quote! {
        fn push_row(self, mut values: #separated<'_, __DB, &'static str>) {
            #(#pushes)*
        }
    }
}

/// A value `fn bind` binds: the key whose column (and field type) it is bound in — which also
/// names the value enum's variant — the record type it converts from, and the expression of
/// the record value (named `value`).
struct Bind {
    key: Key,
    record: RecordType,
    value: TokenStream,
}

impl Bind {
    fn new(key: Key, record: RecordType, value: TokenStream) -> Self {
        Bind { key, record, value }
    }

    /// `Variant(value) => add(<FieldType as Column<Record>>::from_record(expr))`, spanned at
    /// the field's type.
    fn arm(&self, mapping: &Mapping<'_>, value_enum: &TokenStream) -> TokenStream {
        let Paths {
            column,
            sqlx_arguments,
            ..
        } = Paths::get();
        let Some(m) = mapping.get(self.key) else {
            return TokenStream::new();
        };
        let (ty, record, value) = (&m.field.ty, self.record.tokens(), &self.value);
        let variant = self.key.variant();
        quote_spanned! {ty.span()=>
            #value_enum::#variant(value) => #sqlx_arguments::add(
                args,
                <#ty as #column<#record>>::from_record(#value),
            ),
        }
    }
}

/// `impl <trait><__DB> for <struct>` with the database parameter and field bounds, holding
/// `from_row` and `body`.
fn table_impl(
    input: &DeriveInput,
    mapping: &Mapping<'_>,
    trait_path: TokenStream,
    body: TokenStream,
) -> TokenStream {
    let ident = &input.ident;
    let generics = generics(input, mapping);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let from_row = from_row(input, mapping);
    quote! {
        #[automatically_derived]
        impl #impl_generics #trait_path<__DB> for #ident #ty_generics #where_clause {
            #from_row
            #body
        }
    }
}

/// A record table (`TokenTable`, `CodeTable`): its statements, `push_row` and `bind`.
fn record_table(
    input: &DeriveInput,
    mapping: &Mapping<'_>,
    trait_path: TokenStream,
    statements: TokenStream,
    value_enum: TokenStream,
    binds: &[Bind],
) -> TokenStream {
    let Paths {
        box_dyn_error,
        sqlx_database,
        ..
    } = Paths::get();
    let arms = binds.iter().map(|bind| bind.arm(mapping, &value_enum));
    let push_row = push_row(mapping);
    let body = quote! {
        const STATEMENTS: #statements;

        #push_row

        fn bind(
            value: #value_enum<'_>,
            args: &mut <__DB as #sqlx_database>::Arguments,
        ) -> ::core::result::Result<(), #box_dyn_error> {
            match value {
                #(#arms)*
            }
        }
    };
    table_impl(input, mapping, trait_path, body)
}

/// The `ClientTable` impl.
pub(crate) fn client(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let Paths {
        box_dyn_error,
        sqlx_arguments,
        sqlx_database,
        ..
    } = Paths::get();
    let sql = sql();
    let find = format!(
        "SELECT {} FROM {table} WHERE {} = $1",
        select_columns(mapping),
        column(mapping, Key::ClientId)
    );
    let find_many = format!(
        "SELECT {} FROM {table} WHERE {} IN ({{ids}})",
        select_columns(mapping),
        column(mapping, Key::ClientId)
    );
    let id_ty = mapping.get(Key::ClientId).map(|m| &m.field.ty);
    let body = quote! {
        const FIND: &'static str = #find;
        const FIND_MANY: &'static str = #find_many;

        fn bind_client_id(
            client_id: &str,
            args: &mut <__DB as #sqlx_database>::Arguments,
        ) -> ::core::result::Result<(), #box_dyn_error> {
            #sqlx_arguments::add(args, <#id_ty as ::core::convert::From<&str>>::from(client_id))
        }
    };
    table_impl(input, mapping, quote!(#sql::ClientTable), body)
}

/// The `TokenTable` impl.
pub(crate) fn token(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let sql = sql();
    let cols = columns(mapping);
    let c = |key| column(mapping, key);
    let (access, refresh, family) = (
        c(Key::AccessTokenHash),
        c(Key::RefreshTokenHash),
        c(Key::Family),
    );
    let (arev, rrev) = (c(Key::AccessTokenRevoked), c(Key::RefreshTokenRevoked));
    let (issued, lifetime, rexp) = (
        c(Key::IssuedAt),
        c(Key::ExpiresIn),
        c(Key::RefreshTokenExpiresAt),
    );
    let insert = format!("INSERT INTO {table} ({cols}) ");
    let find_by_access = format!("SELECT {cols} FROM {table} WHERE {access} = $1");
    let find_by_refresh = format!("SELECT {cols} FROM {table} WHERE {refresh} = $1");
    let find_many_by_access = format!("SELECT {cols} FROM {table} WHERE {access} IN ({{hashes}})");
    let claim_refresh_many = format!(
        "UPDATE {table} SET {rrev} = $1, {arev} = $2 WHERE {rrev} = $3 AND {refresh} IN \
         ({{hashes}}) RETURNING {cols}"
    );
    let revoke_family_of_refresh = format!(
        "UPDATE {table} SET {arev} = $1, {rrev} = $2 WHERE {family} IN \
         (SELECT {family} FROM {table} WHERE {refresh} = $3)"
    );
    let revoke_family = format!("UPDATE {table} SET {arev} = $1, {rrev} = $2 WHERE {family} = $3");
    let revoke_access = format!("UPDATE {table} SET {arev} = $1 WHERE {access} = $2");
    let revoke_client = format!(
        "UPDATE {table} SET {arev} = $1, {rrev} = $2 WHERE {} = $3",
        c(Key::ClientId)
    );
    let family_revoked =
        format!("SELECT {family} FROM {table} WHERE {family} = $1 AND {arev} = $2 LIMIT 1");
    let purge = format!(
        "DELETE FROM {table} WHERE {issued} + {lifetime} < $1 \
         AND ({refresh} IS NULL OR {rexp} < $2)"
    );
    let statements_type = quote!(#sql::TokenStatements);
    let statements = quote! {
        #statements_type = #statements_type {
            insert: #insert,
            find_by_access: #find_by_access,
            find_by_refresh: #find_by_refresh,
            find_many_by_access: #find_many_by_access,
            claim_refresh_many: #claim_refresh_many,
            revoke_family_of_refresh: #revoke_family_of_refresh,
            revoke_family: #revoke_family,
            revoke_access: #revoke_access,
            revoke_client: #revoke_client,
            family_revoked: #family_revoked,
            purge: #purge,
        }
    };
    let by_ref = quote!(&value);
    let binds = [
        Bind::new(Key::AccessTokenHash, RecordType::Hash, quote!(value)),
        Bind::new(
            Key::RefreshTokenHash,
            RecordType::OptionalHash,
            quote!(&::core::option::Option::Some(*value)),
        ),
        Bind::new(Key::AccessTokenRevoked, RecordType::Bool, by_ref.clone()),
        Bind::new(Key::RefreshTokenRevoked, RecordType::Bool, by_ref.clone()),
        Bind::new(
            Key::Family,
            RecordType::String,
            quote!(&::std::string::String::from(value)),
        ),
        Bind::new(
            Key::ClientId,
            RecordType::String,
            quote!(&::std::string::String::from(value)),
        ),
        Bind::new(Key::IssuedAt, RecordType::U64, by_ref),
        Bind::new(
            Key::RefreshTokenExpiresAt,
            RecordType::OptionalU64,
            quote!(&::core::option::Option::Some(value)),
        ),
    ];
    record_table(
        input,
        mapping,
        quote!(#sql::TokenTable),
        statements,
        quote!(#sql::TokenValue),
        &binds,
    )
}

/// The `CodeTable` impl.
pub(crate) fn code(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let sql = sql();
    let cols = columns(mapping);
    let c = |key| column(mapping, key);
    let (hash, used, expires, client) = (
        c(Key::CodeHash),
        c(Key::Used),
        c(Key::ExpiresAt),
        c(Key::ClientId),
    );
    let insert = format!("INSERT INTO {table} ({cols}) ");
    let redeem_many = format!(
        "UPDATE {table} SET {used} = $1 WHERE {used} = $2 AND ({hash}, {client}) IN \
         (VALUES {{pairs}}) RETURNING {cols}"
    );
    let find = format!("SELECT {cols} FROM {table} WHERE {hash} = $1");
    let purge = format!("DELETE FROM {table} WHERE {expires} < $1");
    let statements_type = quote!(#sql::CodeStatements);
    let statements = quote! {
        #statements_type = #statements_type {
            insert: #insert,
            redeem_many: #redeem_many,
            find: #find,
            purge: #purge,
        }
    };
    let binds = [
        Bind::new(Key::CodeHash, RecordType::Hash, quote!(value)),
        Bind::new(Key::Used, RecordType::Bool, quote!(&value)),
        Bind::new(
            Key::ClientId,
            RecordType::String,
            quote!(&::std::string::String::from(value)),
        ),
        Bind::new(Key::ExpiresAt, RecordType::U64, quote!(&value)),
    ];
    record_table(
        input,
        mapping,
        quote!(#sql::CodeTable),
        statements,
        quote!(#sql::CodeValue),
        &binds,
    )
}

/// The `UserTable` impl.
pub(crate) fn user(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let Paths {
        box_dyn_error,
        id_column,
        sqlx_arguments,
        sqlx_database,
        ..
    } = Paths::get();
    let sql = sql();
    let statements_type = quote!(#sql::UserStatements);
    let cols = select_columns(mapping);
    let find_by_username = format!(
        "SELECT {cols} FROM {table} WHERE {} = $1",
        column(mapping, Key::Username)
    );
    let find_by_id = format!(
        "SELECT {cols} FROM {table} WHERE {} = $1",
        column(mapping, Key::Id)
    );
    let username_ty = mapping.get(Key::Username).map(|m| &m.field.ty);
    let id_ty = mapping.get(Key::Id).map(|m| &m.field.ty);
    let body = quote! {
        const STATEMENTS: #statements_type = #statements_type {
            find_by_username: #find_by_username,
            find_by_id: #find_by_id,
        };

        fn bind_username(
            username: &str,
            args: &mut <__DB as #sqlx_database>::Arguments,
        ) -> ::core::result::Result<(), #box_dyn_error> {
            #sqlx_arguments::add(args, <#username_ty as ::core::convert::From<&str>>::from(username))
        }

        fn bind_id(
            id: &str,
            args: &mut <__DB as #sqlx_database>::Arguments,
        ) -> ::core::result::Result<bool, #box_dyn_error> {
            match <#id_ty as #id_column>::from_id(id) {
                ::core::option::Option::Some(id) => {
                    #sqlx_arguments::add(args, id)?;
                    ::core::result::Result::Ok(true)
                }
                ::core::option::Option::None => ::core::result::Result::Ok(false),
            }
        }
    };
    table_impl(input, mapping, quote!(#sql::UserTable), body)
}
