//! The macros on real routes and structs: `#[require_oauth]`, the derives, `grants!`.

use oauth_runtime::{
    grants, require_oauth, AuthMethod, AuthorizationCode, CodeChallengeMethod, CurrentToken,
    GrantType, MemoryStore, OAuth2, OAuth2AuthorizationCode, OAuth2Client, OAuth2Token,
    ResponseType, Scope, Token,
};
use rocket::data::Data;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client as HttpClient;
use rocket::{delete, get, patch, post, put, route, routes};

use crate::common::*;

#[require_oauth(scope = "profile")]
#[get("/me")]
async fn me(token: CurrentToken) -> String {
    format!("{}|{}", token.user_id().unwrap_or("-"), token.scope())
}

#[require_oauth(scope = "profile email")]
#[get("/both")]
fn both() -> &'static str {
    "both"
}

#[require_oauth(any_of = ["email", "write"])]
#[get("/any")]
fn any() -> &'static str {
    "any"
}

#[require_oauth]
#[get("/any-token")]
fn any_token() -> &'static str {
    "any token"
}

#[require_oauth(optional, scope = "read")]
#[get("/optional")]
fn optional(token: Option<CurrentToken>) -> String {
    token.map_or_else(|| "anonymous".to_owned(), |t| t.client_id)
}

#[require_oauth(scope = "write")]
#[post("/items/<id>", data = "<body>")]
async fn post_item(id: u32, body: Data<'_>, token: CurrentToken) -> String {
    let body = body
        .open(rocket::data::ToByteUnit::bytes(64))
        .into_string()
        .await
        .map(|s| s.into_inner())
        .unwrap_or_default();
    format!("{id}:{body}:{}", token.client_id)
}

#[require_oauth(scope = "write")]
#[put("/items/<id>")]
fn put_item(id: u32) -> String {
    format!("put {id}")
}

#[require_oauth(scope = "write")]
#[delete("/items/<id>")]
fn delete_item(id: u32) -> String {
    format!("delete {id}")
}

#[require_oauth(scope = "write")]
#[patch("/items/<id>")]
fn patch_item(id: u32) -> String {
    format!("patch {id}")
}

#[require_oauth(scope = "read")]
#[route(GET, uri = "/routed?<q>")]
fn routed(q: Option<&str>) -> String {
    format!("routed {}", q.unwrap_or(""))
}

async fn client() -> HttpClient {
    let fairing = OAuth2::new(store()).grants(grants![
        AuthorizationCode(require_pkce = false),
        Implicit,
        Password,
        ClientCredentials,
        RefreshToken,
        MagicGrant,
    ]);
    let rocket = app(fairing).mount(
        "/m",
        routes![
            me,
            both,
            any,
            any_token,
            optional,
            post_item,
            put_item,
            delete_item,
            patch_item,
            routed
        ],
    );
    HttpClient::tracked(rocket).await.expect("valid rocket")
}

#[rocket::async_test]
async fn require_oauth_scope_gives_401_403_200() {
    let client = client().await;
    assert_eq!(
        api(&client, "/m/me", None).await.0.status,
        Status::Unauthorized
    );
    let read = svc_access(&client, "read").await;
    let (answer, _) = api(&client, "/m/me", Some(&read)).await;
    assert_eq!(answer.status, Status::Forbidden);
    assert!(answer
        .header("WWW-Authenticate")
        .unwrap()
        .contains("scope=\"profile\""));
    let tokens = web_tokens(&client, "profile").await;
    let (answer, body) = api(&client, "/m/me", Some(tokens.str("access_token"))).await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(body, "alice|profile");
}

