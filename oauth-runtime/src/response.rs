//! Framework-independent HTTP responses produced by the endpoints.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::{ErrorCode, OAuthError};

/// Characters left unescaped in redirect parameters: RFC 3986 unreserved.
pub(crate) const PARAM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How authorization response parameters reach the client (RFC 6749 §4.1.2, §4.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMode {
    /// In the query of the redirect URI (authorization code grant).
    Query,
    /// In the fragment of the redirect URI (implicit grant).
    Fragment,
}

impl ResponseMode {
    /// The modes a client may ask for with `response_mode` (OAuth 2.0 Multiple Response Type
    /// Encoding Practices §2.1), in server metadata as `response_modes_supported`.
    pub const SUPPORTED: [&'static str; 2] = ["query", "fragment"];

    /// The default for a response type: `code` in the query (RFC 6749 §4.1.2), anything that
    /// carries a token in the fragment (§4.2.2).
    pub fn default_for(response_type: crate::ResponseType) -> ResponseMode {
        match response_type {
            crate::ResponseType::Code => ResponseMode::Query,
            // OpenID Connect Core §3.2.2.5, §3.3.2.5: every other type defaults to the fragment.
            _ => ResponseMode::Fragment,
        }
    }

    /// The mode a request asks for with `response_mode`, if the server allows it for the
    /// response type: never `query` for a response that carries a token (Multiple Response
    /// Type Encoding Practices §3.0: "MUST NOT"), so no grant or client can leak a token
    /// into a URL that servers log and browsers send on in `Referer`.
    pub(crate) fn requested(
        requested: &str,
        response_type: crate::ResponseType,
    ) -> Result<ResponseMode, &'static str> {
        match (requested, response_type) {
            ("query", crate::ResponseType::Code) => Ok(ResponseMode::Query),
            ("query", _) => {
                Err("response_mode=query is not allowed for a response that carries a token")
            }
            ("fragment", _) => Ok(ResponseMode::Fragment),
            _ => Err("unsupported response_mode (supported: query, fragment)"),
        }
    }
}

/// An HTTP response: status, headers and an optional JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthResponse {
    /// HTTP status code.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(&'static str, String)>,
    /// JSON body, if any.
    pub body: Option<String>,
}

impl OAuthResponse {
    /// A JSON response with `Cache-Control: no-store` and `Pragma: no-cache`
    /// (RFC 6749 §5.1: token responses and their errors MUST NOT be cached).
    pub fn json(status: u16, body: String) -> Self {
        OAuthResponse {
            status,
            headers: vec![
                ("Content-Type", "application/json".to_owned()),
                ("Cache-Control", "no-store".to_owned()),
                ("Pragma", "no-cache".to_owned()),
            ],
            body: Some(body),
        }
    }

    /// `200` with `value` as JSON, or the error's own response (an unserialisable value is
    /// `server_error`).
    pub(crate) fn from_result<T: serde::Serialize>(result: Result<T, OAuthError>) -> Self {
        match result.map(|value| serde_json::to_string(&value)) {
            Ok(Ok(body)) => OAuthResponse::json(200, body),
            Ok(Err(_)) => OAuthError::new(ErrorCode::ServerError).to_response(),
            Err(error) => error.to_response(),
        }
    }

    /// A `302 Found` redirect to `location`.
    pub fn redirect(location: String) -> Self {
        OAuthResponse {
            status: 302,
            headers: vec![
                ("Location", location),
                ("Cache-Control", "no-store".to_owned()),
            ],
            body: None,
        }
    }

    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets a header, replacing any value it had.
    pub fn set_header(&mut self, name: &'static str, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name, value));
    }
}

/// Percent-encodes `s` for a query parameter or a form value (everything but RFC 3986
/// unreserved characters); also what RFC 6749 §2.3.1 asks of a client id and secret before
/// HTTP Basic.
pub fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, PARAM).to_string()
}

/// Appends `params` to `uri` in its query (keeping an existing query, RFC 6749 §3.1.2) or in
/// its fragment.
pub(crate) fn redirect_with(uri: &str, mode: ResponseMode, params: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(uri.len() + 64);
    out.push_str(uri);
    let mut separator = match mode {
        ResponseMode::Query if uri.contains('?') => '&',
        ResponseMode::Query => '?',
        ResponseMode::Fragment => '#',
    };
    for (name, value) in params {
        out.push(separator);
        out.push_str(name);
        out.push('=');
        out.extend(utf8_percent_encode(value, PARAM));
        separator = '&';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_join_an_existing_query() {
        assert_eq!(
            redirect_with("https://a/cb?x=1", ResponseMode::Query, &[("code", "a+b")]),
            "https://a/cb?x=1&code=a%2Bb"
        );
        assert_eq!(
            redirect_with(
                "https://a/cb",
                ResponseMode::Query,
                &[("code", "c"), ("state", "é")]
            ),
            "https://a/cb?code=c&state=%C3%A9"
        );
    }

    #[test]
    fn fragment_params_follow_a_hash() {
        assert_eq!(
            redirect_with(
                "https://a/cb",
                ResponseMode::Fragment,
                &[("access_token", "t")]
            ),
            "https://a/cb#access_token=t"
        );
    }

    #[test]
    fn json_responses_are_not_cacheable() {
        let r = OAuthResponse::json(200, "{}".into());
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("Pragma"), Some("no-cache"));
    }
}
