//! Time, from the `jiff` crate: now, today, reading the times people and
//! platforms send (an RFC 3339 time or a plain date), and ordering by the
//! instant a time names rather than by its spelling.

use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

/// A time as copmatch stores it: RFC 3339 in UTC, to the second.
pub fn format_time(t: Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .unwrap_or(t)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Reads an RFC 3339 time or a plain date (midnight UTC); `None` for
/// anything else, including impossible dates such as 2026-02-31.
pub fn parse_time(raw: &str) -> Option<Timestamp> {
    raw.parse::<Timestamp>().ok().or_else(|| {
        raw.parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp())
    })
}

/// The current time, stored form.
pub fn now_timestamp() -> String {
    format_time(Timestamp::now())
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

/// A key that orders times by the instant they name (`10:00+02:00` before
/// `09:00Z`); unreadable times sort first, by their text.
pub fn order_key(raw: &str) -> (Option<Timestamp>, &str) {
    (parse_time(raw), raw)
}

/// Where "now" comes from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock a test sets and moves.
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(now: Timestamp) -> Self {
        Self(Mutex::new(now))
    }

    pub fn advance_days(&self, days: i64) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += SignedDuration::from_hours(24 * days);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A date (`2026-11-21`) or an RFC 3339 time, as [`parse_time`] reads them.
fn date_or_time() -> utoipa::openapi::schema::AnyOfBuilder {
    use utoipa::openapi::schema::{
        AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
    };
    let string = |format: KnownFormat| {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    AnyOfBuilder::new()
        .item(string(KnownFormat::Date))
        .item(string(KnownFormat::DateTime))
}

/// The OpenAPI schema of a required time field: a date (`2026-11-21`) or an
/// RFC 3339 time ([`parse_time`]).
pub fn time_schema() -> utoipa::openapi::schema::Schema {
    date_or_time()
        .description(Some("A date (`2026-11-21`) or an RFC 3339 time."))
        .into()
}

/// The OpenAPI schema of an optional time field as the API reads it
/// ([`parse_time`]): a date (`2026-11-21`), an RFC 3339 time, or blank
/// (left unset).
pub fn optional_time_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    date_or_time()
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .pattern(Some("^[ \\t\\r\\n]*$")),
        )
        .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::Null)))
        .description(Some(
            "A date (`2026-11-21`) or an RFC 3339 time; blank or null leaves it unset.",
        ))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_rfc3339_times_are_read_and_impossible_dates_are_not() {
        assert!(parse_time("2026-11-01").is_some());
        assert!(parse_time("2026-11-01T10:00:00+02:00").is_some());
        assert!(parse_time("2026-02-31").is_none());
        assert!(parse_time("2026-13-01").is_none());
        assert!(parse_time("yesterday").is_none());
        let start: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        assert_eq!(format_time(start), "2026-11-01T00:00:00Z");
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn times_order_by_instant_not_by_spelling() {
        let mut times = vec!["2026-11-01T09:30:00Z", "2026-11-01T10:00:00+02:00"];
        times.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        assert_eq!(times, ["2026-11-01T10:00:00+02:00", "2026-11-01T09:30:00Z"]);
    }
}
