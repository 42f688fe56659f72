//! Rocket integration: the fairing, request parsing, responders, guards and ready routes.
//!
//! This is the only module that imports Rocket. The authorization endpoint's routes are
//! written with [`AuthorizationPrompt`] and [`AuthorizationDecision`] (see [`SignedInUser`]).

mod consent;
mod fairing;
mod guard;
mod request;
mod response;
mod routes;

pub use consent::{
    url_encode, AuthorizationDecision, AuthorizationPrompt, Consent, CsrfToken, Prompt,
    SignedInUser, CSRF_FIELD,
};
pub use fairing::OAuth2;
pub use guard::{Authorized, OptionalAuthorized, RequiredScope};
pub use request::ClientAddress;
pub use routes::oauth_routes;
