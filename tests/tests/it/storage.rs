//! The storage contract, run against every store: memory, SQLite and PostgreSQL.

use std::sync::Arc;

use crate::own_tables;

use oauth_runtime::secret::SecretHash;
use oauth_runtime::{
    AuthMethod, AuthorizationCode, CachingStore, Client, CodeChallengeMethod, CodeRedemption,
    DatabaseConfig, GrantType, MemoryStore, PostgresStore, ResourceOwner, ResponseType, Rotation,
    Scope, SqliteStore, Storage, Token,
};

/// A store under test, with the way to add clients and users to it.
pub enum Backend {
    Memory(MemoryStore),
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
    Cached(Arc<CachingStore<SqliteStore>>),
    /// The application's own tables (`own_tables`).
    OwnSqlite(own_tables::OwnSqlite),
    OwnPostgres(own_tables::OwnPostgres),
}

impl Backend {
    pub fn storage(&self) -> Arc<dyn Storage> {
        match self {
            Backend::Memory(s) => Arc::new(s.clone()),
            Backend::Sqlite(s) => Arc::new(s.clone()),
            Backend::Postgres(s) => Arc::new(s.clone()),
            Backend::Cached(s) => s.clone(),
            Backend::OwnSqlite(s) => Arc::new(s.clone()),
            Backend::OwnPostgres(s) => Arc::new(s.clone()),
        }
    }

    pub async fn add_client(&self, client: Client) {
        match self {
            Backend::Memory(s) => s.add_client(client),
            Backend::Sqlite(s) => s.create_client(&client).await.expect("client"),
            Backend::Postgres(s) => s.create_client(&client).await.expect("client"),
            Backend::Cached(s) => s.inner().create_client(&client).await.expect("client"),
            Backend::OwnSqlite(s) => own_tables::add_sqlite_client(s, &client).await,
            Backend::OwnPostgres(s) => own_tables::add_postgres_client(s, &client).await,
        }
    }

    pub async fn add_user(&self, username: &str, password: &str) -> ResourceOwner {
        match self {
            Backend::Memory(s) => s.add_user(username, password),
            Backend::Sqlite(s) => s.create_user(username, password).await.expect("user"),
            Backend::Postgres(s) => s.create_user(username, password).await.expect("user"),
            Backend::Cached(s) => s
                .inner()
                .create_user(username, password)
                .await
                .expect("user"),
            Backend::OwnSqlite(s) => own_tables::add_sqlite_user(s, username, password).await,
            Backend::OwnPostgres(s) => own_tables::add_postgres_user(s, username, password).await,
        }
    }
}

pub async fn memory() -> Option<Backend> {
    Some(Backend::Memory(MemoryStore::new()))
}

pub async fn sqlite() -> Option<Backend> {
    let dir = std::env::temp_dir().join(format!(
        "oauth-sqlite-{}",
        oauth_runtime::secret::generate_token(10)
    ));
    std::fs::create_dir_all(&dir).ok()?;
    let url = format!("sqlite://{}", dir.join("test.db").display());
    Some(Backend::Sqlite(
        SqliteStore::connect(&url, &DatabaseConfig::default())
            .await
            .expect("sqlite"),
    ))
}

/// SQLite behind the in-process token cache: the same contract must hold.
pub async fn cached_sqlite() -> Option<Backend> {
    match sqlite().await? {
        Backend::Sqlite(store) => Some(Backend::Cached(Arc::new(CachingStore::new(store)))),
        _ => None,
    }
}

pub async fn postgres() -> Option<Backend> {
    let url = crate::pg::fresh_database().await?;
    Some(Backend::Postgres(
        PostgresStore::connect(&url, &DatabaseConfig::default())
            .await
            .expect("postgres"),
    ))
}

pub async fn own_sqlite() -> Option<Backend> {
    Some(Backend::OwnSqlite(own_tables::sqlite_store().await))
}

pub async fn own_postgres() -> Option<Backend> {
    Some(Backend::OwnPostgres(own_tables::postgres_store().await?))
}

fn code(hash: SecretHash, expires_at: u64) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: hash,
        client_id: "web".into(),
        redirect_uri: Some("https://web.example/cb".into()),
        scope: Scope::parse("profile email").unwrap(),
        user_id: "alice".into(),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some(CodeChallengeMethod::S256),
        issued_at: 1_000,
        expires_at,
        nonce: None,
        auth_time: None,
        // Two resources: the list survives every table (RFC 8707).
        audience: vec!["https://api.example/".into(), "urn:example:notes".into()],
    }
}

