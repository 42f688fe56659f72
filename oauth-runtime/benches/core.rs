//! Micro-benchmarks of the hot paths: `cargo bench -p oauth-runtime`.
//!
//! PostgreSQL validation runs when `OAUTH_TEST_POSTGRES_URL` is set (a scratch database).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use oauth_runtime::secret::{generate_token, SecretHash};
use oauth_runtime::{
    AuthorizationServer, Client, ClientCredentialsGrant, DatabaseConfig, GrantType, MemoryStore,
    NewToken, OAuthRequest, Params, RefreshTokenGrant, ResourceProtector, ResourceRequest, Scope,
    ScopeRequirement, SqliteStore, Storage, StorageTokenValidator, Token,
};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn token_generation(c: &mut Criterion) {
    let mut server = AuthorizationServer::new(MemoryStore::new());
    server.register_grant(RefreshTokenGrant::new());
    let client = Client::public("app")
        .with_grant_types([GrantType::AuthorizationCode, GrantType::RefreshToken]);
    let scope = Scope::parse("profile email").unwrap();
    let rt = runtime();
    // The token response and its record (two random tokens, two digests).
    c.bench_function("token/generate_bearer_with_refresh", |b| {
        b.iter(|| {
            let token = NewToken::new(GrantType::AuthorizationCode, scope.clone())
                .for_user("alice")
                .with_refresh_token();
            rt.block_on(server.generate_token(black_box(&client), token))
        })
    });
    // The same with an RS256-signed RFC 9068 access token (keys loaded once, then cached).
    let config = oauth_runtime::Config {
        issuer: Some("https://id.example.com".to_owned()),
        access_token_format: oauth_runtime::AccessTokenFormat::Jwt,
        ..Default::default()
    };
    let mut jwt_server =
        AuthorizationServer::with_config(Arc::new(MemoryStore::new()), config).unwrap();
    jwt_server.register_grant(RefreshTokenGrant::new());
    c.bench_function("token/generate_jwt_access_token_rs256", |b| {
        b.iter(|| {
            let token = NewToken::new(GrantType::AuthorizationCode, scope.clone())
                .for_user("alice")
                .with_refresh_token();
            rt.block_on(jwt_server.generate_token(black_box(&client), token))
        })
    });
    let config = oauth_runtime::Config {
        issuer: Some("https://id.example.com".to_owned()),
        access_token_format: oauth_runtime::AccessTokenFormat::Jwt,
        signing: oauth_runtime::SigningConfig {
            algorithm: oauth_runtime::keys::SigningAlgorithm::ES256,
            retire_after: 0,
        },
        ..Default::default()
    };
    let mut es_server =
        AuthorizationServer::with_config(Arc::new(MemoryStore::new()), config).unwrap();
    es_server.register_grant(RefreshTokenGrant::new());
    c.bench_function("token/generate_jwt_access_token_es256", |b| {
        b.iter(|| {
            let token = NewToken::new(GrantType::AuthorizationCode, scope.clone())
                .for_user("alice")
                .with_refresh_token();
            rt.block_on(es_server.generate_token(black_box(&client), token))
        })
    });
    c.bench_function("token/random_43_chars", |b| {
        b.iter(|| generate_token(black_box(43)))
    });
    let token = generate_token(43);
    c.bench_function("hash/sha256_token", |b| {
        b.iter(|| SecretHash::of(black_box(&token)))
    });
}

fn parsing(c: &mut Criterion) {
    let body = b"grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    c.bench_function("request/parse_token_body", |b| {
        b.iter(|| Params::parse(black_box(body)))
    });
    c.bench_function("request/build_with_basic_credentials", |b| {
        b.iter(|| {
            let request = OAuthRequest::from_parts(
                oauth_runtime::Method::Post,
                None,
                oauth_runtime::request::Body::Form(black_box(body)),
                Some("Basic d2ViOndlYi1zZWNyZXQ="),
            );
            request.client_credentials().ok()
        })
    });
    // Issue 11: a 64 KiB query of 11 494 parameters took 609 ms to parse (quadratic duplicate
    // detection); now refused after 64 parameters. The full flood and a body at the limit.
    let flood: String = (0..11_494)
        .map(|i| format!("p{i}=1"))
        .collect::<Vec<_>>()
        .join("&");
    let flood = &flood.as_bytes()[..64 * 1024];
    c.bench_function("request/parse_64k_parameter_flood", |b| {
        b.iter(|| Params::parse(black_box(flood)).is_err())
    });
    let at_limit: String = (0..oauth_runtime::request::MAX_PARAMS)
        .map(|i| format!("param{i}={}", "v".repeat(200)))
        .collect::<Vec<_>>()
        .join("&");
    c.bench_function("request/parse_64_parameters", |b| {
        b.iter(|| Params::parse(black_box(at_limit.as_bytes())).is_ok())
    });
    c.bench_function("scope/parse", |b| {
        b.iter(|| Scope::parse(black_box("profile email read:all write")))
    });
    let scope = Scope::parse("profile email read write").unwrap();
    c.bench_function("scope/check_all_of", |b| {
        b.iter(|| ScopeRequirement::AllOf(&["profile", "email"]).is_satisfied_by(black_box(&scope)))
    });
}

