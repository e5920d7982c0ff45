//! Records the git commit the crate is built from (COHORTLAB_COMMIT), for
//! the page's footer, the report and results.json. Outside a git checkout,
//! or when COHORTLAB_COMMIT is set already (a release build), that is used.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=COHORTLAB_COMMIT");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-changed=.git/index");
    let commit = std::env::var("COHORTLAB_COMMIT").ok().or_else(|| {
        let out = Command::new("git")
            .args(["rev-parse", "--short=10", "HEAD"])
            .output()
            .ok()?;
        let hash = String::from_utf8(out.stdout).ok()?.trim().to_owned();
        (out.status.success() && !hash.is_empty()).then_some(hash)
    });
    println!(
        "cargo:rustc-env=COHORTLAB_COMMIT={}",
        commit.unwrap_or_else(|| "unknown".into())
    );
}
