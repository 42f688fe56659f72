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

/// A value `fn bind` binds: its enum variant, the key whose field type it is bound in, the
/// record type it converts from, and the expression of the record value (named `value`).
struct Bind {
    variant: &'static str,
    key: &'static str,
    record: TokenStream,
    value: TokenStream,
}

impl Bind {
    fn new(
        variant: &'static str,
        key: &'static str,
        record: TokenStream,
        value: TokenStream,
    ) -> Self {
        Bind {
            variant,
            key,
            record,
            value,
        }
    }

    /// `Variant(value) => add(<FieldType as Column<Record>>::from_record(expr))`, spanned at
    /// the field's type.
    fn arm(&self, mapping: &Mapping<'_>, value_enum: &TokenStream) -> TokenStream {
        let p = private();
        let Some(m) = mapping.get(self.key) else {
            return TokenStream::new();
        };
        let (ty, record, value) = (&m.field.ty, &self.record, &self.value);
        let variant = syn::Ident::new(self.variant, proc_macro2::Span::call_site());
        quote_spanned! {ty.span()=>
            #value_enum::#variant(value) => #p::sqlx::Arguments::add(
                args,
                <#ty as #p::Column<#record>>::from_record(#value),
            ),
        }
    }
}

/// `impl <trait><__DB> for <struct>` with the database parameter and field bounds, holding
/// `from_row` and `body`.
fn table_impl(
    input: &DeriveInput,
    mapping: &Mapping<'_>,
    trait_name: &str,
    body: TokenStream,
) -> TokenStream {
    let rt = runtime();
    let ident = &input.ident;
    let trait_name = syn::Ident::new(trait_name, proc_macro2::Span::call_site());
    let generics = generics(input, mapping);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let from_row = from_row(input, mapping);
    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::store::sql::#trait_name<__DB> for #ident #ty_generics #where_clause {
            #from_row
            #body
        }
    }
}

/// A record table (`TokenTable`, `CodeTable`): its statements, `push_row` and `bind`.
fn record_table(
    input: &DeriveInput,
    mapping: &Mapping<'_>,
    prefix: &str,
    statements: &[(&str, String)],
    binds: &[Bind],
) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let ident = |suffix: &str| {
        syn::Ident::new(&format!("{prefix}{suffix}"), proc_macro2::Span::call_site())
    };
    let (statements_ty, value_ty) = (ident("Statements"), ident("Value"));
    let value_enum = quote!(#rt::store::sql::#value_ty);
    let fields = statements.iter().map(|(name, sql)| {
        let name = syn::Ident::new(name, proc_macro2::Span::call_site());
        quote!(#name: #sql)
    });
    let arms = binds.iter().map(|bind| bind.arm(mapping, &value_enum));
    let push_row = push_row(mapping);
    let body = quote! {
        const STATEMENTS: #rt::store::sql::#statements_ty = #rt::store::sql::#statements_ty {
            #(#fields,)*
        };

        #push_row

        fn bind(
            value: #value_enum<'_>,
            args: &mut <__DB as #p::sqlx::Database>::Arguments,
        ) -> ::core::result::Result<(), #p::sqlx::error::BoxDynError> {
            match value {
                #(#arms)*
            }
        }
    };
    table_impl(input, mapping, &format!("{prefix}Table"), body)
}

/// The `ClientTable` impl.
pub(crate) fn client(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let p = private();
    let find = format!(
        "SELECT {} FROM {table} WHERE {} = $1",
        columns(mapping),
        column(mapping, "client_id")
    );
    let id_ty = mapping.get("client_id").map(|m| &m.field.ty);
    let body = quote! {
        const FIND: &'static str = #find;

        fn bind_client_id(
            client_id: &str,
            args: &mut <__DB as #p::sqlx::Database>::Arguments,
        ) -> ::core::result::Result<(), #p::sqlx::error::BoxDynError> {
            #p::sqlx::Arguments::add(args, <#id_ty as ::core::convert::From<&str>>::from(client_id))
        }
    };
    table_impl(input, mapping, "ClientTable", body)
}