fn token(access: &str, refresh: Option<&str>, family: &str) -> Token {
    Token {
        access_token_hash: SecretHash::of(access),
        refresh_token_hash: refresh.map(SecretHash::of),
        client_id: "web".into(),
        user_id: Some("alice".into()),
        scope: Scope::parse("profile").unwrap(),
        grant_type: GrantType::AuthorizationCode,
        issued_at: unix_now(),
        expires_in: 3600,
        refresh_token_expires_at: Some(unix_now() + 86_400),
        family: family.into(),
        access_token_revoked: false,
        refresh_token_revoked: false,
        audience: vec!["https://api.example/".into(), "urn:example:notes".into()],
    }
}

async fn clients_round_trip(b: Backend) {
    b.add_client(
        Client::with_secret("web", "s3cret-s3cret")
            .with_redirect_uris(["https://web.example/cb", "https://web.example/other"])
            .with_grant_types([GrantType::AuthorizationCode, GrantType::RefreshToken])
            .with_response_types([ResponseType::Code])
            .with_scope("profile email")
            .with_auth_method(AuthMethod::ClientSecretPost)
            .with_name("Web"),
    )
    .await;
    b.add_client(Client::public("spa").with_redirect_uris(["http://127.0.0.1/cb"]))
        .await;
    let s = b.storage();
    let web = s.find_client("web").await.unwrap().expect("web");
    assert_eq!(web.client_id(), "web");
    assert!(web.check_client_secret("s3cret-s3cret"));
    assert!(!web.check_client_secret("s3cret"));
    assert!(web.check_redirect_uri("https://web.example/other"));
    assert!(!web.check_redirect_uri("https://web.example/"));
    assert_eq!(web.default_redirect_uri(), None);
    assert!(web.check_grant_type(&GrantType::RefreshToken));
    assert!(!web.check_grant_type(&GrantType::Password));
    assert!(web.check_response_type(ResponseType::Code));
    assert_eq!(web.scope().to_string(), "email profile");
    assert_eq!(
        web.token_endpoint_auth_method(),
        AuthMethod::ClientSecretPost
    );
    assert_eq!(web.client_name(), Some("Web"));
    let spa = s.find_client("spa").await.unwrap().expect("spa");
    assert!(spa.is_public());
    assert_eq!(
        spa.default_redirect_uri().as_deref(),
        Some("http://127.0.0.1/cb")
    );
    assert!(s.find_client("nobody").await.unwrap().is_none());
}

async fn codes_are_single_use(b: Backend) {
    let s = b.storage();
    let hash = SecretHash::of("code-1");
    let saved = code(hash, 2_000);
    s.save_authorization_code(saved.clone()).await.unwrap();
    // Another client's attempt neither redeems nor consumes the code (RFC 6749 §4.1.3).
    assert_eq!(
        s.consume_authorization_code(&hash, "spa").await.unwrap(),
        CodeRedemption::Unknown
    );
    assert_eq!(
        s.consume_authorization_code(&hash, "web").await.unwrap(),
        CodeRedemption::Redeemed(saved.clone())
    );
    assert_eq!(
        s.consume_authorization_code(&hash, "web").await.unwrap(),
        CodeRedemption::AlreadyUsed(saved)
    );
    assert_eq!(
        s.consume_authorization_code(&hash, "spa").await.unwrap(),
        CodeRedemption::Unknown
    );
    assert_eq!(
        s.consume_authorization_code(&SecretHash::of("other"), "web")
            .await
            .unwrap(),
        CodeRedemption::Unknown
    );
}

async fn concurrent_redemptions_give_one(b: Backend) {
    let s = b.storage();
    let hash = SecretHash::of("code-race");
    s.save_authorization_code(code(hash, 2_000)).await.unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let s = s.clone();
            rocket::tokio::spawn(async move { s.consume_authorization_code(&hash, "web").await })
        })
        .collect();
    let mut redeemed = 0;
    for task in tasks {
        match task.await.unwrap().expect("no storage error") {
            CodeRedemption::Redeemed(_) => redeemed += 1,
            CodeRedemption::AlreadyUsed(_) => {}
            CodeRedemption::Unknown => panic!("code lost"),
        }
    }
    assert_eq!(redeemed, 1);
}

