//! HTML pages: consent (with sign-in) and errors.

use oauth_runtime::{AuthorizationRequest, OAuthError, Params};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;\
padding:0 1rem;color:#222}h1{font-size:1.4rem}label{display:block;margin:.6rem 0 .2rem}\
input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}\
button{padding:.5rem 1.2rem;margin:1rem .5rem 0 0}.error{color:#b00}li{margin:.2rem 0}";

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=utf-8><title>{}</title>\
         <style>{STYLE}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

/// The consent page: names the client and scopes; signs the user in.
pub fn consent(auth: &AuthorizationRequest, params: &Params, error: Option<&str>) -> String {
    let name = auth.client.client_name().unwrap_or(auth.client.client_id());
    let hidden: String = params
        .iter()
        .filter(|(k, _)| !matches!(*k, "username" | "password" | "decision"))
        .map(|(k, v)| {
            format!(
                "<input type=hidden name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let scopes: String = auth
        .scope
        .iter()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let error = error.map_or(String::new(), |e| {
        format!("<p class=error>{}</p>", escape(e))
    });
    page(
        "Authorize",
        &format!(
            "<h1>{} wants to access your account</h1><p>It asks for:</p><ul>{scopes}</ul>{error}\
             <form method=post>{hidden}\
             <label for=username>Username</label><input type=text id=username name=username>\
             <label for=password>Password</label><input type=password id=password name=password>\
             <button type=submit name=decision value=allow>allow</button>\
             <button type=submit name=decision value=deny>deny</button></form>",
            escape(name)
        ),
    )
}

/// An error that must not be redirected.
pub fn error(error: &OAuthError) -> String {
    page(
        "Error",
        &format!(
            "<h1>This request cannot be completed</h1><p class=error>{}</p><p>{}</p>",
            escape(error.code().as_str()),
            escape(error.description().unwrap_or(""))
        ),
    )
}
