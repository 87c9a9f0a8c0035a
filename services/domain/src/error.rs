//! Every error copmatch can answer with, declared once.
//!
//! [`error_codes!`] is the one table: each row names an [`ErrorCode`] variant,
//! its stable snake_case string, its [`ErrorType`] and the HTTP status number
//! it is answered with. The strings never change once released (clients match
//! on them). The status is part of that public contract, so it sits in the
//! same row; the web layer only turns the number into its framework's type.
//! The errors of the two outward ports ([`StoreError`], [`EmbedError`]) live
//! here too, so this module imports nothing from the rest of the crate.

use std::fmt;

/// What kind of failure a code is, as Meilisearch's `type` field says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// The request says something invalid, or names what does not exist.
    InvalidRequest,
    /// The caller may not do this.
    Auth,
    /// Our side: the store or the model failed or cannot be reached.
    System,
    /// A bug or an unexpected failure.
    Internal,
}

impl ErrorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::InvalidRequest => "invalid_request",
            ErrorType::Auth => "auth",
            ErrorType::System => "system",
            ErrorType::Internal => "internal",
        }
    }
}

macro_rules! error_codes {
    ($($variant:ident => ($code:literal, $kind:ident, $status:literal),)*) => {
        /// Every error code copmatch can answer with, domain and transport alike.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// All codes, for documentation checks.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable snake_case string clients match on.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            pub fn error_type(self) -> ErrorType {
                match self {
                    $(ErrorCode::$variant => ErrorType::$kind,)*
                }
            }

            /// The HTTP status number this code is answered with.
            pub fn http_status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }
        }
    };
}

error_codes! {
    // The request is well-formed JSON but says something invalid.
    EmptyProfile => ("empty_profile", InvalidRequest, 400),
    InvalidProfile => ("invalid_profile", InvalidRequest, 400),
    InvalidLimit => ("invalid_limit", InvalidRequest, 400),
    InvalidOffset => ("invalid_offset", InvalidRequest, 400),
    InvalidDiversity => ("invalid_diversity", InvalidRequest, 400),
    UnknownFilterValue => ("unknown_filter_value", InvalidRequest, 404),
    InvalidCommunity => ("invalid_community", InvalidRequest, 400),
    InvalidCommunityId => ("invalid_community_id", InvalidRequest, 400),
    IdMismatch => ("id_mismatch", InvalidRequest, 409),
    InvalidSubmission => ("invalid_submission", InvalidRequest, 400),
    InvalidUserId => ("invalid_user_id", InvalidRequest, 400),
    InvalidFeedback => ("invalid_feedback", InvalidRequest, 400),
    UnknownFeedbackReference => ("unknown_feedback_reference", InvalidRequest, 404),
    UnknownField => ("unknown_field", InvalidRequest, 404),
    InvalidHarvestSource => ("invalid_harvest_source", InvalidRequest, 422),
    // The request could not be read at all.
    MalformedJson => ("malformed_json", InvalidRequest, 400),
    InvalidRequestBody => ("invalid_request_body", InvalidRequest, 400),
    InvalidQueryParameter => ("invalid_query_parameter", InvalidRequest, 400),
    UnsupportedMediaType => ("unsupported_media_type", InvalidRequest, 415),
    PayloadTooLarge => ("payload_too_large", InvalidRequest, 413),
    JsonTooDeep => ("json_too_deep", InvalidRequest, 400),
    // Who may do what.
    MissingApiKey => ("missing_api_key", Auth, 401),
    InvalidApiKey => ("invalid_api_key", Auth, 403),
    InsufficientScope => ("insufficient_scope", Auth, 403),
    // Too much: a client past its budget, or the whole service at its bound.
    RateLimited => ("rate_limited", InvalidRequest, 429),
    Overloaded => ("overloaded", System, 429),
    // What does not exist.
    CommunityNotFound => ("community_not_found", InvalidRequest, 404),
    SubmissionNotFound => ("submission_not_found", InvalidRequest, 404),
    UserNotFound => ("user_not_found", InvalidRequest, 404),
    ModelNotFound => ("model_not_found", InvalidRequest, 404),
    RouteNotFound => ("route_not_found", InvalidRequest, 404),
    MethodNotAllowed => ("method_not_allowed", InvalidRequest, 405),
    // The request conflicts with the current state.
    SubmissionAlreadyDecided => ("submission_already_decided", InvalidRequest, 409),
    ReindexInProgress => ("reindex_in_progress", InvalidRequest, 409),
    LivenessRunInProgress => ("liveness_run_in_progress", InvalidRequest, 409),
    ModelGateRefused => ("model_gate_refused", InvalidRequest, 409),
    NoPreviousModel => ("no_previous_model", InvalidRequest, 409),
    UserIdTaken => ("user_id_taken", InvalidRequest, 409),
    CommunityIdTaken => ("community_id_taken", InvalidRequest, 409),
    // Our side.
    StoreUnavailable => ("store_unavailable", System, 503),
    ModelUnavailable => ("model_unavailable", System, 503),
    Internal => ("internal", Internal, 500),
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

/// What an `Embedder` (`copmatch_core::ports`) can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    #[error("the embedding model is not available: {0}")]
    Unavailable(String),
    #[error("the embedding model failed: {0}")]
    Failed(String),
    /// The model's queue is full: refused at once rather than queued.
    #[error("the embedding model's queue is full ({0} waiting); retry shortly")]
    Overloaded(usize),
}

/// What a store port (`VectorStore` and its siblings) can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be reached or opened right now; retrying later may work.
    #[error("the vector store is unavailable: {0}")]
    Unavailable(String),
    /// The operation conflicts with one already running (a re-index).
    #[error("{0}")]
    Busy(String),
    #[error("the vector store failed: {0}")]
    Internal(String),
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(msg) => CoreError::new(ErrorCode::StoreUnavailable, msg),
            StoreError::Busy(msg) => CoreError::new(ErrorCode::ReindexInProgress, msg),
            StoreError::Internal(msg) => CoreError::new(ErrorCode::Internal, msg),
        }
    }
}

impl From<EmbedError> for CoreError {
    fn from(err: EmbedError) -> Self {
        let code = match err {
            EmbedError::Overloaded(_) => ErrorCode::Overloaded,
            EmbedError::Unavailable(_) | EmbedError::Failed(_) => ErrorCode::ModelUnavailable,
        };
        CoreError::new(code, err.to_string())
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

    #[test]
    fn only_our_side_answers_with_a_server_error() {
        for &code in ErrorCode::ALL {
            let server = code.http_status() >= 500;
            let ours = matches!(code.error_type(), ErrorType::System | ErrorType::Internal);
            // Overload is ours too, but answered 429: the client should retry.
            assert!(!server || ours, "{code}");
            assert_eq!(server, ours && code != ErrorCode::Overloaded, "{code}");
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
    }
}