/// Many codes redeemed at once (the SQL stores redeem concurrent requests with one statement):
/// each code goes to exactly one of the requests of its client, with its contents; a request
/// by another client neither gets nor consumes it.
async fn many_codes_redeemed_at_once(b: Backend) {
    let s = b.storage();
    let hashes: Vec<SecretHash> = (0..32)
        .map(|i| SecretHash::of(&format!("batch-code-{i}")))
        .collect();
    for hash in &hashes {
        s.save_authorization_code(code(*hash, 2_000)).await.unwrap();
    }
    // Another client's request first, then three of the right client, for every code.
    let tasks: Vec<_> = hashes
        .iter()
        .flat_map(|hash| ["spa", "web", "web", "web"].map(|client| (*hash, client)))
        .map(|(hash, client)| {
            let s = s.clone();
            let redemption =
                rocket::tokio::spawn(
                    async move { s.consume_authorization_code(&hash, client).await },
                );
            (hash, client, redemption)
        })
        .collect();
    let mut redeemed = std::collections::HashMap::new();
    for (hash, client, task) in tasks {
        match task.await.unwrap().expect("no storage error") {
            CodeRedemption::Redeemed(got) => {
                assert_eq!(client, "web");
                assert_eq!(got, code(hash, 2_000));
                *redeemed.entry(hash).or_insert(0) += 1;
            }
            CodeRedemption::AlreadyUsed(_) => assert_eq!(client, "web"),
            CodeRedemption::Unknown => assert_eq!(client, "spa", "code lost"),
        }
    }
    assert_eq!(redeemed.len(), hashes.len());
    assert!(redeemed.values().all(|n| *n == 1), "{redeemed:?}");
}

