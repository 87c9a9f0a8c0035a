//! Admin keys for write endpoints. When no keys are configured writes are open
//! (the zero-setup local default); otherwise `Authorization: Bearer <key>` must
//! carry one of them.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use copmatch_core::ErrorCode;

use crate::error::ApiError;

/// The configured keys, stored as app data.
#[derive(Clone, Default)]
pub struct AdminKeys(pub Vec<String>);

/// Extractor that succeeds only for an authorized admin request.
pub struct Admin;

/// Compares without an early exit, so timing does not reveal a key's prefix.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let keys = req
            .app_data::<web::Data<AdminKeys>>()
            .map(|k| k.0.clone())
            .unwrap_or_default();
        if keys.is_empty() {
            return ready(Ok(Admin));
        }
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        ready(match presented {
            None => Err(ApiError::new(
                ErrorCode::MissingApiKey,
                "this endpoint needs an admin key: send `Authorization: Bearer <key>`",
            )),
            Some(key) if keys.iter().any(|k| same(k.as_bytes(), key.as_bytes())) => Ok(Admin),
            Some(_) => Err(ApiError::new(
                ErrorCode::InvalidApiKey,
                "the admin key is not valid",
            )),
        })
    }
}
