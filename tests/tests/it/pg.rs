//! PostgreSQL for tests.
//!
//! - `OAUTH_TEST_POSTGRES_URL` names a server where the test role may `CREATE DATABASE`: each
//!   test gets a database of its own. Without it the PostgreSQL tests are skipped, unless
//!   `OAUTH_REQUIRE_POSTGRES=1` (set by `.ci/run`), which turns the skip into a failure.
//! - [`Cluster`] starts a private server from the installed binaries (initdb, pg_ctl), for tests
//!   that stop and restart the database.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use sqlx::Connection;

fn required() -> bool {
    std::env::var("OAUTH_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

fn skip(why: &str) -> Option<String> {
    assert!(
        !required(),
        "PostgreSQL tests are required (OAUTH_REQUIRE_POSTGRES=1) but {why}"
    );
    eprintln!("skipping PostgreSQL test: {why}");
    None
}

/// Replaces the database of a `postgres://…/db` URL.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{database}?{q}"),
        None => format!("{prefix}/{database}"),
    }
}

/// Creates a fresh database on `admin_url`'s server and returns its URL.
pub async fn create_database(admin_url: &str) -> String {
    let name = format!(
        "oauth_test_{}",
        oauth_runtime::secret::generate_token(12)
            .to_lowercase()
            .replace(['-', '_'], "x")
    );
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to PostgreSQL");
    let sql = format!("CREATE DATABASE {name}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .expect("create database");
    with_database(admin_url, &name)
}

/// A fresh database on the configured server, or `None` (skipped).
pub async fn fresh_database() -> Option<String> {
    match std::env::var("OAUTH_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(create_database(&url).await),
        _ => skip("OAUTH_TEST_POSTGRES_URL is not set"),
    }
}

/// A private PostgreSQL server in a temporary directory, stopped and removed on drop.
pub struct Cluster {
    bindir: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn find_bindir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() && dir.join("pg_ctl").exists() {
            return Some(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl Cluster {
    /// Runs a server binary, as the `postgres` user when running as root (the server refuses
    /// to run as root).
    fn run(&self, program: &str, args: &[&str]) -> bool {
        let binary = self.bindir.join(program);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&binary);
            c
        } else {
            Command::new(&binary)
        };
        command
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        command.status().is_ok_and(|s| s.success())
    }

    /// Starts a private server, or `None` (skipped) if PostgreSQL is not installed.
    pub fn start() -> Option<Cluster> {
        let Some(bindir) = find_bindir() else {
            skip("PostgreSQL server binaries are not installed");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let dir = std::env::temp_dir().join(format!("oauth-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        if is_root() {
            Command::new("chown")
                .arg("postgres")
                .arg(&dir)
                .status()
                .ok()?;
        }
        let cluster = Cluster { bindir, dir, port };
        let data = cluster.dir.to_string_lossy().into_owned();
        assert!(
            cluster.run(
                "initdb",
                &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            "initdb failed"
        );
        assert!(cluster.start_server(), "pg_ctl start failed");
        Some(cluster)
    }

    fn start_server(&self) -> bool {
        let data = self.dir.to_string_lossy().into_owned();
        let options = format!("-p {} -k {data} -c listen_addresses=127.0.0.1", self.port);
        let log = self.dir.join("server.log").to_string_lossy().into_owned();
        self.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        )
    }

    /// Stops the server at once (connections are cut).
    pub fn stop(&self) {
        let data = self.dir.to_string_lossy().into_owned();
        assert!(
            self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]),
            "pg_ctl stop failed"
        );
    }

    /// Starts the stopped server again.
    pub fn restart(&self) {
        assert!(self.start_server(), "pg_ctl start failed");
    }

    /// The superuser URL of database `postgres`.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.to_string_lossy().into_owned();
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
