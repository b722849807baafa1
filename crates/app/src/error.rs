//! The application layer's one error: what went wrong in words a person reads (Chinese), a
//! machine code in snake_case, and its kind — which the adapters map to an HTTP status, a page
//! or an exit code. Domain errors keep their own code and message; a store error becomes
//! "unavailable" or an internal error (logged, never shown).

use noveto_domain::access::Denied;
use noveto_domain::calendar::CalendarError;
use noveto_domain::case::{CaseError, VetoError};
use noveto_domain::validate::Invalid;
use noveto_store::StoreError;

/// What kind of refusal an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The input is wrong (422).
    Invalid,
    /// Not logged in (401).
    Unauthorized,
    /// Logged in, not allowed (403).
    Forbidden,
    NotFound,
    /// The state does not allow it, or someone else was first (409).
    Conflict,
    /// Too many attempts; try later (429).
    Throttled,
    /// The store or another part is not available (503).
    Unavailable,
    /// A fault of ours (500), logged.
    Internal,
}

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> Error {
        Error { kind, code, message: message.into(), field: None }
    }
    pub fn bad(code: &'static str, message: impl Into<String>) -> Error {
        Error::new(Kind::Invalid, code, message)
    }
    pub fn not_found(what: &str) -> Error {
        Error::new(Kind::NotFound, "not_found", format!("{what}不存在"))
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Error {
        Error::new(Kind::Conflict, code, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::new(Kind::Forbidden, "forbidden", message)
    }
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Error {
        Error::new(Kind::Unavailable, code, message)
    }
    /// The same error, belonging to the form field `field`.
    pub fn at(self, field: &'static str) -> Error {
        Error { field: Some(field), ..self }
    }
    pub fn internal() -> Error {
        Error::new(Kind::Internal, "internal", "服务器内部错误，已记录，请稍后重试")
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            // A concurrent change and a known duplicate carry words for people; a database's raw
            // message is logged, not shown.
            StoreError::Conflict(m) => Error::conflict("conflict", m),
            StoreError::Duplicate(m) => Error::conflict("duplicate", m),
            StoreError::Unique(m) => {
                tracing::info!("unique violation: {m}");
                Error::conflict("conflict", "与已有记录重复，或与同时进行的其他操作冲突，未作任何修改")
            }
            StoreError::ForeignKey(_) => Error::bad("unknown_reference", "引用的对象不存在（编号有误）"),
            StoreError::Invalid(m) => Error::bad("invalid_chars", m),
            StoreError::Unavailable(m) => {
                tracing::error!("store unavailable: {m}");
                Error::unavailable("unavailable", "存储暂不可用，请稍后重试")
            }
            other => {
                tracing::error!("store error: {other}");
                Error::internal()
            }
        }
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Error {
        Error { kind: Kind::Invalid, code: e.code, message: e.message, field: Some(e.field) }
    }
}

impl From<Denied> for Error {
    fn from(e: Denied) -> Error {
        Error::forbidden(e.to_string())
    }
}

impl From<CalendarError> for Error {
    fn from(e: CalendarError) -> Error {
        Error::bad(e.code(), e.to_string())
    }
}

impl From<CaseError> for Error {
    fn from(e: CaseError) -> Error {
        Error::conflict(e.code(), e.to_string())
    }
}

impl From<VetoError> for Error {
    fn from(e: VetoError) -> Error {
        match e {
            VetoError::SelfDecision | VetoError::SecondJudgment => Error::new(Kind::Forbidden, e.code(), e.to_string()),
            VetoError::AlreadyDecided => Error::conflict(e.code(), e.to_string()),
            _ => Error::bad(e.code(), e.to_string()),
        }
    }
}