#[rocket::async_test]
async fn space_separated_scope_requires_all() {
    let client = client().await;
    let one = web_tokens(&client, "profile").await;
    assert_eq!(
        api(&client, "/m/both", Some(one.str("access_token")))
            .await
            .0
            .status,
        Status::Forbidden
    );
    let two = web_tokens(&client, "profile email").await;
    assert_eq!(
        api(&client, "/m/both", Some(two.str("access_token")))
            .await
            .0
            .status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn any_of_requires_one() {
    let client = client().await;
    assert_eq!(
        api(&client, "/m/any", Some(&svc_access(&client, "write").await))
            .await
            .0
            .status,
        Status::Ok
    );
    assert_eq!(
        api(&client, "/m/any", Some(&svc_access(&client, "read").await))
            .await
            .0
            .status,
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn no_arguments_requires_any_valid_token_even_unused() {
    let client = client().await;
    assert_eq!(
        api(&client, "/m/any-token", None).await.0.status,
        Status::Unauthorized
    );
    assert_eq!(
        api(&client, "/m/any-token", Some("bogus")).await.0.status,
        Status::Unauthorized
    );
    let (answer, body) = api(
        &client,
        "/m/any-token",
        Some(&svc_access(&client, "read").await),
    )
    .await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(body, "any token");
}

#[rocket::async_test]
async fn optional_runs_without_a_token_but_refuses_a_bad_one() {
    let client = client().await;
    let (answer, body) = api(&client, "/m/optional", None).await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(body, "anonymous");
    let (answer, body) = api(
        &client,
        "/m/optional",
        Some(&svc_access(&client, "read").await),
    )
    .await;
    assert_eq!((answer.status, body.as_str()), (Status::Ok, "svc"));
    assert_eq!(
        api(&client, "/m/optional", Some("bogus")).await.0.status,
        Status::Unauthorized
    );
    assert_eq!(
        api(
            &client,
            "/m/optional",
            Some(&svc_access(&client, "write").await)
        )
        .await
        .0
        .status,
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn works_with_every_method_data_and_other_guards() {
    let client = client().await;
    let write = svc_access(&client, "write").await;
    let response = client
        .post("/m/items/7")
        .header(bearer(&write))
        .header(ContentType::Plain)
        .body("hello")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.unwrap(), "7:hello:svc");
    for (method, expected) in [
        ("put", "put 7"),
        ("delete", "delete 7"),
        ("patch", "patch 7"),
    ] {
        let request = match method {
            "put" => client.put("/m/items/7"),
            "delete" => client.delete("/m/items/7"),
            _ => client.patch("/m/items/7"),
        };
        let response = request.header(bearer(&write)).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{method}");
        assert_eq!(response.into_string().await.unwrap(), expected);
        let request = match method {
            "put" => client.put("/m/items/7"),
            "delete" => client.delete("/m/items/7"),
            _ => client.patch("/m/items/7"),
        };
        assert_eq!(
            request.dispatch().await.status(),
            Status::Unauthorized,
            "{method}"
        );
    }
    let response = client.post("/m/items/7").body("x").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    let read = svc_access(&client, "read").await;
    let response = client
        .get("/m/routed?q=z")
        .header(bearer(&read))
        .dispatch()
        .await;
    assert_eq!(response.into_string().await.unwrap(), "routed z");
}

#[rocket::async_test]
async fn grants_macro_declares_every_grant() {
    let client = client().await;
    // Confidential clients need no PKCE under require_pkce = false; the extension grant works.
    let answer = post(
        &client,
        "/oauth/token",
        &[("grant_type", EXT_GRANT), ("magic_word", "please")],
        Some(basic("ext", EXT_SECRET)),
    )
    .await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(answer.str("scope"), "profile");
    assert!(answer.json.get("refresh_token").is_none());
    let answer = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", ALICE_PW),
            ("scope", "email"),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(answer.str("scope"), "email");
    // RefreshToken is declared too: the password grant's token comes with a refresh token.
    assert!(!answer.str("refresh_token").is_empty());
}

#[rocket::async_test]
async fn grants_macro_options_reach_the_grant() {
    let fairing = OAuth2::new(store()).grants(grants![AuthorizationCode(require_pkce = true)]);
    let client = client_with(fairing).await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "code"),
            ("client_id", "web"),
            ("redirect_uri", WEB_CB),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
}

/// A client model as a database row might hold it: text columns.
#[derive(OAuth2Client)]
struct DbClient {
    #[oauth(client_id)]
    id: String,
    #[oauth(secret_hash)]
    secret: Option<String>,
    redirect_uris: String,
    #[oauth(grant_types)]
    grants: Vec<String>,
    response_types: Option<String>,
    scope: String,
    #[oauth(token_endpoint_auth_method)]
    method: String,
    #[oauth(client_name)]
    name: String,
    #[allow(dead_code)]
    created_at: i64,
}

fn db_client() -> DbClient {
    DbClient {
        id: "db".into(),
        secret: Some(oauth_runtime::secret::SecretHash::of("db-secret").to_hex()),
        redirect_uris: r#"["https://db.example/cb"]"#.into(),
        grants: vec!["client_credentials".into(), "authorization_code".into()],
        response_types: Some("code".into()),
        scope: "read write".into(),
        method: "client_secret_post".into(),
        name: "Database App".into(),
        created_at: 0,
    }
}

#[test]
fn derived_client_answers_from_its_columns() {
    let c = db_client();
    assert_eq!(c.client_id(), "db");
    assert!(c.check_client_secret("db-secret"));
    assert!(!c.check_client_secret("nope"));
    assert_eq!(c.redirect_uris(), ["https://db.example/cb"]);
    assert!(c.check_redirect_uri("https://db.example/cb"));
    assert_eq!(c.scope().to_string(), "read write");
    assert_eq!(c.token_endpoint_auth_method(), AuthMethod::ClientSecretPost);
    assert!(c.check_grant_type(&GrantType::ClientCredentials));
    assert!(!c.check_grant_type(&GrantType::Password));
    assert!(c.check_response_type(ResponseType::Code));
    assert!(!c.check_response_type(ResponseType::Token));
    assert_eq!(c.client_name(), Some("Database App"));
    assert!(!c.is_public());
}

/// Only `client_id`: RFC 7591 defaults for the rest.
#[derive(OAuth2Client)]
struct MinimalClient {
    client_id: String,
}

#[test]
fn minimal_client_gets_rfc7591_defaults() {
    let c = MinimalClient {
        client_id: "m".into(),
    };
    assert!(c.is_public());
    assert!(c.check_grant_type(&GrantType::AuthorizationCode));
    assert!(!c.check_grant_type(&GrantType::RefreshToken));
    assert!(c.check_response_type(ResponseType::Code));
    assert!(c.scope().is_empty());
    assert!(!c.check_client_secret(""));
}

#[rocket::async_test]
async fn derived_client_works_in_the_server() {
    let store = MemoryStore::new();
    store.add_client(db_client());
    let client = client_with(OAuth2::new(store).grants(grants![ClientCredentials])).await;
    let answer = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "db"),
            ("client_secret", "db-secret"),
            ("scope", "read"),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    assert_eq!(answer.str("scope"), "read");
    // The derive mapped `method` to client_secret_post: Basic is refused, and so is a scope
    // beyond the mapped `scope` column.
    let basic_auth = post(
        &client,
        "/oauth/token",
        &[("grant_type", "client_credentials"), ("scope", "read")],
        Some(basic("db", "db-secret")),
    )
    .await;
    assert_eq!(basic_auth.error(), "invalid_client");
    let beyond = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "db"),
            ("client_secret", "db-secret"),
            ("scope", "admin"),
        ],
        None,
    )
    .await;
    assert_eq!(beyond.error(), "invalid_scope");
}

