//! Building an [`OAuthRequest`] from a Rocket request (as a request guard for `GET`, a data
//! guard for `POST`), and the client's address ([`ClientAddress`]). Bearer tokens are read
//! in `guard.rs`.

use ::rocket::data::{self, Data, FromData, ToByteUnit};
use ::rocket::http::Method as HttpMethod;
use ::rocket::request::{self, FromRequest, Request};

use std::net::IpAddr;

use crate::client_address::{resolve, Forwarding};
use crate::error::OAuthError;
use crate::request::{Body, Method, OAuthRequest};
use crate::server::AuthorizationServer;

/// The client's address: the connection's peer, or, when the peer is one of
/// `oauth2.trusted_proxies`, the address its forwarding headers name (see
/// [`client_address`](crate::client_address)). Rocket's own `client_ip()` believes
/// `X-Real-IP` from anyone by default, so it is not used.
pub(crate) fn client_address(request: &Request<'_>) -> Option<IpAddr> {
    let peer = request.remote().map(|socket| socket.ip());
    let trusted = request
        .rocket()
        .state::<AuthorizationServer>()
        .map_or(&[][..], |server| &server.config().trusted_proxies[..]);
    if trusted.is_empty() {
        return peer;
    }
    let headers = request.headers();
    let values = |name: &str| headers.get(name).collect::<Vec<&str>>();
    let (forwarded, x_forwarded_for, x_real_ip) = (
        values("Forwarded"),
        values("X-Forwarded-For"),
        values("X-Real-IP"),
    );
    resolve(
        peer,
        Forwarding {
            forwarded: &forwarded,
            x_forwarded_for: &x_forwarded_for,
            x_real_ip: &x_real_ip,
        },
        trusted,
    )
}

/// The client's network address as the throttle counts it: the connection's peer unless
/// that is a trusted proxy (`oauth2.trusted_proxies`), then the address the proxy forwarded.
/// Use it instead of Rocket's `IpAddr` guard (which believes `X-Real-IP` from anyone) in your
/// own sign-in form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

#[::rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(ClientAddress(client_address(request)))
    }
}

fn method_of(request: &Request<'_>) -> Method {
    match request.method() {
        HttpMethod::Get => Method::Get,
        HttpMethod::Post => Method::Post,
        _ => Method::Other,
    }
}

/// The single `Authorization` header; several is malformed (`Err`).
fn authorization_of<'r>(request: &'r Request<'_>) -> Result<Option<&'r str>, OAuthError> {
    let mut values = request.headers().get("Authorization");
    let first = values.next();
    if values.next().is_some() {
        return Err(OAuthError::invalid_request(
            "more than one Authorization header",
        ));
    }
    Ok(first)
}

pub(crate) fn build(request: &Request<'_>, body: &[u8]) -> OAuthRequest {
    let method = method_of(request);
    let authorization = match authorization_of(request) {
        Ok(value) => value,
        Err(error) => {
            return OAuthRequest::failed(method, error).with_remote_addr(client_address(request))
        }
    };
    let body = if request.content_type().is_some_and(|ct| ct.is_form()) {
        Body::Form(body)
    } else {
        Body::Other
    };
    OAuthRequest::from_parts(
        method,
        request.uri().query().map(|q| q.as_str()),
        body,
        authorization,
    )
    .with_remote_addr(client_address(request))
}

/// As a request guard (`GET` routes): the query parameters. Never fails: a malformed request
/// carries its error to the endpoint, which answers it per the RFCs.
#[::rocket::async_trait]
impl<'r> FromRequest<'r> for OAuthRequest {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(build(request, b""))
    }
}

/// As a data guard (`POST` routes): the query and the form body, read up to
/// `oauth2.max_body_size`; a larger body is answered 413 `invalid_request`.
#[::rocket::async_trait]
impl<'r> FromData<'r> for OAuthRequest {
    type Error = std::convert::Infallible;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        data::Outcome::Success(read_form(request, data).await)
    }
}

/// The query and the form body, read up to `oauth2.max_body_size`.
pub(crate) async fn read_form(request: &Request<'_>, data: Data<'_>) -> OAuthRequest {
    {
        let limit = request
            .rocket()
            .state::<AuthorizationServer>()
            .map_or(16 * 1024, |server| server.config().max_body_size);
        let method = method_of(request);
        let outcome = match data.open(limit.bytes()).into_bytes().await {
            Ok(body) if body.is_complete() => build(request, &body),
            Ok(_) => OAuthRequest::failed(
                method,
                OAuthError::invalid_request("the request body is too large").with_status(413),
            ),
            Err(_) => OAuthRequest::failed(
                method,
                OAuthError::invalid_request("the request body could not be read"),
            ),
        };
        outcome
    }
}
