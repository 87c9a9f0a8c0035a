//! Whole numbers as the API document declares them. JSON Schema counts `5`
//! and `5.0` as the same integer, so a count is read from either; and the
//! document's formats bound them (`int64`: at most 2^63 − 1; `int32`: at
//! most 2^31 − 1), so a larger value is refused rather than taken quietly.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Int(u64),
    Float(f64),
}

/// An optional count: `null`, a non-negative integer, or a float with no
/// fractional part.
pub fn optional<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    let whole = match Option::<Number>::deserialize(d)? {
        None => return Ok(None),
        Some(Number::Int(n)) => n,
        Some(Number::Float(f)) if f >= 0.0 && f.fract() == 0.0 && f <= i64::MAX as f64 => f as u64,
        Some(Number::Float(f)) => {
            return Err(serde::de::Error::custom(format!(
                "expected a whole number of 0 or more, got {f}"
            )))
        }
    };
    if whole > i64::MAX as u64 {
        return Err(serde::de::Error::custom(format!(
            "{whole} is too large (int64: at most {})",
            i64::MAX
        )));
    }
    T::try_from(whole)
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("{whole} is too large")))
}

/// A count of format `int32` (at most 2^31 − 1); not null (absent is the
/// field's default).
pub fn count32<'de, D>(d: D) -> Result<u32, D::Error>
where
    D: Deserializer<'de>,
{
    let n: Option<u64> = optional(d)?;
    match n {
        None => Err(serde::de::Error::custom(
            "expected a whole number, got null",
        )),
        Some(n) if n <= i32::MAX as u64 => Ok(n as u32),
        Some(n) => Err(serde::de::Error::custom(format!(
            "{n} is too large (int32: at most {})",
            i32::MAX
        ))),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(default, deserialize_with = "crate::whole::optional")]
        limit: Option<usize>,
    }

    fn limit(json: &str) -> Result<Option<usize>, serde_json::Error> {
        serde_json::from_str::<Page>(json).map(|p| p.limit)
    }

    #[test]
    fn a_whole_float_is_an_integer_and_a_fraction_is_not() {
        assert_eq!(limit(r#"{"limit": 5}"#).unwrap(), Some(5));
        assert_eq!(limit(r#"{"limit": 5.0}"#).unwrap(), Some(5));
        assert_eq!(limit(r#"{"limit": null}"#).unwrap(), None);
        assert_eq!(limit("{}").unwrap(), None);
        assert!(limit(r#"{"limit": 5.5}"#).is_err());
        assert!(limit(r#"{"limit": -1}"#).is_err());
        assert!(limit(r#"{"limit": "5"}"#).is_err());
        assert!(limit(r#"{"limit": 9223372036854775808}"#).is_err());
        assert_eq!(
            limit(r#"{"limit": 9223372036854775807}"#).unwrap(),
            Some(i64::MAX as usize)
        );
    }
}
