//! Rocket integration: the fairing, request parsing, responders, guards and ready routes.
//!
//! This is the only module that imports Rocket. The authorization endpoint's routes are
//! written with [`AuthorizationPrompt`] and [`AuthorizationDecision`] (see [`SignedInUser`]).

mod consent;
mod discovery;
mod end_session;
mod fairing;
mod guard;
mod protected_resource;
mod registration;
mod request;
#[cfg(feature = "resource-server")]
mod resource_server;
mod response;
mod routes;

pub use consent::{
    login_hint, url_encode, AuthorizationDecision, AuthorizationPrompt, Consent, CsrfToken, Prompt,
    SignedInUser, CSRF_FIELD,
};
pub use discovery::discovery_routes;
pub use end_session::EndSessionRequest;
pub use fairing::OAuth2;
pub use guard::{Authorized, OptionalAuthorized, RequiredScope};
pub use request::ClientAddress;
#[cfg(feature = "resource-server")]
pub use resource_server::ResourceServer;
pub use routes::oauth_routes;
