//! The one error type of the engine. Every message names the argument, what was expected and
//! what was found, so the bindings can show it to users unchanged.

use std::fmt;

/// Everything that can go wrong in the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An argument has the wrong value, shape or content.
    InvalidArgument {
        /// The argument's public name (`y_true`, `sample_weight`, ...).
        argument: String,
        /// What was expected and what was found, with a hint to fix it.
        message: String,
    },
    /// Two arguments that must have the same length do not.
    LengthMismatch {
        /// The argument whose length is off.
        argument: String,
        /// The length every argument must share.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A NaN or infinite value where only finite numbers are allowed.
    NonFinite {
        /// The argument holding the value.
        argument: String,
        /// Row index of the first offending value.
        index: usize,
        /// The value itself.
        value: f64,
    },
    /// A request the engine does not support (with what to do instead).
    Unsupported(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(argument: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            argument: argument.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument { argument, message } => write!(f, "{argument}: {message}"),
            Error::LengthMismatch {
                argument,
                expected,
                found,
            } => write!(
                f,
                "{argument}: expected {expected} rows (the length of y_true), found {found}; \
                 all inputs must have one entry per row"
            ),
            Error::NonFinite {
                argument,
                index,
                value,
            } => write!(
                f,
                "{argument}: expected finite numbers, found {value} at row {index}; \
                 drop or impute missing values first"
            ),
            Error::Unsupported(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, Error>;
