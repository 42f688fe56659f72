//! OAuth 2.0 errors: an RFC error code, where the error is delivered, and its HTTP status.

use std::borrow::Cow;
use std::fmt;

use crate::response::{redirect_with, OAuthResponse, ResponseMode};

/// An OAuth 2.0 error code, as registered by the RFCs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request is missing a required parameter, includes an invalid parameter value,
    /// includes a parameter more than once, or is otherwise malformed
    /// (RFC 6749 §4.1.2.1, §4.2.2.1, §5.2; RFC 6750 §3.1).
    InvalidRequest,
    /// Client authentication failed (RFC 6749 §5.2).
    InvalidClient,
    /// The grant or refresh token is invalid, expired, revoked, does not match the redirect
    /// URI, or was issued to another client (RFC 6749 §5.2).
    InvalidGrant,
    /// The client is not authorized to use this grant or response type
    /// (RFC 6749 §4.1.2.1, §4.2.2.1, §5.2).
    UnauthorizedClient,
    /// The grant type is not supported by the authorization server (RFC 6749 §5.2).
    UnsupportedGrantType,
    /// The requested scope is invalid, unknown, malformed, or exceeds what was granted
    /// (RFC 6749 §4.1.2.1, §4.2.2.1, §5.2).
    InvalidScope,
    /// The resource owner or authorization server denied the request
    /// (RFC 6749 §4.1.2.1, §4.2.2.1).
    AccessDenied,
    /// The authorization server does not support this response type
    /// (RFC 6749 §4.1.2.1, §4.2.2.1).
    UnsupportedResponseType,
    /// The authorization server met an unexpected condition (RFC 6749 §4.1.2.1).
    ServerError,
    /// The authorization server is temporarily unable to handle the request
    /// (RFC 6749 §4.1.2.1).
    TemporarilyUnavailable,
    /// The access token is expired, revoked, malformed or invalid (RFC 6750 §3.1).
    InvalidToken,
    /// The request requires higher privileges than the access token provides
    /// (RFC 6750 §3.1).
    InsufficientScope,
    /// The server does not support revocation of the presented token type (RFC 7009 §2.2.1).
    UnsupportedTokenType,
    /// `prompt=none`, and no user is signed in (OpenID Connect Core §3.1.2.6).
    LoginRequired,
    /// `prompt=none`, and the user would have to consent (OpenID Connect Core §3.1.2.6).
    ConsentRequired,
    /// `prompt=none`, and some other interaction is needed (OpenID Connect Core §3.1.2.6).
    InteractionRequired,
    /// The requested resource is invalid, unknown, malformed, or not allowed for the client
    /// (RFC 8707 §2).
    InvalidTarget,
}

impl ErrorCode {
    /// The code as it appears on the wire (`"invalid_request"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::InteractionRequired => "interaction_required",
            ErrorCode::InvalidTarget => "invalid_target",
        }
    }

    /// The HTTP status this code is sent with when it is answered directly (not by redirect).
    pub const fn default_status(self) -> u16 {
        match self {
            ErrorCode::InvalidClient | ErrorCode::InvalidToken => 401,
            ErrorCode::InsufficientScope | ErrorCode::AccessDenied => 403,
            ErrorCode::ServerError => 500,
            ErrorCode::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an error is delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorTarget {
    /// Answered directly to the caller with a JSON body. At the authorization endpoint this is
    /// the case whenever the client or redirect URI could not be verified (RFC 6749 §4.1.2.1):
    /// the error must not be sent to an untrusted URI; apps may render it as an HTML page.
    Direct,
    /// Sent to the client's verified redirect URI, in the query or the fragment.
    Redirect {
        /// The verified redirect URI.
        uri: String,
        /// Query (authorization code) or fragment (implicit).
        mode: ResponseMode,
    },
}

/// An OAuth 2.0 error response: code, description, optional `state`, status and target.
///
/// Descriptions are fixed, human-readable texts written by this crate; they never contain
/// tokens or secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    code: ErrorCode,
    status: u16,
    description: Option<Cow<'static, str>>,
    /// Rarely set parts, boxed to keep `Result<_, OAuthError>` small on the hot path.
    extra: Option<Box<Extra>>,
}

/// The parts of an error most errors do without.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Extra {
    uri: Option<String>,
    state: Option<String>,
    issuer: Option<String>,
    target: Option<ErrorTarget>,
    basic_challenge: bool,
    retry_after: Option<u64>,
    source: Option<Source>,
}

