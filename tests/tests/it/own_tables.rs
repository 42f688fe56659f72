//! The SQL stores on an application's own tables, mapped with `#[oauth(table = "…")]`: other
//! table and column names, digests as hex text, flags as integers, extra columns the store
//! never touches. The storage suite and the server run on them as on the embedded schema.

use oauth_runtime::{
    Client, OAuth2AuthorizationCode, OAuth2Client, OAuth2Token, OAuth2User, PostgresStore,
    ResourceOwner, SqliteStore, Storage,
};

/// The application's client model: its own names, lists as space-separated text.
#[derive(OAuth2Client)]
#[oauth(table = "apps")]
pub struct App {
    #[oauth(client_id)]
    id: String,
    #[oauth(secret_hash, column = "secret_digest")]
    secret: Option<String>,
    #[oauth(client_name)]
    name: String,
    #[oauth(redirect_uris)]
    callbacks: String,
    #[oauth(grant_types)]
    grants: String,
    #[oauth(response_types)]
    responses: String,
    #[oauth(scope)]
    allowed_scope: String,
    #[oauth(token_endpoint_auth_method)]
    auth_method: String,
    /// The application's own column: no key holds it, the store reads it (and leaves it to the
    /// database's default on insert); callbacks reach it with `downcast_ref::<App>()`.
    #[oauth(column = "owner_email")]
    owner_email: String,
}

/// The application's token model: hex digests, integer flags (64- and 32-bit).
#[derive(OAuth2Token)]
#[oauth(table = "access_grants")]
pub struct Grant {
    #[oauth(access_token_hash)]
    token_digest: String,
    #[oauth(refresh_token_hash)]
    refresh_digest: Option<String>,
    #[oauth(client_id)]
    app_id: String,
    #[oauth(user_id)]
    account_id: Option<String>,
    #[oauth(scope)]
    scopes: String,
    #[oauth(grant_type)]
    grant_kind: String,
    #[oauth(issued_at)]
    created: i64,
    #[oauth(expires_in)]
    lifetime: i64,
    #[oauth(refresh_token_expires_at)]
    refresh_expires: Option<i64>,
    family: String,
    #[oauth(access_token_revoked, column = "revoked")]
    access_revoked: i64,
    #[oauth(refresh_token_revoked)]
    refresh_revoked: i32,
    /// RFC 8707 audience, space-separated in a text column that is never NULL.
    #[oauth(audience)]
    resources: String,
    /// Not mapped.
    #[allow(dead_code)]
    note: Option<String>,
}

/// The application's authorization code model.
#[derive(OAuth2AuthorizationCode)]
#[oauth(table = "auth_codes")]
pub struct AuthCode {
    #[oauth(code_hash)]
    digest: Vec<u8>,
    #[oauth(client_id)]
    app_id: String,
    redirect_uri: Option<String>,
    scope: String,
    #[oauth(user_id)]
    account_id: String,
    #[oauth(code_challenge)]
    challenge: Option<String>,
    #[oauth(code_challenge_method)]
    challenge_method: Option<String>,
    issued_at: i64,
    expires_at: i64,
    #[oauth(used, column = "redeemed")]
    spent: bool,
    audience: Option<String>,
}

/// The application's users: an integer key, signed in by email, maybe without a password.
#[derive(OAuth2User)]
#[oauth(table = "accounts")]
pub struct Account {
    id: i64,
    #[oauth(username)]
    email: String,
    #[oauth(password_hash)]
    password: Option<String>,
    /// An OpenID Connect claim, read from its column (released at UserInfo under `profile`).
    #[oauth(claim = "name")]
    display_name: String,
}

/// A store of the application's tables on SQLite.
pub type OwnSqlite = SqliteStore<App, Grant, AuthCode, Account>;
/// A store of the application's tables on PostgreSQL.
pub type OwnPostgres = PostgresStore<App, Grant, AuthCode, Account>;

