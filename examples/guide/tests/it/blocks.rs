//! Every code block of the guide is a file of this crate (or, for `sh`, run by `walkthrough`).

use std::path::{Path, PathBuf};

/// One fenced block: its info string and its text.
pub struct Block {
    pub lang: String,
    pub text: String,
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn guide_blocks() -> Vec<Block> {
    let guide = std::fs::read_to_string(root().join("docs/guide.md")).expect("docs/guide.md");
    let mut blocks = Vec::new();
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        let Some(lang) = line.strip_prefix("```") else {
            continue;
        };
        let text: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        blocks.push(Block {
            lang: lang.to_owned(),
            text: text.join("\n"),
        });
    }
    blocks
}

fn crate_file(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .trim_end()
        .to_owned()
}

#[test]
fn every_rust_sql_and_config_block_is_a_file_of_the_guide_app() {
    let sources = [
        "src/main.rs",
        "src/models.rs",
        "src/db.rs",
        "src/rules.rs",
        "src/auth.rs",
        "src/schema.sql",
        "src/schema.postgres.sql",
        "Rocket.toml",
    ];
    let mut shown = Vec::new();
    for block in guide_blocks() {
        match block.lang.as_str() {
            "rust" | "sql" => {
                let file = sources
                    .iter()
                    .find(|f| crate_file(f) == block.text)
                    .unwrap_or_else(|| {
                        panic!("a guide block is no file of the app:\n{}", block.text)
                    });
                shown.push(*file);
            }
            "toml" if block.text.starts_with("[dependencies]") => dependencies(&block.text),
            "toml" => {
                assert_eq!(block.text, crate_file("Rocket.toml"));
                shown.push("Rocket.toml");
            }
            "sh" => {}
            other => panic!("a block the tests do not check: ```{other}"),
        }
    }
    for file in sources {
        assert!(shown.contains(&file), "the guide does not show {file}");
    }
}

/// The guide's `[dependencies]` are this crate's: the same crates and features, at versions
/// that resolve to the workspace's.
fn dependencies(block: &str) {
    let manifest = crate_file("Cargo.toml");
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let rocket = workspace
        .lines()
        .find(|l| l.starts_with("rocket = "))
        .expect("rocket in the workspace");
    assert!(block.contains("oauth-runtime = \"0.1\""), "{block}");
    assert!(workspace.contains("[workspace.package]\nversion = \"0.1."));
    assert!(manifest.contains("oauth-runtime = { workspace = true }"));
    assert!(block.contains("rocket = { version = \"0.5\", features = [\"secrets\"] }"));
    assert!(rocket.contains("version = \"0.5."), "{rocket}");
    assert!(manifest.contains("rocket = { workspace = true, features = [\"secrets\"] }"));
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    let names: Vec<&str> = deps
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .collect();
    assert_eq!(
        names,
        ["oauth-runtime", "rocket"],
        "the guide lists every dependency"
    );
}
