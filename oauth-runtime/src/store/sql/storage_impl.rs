//! The `Storage` implementation, written once for every sqlx backend: the statements are
//! portable (`$n` parameters, `RETURNING`, booleans), only the pool type differs.

// Column lists as literals: sqlx only takes `'static` SQL, so statements are built with
// `concat!`, never `format!`.
macro_rules! token_columns {
    () => {
        "access_token_hash, refresh_token_hash, client_id, user_id, scope, grant_type, \
         issued_at, expires_in, refresh_token_expires_at, family, access_token_revoked, \
         refresh_token_revoked"
    };
}

macro_rules! code_columns {
    () => {
        "code_hash, client_id, redirect_uri, scope, user_id, code_challenge, \
         code_challenge_method, issued_at, expires_at"
    };
}

macro_rules! client_columns {
    () => {
        "client_id, secret_hash, client_name, redirect_uris, grant_types, response_types, \
         scope, token_endpoint_auth_method"
    };
}

macro_rules! sql_store {
    ($store:ident, $db:ty, $migrator:expr) => {
        #[async_trait::async_trait]
        impl $crate::store::Storage for $store {
            async fn find_client(
                &self,
                client_id: &str,
            ) -> $crate::store::StorageResult<Option<std::sync::Arc<dyn $crate::OAuth2Client>>> {
                let sql = concat!("SELECT ", client_columns!(), " FROM oauth2_clients WHERE client_id = $1");
                let row: Option<$crate::store::sql::rows::ClientRow> = sqlx::query_as(sql)
                    .bind(client_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::sql::db_error)?;
                Ok(row.map(|r| std::sync::Arc::new(r) as std::sync::Arc<dyn $crate::OAuth2Client>))
            }

            async fn save_authorization_code(
                &self,
                code: $crate::AuthorizationCode,
            ) -> $crate::store::StorageResult<()> {
                use $crate::OAuth2AuthorizationCode as _;
                let row = $crate::store::sql::rows::CodeRow::from_code(&code);
                sqlx::query(
                    "INSERT INTO oauth2_codes (code_hash, client_id, redirect_uri, scope, user_id, \
                     code_challenge, code_challenge_method, issued_at, expires_at, used) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE)",
                )
                .bind(row.code_hash)
                .bind(row.client_id)
                .bind(row.redirect_uri)
                .bind(row.scope)
                .bind(row.user_id)
                .bind(row.code_challenge)
                .bind(row.code_challenge_method)
                .bind(row.issued_at)
                .bind(row.expires_at)
                .execute(self.writer())
                .await
                .map_err($crate::store::sql::db_error)?;
                Ok(())
            }

            async fn consume_authorization_code(
                &self,
                code_hash: &$crate::secret::SecretHash,
            ) -> $crate::store::StorageResult<$crate::store::CodeRedemption> {
                use $crate::OAuth2AuthorizationCode as _;
                let hash = code_hash.as_bytes().to_vec();
                // One statement: of concurrent redemptions exactly one matches `used = FALSE`.
                let sql = concat!(
                    "UPDATE oauth2_codes SET used = TRUE WHERE code_hash = $1 AND used = FALSE RETURNING ",
                    code_columns!()
                );
                let redeemed: Option<$crate::store::sql::rows::CodeRow> = sqlx::query_as(sql)
                    .bind(&hash)
                    .fetch_optional(self.writer())
                    .await
                    .map_err($crate::store::sql::db_error)?;
                if let Some(row) = redeemed {
                    return Ok($crate::store::CodeRedemption::Redeemed(row.to_code()?));
                }
                let sql = concat!("SELECT ", code_columns!(), " FROM oauth2_codes WHERE code_hash = $1");
                let used: Option<$crate::store::sql::rows::CodeRow> = sqlx::query_as(sql)
                    .bind(&hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::sql::db_error)?;
                Ok(match used {
                    Some(row) => $crate::store::CodeRedemption::AlreadyUsed(row.to_code()?),
                    None => $crate::store::CodeRedemption::Unknown,
                })
            }

            async fn save_token(&self, token: $crate::Token) -> $crate::store::StorageResult<()> {
                // Group commit: concurrent issuances share one transaction.
                let writer = self.writer().clone();
                self.batcher
                    .submit(token, move |receiver| {
                        let writer = writer.clone();
                        tokio::spawn($crate::store::sql::batch::run(receiver, move |tokens| {
                            let writer = writer.clone();
                                                        async move {
                                $store::insert_tokens(&writer, &tokens).await.map_err(|e| e.to_string())
                            }
                        }));
                    })
                    .await
            }

            async fn find_access_token(
                &self,
                hash: &$crate::secret::SecretHash,
            ) -> $crate::store::StorageResult<Option<$crate::Token>> {
                let sql = concat!("SELECT ", token_columns!(), " FROM oauth2_tokens WHERE access_token_hash = $1");
                self.find_token(sql, hash).await
            }

            async fn find_refresh_token(
                &self,
                hash: &$crate::secret::SecretHash,
            ) -> $crate::store::StorageResult<Option<$crate::Token>> {
                let sql = concat!("SELECT ", token_columns!(), " FROM oauth2_tokens WHERE refresh_token_hash = $1");
                self.find_token(sql, hash).await
            }

            async fn rotate_refresh_token(
                &self,
                old: &$crate::secret::SecretHash,
                new: $crate::Token,
            ) -> $crate::store::StorageResult<$crate::store::Rotation> {
                let db = $crate::store::sql::db_error;
                let hash = old.as_bytes().to_vec();
                let mut tx = self.writer().begin().await.map_err(db)?;
                // The first statement writes, so it takes the lock: concurrent rotations of one
                // refresh token serialise here and only the first finds it unrevoked.
                let rotated: Option<(String,)> = sqlx::query_as(
                    "UPDATE oauth2_tokens SET refresh_token_revoked = TRUE, \
                     access_token_revoked = TRUE \
                     WHERE refresh_token_hash = $1 AND refresh_token_revoked = FALSE \
                     RETURNING family",
                )
                .bind(&hash)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
                if rotated.is_some() {
                    $store::insert_token(&mut *tx, &new).await?;
                    tx.commit().await.map_err(db)?;
                    return Ok($crate::store::Rotation::Rotated);
                }
                let family: Option<(String,)> =
                    sqlx::query_as("SELECT family FROM oauth2_tokens WHERE refresh_token_hash = $1")
                        .bind(&hash)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                let Some((family,)) = family else {
                    return Ok($crate::store::Rotation::Unknown);
                };
                sqlx::query(
                    "UPDATE oauth2_tokens SET access_token_revoked = TRUE, \
                     refresh_token_revoked = TRUE WHERE family = $1",
                )
                .bind(family)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                tx.commit().await.map_err(db)?;
                Ok($crate::store::Rotation::Reused)
            }

            async fn revoke_access_token(
                &self,
                hash: &$crate::secret::SecretHash,
            ) -> $crate::store::StorageResult<()> {
                sqlx::query("UPDATE oauth2_tokens SET access_token_revoked = TRUE WHERE access_token_hash = $1")
                    .bind(hash.as_bytes().to_vec())
                    .execute(self.writer())
                    .await
                    .map_err($crate::store::sql::db_error)?;
                Ok(())
            }

            async fn revoke_family(&self, family: &str) -> $crate::store::StorageResult<()> {
                sqlx::query(
                    "UPDATE oauth2_tokens SET access_token_revoked = TRUE, \
                     refresh_token_revoked = TRUE WHERE family = $1",
                )
                .bind(family)
                .execute(self.writer())
                .await
                .map_err($crate::store::sql::db_error)?;
                Ok(())
            }

            async fn authenticate_user(
                &self,
                username: &str,
                password: &str,
            ) -> $crate::store::StorageResult<Option<$crate::ResourceOwner>> {
                let row: Option<$crate::store::sql::rows::UserRow> = sqlx::query_as(
                    "SELECT id, username, password_hash FROM oauth2_users WHERE username = $1",
                )
                .bind(username)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::store::sql::db_error)?;
                let found = row.map(|r| ($crate::ResourceOwner::new(r.id, r.username), r.password_hash));
                $crate::password::verify_user(found, password).await
            }

            async fn find_user(
                &self,
                user_id: &str,
            ) -> $crate::store::StorageResult<Option<$crate::ResourceOwner>> {
                let row: Option<(String, String)> =
                    sqlx::query_as("SELECT id, username FROM oauth2_users WHERE id = $1")
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err($crate::store::sql::db_error)?;
                Ok(row.map(|(id, username)| $crate::ResourceOwner::new(id, username)))
            }

            async fn purge_expired(&self, now: u64) -> $crate::store::StorageResult<u64> {
                let db = $crate::store::sql::db_error;
                let now = i64::try_from(now).unwrap_or(i64::MAX);
                // Used codes stay a day past expiry, so a late replay still revokes its tokens.
                let codes = sqlx::query("DELETE FROM oauth2_codes WHERE expires_at < $1")
                    .bind(now - $crate::store::CODE_RETENTION)
                    .execute(self.writer())
                    .await
                    .map_err(db)?;
                // A token row goes when its access token has expired and its refresh token
                // (kept for reuse detection even when rotated) has expired too.
                let tokens = sqlx::query(
                    "DELETE FROM oauth2_tokens WHERE issued_at + expires_in < $1 \
                     AND (refresh_token_hash IS NULL OR refresh_token_expires_at < $1)",
                )
                .bind(now)
                .execute(self.writer())
                .await
                .map_err(db)?;
                Ok(codes.rows_affected() + tokens.rows_affected())
            }
        }

        impl $store {
            async fn find_token(
                &self,
                sql: &'static str,
                hash: &$crate::secret::SecretHash,
            ) -> $crate::store::StorageResult<Option<$crate::Token>> {
                use $crate::OAuth2Token as _;
                let row: Option<$crate::store::sql::rows::TokenRow> = sqlx::query_as(sql)
                    .bind(hash.as_bytes().to_vec())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::sql::db_error)?;
                row.map(|r| r.to_token()).transpose()
            }

            async fn insert_token(
                conn: &mut <$db as sqlx::Database>::Connection,
                token: &$crate::Token,
            ) -> $crate::store::StorageResult<()> {
                use $crate::OAuth2Token as _;
                let row = $crate::store::sql::rows::TokenRow::from_token(token);
                let sql = concat!(
                    "INSERT INTO oauth2_tokens (",
                    token_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                );
                sqlx::query(sql)
                    .bind(row.access_token_hash)
                    .bind(row.refresh_token_hash)
                    .bind(row.client_id)
                    .bind(row.user_id)
                    .bind(row.scope)
                    .bind(row.grant_type)
                    .bind(row.issued_at)
                    .bind(row.expires_in)
                    .bind(row.refresh_token_expires_at)
                    .bind(row.family)
                    .bind(row.access_token_revoked)
                    .bind(row.refresh_token_revoked)
                    .execute(conn)
                    .await
                    .map_err($crate::store::sql::db_error)?;
                Ok(())
            }

                        /// Inserts tokens with one multi-row statement: atomic, one round trip.
            async fn insert_tokens(
                writer: &sqlx::Pool<$db>,
                tokens: &[$crate::Token],
            ) -> $crate::store::StorageResult<()> {
                use $crate::OAuth2Token as _;
                let mut query = sqlx::QueryBuilder::<$db>::new(concat!(
                    "INSERT INTO oauth2_tokens (",
                    token_columns!(),
                    ") "
                ));
                query.push_values(tokens, |mut values, token| {
                    let row = $crate::store::sql::rows::TokenRow::from_token(token);
                    values
                        .push_bind(row.access_token_hash)
                        .push_bind(row.refresh_token_hash)
                        .push_bind(row.client_id)
                        .push_bind(row.user_id)
                        .push_bind(row.scope)
                        .push_bind(row.grant_type)
                        .push_bind(row.issued_at)
                        .push_bind(row.expires_in)
                        .push_bind(row.refresh_token_expires_at)
                        .push_bind(row.family)
                        .push_bind(row.access_token_revoked)
                        .push_bind(row.refresh_token_revoked);
                });
                query.build().execute(writer).await.map_err($crate::store::sql::db_error)?;
                Ok(())
            }

            /// Wraps a pool the application already has (migrations are not applied; call
            /// [`migrate`](Self::migrate)). Writes share the pool.
            pub fn from_pool(pool: sqlx::Pool<$db>) -> Self {
                $store { writer: pool.clone(), pool, batcher: std::sync::Arc::default() }
            }

            /// The pool writes go through.
            fn writer(&self) -> &sqlx::Pool<$db> {
                &self.writer
            }

            /// The pool, to share with the application.
            pub fn pool(&self) -> &sqlx::Pool<$db> {
                &self.pool
            }

            /// Applies the embedded schema migrations.
            pub async fn migrate(&self) -> $crate::store::StorageResult<()> {
                $migrator
                    .run(self.writer())
                    .await
                    .map_err(|e| $crate::store::StorageError::from_source("migration failed", e))
            }

            /// Registers a client (its secret stored as the digest it already is).
            pub async fn create_client(&self, client: &$crate::Client) -> $crate::store::StorageResult<()> {
                let json = |list: Vec<String>| serde_json::Value::from(list).to_string();
                sqlx::query(
                    "INSERT INTO oauth2_clients (client_id, secret_hash, client_name, redirect_uris, \
                     grant_types, response_types, scope, token_endpoint_auth_method, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&client.client_id)
                .bind(client.secret_hash.map(|h| h.to_hex()))
                .bind(&client.client_name)
                .bind(json(client.redirect_uris.clone()))
                .bind(json(client.grant_types.iter().map(|g| g.as_str().to_owned()).collect()))
                .bind(json(client.response_types.iter().map(|r| r.as_str().to_owned()).collect()))
                .bind(client.scope.to_string())
                .bind(client.token_endpoint_auth_method.as_str())
                .bind(i64::try_from($crate::model::now()).unwrap_or(i64::MAX))
                .execute(self.writer())
                .await
                .map_err($crate::store::sql::db_error)?;
                Ok(())
            }

            /// Registers a resource owner with an Argon2id password hash; the id is generated.
            pub async fn create_user(
                &self,
                username: &str,
                password: &str,
            ) -> $crate::store::StorageResult<$crate::ResourceOwner> {
                let owner = $crate::ResourceOwner::new($crate::secret::generate_token(22), username);
                let password = password.to_owned();
                let hash = tokio::task::spawn_blocking(move || $crate::password::hash_password(&password))
                    .await
                    .ok()
                    .flatten()
                    .ok_or_else(|| $crate::store::StorageError::new("password hashing failed"))?;
                sqlx::query(
                    "INSERT INTO oauth2_users (id, username, password_hash, created_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&owner.id)
                .bind(&owner.username)
                .bind(hash)
                .bind(i64::try_from($crate::model::now()).unwrap_or(i64::MAX))
                .execute(self.writer())
                .await
                .map_err($crate::store::sql::db_error)?;
                Ok(owner)
            }
        }
    };
}
