//! # oauth-runtime
//!
//! An OAuth 2.0 authorization server and resource protection for [Rocket](https://rocket.rs):
//! what Authlib is to Flask. It issues tokens for the five RFC 6749 grants and extension
//! grants, with PKCE (RFC 7636), revocation (RFC 7009) and introspection (RFC 7662), and
//! guards routes with bearer tokens (RFC 6750). The defaults follow the OAuth 2.0 Security
//! BCP (RFC 9700).
//!
//! ```no_run
//! use oauth_runtime::{
//!     AuthorizationCodeGrant, Authorized, Client, ClientCredentialsGrant, GrantType,
//!     MemoryStore, OAuth2, RefreshTokenGrant, RequiredScope, ScopeRequirement,
//! };
//!
//! struct Profile;
//! impl RequiredScope for Profile {
//!     const REQUIRED: ScopeRequirement<'static> = ScopeRequirement::AllOf(&["profile"]);
//! }
//!
//! #[rocket::get("/me")]
//! fn me(token: Authorized<Profile>) -> String {
//!     format!("hello {}", token.user_id().unwrap_or("service"))
//! }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     let store = MemoryStore::new();
//!     store.add_client(
//!         Client::with_secret("svc", "a-long-random-secret")
//!             .with_grant_types([GrantType::ClientCredentials])
//!             .with_scope("profile"),
//!     );
//!     rocket::build()
//!         .attach(
//!             OAuth2::new(store)
//!                 .grant(AuthorizationCodeGrant::new())
//!                 .grant(RefreshTokenGrant::new())
//!                 .grant(ClientCredentialsGrant),
//!         )
//!         .mount("/oauth", oauth_runtime::oauth_routes())
//!         .mount("/api", rocket::routes![me])
//! }
//! ```
//!
//! To build a provider of your own, follow the guide (`docs/guide.md` in the repository): from
//! `cargo new` to a protected API on your own tables, with sign-in and consent
//! ([`AuthorizationPrompt`], [`AuthorizationDecision`]), your own token rules
//! ([`OAuth2::access_token_generator`], [`OAuth2::expires_in`], [`BearerTokenValidator`]) and
//! hooks ([`TokenHooks`]).
//!
//! The core (everything outside [`rocket`](mod@crate::rocket)) does not depend on Rocket's
//! request types: [`AuthorizationServer`] takes an [`OAuthRequest`] and answers an
//! [`OAuthResponse`].

#![deny(unreachable_pub, missing_docs, rustdoc::broken_intra_doc_links)]
#![forbid(unsafe_code)]

// The crate's own derives name `::oauth_runtime`, also from inside it.
extern crate self as oauth_runtime;

mod claims;
mod claims_hook;
pub mod client_address;
mod client_auth;
#[cfg(feature = "client-metadata-documents")]
mod client_metadata;
pub mod config;
mod end_session;
pub mod endpoints;
pub mod error;
#[doc(hidden)]
pub mod field_types;
pub mod grants;
mod hooks;
mod id_token;
mod jws;
mod jwt_access_token;
pub mod keys;
pub mod model;
pub mod password;
pub mod pkce;
mod protected_resource;
mod rate_limit;
mod redirect;
pub mod registration;
#[cfg(feature = "resource-server")]
mod remote;
pub mod request;
pub mod resource;
mod resource_indicator;
pub mod response;
pub mod rocket;
pub mod scope;
pub mod secret;
mod server;
pub mod store;
mod subject;
pub mod throttle;
pub mod token;

