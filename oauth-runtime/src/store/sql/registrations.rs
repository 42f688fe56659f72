//! Dynamic registrations (RFC 7591 / RFC 7592) in the embedded `oauth2_clients` table: the
//! client's columns as `create_client` writes them, plus the registered metadata (JSON) and
//! the digest of the registration access token.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::{db_error, RowsAffected};
use crate::registration::Registration;
use crate::secret::SecretHash;
use crate::store::{StorageError, StorageResult};

const INSERT: &str = "INSERT INTO oauth2_clients (secret_hash, client_name, redirect_uris, \
     grant_types, response_types, scope, token_endpoint_auth_method, metadata, \
     registration_token_hash, client_id, created_at, resource_server) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
const UPDATE: &str = "UPDATE oauth2_clients SET secret_hash = $1, client_name = $2, \
     redirect_uris = $3, grant_types = $4, response_types = $5, scope = $6, \
     token_endpoint_auth_method = $7, metadata = $8, registration_token_hash = $9 \
     WHERE client_id = $10 AND registration_token_hash = $11";
const FIND: &str = "SELECT client_id, secret_hash, metadata, registration_token_hash, created_at \
     FROM oauth2_clients WHERE client_id = $1 AND registration_token_hash IS NOT NULL";
const DELETE: &str =
    "DELETE FROM oauth2_clients WHERE client_id = $1 AND registration_token_hash = $2";

/// The columns `INSERT` and `UPDATE` share, `$1` to `$9`, in order.
struct Columns {
    secret_hash: Option<String>,
    client_name: Option<String>,
    redirect_uris: String,
    grant_types: String,
    response_types: String,
    scope: String,
    method: String,
    metadata: String,
    token_hash: String,
}

fn columns(registration: &Registration) -> StorageResult<Columns> {
    let client = registration.stored_client()?;
    let json = |list: Vec<&str>| serde_json::Value::from(list).to_string();
    Ok(Columns {
        secret_hash: client.secret_hash.map(|h| h.to_hex()),
        client_name: client.client_name.clone(),
        redirect_uris: json(client.redirect_uris.iter().map(String::as_str).collect()),
        grant_types: json(client.grant_types.iter().map(|g| g.as_str()).collect()),
        response_types: json(client.response_types.iter().map(|r| r.as_str()).collect()),
        scope: client.scope.to_string(),
        method: client.token_endpoint_auth_method.as_str().to_owned(),
        metadata: serde_json::to_string(&registration.metadata)
            .map_err(|e| StorageError::from_source("metadata is not serialisable", e))?,
        token_hash: registration.token_hash.to_hex(),
    })
}

macro_rules! bind_columns {
    ($query:expr, $c:expr) => {
        $query
            .bind($c.secret_hash)
            .bind($c.client_name)
            .bind($c.redirect_uris)
            .bind($c.grant_types)
            .bind($c.response_types)
            .bind($c.scope)
            .bind($c.method)
            .bind($c.metadata)
            .bind($c.token_hash)
    };
}

pub(crate) async fn insert<DB>(pool: &Pool<DB>, registration: Registration) -> StorageResult<()>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
{
    let c = columns(&registration)?;
    bind_columns!(sqlx::query(INSERT), c)
        .bind(registration.client_id)
        .bind(i64::try_from(registration.issued_at).unwrap_or(i64::MAX))
        .bind(false)
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(crate) async fn find<DB>(
    pool: &Pool<DB>,
    client_id: &str,
) -> StorageResult<Option<Registration>>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    i64: for<'r> Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    let Some(row) = sqlx::query(FIND)
        .bind(client_id.to_owned())
        .fetch_optional(pool)
        .await
        .map_err(db_error)?
    else {
        return Ok(None);
    };
    let corrupt =
        |what: &str| StorageError::new(format!("stored registration {what} is malformed"));
    let secret: Option<String> = row.try_get(1).map_err(db_error)?;
    let metadata: String = row.try_get(2).map_err(db_error)?;
    let token: String = row.try_get(3).map_err(db_error)?;
    let issued_at: i64 = row.try_get(4).map_err(db_error)?;
    Ok(Some(Registration {
        client_id: row.try_get(0).map_err(db_error)?,
        secret_hash: secret
            .map(|hex| SecretHash::from_hex(&hex).ok_or_else(|| corrupt("secret")))
            .transpose()?,
        metadata: serde_json::from_str(&metadata).map_err(|_| corrupt("metadata"))?,
        token_hash: SecretHash::from_hex(&token).ok_or_else(|| corrupt("token"))?,
        issued_at: u64::try_from(issued_at).map_err(|_| corrupt("time"))?,
    }))
}

pub(crate) async fn update<DB>(
    pool: &Pool<DB>,
    token_hash: &SecretHash,
    registration: Registration,
) -> StorageResult<bool>
where
    DB: Database,
    DB::QueryResult: RowsAffected,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB>,
{
    let c = columns(&registration)?;
    // One statement, conditional on the current token: of two updates with one token, one
    // wins and the other finds the token rotated (RFC 7592 §2.2).
    let done = bind_columns!(sqlx::query(UPDATE), c)
        .bind(registration.client_id)
        .bind(token_hash.to_hex())
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn delete<DB>(
    pool: &Pool<DB>,
    client_id: &str,
    token_hash: &SecretHash,
) -> StorageResult<bool>
where
    DB: Database,
    DB::QueryResult: RowsAffected,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    let done = sqlx::query(DELETE)
        .bind(client_id.to_owned())
        .bind(token_hash.to_hex())
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected() == 1)
}
