//! The database every command uses: `DATABASE_URL`, default an SQLite file here.

use std::sync::Arc;

use oauth_runtime::{
    CachingStore, Client, DatabaseConfig, PostgresStore, ResourceOwner, SqliteStore, Storage,
    StorageError,
};

/// `DATABASE_URL`, else `sqlite://provider.db` in the working directory.
pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "sqlite://provider.db".to_owned())
}

/// The opened store.
pub enum Db {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Db {
    /// Opens (and migrates) the database.
    pub async fn open() -> Result<Db, String> {
        let url = database_url();
        let config = DatabaseConfig {
            url: Some(url.clone()),
            ..DatabaseConfig::default()
        };
        let fail = |e: StorageError| format!("cannot open {url}: {e}");
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            PostgresStore::connect(&url, &config)
                .await
                .map(Db::Postgres)
                .map_err(fail)
        } else {
            SqliteStore::connect(&url, &config)
                .await
                .map(Db::Sqlite)
                .map_err(fail)
        }
    }

    pub fn storage(&self) -> Arc<dyn Storage> {
        match self {
            // This process is the only one that revokes tokens in its SQLite file, so lookups
            // are cached; PostgreSQL may be shared by several instances, so it is not.
            Db::Sqlite(s) => Arc::new(CachingStore::new(s.clone())),
            Db::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub async fn create_user(&self, name: &str, password: &str) -> Result<ResourceOwner, String> {
        let result = match self {
            Db::Sqlite(s) => s.create_user(name, password).await,
            Db::Postgres(s) => s.create_user(name, password).await,
        };
        result.map_err(|e| format!("cannot create user `{name}`: {e}"))
    }

    pub async fn create_client(&self, client: &Client) -> Result<(), String> {
        let result = match self {
            Db::Sqlite(s) => s.create_client(client).await,
            Db::Postgres(s) => s.create_client(client).await,
        };
        result.map_err(|e| format!("cannot create client: {e}"))
    }
}
