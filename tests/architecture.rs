//! The engine boundary (see ARCHITECTURE.md): `engine/` and `report/` never
//! mention the browser, and what crosses the boundary is owned,
//! serialisable, thread-safe data (so the engine can move into a worker).

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn engine_and_report_do_not_know_the_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root.join("engine"), &mut files);
    rust_files(&root.join("report"), &mut files);
    assert!(files.len() >= 5, "found only {files:?}");
    let forbidden = [
        "leptos",
        "web_sys",
        "wasm_bindgen",
        "js_sys",
        "crate::ui",
        "web-sys",
        "plotters_canvas",
    ];
    let mut leaks = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for word in forbidden {
                if line.contains(word) {
                    leaks.push(format!("{}:{}: {word}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "the engine boundary is broken:\n{}",
        leaks.join("\n")
    );
}

/// The CLI sits on top: `engine` and `report` neither import it nor clap
/// (comments may name them).
#[test]
fn engine_and_report_do_not_know_the_cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root.join("engine"), &mut files);
    rust_files(&root.join("report"), &mut files);
    let mut leaks = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for word in ["clap", "crate::cli", "cohortlab::cli"] {
                if line.contains(word) {
                    leaks.push(format!("{}:{}: {word}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "the CLI's layer is broken:\n{}",
        leaks.join("\n")
    );
}

#[test]
fn browser_crates_are_wasm_only() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let (native, wasm) = manifest
        .split_once("[target.'cfg(target_arch = \"wasm32\")'.dependencies]")
        .expect("a wasm32-only dependency table");
    let wasm = wasm.split("\n[").next().unwrap();
    for krate in [
        "leptos",
        "web-sys",
        "wasm-bindgen",
        "js-sys",
        "plotters-canvas",
    ] {
        assert!(
            wasm.contains(&format!("\n{krate} ")),
            "{krate} must be a wasm32-only dependency"
        );
        let general = native.split("[dependencies]").nth(1).unwrap_or("");
        let general = general.split("\n[").next().unwrap();
        assert!(
            !general.contains(&format!("\n{krate} ")),
            "{krate} is in [dependencies]"
        );
    }
}

fn assert_boundary<T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static>() {}

#[test]
fn boundary_types_are_owned_serialisable_and_thread_safe() {
    use cohortlab::engine::data::*;
    assert_boundary::<ReadOptions>();
    assert_boundary::<RawTable>();
    assert_boundary::<DatasetSpec>();
    assert_boundary::<Dataset>();
    assert_boundary::<ColumnSummary>();
    assert_boundary::<cohortlab::engine::Diagnostic>();
    assert_boundary::<cohortlab::report::inspect::Inspection>();
    assert_boundary::<cohortlab::engine::weighting::WeightSpec>();
    assert_boundary::<cohortlab::engine::weighting::WeightResult>();
    assert_boundary::<cohortlab::engine::weighting::WeightedBalance>();
    assert_boundary::<cohortlab::engine::weighting::WeightedOutcome>();
    // Errors cross as their message and hint; they must be thread-safe.
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<cohortlab::engine::AnalysisError>();
}
