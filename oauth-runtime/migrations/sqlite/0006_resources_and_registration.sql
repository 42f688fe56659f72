-- RFC 8707 resource indicators: the audience of codes and tokens (space-separated URIs), and
-- the resources a client may ask tokens for.
ALTER TABLE oauth2_codes ADD COLUMN audience TEXT;
ALTER TABLE oauth2_tokens ADD COLUMN audience TEXT;
ALTER TABLE oauth2_clients ADD COLUMN resources TEXT;
-- RFC 7591 / RFC 7592 dynamic registration: the registered metadata (JSON) and the digest of
-- the registration access token; both NULL for clients registered otherwise.
ALTER TABLE oauth2_clients ADD COLUMN metadata TEXT;
ALTER TABLE oauth2_clients ADD COLUMN registration_token_hash TEXT;
