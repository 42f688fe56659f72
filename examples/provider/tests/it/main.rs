//! Black-box tests of the `provider` binary: started on a free port, driven over HTTP with a
//! real OAuth client (`oauth2`) and a cookie-keeping HTTP client.

mod browser;
mod cli;
mod client_metadata;
mod crash;
mod defences;
mod flows;
mod harness;
mod logout;
mod mcp;
mod openid;
mod pages;
mod readme;
mod resource_server;
