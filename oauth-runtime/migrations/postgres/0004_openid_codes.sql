-- OpenID Connect: a code remembers the request's nonce and when the user signed in.
ALTER TABLE oauth2_codes ADD COLUMN nonce TEXT;
ALTER TABLE oauth2_codes ADD COLUMN auth_time BIGINT;