fn live_token(access: &str) -> Token {
    Token {
        access_token_hash: SecretHash::of(access),
        refresh_token_hash: None,
        client_id: "svc".into(),
        user_id: Some("alice".into()),
        scope: Scope::parse("profile").unwrap(),
        grant_type: GrantType::ClientCredentials,
        issued_at: unix_now(),
        expires_in: 3600,
        refresh_token_expires_at: None,
        family: generate_token(16),
        access_token_revoked: false,
        refresh_token_revoked: false,
        audience: Vec::new(),
    }
}

fn validation_on(
    c: &mut Criterion,
    name: &str,
    storage: Arc<dyn Storage>,
    rt: &tokio::runtime::Runtime,
) {
    let access = generate_token(43);
    rt.block_on(storage.save_token(live_token(&access)))
        .unwrap();
    for i in 0..1000 {
        rt.block_on(storage.save_token(live_token(&format!("{i}-{}", generate_token(20)))))
            .unwrap();
    }
    let protector = ResourceProtector::new("api", storage, Arc::new(StorageTokenValidator));
    let header = format!("Bearer {access}");
    let headers = [header.as_str()];
    let request = ResourceRequest {
        authorization: &headers,
        query: None,
    };
    c.bench_function(&format!("validate/{name}"), |b| {
        b.iter(|| {
            rt.block_on(
                protector.validate(black_box(&request), &ScopeRequirement::AllOf(&["profile"])),
            )
            .unwrap()
        })
    });
}

fn validation(c: &mut Criterion) {
    let rt = runtime();
    validation_on(c, "memory", Arc::new(MemoryStore::new()), &rt);
    let dir = std::env::temp_dir().join(format!("oauth-bench-{}", generate_token(8)));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let sqlite = rt
        .block_on(SqliteStore::connect(&url, &DatabaseConfig::default()))
        .unwrap();
    validation_on(c, "sqlite", Arc::new(sqlite), &rt);
    #[cfg(feature = "postgres")]
    if let Ok(url) = std::env::var("OAUTH_TEST_POSTGRES_URL") {
        let pg = rt
            .block_on(oauth_runtime::PostgresStore::connect(
                &url,
                &DatabaseConfig::default(),
            ))
            .unwrap();
        validation_on(c, "postgres", Arc::new(pg), &rt);
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn token_endpoint(c: &mut Criterion) {
    let rt = runtime();
    let store = MemoryStore::new();
    store.add_client(
        Client::with_secret("svc", "svc-secret")
            .with_grant_types([GrantType::ClientCredentials])
            .with_scope("read"),
    );
    let mut server = AuthorizationServer::new(store);
    server.register_grant(ClientCredentialsGrant);
    let request =
        OAuthRequest::post_form(&[("grant_type", "client_credentials"), ("scope", "read")])
            .with_authorization("Basic c3ZjOnN2Yy1zZWNyZXQ=");
    c.bench_function("token_endpoint/client_credentials_memory", |b| {
        b.iter(|| {
            let response = rt.block_on(server.create_token_response(black_box(&request)));
            assert_eq!(response.status, 200);
        })
    });
}

/// One client secret check's bookkeeping: reserve a place, record a success.
fn throttle(c: &mut Criterion) {
    let rt = runtime();
    let throttle = oauth_runtime::Throttle::new(oauth_runtime::ThrottleConfig::default());
    let address = Some(std::net::IpAddr::from([192, 0, 2, 1]));
    c.bench_function("throttle/begin_succeeded", |b| {
        b.iter(|| {
            rt.block_on(async {
                throttle
                    .begin(
                        oauth_runtime::Credential::ClientSecret,
                        black_box("svc"),
                        address,
                    )
                    .await
                    .map(oauth_runtime::Attempt::succeeded)
            })
        })
    });
}

criterion_group!(
    benches,
    throttle,
    token_generation,
    parsing,
    validation,
    token_endpoint
);
criterion_main!(benches);

/// Seconds since the Unix epoch.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
