-- OpenID Connect claims of the embedded resource owners (Core §5.1).
ALTER TABLE oauth2_users ADD COLUMN email TEXT;
ALTER TABLE oauth2_users ADD COLUMN name TEXT;
