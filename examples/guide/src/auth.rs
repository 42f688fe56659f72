use oauth_runtime::rocket::url_encode;
use oauth_runtime::{
    AuthorizationDecision, AuthorizationPrompt, AuthorizationServer, ClientAddress, CsrfToken,
    OAuthResponse, ResourceOwner, SignedInUser,
};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::{content::RawHtml, Redirect};
use rocket::{get, post, Request, State};

/// The signed-in user: an account id in a private (encrypted) cookie.
pub struct User(ResourceOwner);

#[rocket::async_trait]
impl SignedInUser for User {
    async fn signed_in(request: &Request<'_>) -> Option<Self> {
        let id = request.cookies().get_private("account")?.value().to_owned();
        let server = request.rocket().state::<AuthorizationServer>()?;
        server.storage().find_user(&id).await.ok()?.map(User)
    }
    fn resource_owner(&self) -> ResourceOwner {
        self.0.clone()
    }
    fn sign_in_url(return_to: &str) -> String {
        format!("/login?next={}", url_encode(return_to))
    }
}

#[get("/login?<next>")]
pub fn login_page(next: Option<&str>, csrf: CsrfToken) -> RawHtml<String> {
    RawHtml(format!(
        r#"<form method="post" action="/login?next={}">{}
        <input name="username" placeholder="email"> <input name="password" type="password">
        <button>Sign in</button></form>"#,
        url_encode(next.unwrap_or("/")),
        csrf.hidden_field()
    ))
}

#[derive(FromForm)]
pub struct Login<'r> {
    username: &'r str,
    password: &'r str,
    csrf_token: &'r str,
}

#[post("/login?<next>", data = "<form>")]
pub async fn login(
    next: Option<&str>,
    form: Form<Login<'_>>,
    csrf: CsrfToken,
    address: ClientAddress,
    server: &State<AuthorizationServer>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, Status> {
    if !csrf.matches(Some(form.csrf_token)) {
        return Err(Status::Forbidden);
    }
    // Throttled and rate-limited exactly like the password grant.
    let owner = server
        .authenticate_user(form.username, form.password, address.0)
        .await
        .map_err(|e| Status::new(e.status()))?
        .ok_or(Status::Unauthorized)?;
    cookies.add_private(Cookie::build(("account", owner.id)).same_site(SameSite::Lax));
    // Back to the authorization request, and nowhere else (no open redirect).
    let next = next.filter(|n| n.starts_with("/oauth/authorize?"));
    Ok(Redirect::to(next.unwrap_or("/").to_owned()))
}

#[get("/authorize")]
pub fn authorize(prompt: AuthorizationPrompt<User>) -> Result<RawHtml<String>, OAuthResponse> {
    let consent = prompt.consent()?; // or: sign in first, or an error
    Ok(RawHtml(format!(
        r#"<form method="post">{}<p>{} wants: {}</p>
        <button name="decision" value="allow">Allow</button>
        <button name="decision" value="deny">Deny</button></form>"#,
        consent.hidden_fields(),
        consent.client_name_html(),
        consent.scope_html()
    )))
}

#[post("/authorize", data = "<decision>")]
pub async fn decide(decision: AuthorizationDecision<'_, User>) -> OAuthResponse {
    let allow = decision.param("decision") == Some("allow");
    decision.respond(allow).await
}
