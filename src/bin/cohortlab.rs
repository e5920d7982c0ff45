//! `cohortlab`: the command-line tool (see `cohortlab::cli`).

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // A closed output pipe (`cohortlab ... | head`) ends the program as it
    // ends other command-line tools, instead of a panic on the next print.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal at start-up,
    // before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cohortlab::cli::main()
}
