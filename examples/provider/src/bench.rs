//! `provider bench-seed`: fills the database for the load benchmark (not for production).

use std::io::Write;
use std::path::Path;

use oauth_runtime::secret::{generate_token, SecretHash};
use oauth_runtime::{AuthorizationCode, ClientMetadata, GrantType, Scope, Token};
use serde_json::json;

use crate::db::Db;

fn lines(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, String> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Creates a client and a user, `tokens` live access tokens (scope `profile`), `codes`
/// authorization codes and `refresh` refresh tokens, all for `audience` if given; writes their
/// strings to `out/`.
pub async fn seed(
    tokens: usize,
    codes: usize,
    refresh: usize,
    out: &Path,
    audience: Option<String>,
) -> Result<(), String> {
    let audience: Vec<String> = audience.into_iter().collect();
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    let db = Db::open().await?;
    let metadata: ClientMetadata = serde_json::from_value(json!({
        "client_name": "Load benchmark",
        "redirect_uris": ["http://127.0.0.1:9/cb"],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials", "password"],
        "response_types": ["code"],
        "scope": "profile",
    }))
    .map_err(|e| e.to_string())?;
    let (client, secret) = metadata.register().map_err(|e| e.to_string())?;
    db.create_client(&client).await?;
    let username = format!("bench-{}", generate_token(6));
    let user = db
        .create_user(&username, "bench-password", None, None)
        .await?;
    let client_json = json!({
        "client_id": client.client_id,
        "client_secret": secret,
        "username": username,
        "password": "bench-password",
    });
    std::fs::write(out.join("client.json"), client_json.to_string()).map_err(|e| e.to_string())?;

    let storage = db.storage();
    let now = crate::cli::unix_now();
    let scope = Scope::parse("profile").map_err(|e| e.to_string())?;
    let token = |access: &str, refresh: Option<&str>| Token {
        access_token_hash: SecretHash::of(access),
        refresh_token_hash: refresh.map(SecretHash::of),
        client_id: client.client_id.clone(),
        user_id: Some(user.id.clone()),
        scope: scope.clone(),
        grant_type: GrantType::AuthorizationCode,
        issued_at: now,
        expires_in: 30 * 86_400,
        refresh_token_expires_at: refresh.map(|_| now + 30 * 86_400),
        family: generate_token(22),
        access_token_revoked: false,
        refresh_token_revoked: false,
        audience: audience.clone(),
    };
    let mut file = lines(&out.join("tokens.txt"))?;
    // Saved 512 at a time, concurrently, so they share commits (group commit).
    let mut done = 0;
    while done < tokens {
        let chunk: Vec<String> = (0..(tokens - done).min(512))
            .map(|_| generate_token(43))
            .collect();
        let saves = chunk
            .iter()
            .map(|access| storage.save_token(token(access, None)));
        for result in rocket::futures::future::join_all(saves).await {
            result.map_err(|e| e.to_string())?;
        }
        for access in &chunk {
            writeln!(file, "{access}").map_err(|e| e.to_string())?;
        }
        done += chunk.len();
        if done % 100_000 < 512 {
            eprintln!("  {done} tokens");
        }
    }
    file.flush().map_err(|e| e.to_string())?;
    let mut file = lines(&out.join("refresh.txt"))?;
    for _ in 0..refresh {
        let refresh = generate_token(43);
        storage
            .save_token(token(&generate_token(43), Some(&refresh)))
            .await
            .map_err(|e| e.to_string())?;
        writeln!(file, "{refresh}").map_err(|e| e.to_string())?;
    }
    file.flush().map_err(|e| e.to_string())?;
    let mut file = lines(&out.join("codes.txt"))?;
    for _ in 0..codes {
        let code = generate_token(43);
        storage
            .save_authorization_code(AuthorizationCode {
                code_hash: SecretHash::of(&code),
                client_id: client.client_id.clone(),
                redirect_uri: None,
                scope: scope.clone(),
                user_id: user.id.clone(),
                code_challenge: None,
                code_challenge_method: None,
                issued_at: now,
                expires_at: now + 600,
                nonce: None,
                auth_time: None,
                audience: audience.clone(),
            })
            .await
            .map_err(|e| e.to_string())?;
        writeln!(file, "{code}").map_err(|e| e.to_string())?;
    }
    file.flush().map_err(|e| e.to_string())?;
    Ok(())
}