const SQLITE_SCHEMA: &str = "
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password TEXT,
    display_name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE apps (
    id TEXT PRIMARY KEY NOT NULL,
    secret_digest TEXT,
    name TEXT NOT NULL,
    callbacks TEXT NOT NULL,
    grants TEXT NOT NULL,
    responses TEXT NOT NULL,
    allowed_scope TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    owner_email TEXT NOT NULL DEFAULT 'owner@example.com'
);
CREATE TABLE access_grants (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    token_digest TEXT NOT NULL UNIQUE,
    refresh_digest TEXT UNIQUE,
    app_id TEXT NOT NULL,
    account_id TEXT,
    scopes TEXT NOT NULL,
    grant_kind TEXT NOT NULL,
    created INTEGER NOT NULL,
    lifetime INTEGER NOT NULL,
    refresh_expires INTEGER,
    family TEXT NOT NULL,
    revoked INTEGER NOT NULL,
    refresh_revoked INTEGER NOT NULL,
    resources TEXT NOT NULL,
    note TEXT DEFAULT 'kept'
);
CREATE TABLE auth_codes (
    digest BLOB PRIMARY KEY NOT NULL,
    app_id TEXT NOT NULL,
    redirect_uri TEXT,
    scope TEXT NOT NULL,
    account_id TEXT NOT NULL,
    challenge TEXT,
    challenge_method TEXT,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    redeemed BOOLEAN NOT NULL,
    audience TEXT
);
";

const POSTGRES_SCHEMA: &str = "
CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password TEXT,
    display_name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE apps (
    id TEXT PRIMARY KEY NOT NULL,
    secret_digest TEXT,
    name TEXT NOT NULL,
    callbacks TEXT NOT NULL,
    grants TEXT NOT NULL,
    responses TEXT NOT NULL,
    allowed_scope TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    owner_email TEXT NOT NULL DEFAULT 'owner@example.com'
);
CREATE TABLE access_grants (
    pk BIGSERIAL PRIMARY KEY,
    token_digest TEXT NOT NULL UNIQUE,
    refresh_digest TEXT UNIQUE,
    app_id TEXT NOT NULL,
    account_id TEXT,
    scopes TEXT NOT NULL,
    grant_kind TEXT NOT NULL,
    created BIGINT NOT NULL,
    lifetime BIGINT NOT NULL,
    refresh_expires BIGINT,
    family TEXT NOT NULL,
    revoked BIGINT NOT NULL,
    refresh_revoked INTEGER NOT NULL,
    resources TEXT NOT NULL,
    note TEXT DEFAULT 'kept'
);
CREATE INDEX access_grants_family ON access_grants (family);
CREATE TABLE auth_codes (
    digest BYTEA PRIMARY KEY NOT NULL,
    app_id TEXT NOT NULL,
    redirect_uri TEXT,
    scope TEXT NOT NULL,
    account_id TEXT NOT NULL,
    challenge TEXT,
    challenge_method TEXT,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    redeemed BOOLEAN NOT NULL,
    audience TEXT
);
";

