//! Tables the SQL stores read and write: what `#[oauth(table = "…")]` on the derives generates.
//!
//! A store is generic over four tables — clients, tokens, authorization codes, resource
//! owners — and defaults to the embedded schema's ([`ClientRow`](super::ClientRow),
//! [`TokenRow`](super::TokenRow), [`CodeRow`](super::CodeRow), [`UserRow`](super::UserRow)),
//! which are themselves derived this way. A model of the application's own table gets the
//! same store with `with_clients`, `with_tokens`, `with_codes` and `with_users`.
//!
//! The statements are string literals the derive builds at compile time from the table and
//! column names (checked to be plain SQL identifiers), with `$n` parameters in order of first
//! appearance: portable between SQLite and PostgreSQL. Values are bound in each column's own
//! type (a digest as `BYTEA` or hex text, a flag as `BOOLEAN` or an integer), through the
//! derive's field conversions.

use sqlx::error::BoxDynError;
use sqlx::query_builder::Separated;
use sqlx::Database;

use crate::model::{OAuth2AuthorizationCode, OAuth2Client, OAuth2Token, OAuth2User};
use crate::secret::SecretHash;

/// A client model read from a table: `#[derive(OAuth2Client)]` with
/// `#[oauth(table = "…")]` implements it for every sqlx database.
pub trait ClientTable<DB: Database>: OAuth2Client + Sized {
    /// `SELECT <mapped columns> FROM <table> WHERE <client_id> = $1`.
    #[doc(hidden)]
    const FIND: &'static str;

    /// `SELECT <mapped columns> FROM <table> WHERE <client_id> IN ({ids})` (the ids from `$1`;
    /// the store puts their parameters in place of `{ids}`).
    #[doc(hidden)]
    const FIND_MANY: &'static str;

    /// Binds a client id in the `client_id` column's type.
    #[doc(hidden)]
    fn bind_client_id(client_id: &str, args: &mut DB::Arguments) -> Result<(), BoxDynError>;

    /// The model from a row of [`FIND`](Self::FIND) or [`FIND_MANY`](Self::FIND_MANY) (unmapped
    /// fields take `Default`).
    #[doc(hidden)]
    fn from_row(row: &DB::Row) -> Result<Self, sqlx::Error>;
}

#[doc(hidden)]
/// The statements of a token table, each with its parameters in order.
#[derive(Clone, Copy, Debug)]
pub struct TokenStatements {
    /// `INSERT INTO <table> (<mapped columns>) `, followed by `VALUES` rows.
    pub insert: &'static str,
    /// `SELECT <mapped columns> … WHERE <access_token_hash> = $1`.
    pub find_by_access: &'static str,
    /// `SELECT <mapped columns> … WHERE <refresh_token_hash> = $1`.
    pub find_by_refresh: &'static str,
    /// `SELECT <mapped columns> … WHERE <access_token_hash> IN ({hashes})` (the digests from
    /// `$1`; the store puts their parameters in place of `{hashes}`).
    pub find_many_by_access: &'static str,
    /// Claims many refresh tokens at once: `UPDATE … SET <refresh_token_revoked> = $1,
    /// <access_token_revoked> = $2 WHERE <refresh_token_revoked> = $3 AND
    /// <refresh_token_hash> IN ({hashes}) RETURNING <mapped columns>` (true, true, false, then
    /// the digests from `$4`; the store puts their parameters in place of `{hashes}`).
    pub claim_refresh_many: &'static str,
    /// Revokes the family of a refresh token: `UPDATE … SET <access_token_revoked> = $1,
    /// <refresh_token_revoked> = $2 WHERE <family> IN (SELECT <family> … WHERE
    /// <refresh_token_hash> = $3)` (true, true, hash).
    pub revoke_family_of_refresh: &'static str,
    /// `UPDATE … SET <access_token_revoked> = $1, <refresh_token_revoked> = $2 WHERE
    /// <family> = $3` (true, true, family).
    pub revoke_family: &'static str,
    /// `UPDATE … SET <access_token_revoked> = $1 WHERE <access_token_hash> = $2` (true, hash).
    pub revoke_access: &'static str,
    /// `UPDATE … SET <access_token_revoked> = $1, <refresh_token_revoked> = $2 WHERE
    /// <client_id> = $3` (true, true, client id): a deleted client's tokens.
    pub revoke_client: &'static str,
    /// `SELECT <family> … WHERE <family> = $1 AND <access_token_revoked> = $2 LIMIT 1`
    /// (family, true).
    pub family_revoked: &'static str,
    /// `DELETE … WHERE <issued_at> + <expires_in> < $1 AND (<refresh_token_hash> IS NULL OR
    /// <refresh_token_expires_at> < $2)` (now as issued_at, now as refresh_token_expires_at).
    pub purge: &'static str,
}

