//! The HTTP face of errors: every error is `{"error": {"code", "message",
//! "type"}}` with the status from the one error table (code, type, status),
//! declared in `copmatch_core::error`. Errors
//! raised by actix's extractors (bad JSON, oversized bodies, bad query strings)
//! are converted into the same shape here, so clients never see a bare
//! framework error page.

use actix_web::error::{JsonPayloadError, PayloadError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use copmatch_core::{CoreError, ErrorCode};
use serde::Serialize;
use utoipa::ToSchema;

/// Seconds a client should wait before retrying a 503.
const RETRY_AFTER_SECS: u64 = 5;

/// The HTTP status of a code, from the one table in [`copmatch_core::error`].
pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).expect("the error table holds valid HTTP statuses")
}

/// Error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code; match on this, not on the message.
    #[schema(example = "empty_profile")]
    pub code: String,
    pub message: String,
    /// invalid_request, auth, system or internal.
    #[serde(rename = "type")]
    #[schema(example = "invalid_request")]
    pub error_type: String,
}

/// An error on its way to the client, with the seconds after which a retry
/// may succeed (sent as `Retry-After`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ApiError(pub CoreError, Option<u64>);

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        let retry = match err.code {
            ErrorCode::Overloaded => Some(1),
            _ if status_of(err.code) == StatusCode::SERVICE_UNAVAILABLE => Some(RETRY_AFTER_SECS),
            _ => None,
        };
        Self(err, retry)
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CoreError::new(code, message).into()
    }

    /// Sets `Retry-After`.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.1 = Some(secs);
        self
    }

    pub fn retry_after_secs(&self) -> Option<u64> {
        self.1
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.0.code)
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(code = %self.0.code, message = %self.0.message, "request failed");
        }
        let mut response = HttpResponse::build(status);
        if let Some(secs) = self.1 {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.0.code.as_str().to_string(),
                message: self.0.message.clone(),
                error_type: self.0.code.error_type().as_str().to_string(),
            },
        })
    }
}

pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, err.to_string())
        }
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as JSON with the header `Content-Type: application/json`",
        ),
        // serde_json stops at 128 levels, long before the stack is at risk;
        // no request copmatch takes is deeper than 4.
        JsonPayloadError::Deserialize(e) if e.to_string().contains("recursion limit exceeded") => {
            ApiError::new(
                ErrorCode::JsonTooDeep,
                "the request body nests deeper than 128 levels",
            )
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::new(
            ErrorCode::InvalidRequestBody,
            format!("the request body does not fit the expected shape: {e}"),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::new(
            ErrorCode::MalformedJson,
            format!("the request body is not valid JSON: {e}"),
        ),
        JsonPayloadError::Payload(PayloadError::Overflow) => {
            ApiError::new(ErrorCode::PayloadTooLarge, err.to_string())
        }
        _ => ApiError::new(
            ErrorCode::MalformedJson,
            format!("the request body could not be read: {err}"),
        ),
    };
    api.into()
}

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        ErrorCode::InvalidQueryParameter,
        format!("invalid query string: {err}"),
    )
    .into()
}

pub async fn route_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorCode::RouteNotFound,
        format!("no route for {} {}", req.method(), req.path()),
    ))
}

/// 405 for a method a path does not serve, with the `Allow` header RFC 9110
/// requires (`allow`: the path's methods, e.g. "GET, PUT, DELETE").
pub fn method_not_allowed(req: &HttpRequest, allow: &str) -> HttpResponse {
    let mut response = ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{} is not allowed on {}; allowed: {allow}",
            req.method(),
            req.path()
        ),
    )
    .error_response();
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_valid_status() {
        for &code in ErrorCode::ALL {
            assert!(status_of(code).is_client_error() || status_of(code).is_server_error());
        }
    }
}