/// Registers `client` the way the application would, in its own `apps` table.
macro_rules! insert_app {
    ($pool:expr, $client:expr) => {{
        let client: &Client = $client;
        let words = |list: Vec<&str>| list.join(" ");
        sqlx::query(
            "INSERT INTO apps (id, secret_digest, name, callbacks, grants, responses, \
             allowed_scope, auth_method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&client.client_id)
        .bind(client.secret_hash.map(|h| h.to_hex()))
        .bind(client.client_name.clone().unwrap_or_default())
        .bind(words(
            client.redirect_uris.iter().map(String::as_str).collect(),
        ))
        .bind(words(
            client.grant_types.iter().map(|g| g.as_str()).collect(),
        ))
        .bind(words(
            client.response_types.iter().map(|r| r.as_str()).collect(),
        ))
        .bind(client.scope.to_string())
        .bind(client.token_endpoint_auth_method.as_str())
        .execute($pool)
        .await
        .expect("insert app");
    }};
}

/// Signs a user up the way the application would, in its own `accounts` table.
macro_rules! insert_account {
    ($pool:expr, $email:expr, $password:expr) => {{
        let email: &str = $email;
        let password: Option<&str> = $password;
        let hash = password.map(|p| oauth_runtime::password::hash_password(p).expect("hash"));
        let display = email.split('@').next().unwrap_or_default();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO accounts (email, password, display_name) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(email)
        .bind(hash)
        .bind(display)
        .fetch_one($pool)
        .await
        .expect("insert account");
        ResourceOwner::new(id.to_string(), email).with_claim("name", display)
    }};
}

/// A fresh SQLite database with the embedded schema (for resource owners) and the
/// application's tables.
pub async fn sqlite_store() -> OwnSqlite {
    sqlite_at(&crate::sql_server::sqlite_url()).await
}

/// The SQLite database at `url`, with the application's tables.
pub async fn sqlite_at(url: &str) -> OwnSqlite {
    let store = SqliteStore::connect(url, &Default::default())
        .await
        .expect("sqlite");
    sqlx::raw_sql(SQLITE_SCHEMA)
        .execute(store.pool())
        .await
        .expect("schema");
    store.with_clients().with_tokens().with_codes().with_users()
}

/// A fresh PostgreSQL database with the application's tables, when one is configured.
pub async fn postgres_store() -> Option<OwnPostgres> {
    let url = crate::pg::fresh_database().await?;
    let store = PostgresStore::connect(&url, &Default::default())
        .await
        .expect("postgres");
    sqlx::raw_sql(POSTGRES_SCHEMA)
        .execute(store.pool())
        .await
        .expect("schema");
    Some(store.with_clients().with_tokens().with_codes().with_users())
}

pub async fn add_sqlite_client(store: &OwnSqlite, client: &Client) {
    insert_app!(store.pool(), client);
}

pub async fn add_postgres_client(store: &OwnPostgres, client: &Client) {
    insert_app!(store.pool(), client);
}

pub async fn add_sqlite_user(store: &OwnSqlite, email: &str, password: &str) -> ResourceOwner {
    insert_account!(store.pool(), email, Some(password))
}

pub async fn add_postgres_user(store: &OwnPostgres, email: &str, password: &str) -> ResourceOwner {
    insert_account!(store.pool(), email, Some(password))
}

/// Issue 12: a callback that receives the client reaches the application's own model, with a
/// column no key maps (here the expiry rule reads `owner_email`).
#[rocket::async_test]
async fn callbacks_reach_the_applications_own_client_model() {
    use oauth_runtime::{
        AuthMethod, AuthorizationServer, ClientCredentialsGrant, ExpiresIn, GrantType, OAuthRequest,
    };
    let store = sqlite_store().await;
    let service = Client::with_secret("reports", "a-long-random-secret")
        .with_auth_method(AuthMethod::ClientSecretPost)
        .with_grant_types([GrantType::ClientCredentials]);
    insert_app!(store.pool(), &service);
    sqlx::query("UPDATE apps SET owner_email = 'ops@first-party.example' WHERE id = 'reports'")
        .execute(store.pool())
        .await
        .unwrap();
    let mut server = AuthorizationServer::new(store);
    server.register_grant(ClientCredentialsGrant);
    server.set_expires_in(ExpiresIn::custom(|client, _grant| {
        let app = client.downcast_ref::<App>()?;
        app.owner_email
            .ends_with("@first-party.example")
            .then_some(7 * 86_400)
    }));
    let request = OAuthRequest::post_form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "reports"),
        ("client_secret", "a-long-random-secret"),
    ]);
    let response = server.create_token_response(&request).await;
    assert_eq!(response.status, 200);
    let body: serde_json::Value = serde_json::from_str(response.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["expires_in"], 7 * 86_400);
}

/// Owners in the application's table: found by their integer key in its canonical form only,
/// and one without a password cannot sign in with one.
#[rocket::async_test]
async fn owners_come_from_the_applications_table() {
    let store = sqlite_store().await;
    let ada = insert_account!(store.pool(), "ada@example.com", Some("analytical engine"));
    let sso = insert_account!(store.pool(), "sso@example.com", None);
    assert_eq!(
        store
            .authenticate_user("ada@example.com", "analytical engine")
            .await
            .unwrap(),
        Some(ada.clone())
    );
    assert_eq!(
        store
            .authenticate_user("ada@example.com", "")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .authenticate_user("sso@example.com", "")
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.find_user(&sso.id).await.unwrap(), Some(sso));
    assert_eq!(store.find_user(&ada.id).await.unwrap(), Some(ada.clone()));
    assert_eq!(
        store.find_user(&format!("0{}", ada.id)).await.unwrap(),
        None
    );
    assert_eq!(store.find_user("ada@example.com").await.unwrap(), None);
}
