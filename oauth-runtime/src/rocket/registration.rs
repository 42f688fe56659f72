//! The registration endpoint (RFC 7591) and the client configuration endpoint (RFC 7592), part
//! of [`oauth_routes`](super::oauth_routes): `POST /register` and `GET|PUT|DELETE
//! /register/<client_id>`, answering 404 unless `registration.enabled`.

use ::rocket::data::{Data, ToByteUnit};
use ::rocket::http::Method;
use ::rocket::route::{self as handler, Handler};
use ::rocket::{Request, Route};

use crate::endpoints::RegistrationRequest;
use crate::error::OAuthError;
use crate::response::OAuthResponse;
use crate::server::AuthorizationServer;

/// The routes, relative to where `oauth_routes()` is mounted.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::Post, "/register", Registration::Register),
        Route::new(Method::Get, "/register/<client_id>", Registration::Read),
        Route::new(Method::Put, "/register/<client_id>", Registration::Update),
        Route::new(
            Method::Delete,
            "/register/<client_id>",
            Registration::Delete,
        ),
    ]
}

#[derive(Clone, Copy, Debug)]
enum Registration {
    Register,
    Read,
    Update,
    Delete,
}

impl Registration {
    async fn answer(self, request: &Request<'_>, data: Data<'_>) -> OAuthResponse {
        let Some(server) = request.rocket().state::<AuthorizationServer>() else {
            return OAuthError::invalid_request("the OAuth2 fairing is not attached")
                .with_status(500)
                .to_response();
        };
        let body = match self {
            Registration::Register | Registration::Update => {
                let limit = server.config().max_body_size;
                match data.open(limit.bytes()).into_bytes().await {
                    Ok(bytes) if bytes.is_complete() => bytes.into_inner(),
                    Ok(_) => {
                        return OAuthError::invalid_request("the body is too large")
                            .with_status(413)
                            .to_response()
                    }
                    Err(_) => {
                        return OAuthError::invalid_request("the body could not be read")
                            .to_response()
                    }
                }
            }
            Registration::Read | Registration::Delete => Vec::new(),
        };
        let mut authorization = request.headers().get("Authorization");
        let header = authorization.next();
        if authorization.next().is_some() {
            return OAuthError::invalid_request("more than one Authorization header").to_response();
        }
        // The registration endpoint's URL: this request's path, up to `/register`, on the
        // issuer (or, without one, the request's own host).
        let path = request.uri().path();
        let path = path.as_str();
        let endpoint_path = match path.rfind("/register") {
            Some(at) => &path[..at + "/register".len()],
            None => path,
        };
        let origin = server
            .config()
            .issuer
            .as_deref()
            .map(|issuer| {
                url::Url::parse(issuer)
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_default()
            })
            .or_else(|| request.host().map(|host| format!("http://{host}")))
            .unwrap_or_default();
        let endpoint = format!("{origin}{endpoint_path}");
        let registration = RegistrationRequest {
            authorization: header,
            body: &body,
            remote_addr: super::request::client_address(request),
            endpoint: &endpoint,
        };
        let client_id = request.param::<&str>(1).and_then(Result::ok).unwrap_or("");
        match self {
            Registration::Register => server.create_registration_response(&registration).await,
            Registration::Read => server.read_registration(client_id, &registration).await,
            Registration::Update => server.update_registration(client_id, &registration).await,
            Registration::Delete => server.delete_registration(client_id, &registration).await,
        }
    }
}

#[::rocket::async_trait]
impl Handler for Registration {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> handler::Outcome<'r> {
        let response = self.answer(request, data).await;
        handler::Outcome::from(request, response)
    }
}