/// The cause of an error (a storage failure, say): kept for logs and
/// [`Error::source`](std::error::Error::source), never sent, and not part of equality.
#[derive(Clone)]
struct Source(std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl PartialEq for Source {
    fn eq(&self, _: &Source) -> bool {
        true
    }
}

impl Eq for Source {}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The target of an error that is answered directly.
static DIRECT: ErrorTarget = ErrorTarget::Direct;

impl OAuthError {
    /// An error with `code`, answered directly with the code's default status.
    pub fn new(code: ErrorCode) -> Self {
        OAuthError {
            code,
            status: code.default_status(),
            description: None,
            extra: None,
        }
    }

    /// `invalid_request` with a description.
    pub fn invalid_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidRequest).with_description(description)
    }

    /// `invalid_client`: 401 with `WWW-Authenticate: Basic` (RFC 6749 §5.2).
    pub fn invalid_client(description: impl Into<Cow<'static, str>>) -> Self {
        let mut error = Self::new(ErrorCode::InvalidClient).with_description(description);
        error.extra_mut().basic_challenge = true;
        error
    }

    /// `invalid_grant` with a description.
    pub fn invalid_grant(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidGrant).with_description(description)
    }

    /// `invalid_scope` with a description.
    pub fn invalid_scope(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidScope).with_description(description)
    }

    /// `invalid_target` with a description (RFC 8707 §2).
    pub fn invalid_target(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidTarget).with_description(description)
    }

    /// `unauthorized_client` with a description.
    pub fn unauthorized_client(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::UnauthorizedClient).with_description(description)
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// Sets the human-readable `error_description`.
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the `error_uri`.
    pub fn with_uri(mut self, uri: impl Into<String>) -> Self {
        self.extra_mut().uri = Some(uri.into());
        self
    }

    /// Sets the HTTP status used when the error is answered directly.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Keeps `source` as the error's cause (for logs and `Error::source`; never sent).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.extra_mut().source = Some(Source(std::sync::Arc::new(source)));
        self
    }

    /// Adds `Retry-After` (seconds) to a direct answer, e.g. with status 429.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.extra_mut().retry_after = Some(seconds);
        self
    }

    /// Sends the error to a verified redirect URI, echoing `state` exactly
    /// (RFC 6749 §4.1.2.1: "REQUIRED if a state parameter was present") and naming the
    /// issuer, when one is configured (RFC 9207 §2: `iss` in error responses too).
    pub(crate) fn redirect_to(
        mut self,
        uri: &str,
        mode: ResponseMode,
        state: Option<&str>,
        issuer: Option<&str>,
    ) -> Self {
        let extra = self.extra_mut();
        extra.target = Some(ErrorTarget::Redirect {
            uri: uri.to_owned(),
            mode,
        });
        extra.state = state.map(str::to_owned);
        extra.issuer = issuer.map(str::to_owned);
        self
    }

    /// The RFC error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The `error_description`, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The `state` that will be echoed, if the error is redirected.
    pub fn state(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.state.as_deref())
    }

    /// The HTTP status of a direct answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Where the error goes.
    pub fn target(&self) -> &ErrorTarget {
        self.extra
            .as_ref()
            .and_then(|e| e.target.as_ref())
            .unwrap_or(&DIRECT)
    }

    /// The error's parameters in RFC order: `error`, `error_description`, `error_uri`, `state`,
    /// then `iss` (RFC 9207) when the error is redirected by a server with an issuer.
    pub fn params(&self) -> Vec<(&'static str, &str)> {
        let mut params = vec![("error", self.code.as_str())];
        if let Some(description) = &self.description {
            params.push(("error_description", description));
        }
        let extra = self.extra.as_deref();
        if let Some(uri) = extra.and_then(|e| e.uri.as_deref()) {
            params.push(("error_uri", uri));
        }
        if let Some(state) = extra.and_then(|e| e.state.as_deref()) {
            params.push(("state", state));
        }
        if let Some(issuer) = extra.and_then(|e| e.issuer.as_deref()) {
            params.push(("iss", issuer));
        }
        params
    }

    /// The JSON body of a direct error response (RFC 6749 §5.2).
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .params()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v)))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// The HTTP response for this error: a redirect to the verified URI, or a JSON body with
    /// `Cache-Control: no-store` (and `WWW-Authenticate: Basic` for `invalid_client`).
    ///
    /// An error with a [source](std::error::Error::source) (a storage failure) is logged
    /// here, with its causes: the one place where server-side failures reach the log.
    pub fn to_response(&self) -> OAuthResponse {
        if let Some(source) = self.extra.as_ref().and_then(|e| e.source.as_ref()) {
            log::error!("oauth2 {}: {}", self.code, source.0);
        }
        match self.target() {
            ErrorTarget::Redirect { uri, mode } => {
                OAuthResponse::redirect(redirect_with(uri, *mode, &self.params()))
            }
            ErrorTarget::Direct => {
                let mut response = OAuthResponse::json(self.status, self.to_json());
                let (retry_after, basic_challenge) = self
                    .extra
                    .as_deref()
                    .map_or((None, false), |e| (e.retry_after, e.basic_challenge));
                if let Some(seconds) = retry_after {
                    response.set_header("Retry-After", seconds.to_string());
                }
                if basic_challenge && self.status == 401 {
                    // RFC 6749 §5.2: 401 for invalid_client MUST carry WWW-Authenticate.
                    response.set_header("WWW-Authenticate", "Basic realm=\"oauth2\"".to_owned());
                }
                response
            }
        }
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.description {
            Some(description) => write!(f, "{}: {}", self.code, description),
            None => write!(f, "{}", self.code),
        }
    }
}

