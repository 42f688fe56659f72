//! The test provider: a Rocket app with every grant, a memory store, and protected routes.

use base64::Engine as _;
use oauth_runtime::{
    async_trait, AuthMethod, AuthorizationCodeGrant, AuthorizationServer, Authorized, Client,
    ClientCredentialsGrant, Config, CurrentToken, Grant, GrantType, ImplicitGrant, MemoryStore,
    NewToken, OAuth2, OAuth2Client, OAuthError, OAuthRequest, OAuthResponse, PasswordGrant,
    RefreshTokenGrant, RequiredScope, ResponseType, ScopeRequirement, TokenResponse,
};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client as HttpClient, LocalResponse};
use rocket::{get, post, routes, Build, Rocket, State};
use serde_json::Value;
use std::sync::Arc;

pub const WEB_SECRET: &str = "web-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const SVC_SECRET: &str = "svc-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const EXT_SECRET: &str = "ext-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const RS_SECRET: &str = "rs-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const WEB_CB: &str = "https://web.example/cb";
pub const SPA_CB: &str = "http://127.0.0.1:9000/cb";
pub const ALICE_PW: &str = "wonderland-pass";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const EXT_GRANT: &str = "urn:example:params:oauth:grant-type:magic";

/// An extension grant (RFC 6749 §4.5): trades a `magic_word` for a token for the resource owner
/// it names.
pub struct MagicGrant;

#[async_trait]
impl Grant for MagicGrant {
    fn grant_type(&self) -> Option<GrantType> {
        Some(GrantType::Extension(EXT_GRANT.to_owned()))
    }

    async fn create_token_response(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        client: &Arc<dyn OAuth2Client>,
    ) -> Result<TokenResponse, OAuthError> {
        if request.param("magic_word") != Some("please") {
            return Err(OAuthError::invalid_grant("say the magic word"));
        }
        let (token, _) = server
            .issue_token(
                client.as_ref(),
                NewToken::new(GrantType::Extension(EXT_GRANT.to_owned()), client.scope())
                    .for_user("alice"),
            )
            .await?;
        Ok(token)
    }
}

/// The test clients.
pub fn clients() -> Vec<Client> {
    vec![
        Client::with_secret("web", WEB_SECRET)
            .with_redirect_uris([WEB_CB])
            .with_grant_types([
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::Password,
            ])
            .with_response_types([ResponseType::Code])
            .with_scope("profile email")
            .with_name("Web App"),
        Client::public("spa")
            .with_redirect_uris([SPA_CB])
            .with_grant_types([GrantType::AuthorizationCode, GrantType::RefreshToken])
            .with_response_types([ResponseType::Code, ResponseType::Token])
            .with_scope("profile email"),
        Client::with_secret("svc", SVC_SECRET)
            .with_auth_method(AuthMethod::ClientSecretPost)
            .with_grant_types([GrantType::ClientCredentials])
            .with_scope("read write"),
        Client::with_secret("multi", WEB_SECRET)
            .with_redirect_uris(["https://multi.example/a", "https://multi.example/b"])
            .with_grant_types([GrantType::AuthorizationCode])
            .with_response_types([ResponseType::Code])
            .with_scope("profile"),
        Client::with_secret("ext", EXT_SECRET)
            .with_grant_types([GrantType::Extension(EXT_GRANT.to_owned())])
            .with_scope("profile"),
        // A resource server: authenticates only to introspect.
        Client::with_secret("rs", RS_SECRET)
            .with_grant_types([])
            .with_response_types([])
            .as_resource_server(),
    ]
}

pub fn store() -> MemoryStore {
    let store = MemoryStore::new();
    for client in clients() {
        store.add_client(client);
    }
    store.add_user("alice", ALICE_PW);
    store
}

pub struct Profile;
impl RequiredScope for Profile {
    const REQUIRED: ScopeRequirement<'static> = ScopeRequirement::AllOf(&["profile"]);
}

pub struct ProfileAndEmail;
impl RequiredScope for ProfileAndEmail {
    const REQUIRED: ScopeRequirement<'static> = ScopeRequirement::AllOf(&["profile", "email"]);
}

pub struct EmailOrWrite;
impl RequiredScope for EmailOrWrite {
    const REQUIRED: ScopeRequirement<'static> = ScopeRequirement::AnyOf(&["email", "write"]);
}

