mod auth;
mod db;
mod models;
mod rules;

use oauth_runtime::{grants, require_oauth, CachingStore, CurrentToken, OAuth2};
use rocket::{get, routes};

/// The API: who the token's user is.
#[require_oauth(scope = "profile")]
#[get("/me")]
fn me(token: CurrentToken) -> String {
    format!("account {}", token.user_id().unwrap_or("none"))
}

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = db::open().await?;
    let pool = store.pool().clone();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args[..] {
        ["add-user", email, password] => db::add_user(&pool, email, password).await?,
        ["add-client", name, uri] => db::add_client(&pool, name, uri, false).await?,
        ["add-client", name, uri, "--official"] => db::add_client(&pool, name, uri, true).await?,
        [] => {
            let oauth = OAuth2::new(CachingStore::new(store))
                .grants(grants![AuthorizationCode, RefreshToken])
                .access_token_generator(rules::access_token)
                .expires_in(rules::lifetimes())
                .validator(rules::DisabledAccounts(pool));
            rocket::build()
                .attach(oauth)
                .mount("/", routes![auth::login_page, auth::login])
                .mount("/oauth", routes![auth::authorize, auth::decide])
                .mount("/oauth", oauth_runtime::oauth_routes())
                .mount("/api", routes![me])
                .launch()
                .await?;
        }
        _ => eprintln!("usage: my-provider [add-user EMAIL PASSWORD | add-client NAME REDIRECT_URI [--official]]"),
    }
    Ok(())
}
