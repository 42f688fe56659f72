-- PostgreSQL: the same tables.
CREATE TABLE IF NOT EXISTS apps (
    id TEXT PRIMARY KEY,
    secret_digest TEXT,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    scope TEXT NOT NULL,
    is_official BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS accounts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE
);