/// The `TokenTable` impl.
pub(crate) fn token(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let rt = runtime();
    let cols = columns(mapping);
    let c = |key| column(mapping, key);
    let (access, refresh, family) = (c("access_token_hash"), c("refresh_token_hash"), c("family"));
    let (arev, rrev) = (c("access_token_revoked"), c("refresh_token_revoked"));
    let (issued, lifetime, rexp) = (
        c("issued_at"),
        c("expires_in"),
        c("refresh_token_expires_at"),
    );
    let statements = [
        ("insert", format!("INSERT INTO {table} ({cols}) ")),
        (
            "find_by_access",
            format!("SELECT {cols} FROM {table} WHERE {access} = $1"),
        ),
        (
            "find_by_refresh",
            format!("SELECT {cols} FROM {table} WHERE {refresh} = $1"),
        ),
        (
            "claim_refresh",
            format!(
                "UPDATE {table} SET {rrev} = $1, {arev} = $2 WHERE {refresh} = $3 AND {rrev} = $4"
            ),
        ),
        (
            "revoke_family_of_refresh",
            format!(
                "UPDATE {table} SET {arev} = $1, {rrev} = $2 WHERE {family} IN \
                 (SELECT {family} FROM {table} WHERE {refresh} = $3)"
            ),
        ),
        (
            "revoke_family",
            format!("UPDATE {table} SET {arev} = $1, {rrev} = $2 WHERE {family} = $3"),
        ),
        (
            "revoke_access",
            format!("UPDATE {table} SET {arev} = $1 WHERE {access} = $2"),
        ),
        (
            "family_revoked",
            format!("SELECT {family} FROM {table} WHERE {family} = $1 AND {arev} = $2 LIMIT 1"),
        ),
        (
            "purge",
            format!(
                "DELETE FROM {table} WHERE {issued} + {lifetime} < $1 \
                 AND ({refresh} IS NULL OR {rexp} < $2)"
            ),
        ),
    ];
    let hash = quote!(#rt::secret::SecretHash);
    let (flag, time, by_ref) = (quote!(bool), quote!(u64), quote!(&value));
    let binds = [
        Bind::new(
            "AccessTokenHash",
            "access_token_hash",
            hash.clone(),
            quote!(value),
        ),
        Bind::new(
            "RefreshTokenHash",
            "refresh_token_hash",
            quote!(::core::option::Option<#hash>),
            quote!(&::core::option::Option::Some(*value)),
        ),
        Bind::new(
            "AccessTokenRevoked",
            "access_token_revoked",
            flag.clone(),
            by_ref.clone(),
        ),
        Bind::new(
            "RefreshTokenRevoked",
            "refresh_token_revoked",
            flag,
            by_ref.clone(),
        ),
        Bind::new(
            "Family",
            "family",
            quote!(::std::string::String),
            quote!(&::std::string::String::from(value)),
        ),
        Bind::new("IssuedAt", "issued_at", time.clone(), by_ref),
        Bind::new(
            "RefreshTokenExpiresAt",
            "refresh_token_expires_at",
            quote!(::core::option::Option<#time>),
            quote!(&::core::option::Option::Some(value)),
        ),
    ];
    record_table(input, mapping, "Token", &statements, &binds)
}

/// The `CodeTable` impl.
pub(crate) fn code(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let rt = runtime();
    let cols = columns(mapping);
    let c = |key| column(mapping, key);
    let (hash, used, expires, client) =
        (c("code_hash"), c("used"), c("expires_at"), c("client_id"));
    let statements = [
        ("insert", format!("INSERT INTO {table} ({cols}) ")),
        (
            "redeem",
            format!(
                "UPDATE {table} SET {used} = $1 WHERE {hash} = $2 AND {used} = $3 \
                 AND {client} = $4 RETURNING {cols}"
            ),
        ),
        (
            "find",
            format!("SELECT {cols} FROM {table} WHERE {hash} = $1"),
        ),
        ("purge", format!("DELETE FROM {table} WHERE {expires} < $1")),
    ];
    let binds = [
        Bind::new(
            "CodeHash",
            "code_hash",
            quote!(#rt::secret::SecretHash),
            quote!(value),
        ),
        Bind::new("Used", "used", quote!(bool), quote!(&value)),
        Bind::new(
            "ClientId",
            "client_id",
            quote!(::std::string::String),
            quote!(&::std::string::String::from(value)),
        ),
        Bind::new("ExpiresAt", "expires_at", quote!(u64), quote!(&value)),
    ];
    record_table(input, mapping, "Code", &statements, &binds)
}

/// The `UserTable` impl.
pub(crate) fn user(input: &DeriveInput, mapping: &Mapping<'_>, table: &str) -> TokenStream {
    let (rt, p) = (runtime(), private());
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
    let body = quote! {
        const STATEMENTS: #rt::store::sql::UserStatements = #rt::store::sql::UserStatements {
            find_by_username: #find_by_username,
            find_by_id: #find_by_id,
        };

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
    };
    table_impl(input, mapping, "UserTable", body)
}