pub use crate::claims_hook::{ClaimsHook, ClaimsTarget};
pub use crate::config::{
    AccessTokenFormat, ClientMetadataDocumentsConfig, Config, ConfigError, DatabaseConfig,
    OpenIdConfig, PasswordHashingConfig, RegistrationConfig, SigningConfig, SubjectType,
    TokenLocation,
};
pub use crate::end_session::EndSession;
pub use crate::endpoints::{EndpointUrls, RegistrationRequest, ServerMetadata};
pub use crate::error::{ErrorCode, ErrorTarget, OAuthError};
pub use crate::grants::{
    AuthorizationCodeGrant, AuthorizationCodeHooks, AuthorizationRequest, ClientCredentialsGrant,
    Grant, ImplicitGrant, OpenIdHybridGrant, OpenIdImplicitGrant, PasswordGrant, PasswordHooks,
    RefreshTokenGrant, RefreshTokenHooks, StorageHooks,
};
pub use crate::hooks::TokenHooks;
pub use crate::model::{
    AuthMethod, AuthorizationCode, Client, CodeChallengeMethod, Endpoint, GrantType,
    OAuth2AuthorizationCode, OAuth2Client, OAuth2Token, OAuth2User, ResourceOwner, ResponseType,
    Token, UnknownValue,
};
pub use crate::registration::{ClientMetadata, Registration, RegistrationError};
#[cfg(feature = "resource-server")]
pub use crate::remote::config::ResourceServerConfig;
pub use crate::request::{ClientCredentials, Method, OAuthRequest, Params};
pub use crate::resource::{
    BearerError, BearerErrorKind, BearerTokenValidator, CurrentToken, ResourceProtector,
    ResourceRequest, ScopeRequirement, StorageTokenValidator,
};
pub use crate::response::{OAuthResponse, ResponseMode};
#[cfg(feature = "resource-server")]
pub use crate::rocket::ResourceServer;
pub use crate::rocket::{
    oauth_routes, AuthorizationDecision, AuthorizationPrompt, Authorized, ClientAddress, CsrfToken,
    EndSessionRequest, OAuth2, OptionalAuthorized, RequiredScope, SignedInUser,
};
pub use crate::scope::Scope;
pub use crate::server::AuthorizationServer;
#[cfg(feature = "postgres")]
pub use crate::store::sql::PostgresStore;
#[cfg(feature = "sqlite")]
pub use crate::store::sql::SqliteStore;
pub use crate::store::{
    CachingStore, CodeRedemption, MemoryStore, Rotation, Storage, StorageError, StorageResult,
};
pub use crate::throttle::{Attempt, Credential, Throttle, ThrottleConfig};
pub use crate::token::{
    ExpiresFn, ExpiresIn, NewToken, TokenContext, TokenGenerator, TokenResponse,
};

/// Re-exported so that implementations of [`Storage`], [`Grant`] and the hook traits can use
/// `#[oauth_runtime::async_trait]` without another dependency.
pub use async_trait::async_trait;

/// Re-exported: the SQL stores' pools are sqlx pools, and an application's own queries (on
/// `store.pool()`) use this sqlx, so its version never has to be guessed.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sqlx;

/// Re-exported: [`TokenResponse::insert_field`] takes its `Value`, and the model derives name
/// it, so an app never has to match this crate's version.
pub use serde_json;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// Protects a Rocket route with a bearer token: place it **above** the route attribute.
///
/// Arguments (all optional):
/// - `scope = "profile email"`: every listed scope is required;
/// - `any_of = ["email", "admin write"]`: one entry is required (each entry all-of);
/// - `optional`: a request without a token runs the route (take `Option<CurrentToken>` to see
///   it); a bad token or a missing scope is still refused (Authlib's `optional=True`).
///
/// No token → 401 with `WWW-Authenticate: Bearer realm="…"`; a bad, expired or revoked token
/// → 401 `invalid_token`; a missing scope → 403 `insufficient_scope`. The route may take a
/// [`CurrentToken`] to learn the user, client and scope; the check runs either way. Scope
/// literals are checked against RFC 6749 §3.3 at compile time.
///
/// ```no_run
/// use oauth_runtime::{require_oauth, CurrentToken, MemoryStore, OAuth2};
/// use rocket::{get, routes};
///
/// #[require_oauth(scope = "profile")]
/// #[get("/me")]
/// fn me(token: CurrentToken) -> String {
///     token.user_id().unwrap_or("service").to_owned()
/// }
///
/// #[require_oauth(any_of = ["admin", "support read"])]
/// #[get("/tickets")]
/// async fn tickets() -> &'static str {
///     "[]"
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build()
///         .attach(OAuth2::new(MemoryStore::new()))
///         .mount("/api", routes![me, tickets])
/// }
/// ```
pub use oauth_macros::require_oauth;

