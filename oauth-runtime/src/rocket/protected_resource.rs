//! The route serving RFC 9728 protected-resource metadata, mounted by both fairings.

use ::rocket::http::Method;
use ::rocket::route::{self as handler, Handler};
use ::rocket::{Data, Request, Route};

/// `GET path` answering `document` (JSON).
pub(crate) fn metadata_route(path: &str, document: String) -> Route {
    Route::new(Method::Get, path, Metadata(document.into()))
}

/// Serves the metadata document.
#[derive(Clone)]
struct Metadata(std::sync::Arc<str>);

#[::rocket::async_trait]
impl Handler for Metadata {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> handler::Outcome<'r> {
        let mut response = crate::OAuthResponse::json(200, self.0.to_string());
        // Public and stable: caches may keep it (unlike token responses).
        response.headers.retain(|(name, _)| *name == "Content-Type");
        handler::Outcome::from(request, response)
    }
}