#[get("/me")]
fn me(token: Authorized<Profile>) -> String {
    format!(
        "{}|{}|{}",
        token.user_id().unwrap_or("-"),
        token.client_id(),
        token.scope()
    )
}

#[get("/both")]
fn both(_token: Authorized<ProfileAndEmail>) -> &'static str {
    "both"
}

#[get("/any")]
fn any(_token: Authorized<EmailOrWrite>) -> &'static str {
    "any"
}

#[get("/token")]
fn token_info(token: CurrentToken) -> String {
    token.client_id
}

/// The token borrowed from the request (`&CurrentToken`), with the guard's `Authorized`.
#[get("/borrowed")]
fn borrowed(authorized: Authorized<Profile>, token: &CurrentToken) -> String {
    format!("{}|{}", token.client_id(), authorized.client_id())
}

#[get("/optional")]
fn optional(token: Option<CurrentToken>) -> String {
    token.map_or_else(|| "anonymous".to_owned(), |t| t.client_id)
}

/// The consent page data: what `validate_authorization_request` returns.
#[get("/authorize")]
async fn authorize(
    server: &State<AuthorizationServer>,
    request: OAuthRequest,
) -> Result<String, Result<OAuthResponse, OAuthError>> {
    match server.validate_authorization_request(&request).await {
        Ok(auth) => Ok(serde_json::json!({
            "client_id": auth.client.client_id(),
            "redirect_uri": auth.redirect_uri,
            "scope": auth.scope.to_string(),
            "state": auth.state,
        })
        .to_string()),
        Err(error) if error.target() == &oauth_runtime::ErrorTarget::Direct => Err(Err(error)),
        Err(error) => Err(Ok(error.to_response())),
    }
}

/// The consent form post: `decision=allow` grants as alice; anything else denies.
#[post("/authorize", data = "<request>")]
async fn approve(
    server: &State<AuthorizationServer>,
    request: OAuthRequest,
) -> Result<OAuthResponse, OAuthError> {
    // Signs alice in through the store, so her id is whatever the store gave her.
    let user = match request.param("decision") {
        Some("allow") => server
            .storage()
            .authenticate_user("alice", ALICE_PW)
            .await
            .map_err(OAuthError::temporarily_unavailable)?,
        _ => None,
    };
    server
        .create_authorization_response(&request, user.as_ref())
        .await
}

pub fn oauth2(store: MemoryStore) -> OAuth2 {
    OAuth2::new(store)
        .grant(AuthorizationCodeGrant::new())
        .grant(ImplicitGrant)
        .grant(PasswordGrant::new())
        .grant(ClientCredentialsGrant)
        .grant(RefreshTokenGrant::new())
        .grant(MagicGrant)
}

pub fn app(fairing: OAuth2) -> Rocket<Build> {
    app_on(rocket::build(), fairing.config(Config::default()))
}

/// The test routes on a given Rocket (e.g. one with a custom figment), fairing as given.
pub fn app_on(rocket: Rocket<Build>, fairing: OAuth2) -> Rocket<Build> {
    rocket
        .attach(fairing)
        .mount("/oauth", oauth_runtime::oauth_routes())
        .mount("/oauth", routes![authorize, approve])
        .mount(
            "/api",
            routes![me, both, any, token_info, borrowed, optional],
        )
}

pub async fn client() -> HttpClient {
    client_with(oauth2(store())).await
}

pub async fn client_with(fairing: OAuth2) -> HttpClient {
    HttpClient::tracked(app(fairing))
        .await
        .expect("valid rocket")
}

pub fn basic(id: &str, secret: &str) -> Header<'static> {
    let raw = format!("{id}:{secret}");
    Header::new(
        "Authorization",
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ),
    )
}

pub fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

