//! The guide's PostgreSQL schema holds its models: registration and the store's lookups run
//! on it. Skipped without `OAUTH_TEST_POSTGRES_URL` (a failure with `OAUTH_REQUIRE_POSTGRES=1`).

use oauth_runtime::sqlx::{self, Connection};
use oauth_runtime::store::sql::{CodeRow, TokenRow};
use oauth_runtime::{DatabaseConfig, PostgresStore, Storage};

#[allow(dead_code)]
#[path = "../../src/models.rs"]
mod models;

use models::{Account, App};

#[tokio::test]
async fn the_postgres_schema_holds_the_models() {
    let Some(admin) = std::env::var("OAUTH_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var("OAUTH_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "PostgreSQL is required but OAUTH_TEST_POSTGRES_URL is not set"
        );
        eprintln!("skipping: OAUTH_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!(
        "guide_{}",
        oauth_runtime::secret::generate_token(12)
            .to_lowercase()
            .replace(['-', '_'], "x")
    );
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let store = PostgresStore::connect(&url, &DatabaseConfig::default())
        .await
        .unwrap();
    sqlx::raw_sql(include_str!("../../src/schema.postgres.sql"))
        .execute(store.pool())
        .await
        .unwrap();
    let secret = "a-long-random-secret-for-the-guide";
    sqlx::query(
        "INSERT INTO apps (id, secret_digest, name, redirect_uris, grant_types, scope, is_official) \
         VALUES ('notes', $1, 'Notes', 'http://127.0.0.1:9000/callback', 'authorization_code', 'profile', TRUE)",
    )
    .bind(oauth_runtime::secret::SecretHash::of(secret).to_hex())
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO accounts (email, password) VALUES ('alice@example.com', $1)")
        .bind(oauth_runtime::password::hash_password(
            "correct horse battery staple",
        ))
        .execute(store.pool())
        .await
        .unwrap();
    let store: PostgresStore<App, TokenRow, CodeRow, Account> =
        store.with_clients::<App>().with_users::<Account>();
    let client = store.find_client("notes").await.unwrap().expect("the app");
    assert!(client.check_client_secret(secret));
    assert!(
        client
            .downcast_ref::<App>()
            .expect("the App row")
            .is_official
    );
    let alice = store
        .authenticate_user("alice@example.com", "correct horse battery staple")
        .await
        .unwrap()
        .expect("alice");
    assert_eq!(store.find_user(&alice.id).await.unwrap(), Some(alice));
}
