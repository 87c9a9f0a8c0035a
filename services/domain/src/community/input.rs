//! Validating community documents. Lenient where the data is honest about
//! not knowing, strict where a wrong value would mislead a person.

use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::{Community, Cost, Platform, Provenance, Status};
use crate::error::{CoreError, ErrorCode};
use crate::ids::CommunityId;
use crate::liveness::LivenessState;
use crate::text::normalize_key;

const MAX_NAME_LEN: usize = 200;
const MAX_URL_LEN: usize = 2048;
const MAX_DESCRIPTION_LEN: usize = 5000;
const MAX_LIST_ITEMS: usize = 50;
const MAX_LIST_ITEM_LEN: usize = 100;

/// The accepted input shape: what the catalog files, the import endpoint and
/// a single community write take. Unknown fields are ignored.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CommunityInput {
    #[serde(default)]
    #[schema(value_type = Option<CommunityId>)]
    pub id: Option<String>,
    #[serde(default)]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = "[^ \\t\\r\\n]"
    )]
    pub name: Option<String>,
    /// An http(s) link, without spaces.
    #[serde(default)]
    #[schema(
        required = true,
        nullable = false,
        max_length = 2048,
        pattern = "^https?://[^\\s]+$"
    )]
    pub url: Option<String>,
    #[serde(default)]
    #[schema(required = true, nullable = false, value_type = Platform)]
    pub platform: Option<String>,
    /// At most 50, each at most 100 characters; blank ones are dropped.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Vec<ListText>>, max_items = 50)]
    pub categories: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Vec<ListText>>, max_items = 50)]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Vec<ListText>>, max_items = 50)]
    pub languages: Vec<String>,
    /// free, paid or unknown (the default).
    #[serde(default)]
    #[schema(value_type = Option<Cost>)]
    pub cost: Option<String>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// An http(s) link, or blank.
    #[serde(default)]
    #[schema(max_length = 2048, pattern = "^(https?://[^\\s]+|[ \\t\\r\\n]*)$")]
    pub homepage: Option<String>,
    /// active, inactive, dead_link or unknown (the default).
    #[serde(default)]
    #[schema(value_type = Option<Status>)]
    pub status: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::time::optional_time_schema)]
    pub last_verified_at: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::time::optional_time_schema)]
    pub last_activity_at: Option<String>,
    #[serde(default, deserialize_with = "crate::whole::optional")]
    pub member_count: Option<u64>,
    /// What automatic checks found; kept by export and import.
    #[serde(default, deserialize_with = "liveness_object")]
    pub liveness: Option<LivenessState>,
    /// The public lists the entry was harvested from; kept by export and import.
    #[serde(default, deserialize_with = "null_as_empty_list")]
    #[schema(value_type = Option<Vec<Provenance>>, max_items = 20)]
    pub provenance: Vec<Provenance>,
}

/// One item of a community's categories, tags or languages.
pub struct ListText;

impl utoipa::PartialSchema for ListText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .max_length(Some(MAX_LIST_ITEM_LEN))
            .into()
    }
}

impl ToSchema for ListText {}

/// The liveness state, read only from an object (serde would also read a
/// struct from an array of its fields, which the document does not allow).
fn liveness_object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LivenessState>, D::Error> {
    use serde::de::Error;
    let value = serde_json::Value::deserialize(d)?;
    let is_object_or_null =
        |v: Option<&serde_json::Value>| v.is_none_or(|v| v.is_object() || v.is_null());
    match &value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Object(map) if is_object_or_null(map.get("signals")) => {
            serde_json::from_value(value)
                .map(Some)
                .map_err(D::Error::custom)
        }
        _ => Err(D::Error::custom(
            "`liveness` must be an object, and its `signals` an object",
        )),
    }
}

fn null_as_empty_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Provenance>, D::Error> {
    Ok(Option::<Vec<Provenance>>::deserialize(d)?.unwrap_or_default())
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

pub(super) fn invalid(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidCommunity, message)
}