pub fn form(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A parsed response: status, JSON body (Null if none or not JSON), and headers.
pub struct Answer {
    pub status: Status,
    pub json: Value,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub async fn of(response: LocalResponse<'_>) -> Answer {
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        let body = response.into_string().await.unwrap_or_default();
        let json = serde_json::from_str(&body).unwrap_or(Value::Null);
        Answer {
            status,
            json,
            headers,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }

    pub fn str(&self, key: &str) -> &str {
        self.json[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", self.json))
    }

    /// The parameters of a redirect `Location` (query or fragment).
    pub fn location_params(&self) -> Vec<(String, String)> {
        let location = self.header("Location").expect("a redirect");
        let start = location.find(['?', '#']).map_or(location.len(), |i| i + 1);
        location[start..]
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), dec(v))
            })
            .collect()
    }

    pub fn location_param(&self, name: &str) -> Option<String> {
        self.location_params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

pub fn dec(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// POSTs a form to a path, with optional extra header.
pub async fn post(
    client: &HttpClient,
    path: &str,
    params: &[(&str, &str)],
    header: Option<Header<'static>>,
) -> Answer {
    let mut request = client
        .post(path.to_owned())
        .header(ContentType::Form)
        .body(form(params));
    if let Some(header) = header {
        request = request.header(header);
    }
    Answer::of(request.dispatch().await).await
}

/// A token request authenticated as `web` with Basic.
pub async fn web_token(client: &HttpClient, params: &[(&str, &str)]) -> Answer {
    post(
        client,
        "/oauth/token",
        params,
        Some(basic("web", WEB_SECRET)),
    )
    .await
}

/// Runs the authorization step for `web` with PKCE and returns the code.
pub async fn web_code(client: &HttpClient, scope: &str) -> String {
    let answer = post(
        client,
        "/oauth/authorize",
        &[
            ("response_type", "code"),
            ("client_id", "web"),
            ("redirect_uri", WEB_CB),
            ("scope", scope),
            ("state", "xyz"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::Found, "{:?}", answer.headers);
    answer.location_param("code").expect("a code")
}

/// A full code flow for `web`: returns the token response.
pub async fn web_tokens(client: &HttpClient, scope: &str) -> Answer {
    let code = web_code(client, scope).await;
    let answer = web_token(
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    answer
}

/// A code flow with PKCE as alice: authorizes with `authorize` (PKCE and `decision=allow`
/// added), then exchanges the code with `exchange` (code, verifier and `redirect_uri` added),
/// authenticated by `auth` if given.
pub async fn pkce_code_flow(
    client: &HttpClient,
    redirect_uri: &str,
    authorize: &[(&str, &str)],
    exchange: &[(&str, &str)],
    auth: Option<Header<'static>>,
) -> Answer {
    let mut params = vec![
        ("response_type", "code"),
        ("redirect_uri", redirect_uri),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("decision", "allow"),
    ];
    params.extend_from_slice(authorize);
    let answer = post(client, "/oauth/authorize", &params, None).await;
    let code = answer.location_param("code").expect("a code");
    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", VERIFIER),
    ];
    params.extend_from_slice(exchange);
    post(client, "/oauth/token", &params, auth).await
}

/// GETs a protected API path with a bearer token.
pub async fn api(client: &HttpClient, path: &str, token: Option<&str>) -> (Answer, String) {
    let mut request = client.get(path.to_owned());
    if let Some(token) = token {
        request = request.header(bearer(token));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect();
    let body = response.into_string().await.unwrap_or_default();
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    (
        Answer {
            status,
            json,
            headers,
        },
        body,
    )
}

/// Whether launching `rocket` fails (the launch error is inspected, so it does not panic).
pub async fn launch_fails(rocket: Rocket<Build>) -> bool {
    match HttpClient::tracked(rocket).await {
        Ok(_) => false,
        Err(error) => {
            let _ = error.kind();
            true
        }
    }
}

/// A token request of the `svc` client (client_credentials, secret in the body), with extra
/// parameters.
pub async fn svc_token(client: &HttpClient, extra: &[(&str, &str)]) -> Answer {
    let mut params = vec![
        ("grant_type", "client_credentials"),
        ("client_id", "svc"),
        ("client_secret", SVC_SECRET),
    ];
    params.extend_from_slice(extra);
    post(client, "/oauth/token", &params, None).await
}

/// An access token of the `svc` client with `scope`.
pub async fn svc_access(client: &HttpClient, scope: &str) -> String {
    svc_token(client, &[("scope", scope)])
        .await
        .str("access_token")
        .to_owned()
}

/// The server's JWK Set, as a relying party or resource server fetches it.
pub async fn jwks(client: &HttpClient) -> jsonwebtoken::jwk::JwkSet {
    let body = client
        .get("/oauth/jwks")
        .dispatch()
        .await
        .into_string()
        .await;
    serde_json::from_str(&body.unwrap()).unwrap()
}
