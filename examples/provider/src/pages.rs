//! HTML pages: home, sign-in, consent and errors. Every page refuses to be framed.

use oauth_runtime::rocket::Consent;
use oauth_runtime::OAuthError;
use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};

use crate::session::SignedIn;

const STYLE: &str = "body{font-family:system-ui,-apple-system,sans-serif;max-width:30rem;\
margin:3rem auto;padding:0 1rem;color:#1f2328;line-height:1.5}\
h1{font-size:1.35rem;margin-bottom:.5rem}.card{border:1px solid #d0d7de;border-radius:8px;\
padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.06)}label{display:block;margin:.8rem 0 .25rem;\
font-weight:600}input[type=text],input[type=password]{width:100%;padding:.55rem;\
box-sizing:border-box;border:1px solid #d0d7de;border-radius:6px;font-size:1rem}\
button{padding:.55rem 1.3rem;margin:1.2rem .6rem 0 0;border-radius:6px;border:1px solid #d0d7de;\
font-size:1rem;cursor:pointer;background:#f6f8fa}button.primary{background:#1f883d;color:#fff;\
border-color:#1a7f37}.error{color:#cf222e}.muted{color:#656d76;font-size:.9rem}\
ul.scopes{padding-left:1.2rem}code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}";

/// An HTML page with its status.
pub struct Page {
    pub status: Status,
    pub html: String,
    /// `Retry-After` seconds, for a throttled sign-in.
    pub retry_after: Option<u64>,
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build_from(self.html.respond_to(request)?);
        if let Some(seconds) = self.retry_after {
            response.header(Header::new("Retry-After", seconds.to_string()));
        }
        response
            .status(self.status)
            .header(ContentType::HTML)
            // RFC 6749 §10.13 / RFC 9700 §4.16: no clickjacking of sign-in and consent.
            .header(Header::new("X-Frame-Options", "DENY"))
            .header(Header::new(
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ))
            .header(Header::new("Cache-Control", "no-store"))
            .header(Header::new("Referrer-Policy", "no-referrer"))
            .ok()
    }
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

fn page(status: Status, title: &str, body: &str) -> Page {
    Page {
        status,
        retry_after: None,
        html: format!(
            "<!doctype html><html lang=en><head><meta charset=utf-8>\
             <meta name=viewport content=\"width=device-width,initial-scale=1\">\
             <title>{}</title><style>{STYLE}</style></head><body><div class=card>{body}</div>\
             </body></html>",
            escape(title)
        ),
    }
}

/// The home page; a signed-in user (`Some((username, csrf))`) gets a sign-out button.
pub fn home(issuer: &str, signed_in: Option<(&str, &str)>) -> Page {
    let session = match signed_in {
        Some((user, csrf)) => format!(
            "<form method=post action=\"/logout\"><p>Signed in as {}. \
             <input type=hidden name=csrf_token value=\"{}\">\
             <button type=submit>Sign out</button></p></form>",
            escape(user),
            escape(csrf)
        ),
        None => String::new(),
    };
    page(
        Status::Ok,
        "OAuth 2.0 provider",
        &format!(
            "<h1>OAuth 2.0 provider</h1><p>Issuer <code>{0}</code>.</p>{session}\
             <p>Metadata: <a href=\"/.well-known/oauth-authorization-server\">\
             /.well-known/oauth-authorization-server</a></p>\
             <p class=muted>Run <code>cargo run -p provider -- demo</code> to create a demo user \
             and client.</p>",
            escape(issuer)
        ),
    )
}

pub fn login(next: &str, username: &str, csrf: &str, error: Option<&str>) -> Page {
    let error = error.map_or(String::new(), |e| {
        format!("<p class=error role=alert>{}</p>", escape(e))
    });
    page(
        if error.is_empty() {
            Status::Ok
        } else {
            Status::Unauthorized
        },
        "Sign in",
        &format!(
            "<h1>Sign in</h1>{error}<form method=post action=\"/login\">\
             <input type=hidden name=csrf_token value=\"{}\"><input type=hidden name=next value=\"{}\">\
             <label for=username>Username</label>\
             <input type=text id=username name=username value=\"{}\" autocomplete=username autofocus required>\
             <label for=password>Password</label>\
             <input type=password id=password name=password autocomplete=current-password required>\
             <button class=primary type=submit>Sign in</button></form>",
            escape(csrf),
            escape(next),
            escape(username)
        ),
    )
}

