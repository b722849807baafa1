//! The server's one error type and its mapping to HTTP: machine codes in snake_case, Chinese
//! messages for people, internal errors logged and never shown.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noveto_domain::access::Denied;
use noveto_domain::calendar::CalendarError;
use noveto_domain::case::{CaseError, VetoError};
use noveto_domain::validate::Invalid;
use noveto_store::StoreError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None }
    }
    pub fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{what}不存在"))
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录，或在请求头中提供有效的 Bearer 令牌")
    }
    pub fn internal() -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误，已记录，请稍后重试")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut err = json!({"code": self.code, "message": self.message});
        if let Some(f) = self.field {
            err["field"] = json!(f);
        }
        (self.status, Json(json!({"error": err}))).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Unique(m) => ApiError::conflict("conflict", m),
            StoreError::ForeignKey(_) => ApiError::bad("unknown_reference", "引用的对象不存在（编号有误）"),
            StoreError::Unavailable(m) => {
                tracing::error!("store unavailable: {m}");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "存储暂不可用，请稍后重试")
            }
            other => {
                tracing::error!("store error: {other}");
                ApiError::internal()
            }
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> ApiError {
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, code: e.code, message: e.message, field: Some(e.field) }
    }
}

impl From<Denied> for ApiError {
    fn from(e: Denied) -> ApiError {
        ApiError::forbidden(e.to_string())
    }
}

impl From<CalendarError> for ApiError {
    fn from(e: CalendarError) -> ApiError {
        ApiError::bad(e.code(), e.to_string())
    }
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> ApiError {
        ApiError::conflict(e.code(), e.to_string())
    }
}

impl From<VetoError> for ApiError {
    fn from(e: VetoError) -> ApiError {
        match e {
            VetoError::SelfDecision | VetoError::SecondJudgment => {
                ApiError::new(StatusCode::FORBIDDEN, e.code(), e.to_string())
            }
            VetoError::AlreadyDecided => ApiError::conflict(e.code(), e.to_string()),
            _ => ApiError::bad(e.code(), e.to_string()),
        }
    }
}
