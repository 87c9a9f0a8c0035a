//! CSV, JSON Lines and JSON arrays, read through the source's column mapping:
//! the generic path for directories published as data.

use serde_json::Value;

use crate::entry::RawEntry;
use crate::source::Columns;

/// One row as text by column name.
pub(crate) type Row = Vec<(String, Value)>;

pub fn read_csv(text: &str, has_header: bool, columns: &Columns) -> Result<Vec<RawEntry>, String> {
    Ok(csv_rows(text, has_header)?
        .iter()
        .filter_map(|r| entry_of(r, columns))
        .collect())
}

/// Rows by column name; without a header row the names are `0`, `1`, `2`…
pub(crate) fn csv_rows(text: &str, has_header: bool) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(has_header)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = if has_header {
        reader
            .headers()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|h| h.trim().to_string())
            .collect()
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let row: Row = record
            .iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    headers.get(i).cloned().unwrap_or_else(|| i.to_string()),
                    Value::String(v.to_string()),
                )
            })
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

pub fn read_jsonl(text: &str, columns: &Columns) -> Result<Vec<RawEntry>, String> {
    let mut entries = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        entries.extend(object_row(&value).and_then(|r| entry_of(&r, columns)));
    }
    Ok(entries)
}

pub fn read_json(
    text: &str,
    items: Option<&str>,
    columns: &Columns,
) -> Result<Vec<RawEntry>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let list = match items {
        Some(pointer) => value
            .pointer(pointer)
            .ok_or_else(|| format!("nothing at {pointer:?}"))?,
        None => &value,
    };
    let list = list.as_array().ok_or("the items are not an array")?;
    Ok(list
        .iter()
        .filter_map(object_row)
        .filter_map(|r| entry_of(&r, columns))
        .collect())
}

fn object_row(value: &Value) -> Option<Row> {
    value
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// A column's value as text (a list is joined with `;`).
pub(crate) fn text(row: &Row, column: Option<&String>) -> Option<String> {
    let column = column?;
    let value = &row.iter().find(|(k, _)| k.eq_ignore_ascii_case(column))?.1;
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect::<Vec<_>>()
            .join(";"),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A list column (split at `;`, `|` or `,`), or several columns: `"1,2,3"`.
fn list(row: &Row, columns: Option<&String>) -> Vec<String> {
    let Some(columns) = columns else {
        return Vec::new();
    };
    columns
        .split(',')
        .filter_map(|c| text(row, Some(&c.trim().to_string())))
        .flat_map(|t| {
            t.split([';', '|', ','])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn entry_of(row: &Row, columns: &Columns) -> Option<RawEntry> {
    let name = text(row, columns.name.as_ref())?;
    let url = match text(row, columns.url.as_ref()) {
        Some(url) => url,
        None => {
            let template = columns.url_template.as_ref()?;
            let bare = name.trim_start_matches("/r/").trim_start_matches("r/");
            template.replace("{name}", bare)
        }
    };
    let member_count = text(row, columns.members.as_ref()).and_then(|m| {
        m.replace([',', '_', ' '], "")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| n as u64)
    });
    Some(RawEntry {
        name,
        url,
        description: text(row, columns.description.as_ref()),
        headings: list(row, columns.category.as_ref()),
        tags: list(row, columns.tags.as_ref()),
        platform: text(row, columns.platform.as_ref()),
        language: text(row, columns.language.as_ref()),
        member_count,
        homepage: text(row, columns.homepage.as_ref()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Columns {
        Columns {
            name: Some("subreddit".into()),
            description: Some("public_description".into()),
            members: Some("subscribers".into()),
            category: Some("category".into()),
            url_template: Some("https://www.reddit.com/r/{name}/".into()),
            ..Columns::default()
        }
    }

    #[test]
    fn csv_rows_follow_the_mapping_and_the_url_template() {
        let csv = "subreddit,public_description,subscribers,category\n\
                   nursing,\"Nurses, students and educators\",\"612,000\",Health;Careers\n";
        let entries = read_csv(csv, true, &columns()).unwrap();
        assert_eq!(entries[0].url, "https://www.reddit.com/r/nursing/");
        assert_eq!(entries[0].member_count, Some(612_000));
        assert_eq!(entries[0].headings, ["Health", "Careers"]);
    }

    #[test]
    fn headerless_csv_names_columns_by_position_and_joins_levels() {
        let csv = "StudentNurse,Science,Medicine,Nursing,,\n";
        let columns = Columns {
            name: Some("0".into()),
            category: Some("1,2,3".into()),
            url_template: Some("https://www.reddit.com/r/{name}/".into()),
            ..Columns::default()
        };
        let entries = read_csv(csv, false, &columns).unwrap();
        assert_eq!(entries[0].name, "StudentNurse");
        assert_eq!(entries[0].headings, ["Science", "Medicine", "Nursing"]);
    }

    #[test]
    fn json_arrays_at_a_pointer_and_json_lines() {
        let json = r#"{"data":{"children":[{"subreddit":"welding","subscribers":250000,"category":["Trades"]}]}}"#;
        let entries = read_json(json, Some("/data/children"), &columns()).unwrap();
        assert_eq!(entries[0].name, "welding");
        assert_eq!(entries[0].member_count, Some(250_000));
        let jsonl = "{\"subreddit\":\"Carpentry\"}\n\n{\"nope\":1}\n";
        assert_eq!(read_jsonl(jsonl, &columns()).unwrap().len(), 1);
        assert!(read_jsonl("{bad", &columns())
            .unwrap_err()
            .contains("line 1"));
    }
}