#[derive(OAuth2Token, Debug, PartialEq)]
struct TokenRow {
    #[oauth(skip)]
    id: i64,
    access_token_hash: String,
    refresh_token_hash: Option<Vec<u8>>,
    client_id: String,
    user_id: Option<String>,
    scope: String,
    grant_type: String,
    issued_at: i64,
    #[oauth(expires_in)]
    lifetime: u64,
    refresh_token_expires_at: Option<i64>,
    family: String,
    access_token_revoked: bool,
    #[oauth(refresh_token_revoked)]
    refresh_revoked: i64,
}

#[test]
fn derived_token_round_trips_the_record() {
    let token = Token {
        access_token_hash: oauth_runtime::secret::SecretHash::of("a"),
        refresh_token_hash: Some(oauth_runtime::secret::SecretHash::of("r")),
        client_id: "web".into(),
        user_id: Some("alice".into()),
        scope: Scope::parse("profile email").unwrap(),
        grant_type: GrantType::AuthorizationCode,
        issued_at: 1_700_000_000,
        expires_in: 3600,
        refresh_token_expires_at: Some(1_800_000_000),
        family: "fam".into(),
        access_token_revoked: false,
        refresh_token_revoked: true,
        audience: Vec::new(),
    };
    let row = TokenRow::from_token(&token);
    assert_eq!(row.id, 0);
    assert_eq!(row.refresh_revoked, 1);
    assert_eq!(row.scope, "email profile");
    assert_eq!(row.to_token().unwrap(), token);
    let broken = TokenRow {
        access_token_hash: "zz".into(),
        ..row
    };
    assert!(broken.to_token().is_err());
}

#[derive(OAuth2AuthorizationCode)]
struct CodeRow {
    code_hash: [u8; 32],
    client_id: String,
    redirect_uri: Option<String>,
    scope: String,
    user_id: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    issued_at: u64,
    expires_at: u64,
}

#[test]
fn derived_code_round_trips_the_record() {
    let code = AuthorizationCode {
        code_hash: oauth_runtime::secret::SecretHash::of("c"),
        client_id: "web".into(),
        redirect_uri: None,
        scope: Scope::parse("profile").unwrap(),
        user_id: "alice".into(),
        code_challenge: Some(CHALLENGE.into()),
        code_challenge_method: Some(CodeChallengeMethod::S256),
        issued_at: 10,
        expires_at: 20,
        nonce: None,
        auth_time: None,
        audience: Vec::new(),
    };
    let row = CodeRow::from_code(&code);
    assert_eq!(row.code_challenge_method.as_deref(), Some("S256"));
    assert_eq!(row.to_code().unwrap(), code);
    let broken = CodeRow {
        code_challenge_method: Some("S512".into()),
        ..row
    };
    assert!(broken.to_code().is_err());
}