/// Declares the grants a server supports, for [`OAuth2::grants`].
///
/// Standard grants by name — `AuthorizationCode`, `Implicit`, `Password`,
/// `ClientCredentials`, `RefreshToken` — with options in parentheses:
/// `AuthorizationCode(require_pkce = true, allow_plain_pkce = false, hooks = MyHooks)`,
/// `Password(hooks = …)`, `RefreshToken(hooks = …)`. Any other expression is a user-defined
/// grant (its value must implement [`Grant`]). Unknown options and grants declared twice are
/// compile errors.
///
/// ```
/// use oauth_runtime::{grants, MemoryStore, OAuth2};
///
/// # struct MyExtensionGrant;
/// # impl oauth_runtime::Grant for MyExtensionGrant {}
/// let fairing = OAuth2::new(MemoryStore::new()).grants(grants![
///     AuthorizationCode(require_pkce = true),
///     RefreshToken,
///     ClientCredentials,
///     MyExtensionGrant,
/// ]);
/// ```
pub use oauth_macros::grants;

/// Derives [`OAuth2Client`](trait@OAuth2Client) for a client model.
///
/// A field maps to a key by `#[oauth(key)]` or by having the key's name: `client_id`
/// (required; `String`), `secret_hash` (hex SHA-256 of the secret; `String` or
/// `Option<String>`; none = public client), `redirect_uris`, `grant_types`,
/// `response_types` (`Vec<String>`, or `String`/`Option<String>` holding a JSON array or
/// space-separated values), `scope`, `token_endpoint_auth_method`, `client_name` (`String` or
/// `Option<String>`). Unmapped keys take RFC 7591 defaults (`["authorization_code"]`,
/// `["code"]`, `client_secret_basic` when a secret is stored, else `none`). Other fields are
/// ignored.
///
/// ```
/// use oauth_runtime::{OAuth2Client, GrantType};
///
/// #[derive(OAuth2Client)]
/// struct ClientRow {
///     #[oauth(client_id)]
///     id: String,
///     #[oauth(secret_hash)]
///     secret: Option<String>,
///     redirect_uris: String,
///     grant_types: Vec<String>,
///     scope: String,
///     created_at: i64,
/// }
///
/// let row = ClientRow {
///     id: "app".into(),
///     secret: None,
///     redirect_uris: "https://app.example/cb".into(),
///     grant_types: vec!["authorization_code".into(), "refresh_token".into()],
///     scope: "profile".into(),
///     created_at: 0,
/// };
/// assert!(row.is_public());
/// assert!(row.check_grant_type(&GrantType::RefreshToken));
/// assert!(row.check_redirect_uri("https://app.example/cb"));
/// ```
///
/// # Your own table
///
/// `#[oauth(table = "…")]` on the struct lets the SQL stores read clients from that table
/// (`with_clients`); a column is the field's name unless `#[oauth(column = "…")]` names it.
/// Table and column names must be plain SQL identifiers. Unmapped fields are not read
/// (they take `Default`).
///
/// ```no_run
/// use oauth_runtime::{DatabaseConfig, OAuth2, OAuth2Client, SqliteStore};
///
/// #[derive(OAuth2Client)]
/// #[oauth(table = "apps")]
/// struct App {
///     #[oauth(client_id)]
///     id: String,
///     #[oauth(secret_hash, column = "secret_digest")]
///     secret: Option<String>,
///     #[oauth(redirect_uris)]
///     callbacks: String,
///     scope: String,
///     owner_email: String,
/// }
///
/// #[rocket::launch]
/// async fn rocket() -> _ {
///     let store = SqliteStore::connect("sqlite://app.db", &DatabaseConfig::default())
///         .await
///         .expect("database")
///         .with_clients::<App>();
///     rocket::build().attach(OAuth2::new(store))
/// }
/// ```
pub use oauth_macros::OAuth2Client;