/// Accepts a real date `YYYY-MM-DD` or an RFC 3339 time (read by `jiff`: 2026-02-31 is refused).
pub fn check_timestamp(field: &str, value: Option<String>) -> Result<Option<String>, CoreError> {
    let Some(value) = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    if crate::time::parse_time(&value).is_some() {
        Ok(Some(value))
    } else {
        Err(invalid(format!(
            "`{field}` must be a date like 2026-11-21 or an RFC 3339 time, got {value:?}"
        )))
    }
}

fn required(field: &str, value: Option<String>) -> Result<String, CoreError> {
    // Blank is what the document's pattern says: space, tab, CR, LF.
    let blank = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    match value.map(|v| v.trim_matches(blank).to_string()) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(invalid(format!("`{field}` is required"))),
    }
}

fn check_len(field: &str, value: &str, max: usize) -> Result<(), CoreError> {
    if value.chars().count() > max {
        return Err(invalid(format!(
            "`{field}` is longer than {max} characters"
        )));
    }
    Ok(())
}

pub(super) fn check_url(field: &str, value: &str) -> Result<(), CoreError> {
    check_len(field, value, MAX_URL_LEN)?;
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !value.contains(crate::text::is_schema_space) => Ok(()),
        _ => Err(invalid(format!(
            "`{field}` must be an http(s) URL, got {value:?}"
        ))),
    }
}

/// Trims items, drops blanks and case-insensitive duplicates, keeps order.
fn clean_list(field: &str, items: Vec<String>) -> Result<Vec<String>, CoreError> {
    if items.len() > MAX_LIST_ITEMS {
        return Err(invalid(format!(
            "`{field}` has more than {MAX_LIST_ITEMS} items"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let item = item.trim().to_string();
        if item.is_empty() {
            continue;
        }
        check_len(field, &item, MAX_LIST_ITEM_LEN)?;
        if seen.insert(normalize_key(&item)) {
            out.push(item);
        }
    }
    Ok(out)
}

impl CommunityInput {
    /// Validates and normalizes the input into a [`Community`].
    pub fn into_community(self) -> Result<Community, CoreError> {
        let id = CommunityId::parse(required("id", self.id)?)?;
        let name = required("name", self.name)?;
        check_len("name", &name, MAX_NAME_LEN)?;
        let url = required("url", self.url)?;
        check_url("url", &url)?;
        let platform_raw = required("platform", self.platform)?;
        let platform = Platform::parse(&platform_raw).ok_or_else(|| {
            invalid(format!(
                "unknown platform {platform_raw:?}; expected one of {}",
                Platform::allowed_list()
            ))
        })?;
        let cost = match self.cost.as_deref().map(str::trim) {
            None | Some("") => Cost::Unknown,
            Some(raw) => Cost::parse(raw).ok_or_else(|| {
                invalid(format!(
                    "unknown cost {raw:?}; expected free, paid or unknown"
                ))
            })?,
        };
        let blank = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
        let description = match self.description.map(|d| d.trim_matches(blank).to_string()) {
            Some(d) if !d.is_empty() => {
                check_len("description", &d, MAX_DESCRIPTION_LEN)?;
                Some(d)
            }
            _ => None,
        };
        let homepage = match self.homepage.map(|h| h.trim().to_string()) {
            Some(h) if !h.is_empty() => {
                check_url("homepage", &h)?;
                Some(h)
            }
            _ => None,
        };
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => Status::Unknown,
            Some(raw) => Status::parse(raw).ok_or_else(|| {
                invalid(format!(
                    "unknown status {raw:?}; expected active, inactive, dead_link or unknown"
                ))
            })?,
        };
        Ok(Community {
            status,
            last_verified_at: check_timestamp("last_verified_at", self.last_verified_at)?,
            last_activity_at: check_timestamp("last_activity_at", self.last_activity_at)?,
            member_count: self.member_count,
            liveness: self.liveness.unwrap_or_default(),
            provenance: Provenance::validated(self.provenance)?,
            id,
            name,
            url,
            platform,
            categories: clean_list("categories", self.categories)?,
            tags: clean_list("tags", self.tags)?,
            languages: clean_list("languages", self.languages)?,
            cost,
            description,
            homepage,
        })
    }
}
