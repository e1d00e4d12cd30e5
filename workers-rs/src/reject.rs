//! Requests a worker answers with an invocation error instead of a digest.

use iii_sdk::Error;

pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
pub const UNSUPPORTED: &str = "UNSUPPORTED";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub message: String,
}

impl Rejection {
    /// A request that does not fit the schema or the contract; `field` is the
    /// proto path of the offending value (empty for the whole payload).
    pub fn invalid(field: &str, detail: &str) -> Self {
        let field = if field.is_empty() || field == "." {
            "payload"
        } else {
            field
        };
        Self {
            code: INVALID_REQUEST,
            message: format!("{field}: {detail}"),
        }
    }

    /// A valid request for something this worker's SDK cannot do.
    pub fn unsupported(field: &str, detail: &str) -> Self {
        Self {
            code: UNSUPPORTED,
            message: format!("{field}: {detail}"),
        }
    }
}

impl From<Rejection> for Error {
    // `Error::Remote` is the variant whose code the SDK puts on the wire
    // as-is; every other variant becomes `invocation_failed`.
    fn from(rejection: Rejection) -> Self {
        Error::Remote {
            code: rejection.code.to_string(),
            message: rejection.message,
            stacktrace: None,
        }
    }
}
