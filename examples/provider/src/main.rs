//! `provider`: a complete OAuth 2.0 provider on oauth-runtime.
//!
//! ```text
//! provider serve [--port N]                   serve on 127.0.0.1 (default port 8000 or ROCKET_PORT)
//! provider demo                               create a demo user and client, print them
//! provider users create NAME --password PW [--email E] [--full-name N]
//!                                             create a resource owner
//! provider clients create --json '{...}' [--resource-server]
//!                                             register a client from RFC 7591 metadata
//! provider keys rotate                        make a new signing key (JWKS: /oauth/jwks)
//! ```
//!
//! Every command uses `DATABASE_URL`, default `sqlite://provider.db` in the working directory.

mod bench;
mod cli;
mod db;
mod pages;
mod routes;
mod session;

use clap::{Parser, Subcommand};

/// A complete OAuth 2.0 provider.
#[derive(Parser)]
#[command(name = "provider", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the provider on 127.0.0.1.
    Serve {
        /// Port (default: ROCKET_PORT, else 8000).
        #[arg(long)]
        port: Option<u16>,
    },
    /// Create a demo user and client and print how to try them.
    Demo,
    /// Manage resource owners.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Manage clients.
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// Manage the keys that sign JWTs.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Seed the database for the load benchmark (see BENCHMARKS.md).
    #[command(hide = true)]
    BenchSeed {
        /// Live access tokens (scope `profile`).
        #[arg(long, default_value_t = 1000)]
        tokens: usize,
        /// Authorization codes (no PKCE, valid 10 minutes).
        #[arg(long, default_value_t = 0)]
        codes: usize,
        /// Refresh tokens.
        #[arg(long, default_value_t = 0)]
        refresh: usize,
        /// Where to write the client and the token strings.
        #[arg(long)]
        out: std::path::PathBuf,
        /// The audience (RFC 8707 resource) of every seeded code and token: the `resource`
        /// the server is started with, whose guards refuse tokens for anything else.
        #[arg(long)]
        audience: Option<String>,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a resource owner.
    Create {
        /// The username.
        name: String,
        /// The password (stored as an Argon2id hash).
        #[arg(long)]
        password: String,
        /// The email address (OpenID Connect claim `email`).
        #[arg(long)]
        email: Option<String>,
        /// The full name (OpenID Connect claim `name`).
        #[arg(long = "full-name")]
        full_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new signing key; the previous ones stay published until every token they signed
    /// has expired. A running server picks it up within a minute. Prints the key ids.
    Rotate,
}

#[derive(Subcommand)]
enum ClientsCommand {
    /// Register a client from RFC 7591 metadata; prints the client as JSON.
    Create {
        /// The metadata, e.g. '{"client_name":"App","redirect_uris":["https://app/cb"]}'.
        #[arg(long)]
        json: String,
        /// Register it as a resource server: it may introspect every client's tokens
        /// (RFC 7662 §4). Other clients may introspect only their own.
        #[arg(long)]
        resource_server: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = rocket::execute(async move {
        match cli.command {
            Command::Serve { port } => cli::serve(port).await,
            Command::Demo => cli::demo().await,
            Command::Users {
                command:
                    UsersCommand::Create {
                        name,
                        password,
                        email,
                        full_name,
                    },
            } => cli::create_user(&name, &password, email.as_deref(), full_name.as_deref()).await,
            Command::Clients {
                command:
                    ClientsCommand::Create {
                        json,
                        resource_server,
                    },
            } => cli::create_client(&json, resource_server).await,
            Command::Keys {
                command: KeysCommand::Rotate,
            } => cli::rotate_keys().await,
            Command::BenchSeed {
                tokens,
                codes,
                refresh,
                out,
                audience,
            } => bench::seed(tokens, codes, refresh, &out, audience).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
