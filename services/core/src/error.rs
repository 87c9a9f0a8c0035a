//! Stable error codes. Every error a client can see has one of these codes; the
//! strings never change once released (clients match on them). The HTTP status
//! of each code lives in exactly one table, in the web layer.

use std::fmt;

/// Every error code copmatch can answer with, domain and transport alike, so
/// that the web layer's status table is exhaustive (no catch-all arm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // The request is well-formed JSON but says something invalid.
    EmptyProfile,
    InvalidProfile,
    InvalidLimit,
    InvalidOffset,
    InvalidDiversity,
    UnknownFilterValue,
    InvalidCommunity,
    InvalidCommunityId,
    IdMismatch,
    InvalidSubmission,
    InvalidUserId,
    InvalidFeedback,
    UnknownFeedbackReference,
    // The request could not be read at all.
    MalformedJson,
    InvalidRequestBody,
    InvalidQueryParameter,
    UnsupportedMediaType,
    PayloadTooLarge,
    // Who may do what.
    MissingApiKey,
    InvalidApiKey,
    // What does not exist.
    CommunityNotFound,
    SubmissionNotFound,
    UserNotFound,
    ModelNotFound,
    RouteNotFound,
    MethodNotAllowed,
    // The request conflicts with the current state.
    SubmissionAlreadyDecided,
    ReindexInProgress,
    ModelGateRefused,
    NoPreviousModel,
    // Our side.
    StoreUnavailable,
    ModelUnavailable,
    Internal,
}

impl ErrorCode {
    /// All codes, for documentation checks.
    pub const ALL: [ErrorCode; 33] = [
        ErrorCode::EmptyProfile,
        ErrorCode::InvalidProfile,
        ErrorCode::InvalidLimit,
        ErrorCode::InvalidOffset,
        ErrorCode::InvalidDiversity,
        ErrorCode::UnknownFilterValue,
        ErrorCode::InvalidCommunity,
        ErrorCode::InvalidCommunityId,
        ErrorCode::IdMismatch,
        ErrorCode::InvalidSubmission,
        ErrorCode::InvalidUserId,
        ErrorCode::InvalidFeedback,
        ErrorCode::UnknownFeedbackReference,
        ErrorCode::MalformedJson,
        ErrorCode::InvalidRequestBody,
        ErrorCode::InvalidQueryParameter,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::PayloadTooLarge,
        ErrorCode::MissingApiKey,
        ErrorCode::InvalidApiKey,
        ErrorCode::CommunityNotFound,
        ErrorCode::SubmissionNotFound,
        ErrorCode::UserNotFound,
        ErrorCode::ModelNotFound,
        ErrorCode::RouteNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::SubmissionAlreadyDecided,
        ErrorCode::ReindexInProgress,
        ErrorCode::ModelGateRefused,
        ErrorCode::NoPreviousModel,
        ErrorCode::StoreUnavailable,
        ErrorCode::ModelUnavailable,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::EmptyProfile => "empty_profile",
            ErrorCode::InvalidProfile => "invalid_profile",
            ErrorCode::InvalidLimit => "invalid_limit",
            ErrorCode::InvalidOffset => "invalid_offset",
            ErrorCode::InvalidDiversity => "invalid_diversity",
            ErrorCode::UnknownFilterValue => "unknown_filter_value",
            ErrorCode::InvalidCommunity => "invalid_community",
            ErrorCode::InvalidCommunityId => "invalid_community_id",
            ErrorCode::IdMismatch => "id_mismatch",
            ErrorCode::InvalidSubmission => "invalid_submission",
            ErrorCode::InvalidUserId => "invalid_user_id",
            ErrorCode::InvalidFeedback => "invalid_feedback",
            ErrorCode::UnknownFeedbackReference => "unknown_feedback_reference",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidRequestBody => "invalid_request_body",
            ErrorCode::InvalidQueryParameter => "invalid_query_parameter",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::MissingApiKey => "missing_api_key",
            ErrorCode::InvalidApiKey => "invalid_api_key",
            ErrorCode::CommunityNotFound => "community_not_found",
            ErrorCode::SubmissionNotFound => "submission_not_found",
            ErrorCode::UserNotFound => "user_not_found",
            ErrorCode::ModelNotFound => "model_not_found",
            ErrorCode::ModelGateRefused => "model_gate_refused",
            ErrorCode::NoPreviousModel => "no_previous_model",
            ErrorCode::SubmissionAlreadyDecided => "submission_already_decided",
            ErrorCode::ReindexInProgress => "reindex_in_progress",
            ErrorCode::RouteNotFound => "route_not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::ModelUnavailable => "model_unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A domain error: a stable code plus a message written for the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CoreError {
    pub code: ErrorCode,
    pub message: String,
}

impl CoreError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<crate::ports::StoreError> for CoreError {
    fn from(err: crate::ports::StoreError) -> Self {
        use crate::ports::StoreError;
        match err {
            StoreError::Unavailable(msg) => CoreError::new(ErrorCode::StoreUnavailable, msg),
            StoreError::Busy(msg) => CoreError::new(ErrorCode::ReindexInProgress, msg),
            StoreError::Internal(msg) => CoreError::new(ErrorCode::Internal, msg),
        }
    }
}

impl From<crate::ports::EmbedError> for CoreError {
    fn from(err: crate::ports::EmbedError) -> Self {
        CoreError::new(ErrorCode::ModelUnavailable, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
        }
    }
}
