//! Who may call what: API keys with scopes, checked per route, and the
//! per-client rate limits ([`crate::limits`]) charged to the caller.
//!
//! Every route declares one [`Need`] in `routes!`; [`admit`] runs as that
//! route's middleware. With no key configured the service is keyless (the
//! zero-setup local default): every caller is [`Caller::Anonymous`] with every
//! scope. Once a key exists, every route needs a key with its scope, except
//! the probe routes listed in `auth.open_paths` and the pages. The pages call
//! the API with the *public key* (configured, or generated at start-up),
//! which carries `recommend`, `submit` and `feedback` and is rate limited per
//! client IP like an anonymous caller. A public key is no secret, so it is
//! given nothing a visitor could not do through the page anyway.
//!
//! Keys are kept only as SHA-256 digests (configuration may hold the digest
//! instead of the key) and compared in constant time against every
//! configured key, so neither timing nor a key's position leaks.

use std::net::IpAddr;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::{Deserialize, Serialize};

mod keys;

pub use keys::{AuthSettings, KeySettings, Keys};

use crate::error::ApiError;
use crate::limits::{Budget, RateLimits};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read recommendations and communities.
    Recommend,
    /// Write the app's own users and their feedback.
    Feedback,
    /// Submit communities and dead-link reports.
    Submit,
    /// Catalog writes, moderation, models, re-index, liveness runs; and
    /// everything the other scopes allow.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Recommend,
        Scope::Feedback,
        Scope::Submit,
        Scope::Admin,
    ];
    /// The public key's scopes: what the pages do for a visitor.
    pub const PUBLIC: [Scope; 3] = [Scope::Recommend, Scope::Submit, Scope::Feedback];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Recommend => "recommend",
            Scope::Feedback => "feedback",
            Scope::Submit => "submit",
            Scope::Admin => "admin",
        }
    }
}

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Recommend,
    Feedback,
    Submit,
    Admin,
    /// `/health`, `/ready`, `/metrics`: open while listed in
    /// `auth.open_paths`, otherwise `admin`.
    Probe,
}

impl Need {
    /// The scope a key must carry (for a probe that is not open).
    pub fn scope(self) -> Scope {
        match self {
            Need::Recommend => Scope::Recommend,
            Need::Feedback => Scope::Feedback,
            Need::Submit => Scope::Submit,
            Need::Admin | Need::Probe => Scope::Admin,
        }
    }

    /// The rate-limit budget the route draws on.
    fn budget(self) -> Option<Budget> {
        match self {
            Need::Recommend => Some(Budget::Recommend),
            Need::Feedback | Need::Admin => Some(Budget::Write),
            Need::Submit => Some(Budget::Submit),
            Need::Probe => None,
        }
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No key is configured: every scope, rate limited per client IP.
    Anonymous,
    /// The pages' public key: [`Scope::PUBLIC`], rate limited per client IP.
    Public,
    /// A configured key, rate limited per key.
    Key { name: String, scopes: Vec<Scope> },
}

impl Caller {
    fn has(&self, scope: Scope) -> bool {
        match self {
            Caller::Anonymous => true,
            Caller::Public => Scope::PUBLIC.contains(&scope),
            // An admin key may do everything the other scopes allow.
            Caller::Key { scopes, .. } => scopes.contains(&scope) || scopes.contains(&Scope::Admin),
        }
    }

    /// Counted per client IP, and its users are anonymous: the public key,
    /// or any caller of a keyless service.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Caller::Anonymous | Caller::Public)
    }

    /// Whose users a caller sees: a key's own, the public key's own, or
    /// (keyless, or an admin key) all of them.
    pub fn owner(&self) -> Option<&str> {
        match self {
            Caller::Anonymous => None,
            Caller::Public => Some(PUBLIC_NAME),
            Caller::Key { scopes, .. } if scopes.contains(&Scope::Admin) => None,
            Caller::Key { name, .. } => Some(name),
        }
    }
}

/// The owner name of users created through the public key.
pub const PUBLIC_NAME: &str = "public";

/// The client address rate limits count per IP: the TCP peer (a forwarded
/// header would let any client pick its own budget).
fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|a| a.ip())
}

/// Charges dead-link reports about `communities` to the report budgets, for
/// callers counted per IP (the public key, keyless); keys are not charged.
pub fn charge_reports(
    req: &HttpRequest,
    caller: &Caller,
    communities: &[copmatch_core::CommunityId],
) -> Result<(), ApiError> {
    if communities.is_empty() || matches!(caller, Caller::Key { .. }) {
        return Ok(());
    }
    match req.app_data::<web::Data<RateLimits>>() {
        Some(limits) => limits.charge_reports(client_ip(req), communities),
        None => Ok(()),
    }
}

/// Charges a new user to the client IP's daily budget. Only called for
/// callers counted per IP (the public key, keyless).
pub fn charge_new_user(req: &HttpRequest) -> Result<(), ApiError> {
    match req.app_data::<web::Data<RateLimits>>() {
        Some(limits) => limits.charge_new_user(client_ip(req)),
        None => Ok(()),
    }
}

/// The middleware of every API route: authorizes the caller for `need`,
/// charges its rate-limit budget, and leaves the [`Caller`] in the request's
/// extensions for the handler.
pub async fn admit(
    need: Need,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(keys) = req.app_data::<web::Data<Keys>>() {
        let authorization = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("\u{0}invalid"));
        let caller = keys.authorize(need, req.path(), authorization)?;
        if let (Some(limits), Some(budget)) =
            (req.app_data::<web::Data<RateLimits>>(), need.budget())
        {
            let who = match &caller {
                Caller::Key { name, .. } => crate::limits::Client::Key(name.clone()),
                Caller::Anonymous | Caller::Public => {
                    crate::limits::Client::Ip(client_ip(req.request()))
                }
            };
            limits.charge(budget, &who)?;
        }
        req.extensions_mut().insert(caller);
    }
    next.call(req).await
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(req
            .extensions()
            .get::<Caller>()
            .cloned()
            .unwrap_or(Caller::Anonymous)))
    }
}
