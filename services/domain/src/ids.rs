//! Typed ids: a [`CommunityId`] or a [`UserId`] is valid by construction.
//!
//! Each is parsed once where it enters (a request body, a URL path, a
//! catalog line, a stored record) and carried typed from there on, so no use
//! case checks an id again and a user id cannot be passed where a community
//! id is meant. Both share one alphabet: 1 to [`MAX_ID_LEN`] ASCII letters,
//! digits, `.`, `_` or `-`; community ids also refuse the words the API uses
//! beside them (`import`). Serde reads them through the same check, so a
//! stored or sent id that breaks the rule is refused with its error code.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use crate::error::{CoreError, ErrorCode};

/// The longest id, in bytes (ASCII characters).
pub const MAX_ID_LEN: usize = 128;

/// The pattern every id matches, as the OpenAPI document declares it.
pub const ID_PATTERN: &str = "^[A-Za-z0-9._-]{1,128}$";

/// Words the catalog's interfaces use beside community ids (the import
/// action), so no community may be named by one.
const RESERVED_COMMUNITY_IDS: [&str; 1] = ["import"];

fn check(raw: &str, what: &str, code: ErrorCode) -> Result<(), CoreError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_ID_LEN
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(CoreError::new(
            code,
            format!(
                "invalid {what} {raw:?}: use 1 to {MAX_ID_LEN} letters, digits, '.', '_' or '-'"
            ),
        ))
    }
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $code:expr, $reserved:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The id, if `raw` is one; else the error with this kind of
            /// id's code.
            pub fn parse(raw: impl Into<String>) -> Result<Self, CoreError> {
                let raw = raw.into();
                if $reserved.contains(&raw.as_str()) {
                    return Err(CoreError::new(
                        $code,
                        format!(concat!("{:?} is reserved by the API and cannot be a ", $what), raw),
                    ));
                }
                check(&raw, $what, $code)?;
                Ok(Self(raw))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl TryFrom<String> for $name {
            type Error = CoreError;
            fn try_from(raw: String) -> Result<Self, CoreError> {
                Self::parse(raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(ID_PATTERN))
                    .min_length(Some(1))
                    .max_length(Some(MAX_ID_LEN))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

typed_id!(
    /// A community's id, e.g. `slack-public-health-hub`.
    CommunityId,
    "community id",
    ErrorCode::InvalidCommunityId,
    RESERVED_COMMUNITY_IDS
);

typed_id!(
    /// A user's id, chosen by the calling application.
    UserId,
    "user id",
    ErrorCode::InvalidUserId,
    [] as [&str; 0]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_letters_digits_dots_underscores_and_dashes() {
        for ok in [
            "a",
            "slack-public-health-hub",
            "r.nursing_2",
            &"x".repeat(128),
        ] {
            assert_eq!(CommunityId::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "a b", "é", "a/b", &"x".repeat(129)] {
            assert_eq!(
                CommunityId::parse(bad).unwrap_err().code,
                ErrorCode::InvalidCommunityId,
                "{bad:?}"
            );
            assert_eq!(
                UserId::parse(bad).unwrap_err().code,
                ErrorCode::InvalidUserId
            );
        }
    }

    #[test]
    fn a_reserved_word_is_no_community_id_but_may_be_a_user_id() {
        let err = CommunityId::parse("import").unwrap_err();
        assert!(err.message.contains("reserved"), "{}", err.message);
        assert!(UserId::parse("import").is_ok());
    }

    #[test]
    fn serde_reads_ids_through_the_same_check() {
        let id: CommunityId = serde_json::from_str(r#""ux-forum""#).unwrap();
        assert_eq!(id, "ux-forum");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""ux-forum""#);
        assert!(serde_json::from_str::<CommunityId>(r#""a b""#).is_err());
    }

    #[test]
    fn the_declared_pattern_is_the_rule() {
        // The OpenAPI pattern and the check must accept the same ids.
        assert_eq!(ID_PATTERN, format!("^[A-Za-z0-9._-]{{1,{MAX_ID_LEN}}}$"));
    }
}