/// Many refresh tokens rotated at once (the SQL stores rotate concurrent requests in one
/// transaction): each rotates exactly once; a replay among them revokes its family, the new
/// token included; an unknown token is unknown.
async fn many_rotations_at_once(b: Backend) {
    let s = b.storage();
    for i in 0..32 {
        let old = token(
            &format!("ba-{i}"),
            Some(&format!("br-{i}")),
            &format!("bf-{i}"),
        );
        s.save_token(old).await.unwrap();
    }
    // Even families: the rotation and a replay of it; odd ones: the rotation alone.
    let mut requests = Vec::new();
    for i in 0..32 {
        for attempt in 0..(if i % 2 == 0 { 2 } else { 1 }) {
            requests.push((i, format!("br-{i}"), format!("ba-{i}-{attempt}")));
        }
    }
    requests.push((99, "br-unknown".to_owned(), "ba-unknown".to_owned()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(i, old, new)| {
            let s = s.clone();
            let family = if i == 99 {
                "bf-unknown".to_owned()
            } else {
                format!("bf-{i}")
            };
            let new_token = token(&new, Some(&format!("{new}-r")), &family);
            let rotation = rocket::tokio::spawn(async move {
                s.rotate_refresh_token(&SecretHash::of(&old), new_token)
                    .await
            });
            (i, new, rotation)
        })
        .collect();
    let mut rotated = std::collections::HashMap::new();
    for (i, new, task) in tasks {
        let rotation = task.await.unwrap().expect("no storage error");
        match (i, rotation) {
            (99, outcome) => assert_eq!(outcome, Rotation::Unknown),
            (_, Rotation::Rotated) => assert!(rotated.insert(i, new).is_none(), "twice: {i}"),
            (i, Rotation::Reused) => assert_eq!(i % 2, 0, "a lone rotation was a replay"),
            (i, Rotation::Unknown) => panic!("token {i} lost"),
        }
    }
    assert_eq!(rotated.len(), 32);
    for (i, new) in rotated {
        let saved = s
            .find_access_token(&SecretHash::of(&new))
            .await
            .unwrap()
            .expect("the rotated token is saved");
        // A replay revokes the family, the new token included.
        assert_eq!(saved.access_token_revoked, i % 2 == 0, "family {i}");
    }
    assert!(s
        .find_access_token(&SecretHash::of("ba-unknown"))
        .await
        .unwrap()
        .is_none());
}

/// Many lookups at once (the SQL stores without an in-thread reader answer concurrent lookups
/// with one query): each gets its own token or client, an unknown one nothing.
async fn many_lookups_at_once(b: Backend) {
    for i in 0..8 {
        b.add_client(
            Client::public(format!("many-{i}")).with_redirect_uris(["http://127.0.0.1/cb"]),
        )
        .await;
    }
    let s = b.storage();
    for i in 0..32 {
        let saved = Token {
            client_id: format!("many-{}", i % 8),
            ..token(&format!("la-{i}"), None, &format!("lf-{i}"))
        };
        s.save_token(saved).await.unwrap();
    }
    let tokens: Vec<_> = (0..40)
        .map(|i| {
            let s = s.clone();
            let lookup = rocket::tokio::spawn(async move {
                s.find_access_token(&SecretHash::of(&format!("la-{i}")))
                    .await
            });
            (i, lookup)
        })
        .collect();
    let clients: Vec<_> = (0..10)
        .map(|i| {
            let s = s.clone();
            let lookup =
                rocket::tokio::spawn(async move { s.find_client(&format!("many-{i}")).await });
            (i, lookup)
        })
        .collect();
    for (i, lookup) in tokens {
        let found = lookup.await.unwrap().expect("no storage error");
        match found {
            Some(t) => {
                assert!(i < 32, "token {i} does not exist");
                assert_eq!(t.access_token_hash, SecretHash::of(&format!("la-{i}")));
                assert_eq!(t.client_id, format!("many-{}", i % 8));
                assert_eq!(t.family, format!("lf-{i}"));
            }
            None => assert!(i >= 32, "token {i} lost"),
        }
    }
    for (i, lookup) in clients {
        let found = lookup.await.unwrap().expect("no storage error");
        match found {
            Some(client) => assert_eq!(client.client_id(), format!("many-{i}")),
            None => assert!(i >= 8, "client {i} lost"),
        }
    }
}

async fn tokens_are_found_by_digest(b: Backend) {
    let s = b.storage();
    let t = token("access-1", Some("refresh-1"), "fam-1");
    s.save_token(t.clone()).await.unwrap();
    assert_eq!(
        s.find_access_token(&SecretHash::of("access-1"))
            .await
            .unwrap(),
        Some(t.clone())
    );
    assert_eq!(
        s.find_refresh_token(&SecretHash::of("refresh-1"))
            .await
            .unwrap(),
        Some(t)
    );
    assert!(s
        .find_access_token(&SecretHash::of("refresh-1"))
        .await
        .unwrap()
        .is_none());
    assert!(s
        .find_refresh_token(&SecretHash::of("access-1"))
        .await
        .unwrap()
        .is_none());
    let no_refresh = Token {
        refresh_token_hash: None,
        refresh_token_expires_at: None,
        user_id: None,
        ..token("access-2", None, "fam-2")
    };
    s.save_token(no_refresh.clone()).await.unwrap();
    assert_eq!(
        s.find_access_token(&SecretHash::of("access-2"))
            .await
            .unwrap(),
        Some(no_refresh)
    );
}

async fn rotation_and_reuse(b: Backend) {
    let s = b.storage();
    s.save_token(token("a1", Some("r1"), "fam")).await.unwrap();
    let rotated = s
        .rotate_refresh_token(&SecretHash::of("r1"), token("a2", Some("r2"), "fam"))
        .await
        .unwrap();
    assert_eq!(rotated, Rotation::Rotated);
    let old = s
        .find_refresh_token(&SecretHash::of("r1"))
        .await
        .unwrap()
        .unwrap();
    assert!(old.refresh_token_revoked && old.access_token_revoked);
    let new = s
        .find_access_token(&SecretHash::of("a2"))
        .await
        .unwrap()
        .unwrap();
    assert!(!new.access_token_revoked);
    // Reuse of r1: nothing saved, the whole family revoked.
    let reused = s
        .rotate_refresh_token(&SecretHash::of("r1"), token("a3", Some("r3"), "fam"))
        .await
        .unwrap();
    assert_eq!(reused, Rotation::Reused);
    assert!(s
        .find_access_token(&SecretHash::of("a3"))
        .await
        .unwrap()
        .is_none());
    let new = s
        .find_refresh_token(&SecretHash::of("r2"))
        .await
        .unwrap()
        .unwrap();
    assert!(new.access_token_revoked && new.refresh_token_revoked);
    let unknown = s
        .rotate_refresh_token(&SecretHash::of("nope"), token("a4", None, "x"))
        .await
        .unwrap();
    assert_eq!(unknown, Rotation::Unknown);
}

async fn concurrent_rotations_give_one(b: Backend) {
    let s = b.storage();
    s.save_token(token("ca", Some("cr"), "cfam")).await.unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let s = s.clone();
            rocket::tokio::spawn(async move {
                let new = token(&format!("ca-{i}"), Some(&format!("cr-{i}")), "cfam");
                s.rotate_refresh_token(&SecretHash::of("cr"), new).await
            })
        })
        .collect();
    let mut rotated = 0;
    for task in tasks {
        if task.await.unwrap().expect("no storage error") == Rotation::Rotated {
            rotated += 1;
        }
    }
    assert_eq!(rotated, 1);
}

