-- Clients registered as resource servers may introspect every client's tokens (RFC 7662 §4).
ALTER TABLE oauth2_clients ADD COLUMN resource_server BOOLEAN NOT NULL DEFAULT FALSE;
