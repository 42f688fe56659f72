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
//!             .grant_types([GrantType::ClientCredentials])
//!             .scope("profile"),
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
//! The core (everything outside [`rocket`](mod@crate::rocket)) does not depend on Rocket's
//! request types: [`AuthorizationServer`] takes an [`OAuthRequest`] and answers an
//! [`OAuthResponse`].

#![deny(unreachable_pub, missing_docs, rustdoc::broken_intra_doc_links)]
#![forbid(unsafe_code)]

mod client_auth;
pub mod config;
mod endpoints;
pub mod error;
pub mod grants;
pub mod model;
pub mod password;
pub mod pkce;
pub mod request;
pub mod resource;
pub mod response;
pub mod rocket;
pub mod scope;
pub mod secret;
mod server;
pub mod store;
pub mod token;

pub use crate::config::{Config, ConfigError, TokenLocation};
pub use crate::error::{ErrorCode, ErrorTarget, OAuthError};
pub use crate::grants::{
    AuthorizationCodeGrant, AuthorizationCodeHooks, AuthorizationRequest, ClientCredentialsGrant,
    Grant, ImplicitGrant, PasswordGrant, PasswordHooks, RefreshTokenGrant, RefreshTokenHooks,
    StorageHooks,
};
pub use crate::model::{
    AuthMethod, AuthorizationCode, Client, CodeChallengeMethod, Endpoint, GrantType,
    OAuth2AuthorizationCode, OAuth2Client, OAuth2Token, ResourceOwner, ResponseType, Token,
};
pub use crate::request::{ClientCredentials, Method, OAuthRequest, Params};
pub use crate::resource::{
    BearerError, BearerErrorKind, BearerTokenValidator, CurrentToken, ResourceProtector,
    ResourceRequest, ScopeRequirement, StorageTokenValidator,
};
pub use crate::response::{OAuthResponse, ResponseMode};
pub use crate::rocket::{oauth_routes, Authorized, OAuth2, OptionalAuthorized, RequiredScope};
pub use crate::scope::Scope;
pub use crate::server::AuthorizationServer;
pub use crate::store::{
    CodeRedemption, MemoryStore, Rotation, Storage, StorageError, StorageResult,
};
pub use crate::token::{
    BearerToken, ExpiresFn, ExpiresIn, TokenContext, TokenGenerator, TokenResponse,
};

/// Re-exported so that implementations of [`Storage`], [`Grant`] and the hook traits can use
/// `#[oauth_runtime::async_trait]` without another dependency.
pub use async_trait::async_trait;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use oauth_macros::{grants, require_oauth, OAuth2AuthorizationCode, OAuth2Client, OAuth2Token};
