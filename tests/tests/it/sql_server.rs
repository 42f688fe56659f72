//! The server on SQL storage: persistence, concurrency over HTTP, several instances on one
//! PostgreSQL, database faults, and the database fairing.

use std::sync::Arc;
use std::time::Duration;

use oauth_runtime::{DatabaseConfig, OAuth2, PostgresStore, SqliteStore, Storage};
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client as HttpClient;

use crate::common::*;
use crate::storage::Backend;

pub async fn seed(backend: &Backend) {
    for client in clients() {
        backend.add_client(client).await;
    }
    backend.add_user("alice", ALICE_PW).await;
}

pub async fn app_on_storage(storage: Arc<dyn Storage>) -> HttpClient {
    let fairing = OAuth2::with_shared_storage(storage).grants(oauth_runtime::grants![
        AuthorizationCode,
        Password,
        ClientCredentials,
        RefreshToken
    ]);
    client_with(fairing).await
}

pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join(format!(
        "oauth-sqlite-{}",
        oauth_runtime::secret::generate_token(10)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    format!("sqlite://{}", dir.join("provider.db").display())
}

/// 16 simultaneous redemptions of one code: at most one answer carries a token, the rest are
/// `invalid_grant`, no 5xx — and since the code was replayed, no token issued from it stays
/// active (RFC 6749 §4.1.2), whichever instance answered.
async fn one_token_for_sixteen_redemptions(clients: &[&HttpClient]) {
    let code = web_code(clients[0], "profile").await;
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", WEB_CB),
        ("code_verifier", VERIFIER),
    ]);
    let requests = (0..16).map(|i| {
        let body = body.clone();
        async move {
            let response = clients[i % clients.len()]
                .post("/oauth/token")
                .header(ContentType::Form)
                .header(basic("web", WEB_SECRET))
                .body(body)
                .dispatch()
                .await;
            Answer::of(response).await
        }
    });
    let answers = rocket::futures::future::join_all(requests).await;
    let statuses: Vec<Status> = answers.iter().map(|a| a.status).collect();
    assert!(
        statuses.iter().filter(|s| **s == Status::Ok).count() <= 1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == Status::Ok || *s == Status::BadRequest),
        "{statuses:?}"
    );
    for answer in answers.iter().filter(|a| a.status == Status::Ok) {
        for client in clients {
            let (me, _) = api(client, "/api/me", Some(answer.str("access_token"))).await;
            assert_eq!(
                me.status,
                Status::Unauthorized,
                "a replayed code's token is active"
            );
        }
    }
}

#[rocket::async_test]
async fn sqlite_tokens_survive_a_restart() {
    let url = sqlite_url();
    let store = SqliteStore::connect(&url, &DatabaseConfig::default())
        .await
        .unwrap();
    seed(&Backend::Sqlite(store.clone())).await;
    let client = app_on_storage(Arc::new(store.clone())).await;
    let tokens = web_tokens(&client, "profile").await;
    drop(client);
    store.pool().close().await;

    let reopened = SqliteStore::connect(&url, &DatabaseConfig::default())
        .await
        .unwrap();
    let client = app_on_storage(Arc::new(reopened)).await;
    let (me, body) = api(&client, "/api/me", Some(tokens.str("access_token"))).await;
    assert_eq!(me.status, Status::Ok);
    assert!(body.ends_with("|web|profile"), "{body}");
    let refreshed = web_token(
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens.str("refresh_token")),
        ],
    )
    .await;
    assert_eq!(refreshed.status, Status::Ok, "{}", refreshed.json);
}

#[rocket::async_test]
async fn sqlite_concurrent_redemptions_over_http() {
    let store = SqliteStore::connect(&sqlite_url(), &DatabaseConfig::default())
        .await
        .unwrap();
    seed(&Backend::Sqlite(store.clone())).await;
    let client = app_on_storage(Arc::new(store)).await;
    one_token_for_sixteen_redemptions(&[&client]).await;
}

#[rocket::async_test]
async fn postgres_concurrent_redemptions_over_http() {
    let Some(url) = crate::pg::fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url, &DatabaseConfig::default())
        .await
        .unwrap();
    seed(&Backend::Postgres(store.clone())).await;
    let client = app_on_storage(Arc::new(store)).await;
    one_token_for_sixteen_redemptions(&[&client]).await;
}

