use oauth_runtime::{OAuth2Client, OAuth2User};

/// A registered application (an OAuth client), in the `apps` table.
#[derive(OAuth2Client)]
#[oauth(table = "apps")]
pub struct App {
    #[oauth(client_id)]
    pub id: String,
    #[oauth(secret_hash)]
    pub secret_digest: Option<String>,
    #[oauth(client_name)]
    pub name: String,
    pub redirect_uris: String,
    pub grant_types: String,
    pub scope: String,
    /// Ours, not OAuth's: read from its column all the same.
    #[oauth(column = "is_official")]
    pub is_official: bool,
}

/// A user account (a resource owner), in the `accounts` table.
#[derive(OAuth2User)]
#[oauth(table = "accounts")]
pub struct Account {
    pub id: i64,
    #[oauth(username)]
    pub email: String,
    #[oauth(password_hash)]
    pub password: Option<String>,
}
