//! Reads the resolved iii-sdk version from Cargo.lock so `describe` reports
//! the SDK this binary was really built with, never a hand-typed string.

use std::fs;

fn main() {
    println!("cargo::rerun-if-changed=Cargo.lock");
    let lock = fs::read_to_string("Cargo.lock").expect("workers-rs/Cargo.lock is committed");
    let version = sdk_version(&lock).expect("Cargo.lock resolves iii-sdk");
    println!("cargo::rustc-env=III_SDK_VERSION={version}");
}

/// The `version` line of the `[[package]]` entry named `iii-sdk`.
fn sdk_version(lock: &str) -> Option<String> {
    lock.split("[[package]]").find_map(|entry| {
        let mut lines = entry.lines().map(str::trim);
        lines.find(|line| *line == "name = \"iii-sdk\"")?;
        let line = lines.find(|line| line.starts_with("version = "))?;
        Some(
            line.trim_start_matches("version = ")
                .trim_matches('"')
                .to_string(),
        )
    })
}