/// The consent page: names the client and the scopes, with allow and deny buttons.
pub fn consent(consent: &Consent<SignedIn>) -> Page {
    let auth = &consent.authorization;
    let user = &consent.user.0.username;
    let name = auth.client.client_name().unwrap_or(auth.client.client_id());
    // The host in ASCII (punycode for internationalised names), so a look-alike host in
    // another script cannot pass for a familiar one; the full URI only when it is ASCII.
    let host = auth.redirect_host().unwrap_or_else(|| {
        auth.redirect_uri
            .split(':')
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    let uri = if auth.redirect_uri.is_ascii() {
        format!(" (<code>{}</code>)", escape(&auth.redirect_uri))
    } else {
        String::new()
    };
    // A client known by its metadata document (an https URL as client id) names itself:
    // say where the document lives, so a made-up name cannot pass for a known app.
    let identified = match auth.metadata_document_host() {
        Some(host) => format!(
            "<p class=muted>Not registered here: it describes itself at <strong>{}</strong>.</p>",
            escape(&host)
        ),
        None => String::new(),
    };
    let scopes = if auth.scope.is_empty() {
        "<p class=muted>No scopes: it will only learn that you signed in.</p>".to_owned()
    } else {
        let items: String = auth
            .scope
            .iter()
            .map(|s| match scope_meaning(s) {
                Some(meaning) => format!("<li><code>{}</code>: {meaning}</li>", escape(s)),
                None => format!("<li><code>{}</code></li>", escape(s)),
            })
            .collect();
        format!("<p>It asks for:</p><ul class=scopes>{items}</ul>")
    };
    page(
        Status::Ok,
        "Authorize",
        &format!(
            "<h1><strong>{}</strong> wants to access your account</h1>{identified}\
             <p class=muted>Signed in as {}. It will be sent back to <strong>{}</strong>{uri}.</p>{scopes}\
             <form method=post action=\"/oauth/authorize\">{}\
             <button class=primary type=submit name=decision value=allow>allow</button>\
             <button type=submit name=decision value=deny>deny</button></form>",
            escape(name),
            escape(user),
            escape(&host),
            consent.hidden_fields(),
        ),
    )
}

/// What an OpenID Connect scope lets the client learn (the claims it releases, Core §5.4).
fn scope_meaning(scope: &str) -> Option<&'static str> {
    match scope {
        "openid" => Some("sign you in: your account identifier"),
        "profile" => Some("your name and username"),
        "email" => Some("your email address"),
        _ => None,
    }
}

/// An error that must not be redirected (unknown client, unregistered redirect URI, ...).
pub fn error(error: &OAuthError) -> Page {
    let status = Status::from_code(error.status()).unwrap_or(Status::BadRequest);
    let retry_after = error
        .to_response()
        .header("Retry-After")
        .and_then(|v| v.parse().ok());
    let page = page(
        status,
        "Error",
        &format!(
            "<h1>This request cannot be completed</h1><p class=error><code>{}</code></p><p>{}</p>\
             <p class=muted>The application that sent you here may be misconfigured.</p>",
            escape(error.code().as_str()),
            escape(error.description().unwrap_or(""))
        ),
    );
    Page {
        retry_after,
        ..page
    }
}

/// A refused form (missing or wrong CSRF token).
pub fn forbidden(message: &str) -> Page {
    page(
        Status::Forbidden,
        "Forbidden",
        &format!("<h1>Forbidden</h1><p class=error>{}</p>", escape(message)),
    )
}

/// Too many failed sign-ins from this address for this account.
pub fn throttled(retry_after: u64) -> Page {
    Page {
        retry_after: Some(retry_after),
        ..page(
            Status::TooManyRequests,
            "Too many attempts",
            &format!("<h1>Too many failed attempts</h1><p>Try again in {retry_after} seconds.</p>"),
        )
    }
}

/// RP-initiated logout: ask before signing out (the request did not prove who asked).
pub fn confirm_sign_out(username: &str, client: Option<&str>, hidden_fields: &str) -> Page {
    let who = client.map_or(String::new(), |c| {
        format!(" <strong>{}</strong> asks to sign you out.", escape(c))
    });
    page(
        Status::Ok,
        "Sign out",
        &format!(
            "<h1>Sign out?</h1><p>Signed in as <strong>{}</strong>.{who}</p>\
             <form method=post>{hidden_fields}<button class=primary type=submit>Sign out</button></form>",
            escape(username)
        ),
    )
}

/// Signed out, with nowhere to go back to.
pub fn signed_out() -> Page {
    page(
        Status::Ok,
        "Signed out",
        "<h1>Signed out</h1><p>You are signed out.</p>",
    )
}