/// Derives [`OAuth2Token`](trait@OAuth2Token): converts a token row to and from [`Token`].
///
/// Every [`Token`] field must be held by a field of the same name or one marked
/// `#[oauth(name)]`: digests as `String` (hex), `Vec<u8>` or `[u8; 32]`; times as `i64` or
/// `u64`; flags as `bool`, `i64` or `i32`; scope and grant type as `String`. Other fields (mark a
/// same-named one `#[oauth(skip)]`) are filled with `Default` when converting from a record.
///
/// With `#[oauth(table = "…")]` (and `#[oauth(column = "…")]` where a column is named
/// otherwise) the SQL stores keep tokens in that table (`with_tokens`): every statement is
/// generated from the names at compile time, and values are bound in each field's type. In a
/// table, a digest is `Vec<u8>` or hex `String` (SQLite stores no `[u8; 32]`).
///
/// ```
/// use oauth_runtime::{OAuth2Token, Token};
///
/// #[derive(OAuth2Token)]
/// struct TokenRow {
///     id: i64,
///     access_token_hash: String,
///     refresh_token_hash: Option<String>,
///     client_id: String,
///     user_id: Option<String>,
///     scope: String,
///     grant_type: String,
///     issued_at: i64,
///     expires_in: i64,
///     refresh_token_expires_at: Option<i64>,
///     family: String,
///     access_token_revoked: bool,
///     refresh_token_revoked: bool,
/// }
/// # let _ = |t: &Token| TokenRow::from_token(t).to_token();
/// ```
pub use oauth_macros::OAuth2Token;

/// Derives [`OAuth2AuthorizationCode`](trait@OAuth2AuthorizationCode): converts a code row to
/// and from [`AuthorizationCode`], field by field as [`OAuth2Token`](macro@OAuth2Token) does.
///
/// With `#[oauth(table = "…")]` the SQL stores keep codes in that table (`with_codes`); the
/// table then needs a `used` flag (`bool`, `i64` or `i32`, by name or `#[oauth(used)]`), set by the
/// single statement that redeems a code, so that a replay is recognised.
///
/// ```
/// use oauth_runtime::{AuthorizationCode, OAuth2AuthorizationCode};
///
/// #[derive(OAuth2AuthorizationCode)]
/// struct CodeRow {
///     code_hash: Vec<u8>,
///     client_id: String,
///     redirect_uri: Option<String>,
///     scope: String,
///     user_id: String,
///     code_challenge: Option<String>,
///     code_challenge_method: Option<String>,
///     issued_at: i64,
///     expires_at: i64,
/// }
/// # let _ = |c: &AuthorizationCode| CodeRow::from_code(c).to_code();
/// ```
pub use oauth_macros::OAuth2AuthorizationCode;

/// Derives [`OAuth2User`](trait@OAuth2User) for a resource owner model: `id` (`String`, `i64`
/// or `i32`), `username` (`String`) and, optionally, `password_hash` (an Argon2 PHC string;
/// `String` or `Option<String>`), by field name or `#[oauth(key)]`.
///
/// With `#[oauth(table = "…")]` the SQL stores find and authenticate owners in that table
/// (`with_users`); see the README's "Your own tables".
///
/// ```
/// use oauth_runtime::{OAuth2User, ResourceOwner};
///
/// #[derive(OAuth2User)]
/// struct Account {
///     id: i64,
///     #[oauth(username)]
///     email: String,
///     #[oauth(password_hash)]
///     password: Option<String>,
/// }
///
/// let account = Account { id: 7, email: "ada@example.com".into(), password: None };
/// assert_eq!(account.resource_owner(), ResourceOwner::new("7", "ada@example.com"));
/// assert_eq!(account.password_hash(), None);
/// ```
pub use oauth_macros::OAuth2User;
