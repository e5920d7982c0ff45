//! Non-fatal problems returned beside a result and shown to the user.

use serde::{Deserialize, Serialize};

/// How much a diagnostic matters to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// The result stands, but the user should look at this.
    Warning,
}

/// A non-fatal problem: what happened, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The column concerned, if any.
    pub column: Option<String>,
    /// What happened, in words a clinician understands.
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn warning(column: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            column: column.map(str::to_owned),
            message: message.into(),
            hint: None,
        }
    }

    pub fn info(column: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Info,
            ..Self::warning(column, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
