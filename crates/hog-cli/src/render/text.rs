//! Machine-readable results: PostHog's query-API JSON, JSON lines and CSV.
//!
//! All three are written by one [`TextWriter`] that takes the header first and rows as they
//! come, so `hog query` can stream a large result to stdout without holding it; the
//! whole-result functions ([`json`], [`jsonl`], [`csv`]) are the same writer over a buffer.

use hog_store::{QueryResult, Value};
use std::io::{self, Write};

/// Which text form a [`TextWriter`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// `{"columns":[...],"types":[...],"results":[[...],...]}` on one line.
    Json,
    /// One object per row, keys in column order.
    Jsonl,
    /// RFC 4180: a header line, then the rows.
    Csv,
}

/// Writes one result in a [`TextFormat`]: [`begin`](Self::begin) with the header, any number of
/// [`rows`](Self::rows) calls, then [`finish`](Self::finish).
pub struct TextWriter<W: Write> {
    format: TextFormat,
    out: W,
    columns: Vec<String>,
    rows_written: u64,
}

impl<W: Write> TextWriter<W> {
    pub fn begin(
        format: TextFormat,
        mut out: W,
        columns: &[String],
        types: &[String],
    ) -> io::Result<Self> {
        match format {
            TextFormat::Json => {
                out.write_all(b"{\"columns\":")?;
                serde_json::to_writer(&mut out, columns)?;
                out.write_all(b",\"types\":")?;
                serde_json::to_writer(&mut out, types)?;
                out.write_all(b",\"results\":[")?;
            }
            TextFormat::Jsonl => {}
            TextFormat::Csv => write_record(&mut out, columns.iter().map(String::as_str))?,
        }
        Ok(TextWriter {
            format,
            out,
            columns: columns.to_vec(),
            rows_written: 0,
        })
    }

    pub fn rows(&mut self, rows: &[Vec<Value>]) -> io::Result<()> {
        for row in rows {
            match self.format {
                TextFormat::Json => {
                    if self.rows_written > 0 {
                        self.out.write_all(b",")?;
                    }
                    let values: Vec<serde_json::Value> = row.iter().map(Value::to_json).collect();
                    serde_json::to_writer(&mut self.out, &values)?;
                }
                TextFormat::Jsonl => {
                    // Duplicate column names keep the last value, as any JSON object would;
                    // use JSON when names repeat.
                    let object: serde_json::Map<String, serde_json::Value> = self
                        .columns
                        .iter()
                        .zip(row.iter())
                        .map(|(c, v)| (c.clone(), v.to_json()))
                        .collect();
                    serde_json::to_writer(&mut self.out, &object)?;
                    self.out.write_all(b"\n")?;
                }
                TextFormat::Csv => {
                    // NULL is an empty field; arrays, tuples and maps are their JSON text.
                    let fields: Vec<String> = row
                        .iter()
                        .map(|v| match v {
                            Value::Null => String::new(),
                            v => v.to_text(),
                        })
                        .collect();
                    write_record(&mut self.out, fields.iter().map(String::as_str))?;
                }
            }
            self.rows_written += 1;
        }
        Ok(())
    }

    /// Closes the result and flushes; returns the number of rows written.
    pub fn finish(mut self) -> io::Result<u64> {
        if self.format == TextFormat::Json {
            self.out.write_all(b"]}\n")?;
        }
        self.out.flush()?;
        Ok(self.rows_written)
    }
}

fn whole(format: TextFormat, result: &QueryResult) -> String {
    let mut buf = Vec::new();
    let written = TextWriter::begin(format, &mut buf, &result.columns, &result.types)
        .and_then(|mut w| w.rows(&result.rows).map(|()| w))
        .and_then(TextWriter::finish);
    // Writing into a Vec cannot fail, and serde_json only writes valid UTF-8.
    debug_assert!(written.is_ok());
    String::from_utf8_lossy(&buf).into_owned()
}

/// `{"columns": [...], "types": [...], "results": [[...]]}` on one line.
pub fn json(result: &QueryResult) -> String {
    whole(TextFormat::Json, result)
}

/// One object per row, keys in column order.
pub fn jsonl(result: &QueryResult) -> String {
    whole(TextFormat::Jsonl, result)
}

/// RFC 4180 CSV: a header line, then the rows; fields with commas, quotes or line breaks are
/// quoted.
pub fn csv(result: &QueryResult) -> String {
    whole(TextFormat::Csv, result)
}

fn write_record<'a>(out: &mut impl Write, fields: impl Iterator<Item = &'a str>) -> io::Result<()> {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.write_all(b"\"")?;
            out.write_all(field.replace('"', "\"\"").as_bytes())?;
            out.write_all(b"\"")?;
        } else {
            out.write_all(field.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
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
    fn json_is_compact_in_posthogs_key_order() {
        assert_eq!(
            json(&sample()),
            "{\"columns\":[\"event\",\"n\"],\"types\":[\"String\",\"UInt64\"],\"results\":[[\"a,\\\"b\\\"\",2],[null,1.5]]}\n"
        );
    }

    #[test]
    fn rows_written_in_several_calls_give_the_same_text() {
        let result = sample();
        for format in [TextFormat::Json, TextFormat::Jsonl, TextFormat::Csv] {
            let mut buf = Vec::new();
            let mut w =
                TextWriter::begin(format, &mut buf, &result.columns, &result.types).unwrap();
            w.rows(&result.rows[..1]).unwrap();
            w.rows(&[]).unwrap();
            w.rows(&result.rows[1..]).unwrap();
            assert_eq!(w.finish().unwrap(), 2);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                whole(format, &result),
                "{format:?}"
            );
        }
    }

    #[test]
    fn empty_json_result_is_valid() {
        let result = QueryResult {
            columns: vec!["x".into()],
            types: vec!["UInt8".into()],
            rows: vec![],
        };
        let parsed: serde_json::Value = serde_json::from_str(&json(&result)).unwrap();
        assert_eq!(parsed["results"], serde_json::json!([]));
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv(&sample()), "event,n\r\n\"a,\"\"b\"\"\",2\r\n,1.5\r\n");
    }
}
