use oauth_runtime::sqlx::{self, SqlitePool};
use oauth_runtime::{
    async_trait, BearerTokenValidator, ExpiresIn, OAuth2Client, OAuthError, Storage, StorageError,
    Token, TokenContext,
};

use crate::models::App;

/// Access tokens with a prefix a secret scanner can recognise, then 256 random bits.
pub fn access_token(_: &TokenContext<'_>) -> String {
    format!("mp_{}", oauth_runtime::secret::generate_token(43))
}

/// Our own applications get a day; everyone else what `Rocket.toml` says.
pub fn lifetimes() -> ExpiresIn {
    ExpiresIn::custom(|client: &dyn OAuth2Client, _grant| {
        let app = client.downcast_ref::<App>()?;
        app.is_official.then_some(24 * 3600)
    })
}

/// A disabled account's tokens stop working at once, at the API and at introspection.
pub struct DisabledAccounts(pub SqlitePool);

#[async_trait]
impl BearerTokenValidator for DisabledAccounts {
    async fn token_revoked(&self, _: &dyn Storage, token: &Token) -> Result<bool, OAuthError> {
        let Some(id) = &token.user_id else {
            return Ok(token.access_token_revoked);
        };
        let disabled: Option<bool> =
            sqlx::query_scalar("SELECT disabled FROM accounts WHERE id = $1")
                .bind(id.parse::<i64>().unwrap_or(-1))
                .fetch_optional(&self.0)
                .await
                .map_err(StorageError::from)?;
        Ok(token.access_token_revoked || disabled.unwrap_or(true))
    }
}
