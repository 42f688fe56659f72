//! Runs documented shell commands as a newcomer's terminal would: one block after another, in
//! one directory, with the variables earlier blocks set. Documentation names port 8000 and
//! `cargo run …`; a test's server listens on a free port and its binary is already built, so
//! those two are substituted, and nothing else.

use std::path::PathBuf;
use std::process::Command;

/// The fenced blocks of a Markdown file whose info string is `lang`, in order.
pub fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let text: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        if info == lang {
            found.push(text.join("\n"));
        }
    }
    found
}

/// The text of the section under the `## heading` of a Markdown file, up to the next `## `.
pub fn section<'a>(markdown: &'a str, heading: &str) -> &'a str {
    markdown
        .split(&format!("## {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no section `## {heading}`"))
        .split("\n## ")
        .next()
        .unwrap_or_default()
}

/// A terminal: a directory, the variables set so far, and the substitutions.
pub struct Terminal {
    /// The working directory.
    pub dir: PathBuf,
    /// The port the server under test listens on (documentation says 8000).
    pub port: u16,
    /// `(as documented, as run)`: e.g. `("cargo run -p provider --", "/path/to/provider")`.
    pub commands: Vec<(String, String)>,
    /// Variables carried from block to block.
    pub variables: Vec<&'static str>,
}

impl Terminal {
    /// The server's base URL.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs `block` in bash (`set -euo pipefail`); its standard output. Panics, showing the
    /// block and both outputs, if it fails.
    pub fn run(&self, block: &str) -> String {
        let mut script = block.replace("127.0.0.1:8000", &format!("127.0.0.1:{}", self.port));
        for (documented, actual) in &self.commands {
            script = script.replace(documented, actual);
        }
        let save: Vec<String> = self
            .variables
            .iter()
            .map(|v| format!("if [ -n \"${{{v}:-}}\" ]; then printf '%s=%q\\n' {v} \"${v}\" >> .vars.new; fi"))
            .collect();
        let full = format!(
            "set -euo pipefail\nif [ -f .vars ]; then source .vars; fi\n{script}\n: > .vars.new\n{}\nmv .vars.new .vars\n",
            save.join("\n")
        );
        let output = Command::new("bash")
            .arg("-c")
            .arg(&full)
            .current_dir(&self.dir)
            .env_remove("DATABASE_URL")
            .output()
            .expect("bash");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "the block failed:\n{block}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }
}