#[rocket::async_test]
async fn two_instances_on_one_postgres_behave_as_one_server() {
    let Some(url) = crate::pg::fresh_database().await else {
        return;
    };
    let config = DatabaseConfig {
        url: Some(url.clone()),
        ..DatabaseConfig::default()
    };
    let seed_store = PostgresStore::connect(&url, &config).await.unwrap();
    seed(&Backend::Postgres(seed_store)).await;
    // Each instance connects as `OAuth2::database()` does (the store behind
    // `CachingStore::shared`, with batched lookups).
    let a = app_on_storage(oauth_runtime::store::sql::connect(&config).await.unwrap()).await;
    let b = app_on_storage(oauth_runtime::store::sql::connect(&config).await.unwrap()).await;

    // A code issued by one instance is redeemed at the other.
    let code = web_code(&a, "profile").await;
    let tokens = web_token(
        &b,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(tokens.status, Status::Ok, "{}", tokens.json);
    let access = tokens.str("access_token");
    // Both instances have used the token (anything they remember, they remember now).
    assert_eq!(api(&a, "/api/me", Some(access)).await.0.status, Status::Ok);
    assert_eq!(api(&b, "/api/me", Some(access)).await.0.status, Status::Ok);

    // A token revoked at one is refused by both, from the first request after the answer.
    let revoked = post(
        &a,
        "/oauth/revoke",
        &[("token", access)],
        Some(basic("web", WEB_SECRET)),
    )
    .await;
    assert_eq!(revoked.status, Status::Ok);
    for instance in [&b, &a] {
        assert_eq!(
            api(instance, "/api/me", Some(access)).await.0.status,
            Status::Unauthorized
        );
    }
    // And the other way round, while requests keep coming at the instance that did not revoke.
    let second = web_tokens(&a, "profile").await;
    let second = second.str("access_token").to_owned();
    let busy = (0..32).map(|_| api(&a, "/api/me", Some(&second)));
    for (response, _) in rocket::futures::future::join_all(busy).await {
        assert_eq!(response.status, Status::Ok);
    }
    let revoked = post(
        &b,
        "/oauth/revoke",
        &[("token", &second)],
        Some(basic("web", WEB_SECRET)),
    )
    .await;
    assert_eq!(revoked.status, Status::Ok);
    let after = (0..32).map(|_| api(&a, "/api/me", Some(&second)));
    for (response, _) in rocket::futures::future::join_all(after).await {
        assert_eq!(response.status, Status::Unauthorized);
    }

    // Concurrent redemptions across both still give exactly one token.
    one_token_for_sixteen_redemptions(&[&a, &b]).await;
}

#[rocket::async_test]
async fn database_outage_is_503_and_service_resumes() {
    let Some(cluster) = crate::pg::Cluster::start() else {
        return;
    };
    let url = crate::pg::create_database(&cluster.admin_url()).await;
    let config = DatabaseConfig {
        acquire_timeout: 1,
        ..DatabaseConfig::default()
    };
    let store = PostgresStore::connect(&url, &config).await.unwrap();
    seed(&Backend::Postgres(store.clone())).await;
    let client = app_on_storage(Arc::new(store)).await;
    let tokens = web_tokens(&client, "profile").await;
    let access = tokens.str("access_token").to_owned();

    cluster.stop();
    let down = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", ALICE_PW),
        ],
    )
    .await;
    assert_eq!(down.status, Status::ServiceUnavailable);
    assert_eq!(down.error(), "server_error");
    let (api_down, _) = api(&client, "/api/me", Some(&access)).await;
    assert_eq!(api_down.status, Status::ServiceUnavailable);
    assert_eq!(api_down.error(), "server_error");
    let authorize = client
        .get(format!(
            "/oauth/authorize?response_type=code&client_id=web&redirect_uri={}",
            enc(WEB_CB)
        ))
        .dispatch()
        .await;
    let authorize = Answer::of(authorize).await;
    assert_eq!(authorize.status, Status::ServiceUnavailable);
    assert_eq!(authorize.error(), "temporarily_unavailable");

    cluster.restart();
    let mut resumed = None;
    for _ in 0..20 {
        let (answer, _) = api(&client, "/api/me", Some(&access)).await;
        if answer.status == Status::Ok {
            resumed = Some(answer.status);
            break;
        }
        assert_eq!(
            answer.status,
            Status::ServiceUnavailable,
            "only 503 while recovering"
        );
        rocket::tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(resumed, Some(Status::Ok), "service did not resume");
    let after = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", ALICE_PW),
        ],
    )
    .await;
    assert_eq!(after.status, Status::Ok);
}

#[rocket::async_test]
async fn database_fairing_reads_the_url_from_config() {
    let url = sqlite_url();
    let seeded = SqliteStore::connect(&url, &DatabaseConfig::default())
        .await
        .unwrap();
    seed(&Backend::Sqlite(seeded)).await;
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("oauth2.database.url", url.as_str()))
        .merge(("oauth2.database.max_connections", 4));
    let fairing = OAuth2::database().grants(oauth_runtime::grants![ClientCredentials]);
    let client = HttpClient::tracked(app_on(rocket::custom(figment), fairing))
        .await
        .unwrap();
    let answer = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "svc"),
            ("client_secret", SVC_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
}

#[rocket::async_test]
async fn unreachable_database_stops_launch() {
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("oauth2.database.url", "postgres://nobody@127.0.0.1:1/none"))
        .merge(("oauth2.database.acquire_timeout", 1));
    let fairing = OAuth2::database();
    assert!(launch_fails(app_on(rocket::custom(figment), fairing)).await);
}

