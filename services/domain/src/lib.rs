//! copmatch's domain values: what a community of practice is
//! ([`community`]), what a person tells us and asks for ([`profile`],
//! [`filters`]), what the liveness checks found and the rules that turn it
//! into a status ([`liveness`], [`liveness_policy`]), the records that cross the ports
//! ([`records`]), typed ids valid by construction ([`ids`]), and every
//! error with its stable code, declared once ([`error`]).
//!
//! Design: the bottom of the workspace. It holds values and the rules that
//! validate them, and nothing that waits: no I/O, no async, no store, no
//! model. The ranking engine (`copmatch-ranking`) reads these values, and the
//! use cases (`copmatch-core`) move them through the ports; both depend on
//! this crate, and `copmatch-core` re-exports its modules, so a caller sees
//! one domain.

pub mod community;
pub mod error;
pub mod filters;
pub mod ids;
pub mod liveness;
pub mod liveness_policy;
pub mod profile;
pub mod records;
pub mod taxonomy;
pub mod text;
pub mod time;
pub mod whole;

pub use community::{Community, Cost, Platform, Status};
pub use error::{CoreError, EmbedError, ErrorCode, ErrorType, StoreError};
pub use ids::{CommunityId, UserId};