impl std::error::Error for OAuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let source = self.extra.as_ref()?.source.as_ref()?;
        Some(source.0.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl OAuthError {
    /// A storage failure at the authorization endpoint: `temporarily_unavailable`, 503
    /// (RFC 6749 §4.1.2.1). The failure is kept as the source and logged when the error is
    /// answered; details are never sent.
    pub fn temporarily_unavailable(error: crate::store::StorageError) -> Self {
        storage_failure(error, ErrorCode::TemporarilyUnavailable)
    }
}

/// The one mapping of a storage failure to an OAuth error: `code` with status 503 (the client
/// may retry), a fixed description, and the failure as the source.
fn storage_failure(error: crate::store::StorageError, code: ErrorCode) -> OAuthError {
    let description = match code {
        ErrorCode::TemporarilyUnavailable => "the authorization server is temporarily unavailable",
        _ => "storage is unavailable",
    };
    OAuthError::new(code)
        .with_description(description)
        .with_status(503)
        .with_source(error)
}

impl From<crate::store::StorageError> for OAuthError {
    /// A storage failure is `server_error` with status 503 (RFC 6749 §5.2), its cause kept as
    /// the source; see [`OAuthError::to_response`] for where it is logged.
    fn from(error: crate::store::StorageError) -> Self {
        storage_failure(error, ErrorCode::ServerError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_body_has_code_and_description() {
        let e = OAuthError::invalid_request("missing code");
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["error"], "invalid_request");
        assert_eq!(v["error_description"], "missing code");
        assert!(v.get("state").is_none());
    }

    #[test]
    fn invalid_client_is_401_with_basic_challenge() {
        let r = OAuthError::invalid_client("bad").to_response();
        assert_eq!(r.status, 401);
        assert!(r.header("WWW-Authenticate").unwrap().starts_with("Basic"));
        assert_eq!(r.header("Cache-Control"), Some("no-store"));
    }

    #[test]
    fn redirected_error_carries_state_in_query() {
        let e = OAuthError::new(ErrorCode::AccessDenied).redirect_to(
            "https://c.example/cb?x=1",
            ResponseMode::Query,
            Some("s t"),
            Some("https://as.example"),
        );
        let r = e.to_response();
        assert_eq!(r.status, 302);
        assert_eq!(
            r.header("Location"),
            Some("https://c.example/cb?x=1&error=access_denied&state=s%20t&iss=https%3A%2F%2Fas.example")
        );
    }

    #[test]
    fn every_code_has_its_rfc_wire_name() {
        // The names as the RFCs spell them (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1;
        // RFC 7009 §2.2.1), written out here independently of `as_str`.
        for (code, rfc_name) in [
            (ErrorCode::InvalidRequest, "invalid_request"),
            (ErrorCode::InvalidClient, "invalid_client"),
            (ErrorCode::InvalidGrant, "invalid_grant"),
            (ErrorCode::UnauthorizedClient, "unauthorized_client"),
            (ErrorCode::UnsupportedGrantType, "unsupported_grant_type"),
            (ErrorCode::InvalidScope, "invalid_scope"),
            (ErrorCode::AccessDenied, "access_denied"),
            (
                ErrorCode::UnsupportedResponseType,
                "unsupported_response_type",
            ),
            (ErrorCode::ServerError, "server_error"),
            (ErrorCode::TemporarilyUnavailable, "temporarily_unavailable"),
            (ErrorCode::InvalidToken, "invalid_token"),
            (ErrorCode::InsufficientScope, "insufficient_scope"),
            (ErrorCode::UnsupportedTokenType, "unsupported_token_type"),
        ] {
            assert_eq!(code.as_str(), rfc_name);
            assert_eq!(code.to_string(), rfc_name);
            assert_eq!(
                OAuthError::new(code).to_json(),
                format!("{{\"error\":\"{rfc_name}\"}}")
            );
        }
    }
}