#[doc(hidden)]
/// A value the token statements bind, in the type of the column it is compared with.
#[derive(Clone, Copy, Debug)]
pub enum TokenValue<'a> {
    /// An `access_token_hash`.
    AccessTokenHash(&'a SecretHash),
    /// A `refresh_token_hash`.
    RefreshTokenHash(&'a SecretHash),
    /// An `access_token_revoked` flag.
    AccessTokenRevoked(bool),
    /// A `refresh_token_revoked` flag.
    RefreshTokenRevoked(bool),
    /// A `family`.
    Family(&'a str),
    /// A `client_id`.
    ClientId(&'a str),
    /// A time compared with `issued_at + expires_in`.
    IssuedAt(u64),
    /// A time compared with `refresh_token_expires_at`.
    RefreshTokenExpiresAt(u64),
}

/// A token model stored in a table: `#[derive(OAuth2Token)]` with `#[oauth(table = "…")]`
/// implements it for every sqlx database.
pub trait TokenTable<DB: Database>: OAuth2Token {
    /// The statements, built from the table and column names.
    #[doc(hidden)]
    const STATEMENTS: TokenStatements;

    /// The model from a row of the `find_*` statements (unmapped fields take `Default`).
    #[doc(hidden)]
    fn from_row(row: &DB::Row) -> Result<Self, sqlx::Error>;

    /// Pushes the mapped columns, in `insert`'s order, as one `VALUES` row.
    #[doc(hidden)]
    fn push_row(self, values: Separated<'_, DB, &'static str>);

    /// Binds `value` in its column's type.
    #[doc(hidden)]
    fn bind(value: TokenValue<'_>, args: &mut DB::Arguments) -> Result<(), BoxDynError>;
}

#[doc(hidden)]
/// The statements of an authorization code table, each with its parameters in order.
#[derive(Clone, Copy, Debug)]
pub struct CodeStatements {
    /// `INSERT INTO <table> (<mapped columns>) `, followed by `VALUES` rows.
    pub insert: &'static str,
    /// Redeems many codes in one statement: `UPDATE … SET <used> = $1 WHERE <used> = $2 AND
    /// (<code_hash>, <client_id>) IN (VALUES {pairs}) RETURNING <mapped columns>` (true,
    /// false, then a digest and a client id per code from `$3`; the store puts `($3, $4), …`
    /// in place of `{pairs}`).
    pub redeem_many: &'static str,
    /// `SELECT <mapped columns> … WHERE <code_hash> = $1`.
    pub find: &'static str,
    /// `DELETE … WHERE <expires_at> < $1`.
    pub purge: &'static str,
}

#[doc(hidden)]
/// A value the code statements bind, in the type of the column it is compared with.
#[derive(Clone, Copy, Debug)]
pub enum CodeValue<'a> {
    /// A `code_hash`.
    CodeHash(&'a SecretHash),
    /// A `used` flag.
    Used(bool),
    /// A `client_id`.
    ClientId(&'a str),
    /// A time compared with `expires_at`.
    ExpiresAt(u64),
}

/// An authorization code model stored in a table: `#[derive(OAuth2AuthorizationCode)]` with
/// `#[oauth(table = "…")]` implements it for every sqlx database. The table needs a `used`
/// flag column besides the record's fields: redemption sets it, so that a replayed code is
/// recognised (RFC 6749 §4.1.2).
pub trait CodeTable<DB: Database>: OAuth2AuthorizationCode {
    /// The statements, built from the table and column names.
    #[doc(hidden)]
    const STATEMENTS: CodeStatements;

    /// The model from a row of `redeem_many` or `find` (unmapped fields take `Default`).
    #[doc(hidden)]
    fn from_row(row: &DB::Row) -> Result<Self, sqlx::Error>;

    /// Pushes the mapped columns (`used` false), in `insert`'s order, as one `VALUES` row.
    #[doc(hidden)]
    fn push_row(self, values: Separated<'_, DB, &'static str>);

    /// Binds `value` in its column's type.
    #[doc(hidden)]
    fn bind(value: CodeValue<'_>, args: &mut DB::Arguments) -> Result<(), BoxDynError>;
}

#[doc(hidden)]
/// The statements of a resource owner table.
#[derive(Clone, Copy, Debug)]
pub struct UserStatements {
    /// `SELECT <mapped columns> FROM <table> WHERE <username> = $1`.
    pub find_by_username: &'static str,
    /// `SELECT <mapped columns> FROM <table> WHERE <id> = $1`.
    pub find_by_id: &'static str,
}

/// A resource owner model read from a table: `#[derive(OAuth2User)]` with
/// `#[oauth(table = "…")]` implements it for every sqlx database. Owners are the
/// application's: the store finds and authenticates them, never writes them.
pub trait UserTable<DB: Database>: OAuth2User + Sized {
    /// The statements, built from the table and column names.
    #[doc(hidden)]
    const STATEMENTS: UserStatements;

    /// The model from a row of the statements (unmapped fields take `Default`).
    #[doc(hidden)]
    fn from_row(row: &DB::Row) -> Result<Self, sqlx::Error>;

    /// Binds a username in the `username` column's type.
    #[doc(hidden)]
    fn bind_username(username: &str, args: &mut DB::Arguments) -> Result<(), BoxDynError>;

    /// Binds an owner id in the `id` column's type; `false` when `id` cannot be a value of
    /// it (text that is not an integer, for an integer key): there is no such owner.
    #[doc(hidden)]
    fn bind_id(id: &str, args: &mut DB::Arguments) -> Result<bool, BoxDynError>;
}

/// Arguments holding `values`, each bound by `bind` in its column's type.
pub(crate) fn arguments<DB: Database, V: Copy>(
    values: &[V],
    bind: impl Fn(V, &mut DB::Arguments) -> Result<(), BoxDynError>,
) -> crate::store::StorageResult<DB::Arguments> {
    let mut args = DB::Arguments::default();
    for value in values {
        bind(*value, &mut args).map_err(super::encode_error)?;
    }
    Ok(args)
}
