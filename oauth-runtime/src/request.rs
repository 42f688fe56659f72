//! Framework-independent OAuth requests: parameters, method, and client credentials.

use base64::Engine as _;
use percent_encoding::percent_decode;

use crate::error::OAuthError;

/// The HTTP method of a request, as far as OAuth cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// Any other method.
    Other,
}

/// The longest parameter value accepted, in bytes; longer is `invalid_request`.
pub const MAX_PARAM_LEN: usize = 4096;

/// The most parameters one query or body may carry; more is `invalid_request`. No OAuth
/// endpoint takes more than about fifteen, so this bounds the work a request can cause.
pub const MAX_PARAMS: usize = 64;

/// Parameters that may be repeated: `resource` (RFC 8707 §2, "may be repeated to indicate that
/// the requested access token is intended for multiple resources").
const REPEATABLE: &[&str] = &["resource"];

/// Parameters checked for duplicates by a scan before a hash set takes over.
const SCAN_LIMIT: usize = 8;

/// The longest query string accepted, in bytes; longer is `invalid_request` (bodies are
/// bounded by `max_body_size`).
pub const MAX_QUERY_LEN: usize = 16 * 1024;

/// Decoded `application/x-www-form-urlencoded` parameters, each name at most once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses URL-encoded parameters.
    ///
    /// - RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
    /// - RFC 6749 §3.1, §3.2: parameters MUST NOT be included more than once →
    ///   `invalid_request` (except `resource`, which RFC 8707 §2 lets repeat).
    /// - Invalid percent-encoding, invalid UTF-8, and control characters (outside the VSCHAR and
    ///   NQSCHAR sets of RFC 6749 Appendix A) → `invalid_request`.
    /// - More than [`MAX_PARAMS`] pairs → `invalid_request`.
    ///
    /// The work is linear in the input: duplicates are found through a hash set.
    pub fn parse(input: &[u8]) -> Result<Params, OAuthError> {
        let mut params: Vec<(String, String)> = Vec::new();
        // Duplicates: a scan of the few parameters most requests have, a hash set beyond.
        let mut seen: Option<std::collections::HashSet<String>> = None;
        for (count, pair) in input
            .split(|&b| b == b'&')
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            if count >= MAX_PARAMS {
                return Err(OAuthError::invalid_request("too many parameters"));
            }
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            if name.len() > 256 || value.len() > 3 * MAX_PARAM_LEN {
                return Err(OAuthError::invalid_request("a parameter is too long"));
            }
            let name = decode_component(name)?;
            let value = decode_component(value)?;
            if value.len() > MAX_PARAM_LEN {
                return Err(OAuthError::invalid_request("a parameter is too long"));
            }
            if value.is_empty() {
                continue;
            }
            let duplicate = !REPEATABLE.contains(&name.as_str())
                && match &mut seen {
                    Some(seen) => !seen.insert(name.clone()),
                    None if params.len() < SCAN_LIMIT => params.iter().any(|(n, _)| *n == name),
                    None => {
                        let mut set: std::collections::HashSet<String> =
                            params.iter().map(|(n, _)| n.clone()).collect();
                        let duplicate = !set.insert(name.clone());
                        seen = Some(set);
                        duplicate
                    }
                };
            if duplicate {
                return Err(OAuthError::invalid_request(format!(
                    "parameter `{}` is included more than once",
                    printable(&name)
                )));
            }
            params.push((name, value));
        }
        Ok(Params(params))
    }

    /// Parameters from decoded pairs; an empty value counts as omitted (RFC 6749 §3.1).
    fn from_pairs(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in request order (for the one repeatable parameter, `resource`).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// All parameters in request order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// Shortens and sanitises a client-supplied name before it appears in an error description.
fn printable(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect()
}

/// Decodes one form component: `+` is a space, `%XX` a byte; the result must be UTF-8 without
/// control characters.
fn decode_component(raw: &[u8]) -> Result<String, OAuthError> {
    // Most components (codes, tokens, ids) are plain: no `+` or `%` to decode.
    if !raw.iter().any(|&b| b == b'+' || b == b'%') {
        let text = std::str::from_utf8(raw)
            .map_err(|_| OAuthError::invalid_request("parameters must be UTF-8"))?;
        if text.chars().any(char::is_control) {
            return Err(OAuthError::invalid_request(
                "parameters must not contain control characters",
            ));
        }
        return Ok(text.to_owned());
    }
    let plus_decoded: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    if !valid_percent_escapes(&plus_decoded) {
        return Err(OAuthError::invalid_request("malformed percent-encoding"));
    }
    let decoded = percent_decode(&plus_decoded)
        .decode_utf8()
        .map_err(|_| OAuthError::invalid_request("parameters must be UTF-8"))?;
    if decoded.chars().any(char::is_control) {
        return Err(OAuthError::invalid_request(
            "parameters must not contain control characters",
        ));
    }
    Ok(decoded.into_owned())
}

fn valid_percent_escapes(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if i + 2 >= bytes.len() {
                return false;
            }
            if !(bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// A request body as the endpoints see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body<'a> {
    /// An `application/x-www-form-urlencoded` body: its parameters are parsed.
    Form(&'a [u8]),
    /// No body, or a body of another media type (not read; a POST endpoint refuses it).
    Other,
}

/// An OAuth request as the endpoints see it, built by the web framework integration.
///
/// A request that could not be parsed (a duplicate parameter, bad encoding, an oversized body)
/// is still built: it carries the error, and every endpoint answers with that error. This keeps
/// the RFC error response in the endpoint's hands rather than the framework's.
#[derive(Clone, Debug, Default)]
pub struct OAuthRequest {
    method: Option<Method>,
    query: Params,
    body: Params,
    authorization: Option<String>,
    form_content_type: bool,
    malformed: Option<OAuthError>,
    remote_addr: Option<std::net::IpAddr>,
}

impl OAuthRequest {
    /// Builds a request from its parts: method, raw query string, body, and the
    /// `Authorization` header.
    pub fn from_parts(
        method: Method,
        query: Option<&str>,
        body: Body<'_>,
        authorization: Option<&str>,
    ) -> OAuthRequest {
        let mut request = OAuthRequest {
            method: Some(method),
            authorization: authorization.map(str::to_owned),
            form_content_type: matches!(body, Body::Form(_)),
            ..OAuthRequest::default()
        };
        let query = query.unwrap_or("");
        let parsed = if query.len() > MAX_QUERY_LEN {
            Err(OAuthError::invalid_request("the query string is too long"))
        } else {
            Params::parse(query.as_bytes())
        };
        match parsed {
            Ok(q) => request.query = q,
            Err(e) => request.malformed = Some(e),
        }
        if let (Body::Form(body), None) = (body, &request.malformed) {
            match Params::parse(body) {
                Ok(b) => request.body = b,
                Err(e) => request.malformed = Some(e),
            }
        }
        request
    }

    /// A request that failed before parsing (e.g. its body exceeded the size limit).
    pub fn failed(method: Method, error: OAuthError) -> OAuthRequest {
        OAuthRequest {
            method: Some(method),
            malformed: Some(error),
            ..OAuthRequest::default()
        }
    }

    /// A `POST` form request with these body parameters (for tests and in-process calls).
    pub fn post_form(params: &[(&str, &str)]) -> OAuthRequest {
        OAuthRequest {
            method: Some(Method::Post),
            body: Params::from_pairs(params),
            form_content_type: true,
            ..OAuthRequest::default()
        }
    }

    /// A `GET` request with these query parameters (for tests and in-process calls).
    pub fn get(params: &[(&str, &str)]) -> OAuthRequest {
        OAuthRequest {
            method: Some(Method::Get),
            query: Params::from_pairs(params),
            ..OAuthRequest::default()
        }
    }

    /// Sets the `Authorization` header.
    pub fn with_authorization(mut self, value: impl Into<String>) -> OAuthRequest {
        self.authorization = Some(value.into());
        self
    }

    /// Sets the client's network address (used to throttle failed credentials).
    pub fn with_remote_addr(mut self, addr: Option<std::net::IpAddr>) -> OAuthRequest {
        self.remote_addr = addr;
        self
    }

    /// The client's network address, if known.
    pub fn remote_addr(&self) -> Option<std::net::IpAddr> {
        self.remote_addr
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method.unwrap_or(Method::Other)
    }

    /// The parse error this request carries, if any.
    pub fn malformed(&self) -> Option<&OAuthError> {
        self.malformed.as_ref()
    }

    /// Whether the body was `application/x-www-form-urlencoded`.
    pub fn is_form(&self) -> bool {
        self.form_content_type
    }

    /// The endpoint's parameters: the body of a `POST`, the query otherwise.
    pub fn params(&self) -> &Params {
        match self.method() {
            Method::Post => &self.body,
            _ => &self.query,
        }
    }

    /// One parameter of [`params`](Self::params).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params().get(name)
    }

    /// The query parameters.
    pub fn query(&self) -> &Params {
        &self.query
    }

    /// The `Authorization` header.
    pub fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// The client credentials the request presents (RFC 6749 §2.3.1).
    ///
    /// - `Authorization: Basic` with the form-urlencoded client id and secret;
    /// - `client_id` and `client_secret` in the body;
    /// - `client_id` alone (a public client).
    ///
    /// Two methods at once (a secret in the body and a Basic header, or Basic with a different
    /// `client_id` in the body) is `invalid_request`; credentials in the URI are refused (RFC
    /// 6749 §2.3.1: "MUST NOT be included in the request URI"); a malformed Basic header is
    /// `invalid_client`.
    pub fn client_credentials(&self) -> Result<ClientCredentials, OAuthError> {
        if self.query.contains("client_secret") {
            return Err(OAuthError::invalid_request(
                "client credentials must not be sent in the request URI",
            ));
        }
        let body_id = self.body.get("client_id");
        let body_secret = self.body.get("client_secret");
        if let Some((client_id, secret)) = self.basic_credentials()? {
            if body_secret.is_some() {
                return Err(OAuthError::invalid_request(
                    "client authenticated with more than one method",
                ));
            }
            if body_id.is_some_and(|id| id != client_id) {
                return Err(OAuthError::invalid_request(
                    "client_id does not match the Authorization header",
                ));
            }
            return Ok(ClientCredentials::Basic { client_id, secret });
        }
        match (body_id, body_secret) {
            (Some(id), Some(secret)) => Ok(ClientCredentials::Post {
                client_id: id.to_owned(),
                secret: secret.to_owned(),
            }),
            (Some(id), None) => Ok(ClientCredentials::None {
                client_id: id.to_owned(),
            }),
            (None, Some(_)) => Err(OAuthError::invalid_request(
                "client_secret given without client_id",
            )),
            (None, None) => Ok(ClientCredentials::Absent),
        }
    }

    /// Decodes `Authorization: Basic` (scheme case-insensitive), if that is the scheme.
    fn basic_credentials(&self) -> Result<Option<(String, String)>, OAuthError> {
        let Some(header) = self.authorization.as_deref() else {
            return Ok(None);
        };
        let Some((scheme, rest)) = header.split_once(' ') else {
            return Ok(None);
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return Ok(None);
        }
        let malformed = || OAuthError::invalid_client("malformed Basic authorization header");
        // Bounded like any parameter: id and secret, each percent-encoded, plus the colon.
        if rest.len() > 4 * (2 * 3 * MAX_PARAM_LEN + 1) / 3 + 4 {
            return Err(malformed());
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .map_err(|_| malformed())?;
        let (id, secret) = decoded
            .iter()
            .position(|&b| b == b':')
            .map(|i| (&decoded[..i], &decoded[i + 1..]))
            .ok_or_else(malformed)?;
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
        let id = decode_component(id).map_err(|_| malformed())?;
        let secret = decode_component(secret).map_err(|_| malformed())?;
        if id.is_empty() || id.len() > MAX_PARAM_LEN || secret.len() > MAX_PARAM_LEN {
            return Err(malformed());
        }
        Ok(Some((id, secret)))
    }
}

/// Client credentials as presented (not yet verified).
#[derive(Clone, PartialEq, Eq)]
pub enum ClientCredentials {
    /// `client_secret_basic` (RFC 6749 §2.3.1).
    Basic {
        /// The client identifier.
        client_id: String,
        /// The presented secret.
        secret: String,
    },
    /// `client_secret_post` (RFC 6749 §2.3.1).
    Post {
        /// The client identifier.
        client_id: String,
        /// The presented secret.
        secret: String,
    },
    /// A public client identifying itself with `client_id` only (`none`).
    None {
        /// The client identifier.
        client_id: String,
    },
    /// No credentials at all.
    Absent,
}

impl std::fmt::Debug for ClientCredentials {
    /// Never prints secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientCredentials::Basic { client_id, .. } => write!(f, "Basic({client_id}, ***)"),
            ClientCredentials::Post { client_id, .. } => write!(f, "Post({client_id}, ***)"),
            ClientCredentials::None { client_id } => write!(f, "None({client_id})"),
            ClientCredentials::Absent => f.write_str("Absent"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn basic(id: &str, secret: &str) -> String {
        let raw = format!("{id}:{secret}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    #[test]
    fn overlong_parameters_are_refused() {
        let long = format!("state={}", "a".repeat(MAX_PARAM_LEN + 1));
        assert_eq!(
            Params::parse(long.as_bytes()).unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
        let fits = format!("state={}", "a".repeat(MAX_PARAM_LEN));
        assert!(Params::parse(fits.as_bytes()).is_ok());
    }

    #[test]
    fn duplicates_are_found_on_both_sides_of_the_scan_limit() {
        let names: Vec<String> = (0..20).map(|i| format!("p{i}=1")).collect();
        for (first, second) in [(1, 3), (2, 15), (12, 19)] {
            let mut pairs = names.clone();
            pairs[second] = format!("p{first}=2");
            let e = Params::parse(pairs.join("&").as_bytes()).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidRequest, "{first} {second}");
        }
        assert_eq!(
            Params::parse(names.join("&").as_bytes())
                .unwrap()
                .iter()
                .count(),
            20
        );
    }

    #[test]
    fn too_many_parameters_are_refused() {
        let many: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("p{i}=1")).collect();
        let e = Params::parse(many.join("&").as_bytes()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        assert!(Params::parse(many[..MAX_PARAMS].join("&").as_bytes()).is_ok());
    }

    #[test]
    fn overlong_query_is_refused() {
        let query = format!("state={}", "a".repeat(MAX_QUERY_LEN));
        let r = OAuthRequest::from_parts(Method::Get, Some(&query), Body::Other, None);
        assert_eq!(r.malformed().unwrap().code(), ErrorCode::InvalidRequest);
    }

    #[test]
    fn overlong_basic_credentials_are_refused() {
        let r = OAuthRequest::post_form(&[])
            .with_authorization(basic(&"i".repeat(MAX_PARAM_LEN + 1), "secret"));
        assert_eq!(
            r.client_credentials().unwrap_err().code(),
            ErrorCode::InvalidClient
        );
        let r =
            OAuthRequest::post_form(&[]).with_authorization(basic("id", &"s".repeat(200 * 1024)));
        assert_eq!(
            r.client_credentials().unwrap_err().code(),
            ErrorCode::InvalidClient
        );
    }

    #[test]
    fn parses_plus_and_percent() {
        let p = Params::parse(b"a=x+y&b=%C3%A9&c=%2B").unwrap();
        assert_eq!(p.get("a"), Some("x y"));
        assert_eq!(p.get("b"), Some("é"));
        assert_eq!(p.get("c"), Some("+"));
    }

    #[test]
    fn duplicate_parameter_is_invalid_request() {
        let e = Params::parse(b"code=a&code=b").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
    }

    #[test]
    fn empty_value_is_omitted_rfc6749_3_1() {
        let p = Params::parse(b"scope=&state=x&scope=a").unwrap();
        assert_eq!(p.get("scope"), Some("a"));
        assert!(Params::parse(b"flag&x=1").unwrap().get("flag").is_none());
    }

    #[test]
    fn invalid_utf8_and_controls_are_refused() {
        for bad in [
            &b"a=%FF"[..],
            b"a=%00",
            b"a=x%0Ay",
            b"a=%G1",
            b"a=%4",
            b"a=%",
        ] {
            let e = Params::parse(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidRequest, "{bad:?}");
        }
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let r = OAuthRequest::post_form(&[]).with_authorization(basic("my%20app", "s%3Acret"));
        assert_eq!(
            r.client_credentials().unwrap(),
            ClientCredentials::Basic {
                client_id: "my app".into(),
                secret: "s:cret".into()
            }
        );
    }

    #[test]
    fn basic_scheme_is_case_insensitive() {
        let header = basic("a", "b").replacen("Basic", "bAsIc", 1);
        let r = OAuthRequest::post_form(&[]).with_authorization(header);
        assert!(matches!(
            r.client_credentials(),
            Ok(ClientCredentials::Basic { .. })
        ));
    }

    #[test]
    fn malformed_basic_is_invalid_client() {
        for header in ["Basic !!!", "Basic Zm9v" /* "foo", no colon */] {
            let r = OAuthRequest::post_form(&[]).with_authorization(header);
            assert_eq!(
                r.client_credentials().unwrap_err().code(),
                ErrorCode::InvalidClient
            );
        }
    }

    #[test]
    fn two_methods_is_invalid_request() {
        let r = OAuthRequest::post_form(&[("client_id", "a"), ("client_secret", "b")])
            .with_authorization(basic("a", "b"));
        assert_eq!(
            r.client_credentials().unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
        let r =
            OAuthRequest::post_form(&[("client_id", "other")]).with_authorization(basic("a", "b"));
        assert_eq!(
            r.client_credentials().unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn post_and_none_credentials() {
        let r = OAuthRequest::post_form(&[("client_id", "a"), ("client_secret", "b")]);
        assert!(matches!(
            r.client_credentials(),
            Ok(ClientCredentials::Post { .. })
        ));
        let r = OAuthRequest::post_form(&[("client_id", "a")]);
        assert!(matches!(
            r.client_credentials(),
            Ok(ClientCredentials::None { .. })
        ));
        let r = OAuthRequest::post_form(&[("client_secret", "b")]);
        assert!(r.client_credentials().is_err());
    }

    #[test]
    fn secret_in_query_is_refused() {
        let r =
            OAuthRequest::from_parts(Method::Post, Some("client_secret=x"), Body::Form(b""), None);
        assert_eq!(
            r.client_credentials().unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn from_parts_keeps_the_parse_error() {
        let r = OAuthRequest::from_parts(Method::Post, None, Body::Form(b"a=1&a=2"), None);
        assert_eq!(r.malformed().unwrap().code(), ErrorCode::InvalidRequest);
    }

    #[test]
    fn debug_hides_secrets() {
        let c = ClientCredentials::Post {
            client_id: "a".into(),
            secret: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
