-- SQLite: the application's own tables. (The provider's tokens and codes live in the
-- embedded oauth2_* tables the store creates.)
CREATE TABLE IF NOT EXISTS apps (
    id TEXT PRIMARY KEY,
    secret_digest TEXT,                  -- hex SHA-256 of the client secret
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,         -- space-separated
    grant_types TEXT NOT NULL,
    scope TEXT NOT NULL,
    is_official BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password TEXT,                       -- Argon2 PHC string
    disabled BOOLEAN NOT NULL DEFAULT FALSE
);
