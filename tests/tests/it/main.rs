//! End-to-end tests through the public API, with Rocket's local asynchronous client.

mod attacks;
mod authorization_code;
mod client_auth;
mod client_credentials;
mod common;
mod config;
mod consent;
mod extension;
mod fuzz;
mod implicit;
mod introspection;
mod jwt_access_tokens;
mod keys;
mod macros;
mod openid;
mod own_tables;
mod password;
mod pg;
mod refresh_token;
mod request_hygiene;
mod resource;
mod revocation;
mod security;
mod sql_server;
mod storage;
mod ui;