#[rocket::async_test]
async fn migrations_can_be_turned_off() {
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("oauth2.database.url", sqlite_url()))
        .merge(("oauth2.database.migrate", false));
    let client = HttpClient::tracked(app_on(
        rocket::custom(figment),
        OAuth2::database().grants(oauth_runtime::grants![ClientCredentials]),
    ))
    .await
    .unwrap();
    // No schema: the store fails, and the client sees a 503 rather than a crash.
    let answer = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "svc"),
            ("client_secret", SVC_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::ServiceUnavailable);
    assert_eq!(answer.error(), "server_error");
}

/// What the server leaves in the application's own token table for `access`: the digest as
/// hex text, the revocation flags as integers, the unmapped column at its database default.
macro_rules! own_token_row {
    ($pool:expr, $access:expr) => {{
        let row: (String, i64, i32, Option<String>) = sqlx::query_as(
            "SELECT app_id, revoked, refresh_revoked, note FROM access_grants \
             WHERE token_digest = $1",
        )
        .bind(oauth_runtime::secret::SecretHash::of($access).to_hex())
        .fetch_one($pool)
        .await
        .expect("the token is in the application's table");
        row
    }};
}

/// The code flow, refresh rotation and replay, client credentials and revocation, served
/// from the application's own tables.
macro_rules! own_tables_flow {
    ($store:expr) => {{
        let store = $store;
        let client = app_on_storage(Arc::new(store.clone())).await;

        let tokens = web_tokens(&client, "profile").await;
        let (access, refresh) = (tokens.str("access_token"), tokens.str("refresh_token"));
        let (me, body) = api(&client, "/api/me", Some(access)).await;
        assert_eq!(me.status, Status::Ok);
        assert!(body.ends_with("|web|profile"), "{body}");
        assert_eq!(
            own_token_row!(store.pool(), access),
            ("web".to_owned(), 0, 0, Some("kept".to_owned()))
        );

        // Rotation revokes the old pair in the application's table; a replay of the old
        // refresh token revokes the new pair too.
        let rotated = web_token(
            &client,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
        assert_eq!(rotated.status, Status::Ok, "{}", rotated.json);
        assert_eq!(own_token_row!(store.pool(), access).1, 1);
        assert_eq!(own_token_row!(store.pool(), access).2, 1);
        let fresh = rotated.str("access_token");
        assert_eq!(
            api(&client, "/api/me", Some(fresh)).await.0.status,
            Status::Ok
        );
        let replay = web_token(
            &client,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
        assert_eq!(replay.error(), "invalid_grant");
        assert_eq!(
            api(&client, "/api/me", Some(fresh)).await.0.status,
            Status::Unauthorized
        );

        // A client registered by the application in its own table, authenticating in the body.
        let svc = svc_access(&client, "read").await;
        assert_eq!(own_token_row!(store.pool(), &svc).0, "svc");
        let revoked = post(
            &client,
            "/oauth/revoke",
            &[
                ("token", &svc),
                ("client_id", "svc"),
                ("client_secret", SVC_SECRET),
            ],
            None,
        )
        .await;
        assert_eq!(revoked.status, Status::Ok);
        assert_eq!(own_token_row!(store.pool(), &svc).1, 1);

        // A code is single-use in the application's table too.
        one_token_for_sixteen_redemptions(&[&client]).await;
    }};
}

#[rocket::async_test]
async fn own_tables_on_sqlite_serve_the_grants() {
    let store = crate::own_tables::sqlite_store().await;
    seed(&Backend::OwnSqlite(store.clone())).await;
    own_tables_flow!(store);
}

#[rocket::async_test]
async fn own_tables_on_postgres_serve_the_grants() {
    let Some(store) = crate::own_tables::postgres_store().await else {
        return;
    };
    seed(&Backend::OwnPostgres(store.clone())).await;
    own_tables_flow!(store);
}

#[rocket::async_test]
async fn database_fairing_runs_on_the_applications_tables() {
    let url = sqlite_url();
    let store = crate::own_tables::sqlite_at(&url).await;
    seed(&Backend::OwnSqlite(store.clone())).await;
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("oauth2.database.url", url.as_str()));
    use crate::own_tables::{Account, App, AuthCode, Grant};
    let fairing = OAuth2::database_with::<App, Grant, AuthCode, Account>()
        .grants(oauth_runtime::grants![AuthorizationCode, ClientCredentials]);
    let client = HttpClient::tracked(app_on(rocket::custom(figment), fairing))
        .await
        .unwrap();
    let svc = svc_access(&client, "read").await;
    assert_eq!(own_token_row!(store.pool(), &svc).0, "svc");
    let tokens = web_tokens(&client, "profile").await;
    let (me, body) = api(&client, "/api/me", Some(tokens.str("access_token"))).await;
    assert_eq!(me.status, Status::Ok);
    assert!(body.ends_with("|web|profile"), "{body}");
}
