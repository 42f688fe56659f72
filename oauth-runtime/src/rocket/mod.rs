//! Rocket integration: the fairing, request parsing, responders, guards and ready routes.
//!
//! This is the only module that imports Rocket.

mod fairing;
mod guard;
mod request;
mod response;
mod routes;

pub use fairing::OAuth2;
pub use guard::{Authorized, OptionalAuthorized, RequiredScope};
pub use request::ClientAddress;
pub use routes::oauth_routes;
