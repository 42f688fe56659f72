use oauth_runtime::secret::{generate_token, SecretHash};
use oauth_runtime::sqlx::{self, SqlitePool};
use oauth_runtime::store::sql::{CodeRow, TokenRow};
use oauth_runtime::{password, DatabaseConfig, SqliteStore};

use crate::models::{Account, App};

/// The store: our `apps` and `accounts`, the embedded tables for tokens and codes.
pub type Store = SqliteStore<App, TokenRow, CodeRow, Account>;

/// Opens `DATABASE_URL` (else `my-provider.db`) and creates every table.
pub async fn open() -> Result<Store, Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://my-provider.db".into());
    let store = SqliteStore::connect(&url, &DatabaseConfig::default()).await?;
    sqlx::raw_sql(include_str!("schema.sql"))
        .execute(store.pool())
        .await?;
    Ok(store.with_clients::<App>().with_users::<Account>())
}

/// Signs a user up.
pub async fn add_user(pool: &SqlitePool, email: &str, pass: &str) -> Result<(), sqlx::Error> {
    let hash = password::hash_password(pass);
    sqlx::query("INSERT INTO accounts (email, password) VALUES ($1, $2)")
        .bind(email)
        .bind(hash)
        .execute(pool)
        .await?;
    println!("added {email}");
    Ok(())
}

/// Registers an application; prints its credentials as JSON (the secret only this once).
pub async fn add_client(
    pool: &SqlitePool,
    name: &str,
    redirect_uri: &str,
    official: bool,
) -> Result<(), sqlx::Error> {
    let (id, secret) = (generate_token(24), generate_token(43));
    sqlx::query(
        "INSERT INTO apps (id, secret_digest, name, redirect_uris, grant_types, scope, is_official) \
         VALUES ($1, $2, $3, $4, 'authorization_code refresh_token', 'profile', $5)",
    )
    .bind(&id)
    .bind(SecretHash::of(&secret).to_hex())
    .bind(name)
    .bind(redirect_uri)
    .bind(official)
    .execute(pool)
    .await?;
    println!(r#"{{"client_id": "{id}", "client_secret": "{secret}"}}"#);
    Ok(())
}
