//! Machine-readable results: PostHog's query-API JSON, JSON lines and CSV.

use hog_store::{QueryResult, Value};

/// `{"columns": [...], "types": [...], "results": [[...]]}` on one line.
pub fn json(result: &QueryResult) -> String {
    let mut out = result.to_json().to_string();
    out.push('\n');
    out
}

/// One object per row, keys in column order. Duplicate column names keep the last value, as
/// any JSON object would; use [`json`] when names repeat.
pub fn jsonl(result: &QueryResult) -> String {
    let mut out = String::new();
    for row in &result.rows {
        let object: serde_json::Map<String, serde_json::Value> = result
            .columns
            .iter()
            .zip(row.iter())
            .map(|(c, v)| (c.clone(), v.to_json()))
            .collect();
        out.push_str(&serde_json::Value::Object(object).to_string());
        out.push('\n');
    }
    out
}

/// RFC 4180 CSV: a header line, then the rows; fields with commas, quotes or line breaks are
/// quoted. NULL is an empty field; arrays, tuples and maps are their JSON text.
pub fn csv(result: &QueryResult) -> String {
    let mut out = String::new();
    write_record(&mut out, result.columns.iter().map(String::as_str));
    for row in &result.rows {
        let fields: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                v => v.to_text(),
            })
            .collect();
        write_record(&mut out, fields.iter().map(String::as_str));
    }
    out
}

fn write_record<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> QueryResult {
        QueryResult {
            columns: vec!["event".into(), "n".into()],
            types: vec!["String".into(), "UInt64".into()],
            rows: vec![
                vec![Value::String("a,\"b\"".into()), Value::UInt(2)],
                vec![Value::Null, Value::Float(1.5)],
            ],
        }
    }

    #[test]
    fn json_has_posthogs_shape() {
        let parsed: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({
                "columns": ["event", "n"],
                "types": ["String", "UInt64"],
                "results": [["a,\"b\"", 2], [null, 1.5]],
            })
        );
    }

    #[test]
    fn jsonl_is_one_object_per_row() {
        let text = jsonl(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [r#"{"event":"a,\"b\"","n":2}"#, r#"{"event":null,"n":1.5}"#]
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv(&sample()), "event,n\r\n\"a,\"\"b\"\"\",2\r\n,1.5\r\n");
    }
}
