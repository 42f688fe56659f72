//! Responders for the core response and error types.

use std::io::Cursor;

use ::rocket::http::Status;
use ::rocket::request::Request;
use ::rocket::response::{self, Responder, Response};

use crate::error::OAuthError;
use crate::resource::BearerError;
use crate::response::OAuthResponse;

impl<'r> Responder<'r, 'static> for OAuthResponse {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut builder = Response::build();
        builder.status(Status::new(self.status));
        for (name, value) in self.headers {
            builder.raw_header(name, value);
        }
        if let Some(body) = self.body {
            builder.sized_body(body.len(), Cursor::new(body));
        }
        builder.ok()
    }
}

impl<'r> Responder<'r, 'static> for OAuthError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        self.to_response().respond_to(request)
    }
}

impl<'r> Responder<'r, 'static> for BearerError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        self.to_response().respond_to(request)
    }
}
