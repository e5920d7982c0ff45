//! The CLI's errors: what went wrong and what to do, printed in one place
//! ([`exit_code`]) as `error: <what>` and `hint: <hint>` on stderr, with a
//! non-zero exit. (Usage errors that clap finds, e.g. a value not in a
//! list, are clap's: its message and exit code 2.)

use std::process::ExitCode;

use crate::engine::AnalysisError;

/// An error for the terminal: what went wrong, and what to do.
pub(crate) struct Failure {
    /// What went wrong, in words.
    pub message: String,
    /// What to do about it, when there is something to say.
    pub hint: Option<String>,
}

impl Failure {
    /// An error in the options given, with no hint.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    /// An error with a hint.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// A file that could not be written.
    pub fn cannot_write(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        Self::usage(format!("cannot write {}: {e}", path.display()))
    }
}

impl From<AnalysisError> for Failure {
    fn from(e: AnalysisError) -> Self {
        Self::new(e.to_string(), e.hint())
    }
}

/// The exit of a subcommand: success, or its error printed to stderr and a
/// failure (1).
pub(crate) fn exit_code(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            if let Some(h) = f.hint {
                eprintln!("hint: {h}");
            }
            ExitCode::FAILURE
        }
    }
}