async fn revocation(b: Backend) {
    let s = b.storage();
    s.save_token(token("ra", Some("rr"), "rfam")).await.unwrap();
    s.save_token(token("rb", Some("rs"), "rfam")).await.unwrap();
    s.save_token(token("rc", Some("rt"), "other"))
        .await
        .unwrap();
    assert!(!s.family_revoked("rfam").await.unwrap());
    s.revoke_access_token(&SecretHash::of("ra")).await.unwrap();
    assert!(s.family_revoked("rfam").await.unwrap());
    assert!(!s.family_revoked("other").await.unwrap());
    assert!(!s.family_revoked("nobody").await.unwrap());
    let a = s
        .find_access_token(&SecretHash::of("ra"))
        .await
        .unwrap()
        .unwrap();
    assert!(a.access_token_revoked && !a.refresh_token_revoked);
    s.revoke_family("rfam").await.unwrap();
    let b2 = s
        .find_access_token(&SecretHash::of("rb"))
        .await
        .unwrap()
        .unwrap();
    assert!(b2.access_token_revoked && b2.refresh_token_revoked);
    let c = s
        .find_access_token(&SecretHash::of("rc"))
        .await
        .unwrap()
        .unwrap();
    assert!(!c.access_token_revoked && !c.refresh_token_revoked);
}

async fn lookups_see_revocation_at_once(b: Backend) {
    let s = b.storage();
    s.save_token(token("la", Some("lr"), "lfam")).await.unwrap();
    for _ in 0..3 {
        assert!(
            !s.find_access_token(&SecretHash::of("la"))
                .await
                .unwrap()
                .unwrap()
                .access_token_revoked
        );
    }
    s.revoke_access_token(&SecretHash::of("la")).await.unwrap();
    assert!(
        s.find_access_token(&SecretHash::of("la"))
            .await
            .unwrap()
            .unwrap()
            .access_token_revoked
    );
    s.save_token(token("lb", Some("lbr"), "lfam2"))
        .await
        .unwrap();
    assert!(
        !s.find_access_token(&SecretHash::of("lb"))
            .await
            .unwrap()
            .unwrap()
            .access_token_revoked
    );
    s.revoke_family("lfam2").await.unwrap();
    assert!(
        s.find_access_token(&SecretHash::of("lb"))
            .await
            .unwrap()
            .unwrap()
            .access_token_revoked
    );
    s.save_token(token("lc", Some("lcr"), "lfam3"))
        .await
        .unwrap();
    assert!(
        !s.find_access_token(&SecretHash::of("lc"))
            .await
            .unwrap()
            .unwrap()
            .access_token_revoked
    );
    s.rotate_refresh_token(&SecretHash::of("lcr"), token("ld", Some("ldr"), "lfam3"))
        .await
        .unwrap();
    assert!(
        s.find_access_token(&SecretHash::of("lc"))
            .await
            .unwrap()
            .unwrap()
            .access_token_revoked
    );
}

