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
            sqlite_file_private(&url)?;
            SqliteStore::connect(&url, &config)
                .await
                .map(Db::Sqlite)
                .map_err(fail)
        }
    }

    pub fn storage(&self) -> Arc<dyn Storage> {
        match self {
            // This process is the only one that revokes tokens in its SQLite file, so lookups
            // are cached; PostgreSQL may be shared by several instances: owners only.
            Db::Sqlite(s) => Arc::new(CachingStore::new(s.clone())),
            Db::Postgres(s) => Arc::new(CachingStore::shared(s.clone())),
        }
    }

    /// A resource owner with a password and, optionally, the `email` and `name` claims.
    pub async fn create_user(
        &self,
        name: &str,
        password: &str,
        email: Option<&str>,
        full_name: Option<&str>,
    ) -> Result<ResourceOwner, String> {
        let result = match self {
            Db::Sqlite(s) => {
                s.create_user_with_profile(name, password, email, full_name)
                    .await
            }
            Db::Postgres(s) => {
                s.create_user_with_profile(name, password, email, full_name)
                    .await
            }
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

/// Creates `path` readable and writable by its owner only (0600 on Unix); fails if it exists.
pub fn create_private(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes an existing file readable and writable by its owner only (0600 on Unix).
pub fn restrict_to_owner(path: &std::path::Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("cannot restrict {}: {e}", path.display()))?;
        }
    }
    let _ = path;
    Ok(())
}

/// The SQLite database file holds client and token digests and password hashes: it is made
/// 0600 before SQLite opens it (SQLite gives its `-wal` and `-shm` files the same mode), and an
/// existing file is narrowed to 0600.
fn sqlite_file_private(url: &str) -> Result<(), String> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    let path = std::path::Path::new(path);
    if path.exists() {
        return restrict_to_owner(path);
    }
    match create_private(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => restrict_to_owner(path),
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    }
}
