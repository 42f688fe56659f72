//! The `oauth2_signing_keys` table: the keys that sign ID tokens and JWT access tokens.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::db_error;
use crate::keys::StoredKey;
use crate::store::{StorageError, StorageResult};

const SELECT: &str =
    "SELECT kid, algorithm, private_key, created_at, retires_at FROM oauth2_signing_keys";
const INSERT: &str = "INSERT INTO oauth2_signing_keys \
     (kid, algorithm, private_key, created_at, retires_at) VALUES ($1, $2, $3, $4, $5)";
const RETIRE: &str =
    "UPDATE oauth2_signing_keys SET retires_at = $1 WHERE kid <> $2 AND retires_at IS NULL";
const PURGE: &str = "DELETE FROM oauth2_signing_keys WHERE retires_at <= $1";

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_u64(value: i64, what: &str) -> StorageResult<u64> {
    u64::try_from(value).map_err(|_| StorageError::new(format!("stored {what} is negative")))
}

pub(crate) async fn all<DB>(pool: &Pool<DB>) -> StorageResult<Vec<StoredKey>>
where
    DB: Database,
    DB::QueryResult: super::RowsAffected,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    let rows = sqlx::query(SELECT)
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let algorithm: String = row.try_get(1).map_err(db_error)?;
            let retires_at: Option<i64> = row.try_get(4).map_err(db_error)?;
            Ok(StoredKey {
                kid: row.try_get(0).map_err(db_error)?,
                algorithm: algorithm
                    .parse()
                    .map_err(|_| StorageError::new("stored signing algorithm is unknown"))?,
                private_key_pem: row.try_get(2).map_err(db_error)?,
                created_at: to_u64(row.try_get(3).map_err(db_error)?, "key time")?,
                retires_at: retires_at.map(|at| to_u64(at, "key time")).transpose()?,
            })
        })
        .collect()
}

pub(crate) async fn insert<DB>(pool: &Pool<DB>, key: StoredKey) -> StorageResult<()>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB>,
{
    sqlx::query(INSERT)
        .bind(key.kid)
        .bind(key.algorithm.as_str().to_owned())
        .bind(key.private_key_pem)
        .bind(to_i64(key.created_at))
        .bind(key.retires_at.map(to_i64))
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(crate) async fn retire<DB>(pool: &Pool<DB>, keep_kid: &str, at: u64) -> StorageResult<()>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
{
    sqlx::query(RETIRE)
        .bind(to_i64(at))
        .bind(keep_kid.to_owned())
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(crate) async fn purge<DB>(pool: &Pool<DB>, now: u64) -> StorageResult<u64>
where
    DB: Database,
    DB::QueryResult: super::RowsAffected,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
{
    let result = sqlx::query(PURGE)
        .bind(to_i64(now))
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(super::RowsAffected::rows_affected(&result))
}