async fn users(b: Backend) {
    let alice = b.add_user("alice", "correct horse").await;
    let s = b.storage();
    assert_eq!(
        s.authenticate_user("alice", "correct horse").await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(s.authenticate_user("alice", "wrong").await.unwrap(), None);
    assert_eq!(
        s.authenticate_user("bob", "correct horse").await.unwrap(),
        None
    );
    assert_eq!(s.find_user(&alice.id).await.unwrap(), Some(alice));
    assert_eq!(s.find_user("nobody").await.unwrap(), None);
}

async fn purge_keeps_what_can_still_be_used(b: Backend) {
    let s = b.storage();
    let now = unix_now();
    s.save_authorization_code(code(SecretHash::of("old-code"), 1_000))
        .await
        .unwrap();
    s.save_authorization_code(code(SecretHash::of("new-code"), now + 60))
        .await
        .unwrap();
    let dead = Token {
        issued_at: 1_000,
        expires_in: 10,
        refresh_token_expires_at: Some(2_000),
        ..token("dead", Some("dead-r"), "f1")
    };
    let refreshable = Token {
        issued_at: 1_000,
        expires_in: 10,
        ..token("old-a", Some("live-r"), "f2")
    };
    let live = token("live", None, "f3");
    for t in [dead, refreshable, live] {
        s.save_token(t).await.unwrap();
    }
    assert_eq!(s.purge_expired(now).await.unwrap(), 2);
    assert!(s
        .find_access_token(&SecretHash::of("dead"))
        .await
        .unwrap()
        .is_none());
    assert!(s
        .find_refresh_token(&SecretHash::of("live-r"))
        .await
        .unwrap()
        .is_some());
    assert!(s
        .find_access_token(&SecretHash::of("live"))
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        s.consume_authorization_code(&SecretHash::of("old-code"), "web")
            .await
            .unwrap(),
        CodeRedemption::Unknown
    );
    assert!(matches!(
        s.consume_authorization_code(&SecretHash::of("new-code"), "web")
            .await
            .unwrap(),
        CodeRedemption::Redeemed(_)
    ));
}

/// Dynamic registrations (RFC 7591 / 7592) where the store keeps them: found as clients,
/// replaced only with the current token, deleted with the client's tokens revoked.
async fn registrations(b: Backend) {
    let s = b.storage();
    if matches!(b, Backend::OwnSqlite(_) | Backend::OwnPostgres(_)) {
        assert!(!s.supports_registration(), "the app's own clients table");
        return;
    }
    assert!(s.supports_registration());
    let metadata: oauth_runtime::ClientMetadata = serde_json::from_value(serde_json::json!({
        "client_name": "Registered",
        "redirect_uris": ["http://127.0.0.1:5000/cb"],
        "token_endpoint_auth_method": "none",
        "scope": "profile",
    }))
    .unwrap();
    let client_id = format!("reg-{}", unix_now_nanos());
    let first = SecretHash::of("first-token");
    let registration = oauth_runtime::Registration {
        client_id: client_id.clone(),
        secret_hash: None,
        metadata: metadata.clone(),
        token_hash: first,
        issued_at: 1_700_000_000,
    };
    s.save_registration(registration.clone()).await.unwrap();
    assert_eq!(
        s.find_registration(&client_id).await.unwrap(),
        Some(registration.clone())
    );
    let client = s.find_client(&client_id).await.unwrap().expect("a client");
    assert!(client.is_public());
    assert_eq!(client.client_name(), Some("Registered"));
    assert!(client.check_redirect_uri("http://127.0.0.1:5000/cb"));

    let second = SecretHash::of("second-token");
    let mut renamed = metadata;
    renamed.client_name = Some("Renamed".into());
    let updated = oauth_runtime::Registration {
        metadata: renamed,
        token_hash: second,
        ..registration
    };
    assert!(!s
        .update_registration(&SecretHash::of("wrong"), updated.clone())
        .await
        .unwrap());
    assert!(s
        .update_registration(&first, updated.clone())
        .await
        .unwrap());
    assert!(
        !s.update_registration(&first, updated.clone())
            .await
            .unwrap(),
        "rotated"
    );
    let client = s.find_client(&client_id).await.unwrap().expect("a client");
    assert_eq!(client.client_name(), Some("Renamed"));

    let issued = Token {
        client_id: client_id.clone(),
        ..token("reg-access", Some("reg-refresh"), "reg-fam")
    };
    s.save_token(issued).await.unwrap();
    assert!(!s.delete_registration(&client_id, &first).await.unwrap());
    assert!(s.delete_registration(&client_id, &second).await.unwrap());
    assert!(s.find_registration(&client_id).await.unwrap().is_none());
    assert!(s.find_client(&client_id).await.unwrap().is_none());
    let revoked = s
        .find_access_token(&SecretHash::of("reg-access"))
        .await
        .unwrap()
        .expect("kept");
    assert!(revoked.access_token_revoked && revoked.refresh_token_revoked);
}

fn unix_now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

macro_rules! storage_suite {
    ($($backend:ident),*) => {$(
        mod $backend {
            macro_rules! case {
                ($name:ident) => {
                    #[rocket::async_test]
                    async fn $name() {
                        if let Some(backend) = super::$backend().await {
                            super::$name(backend).await;
                        }
                    }
                };
            }
            case!(clients_round_trip);
            case!(codes_are_single_use);
            case!(concurrent_redemptions_give_one);
            case!(many_codes_redeemed_at_once);
            case!(tokens_are_found_by_digest);
            case!(many_lookups_at_once);
            case!(rotation_and_reuse);
            case!(concurrent_rotations_give_one);
            case!(many_rotations_at_once);
            case!(revocation);
            case!(users);
            case!(lookups_see_revocation_at_once);
            case!(purge_keeps_what_can_still_be_used);
            case!(registrations);
        }
    )*};
}

storage_suite!(
    memory,
    sqlite,
    cached_sqlite,
    postgres,
    own_sqlite,
    own_postgres
);

/// Seconds since the Unix epoch.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `CachingStore::shared` (several instances on one database) reads every token and client from
/// the store: a revocation or a client removed behind its back is seen at once. `new` (one
/// process owns the store) would serve the remembered token.
#[rocket::async_test]
async fn a_shared_caching_store_remembers_no_token_or_client() {
    let inner = MemoryStore::new();
    inner.add_client(Client::public("web").with_redirect_uris(["http://127.0.0.1/cb"]));
    let alice = inner.add_user("alice", "pw-alice-pw");
    let shared = CachingStore::shared(inner.clone());
    let owned = CachingStore::new(inner.clone());
    inner.save_token(token("sh-a", None, "sh-f")).await.unwrap();
    let hash = SecretHash::of("sh-a");
    for store in [&shared, &owned] {
        assert!(store.find_client("web").await.unwrap().is_some());
        let t = store.find_access_token(&hash).await.unwrap().unwrap();
        assert!(!t.access_token_revoked);
        assert!(store.find_user(&alice.id).await.unwrap().is_some());
    }
    // Another instance revokes the token (through the store, not through these wrappers).
    inner.revoke_access_token(&hash).await.unwrap();
    let seen = shared.find_access_token(&hash).await.unwrap().unwrap();
    assert!(
        seen.access_token_revoked,
        "the shared cache served a revoked token"
    );
    let remembered = owned.find_access_token(&hash).await.unwrap().unwrap();
    assert!(
        !remembered.access_token_revoked,
        "the single-process cache remembers (this is why it must not be shared)"
    );
    // Owners are remembered by both.
    assert_eq!(
        shared
            .find_user(&alice.id)
            .await
            .unwrap()
            .map(|o| o.username),
        Some("alice".to_owned())
    );
}

/// SQLite checkpoints its WAL on a thread of its own, not in the writer's commits: once writes
/// stop, the database file alone (without its `-wal`) holds them within moments.
#[rocket::async_test]
async fn sqlite_checkpoints_in_the_background() {
    let dir = std::env::temp_dir().join(format!(
        "oauth-checkpoint-{}",
        oauth_runtime::secret::generate_token(10)
    ));
    std::fs::create_dir_all(dir.join("copy")).unwrap();
    let url = format!("sqlite://{}", dir.join("test.db").display());
    let store = SqliteStore::connect(&url, &DatabaseConfig::default())
        .await
        .unwrap();
    for i in 0..200 {
        let token = token(&format!("ck-{i}"), None, &format!("ck-f{i}"));
        store.save_token(token).await.unwrap();
    }
    let copy = dir.join("copy").join("test.db");
    let mut found = 0;
    for _ in 0..50 {
        rocket::tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        // The main file alone: what the WAL holds is not in the copy until checkpointed.
        std::fs::copy(dir.join("test.db"), &copy).unwrap();
        let _ = std::fs::remove_file(dir.join("copy").join("test.db-wal"));
        let pool =
            oauth_runtime::sqlx::SqlitePool::connect(&format!("sqlite://{}", copy.display())).await;
        let Ok(pool) = pool else { continue };
        let count: Result<i64, _> = oauth_runtime::sqlx::query_scalar(
            "SELECT COUNT(*) FROM oauth2_tokens WHERE access_token_hash IS NOT NULL",
        )
        .fetch_one(&pool)
        .await;
        pool.close().await;
        found = count.unwrap_or(0);
        if found == 200 {
            break;
        }
    }
    assert_eq!(
        found, 200,
        "the database file did not receive the WAL's pages"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
