//! Query results: column names, ClickHouse type names and rows of [`Value`]s, like PostHog's
//! query API (`{"columns": [...], "types": [...], "results": [[...]]}`).
//!
//! The embedded engine answers in Arrow, where several ClickHouse types lose their meaning:
//! `DateTime` arrives as integer seconds, `Enum` as its code, `UUID` and 128-bit integers as 16
//! raw bytes. The store therefore also asks ClickHouse for the result's type names (`DESCRIBE`)
//! and converts each cell by the pair (Arrow type, ClickHouse type).

use crate::error::{Result, StoreError};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::fmt::Write as _;

/// One cell of a result.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    /// 128/256-bit integers (256-bit ones are shown as text when they do not fit).
    BigInt(i128),
    Float(f64),
    String(String),
    /// Canonical hyphenated text.
    Uuid(uuid::Uuid),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since the epoch, the column's precision (0 for `DateTime`) and time zone.
    DateTime {
        micros: i64,
        precision: u8,
        tz: Option<String>,
    },
    Array(Vec<Value>),
    Tuple(Vec<Value>),
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// The value as JSON, the way PostHog's API shows it (dates and times as ISO 8601 text).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(v) => J::from(*v),
            Value::UInt(v) => J::from(*v),
            Value::BigInt(v) => match i64::try_from(*v) {
                Ok(small) => J::from(small),
                Err(_) => J::String(v.to_string()),
            },
            Value::Float(v) => serde_json::Number::from_f64(*v)
                .map(J::Number)
                .unwrap_or_else(|| J::String(format_float(*v))),
            Value::String(s) => J::String(s.clone()),
            Value::Uuid(_) | Value::Date(_) | Value::DateTime { .. } => J::String(self.to_text()),
            Value::Array(items) | Value::Tuple(items) => {
                J::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_text(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The value as plain text for tables and CSV (strings unquoted, NULL as `null`).
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(v) => v.to_string(),
            Value::UInt(v) => v.to_string(),
            Value::BigInt(v) => v.to_string(),
            Value::Float(v) => format_float(*v),
            Value::String(s) => s.clone(),
            Value::Uuid(u) => u.hyphenated().to_string(),
            Value::Date(days) => NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|d| d.checked_add_signed(chrono::Duration::days(i64::from(*days))))
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| days.to_string()),
            Value::DateTime {
                micros,
                precision,
                tz,
            } => format_datetime(*micros, *precision, tz.as_deref()),
            Value::Array(_) | Value::Tuple(_) | Value::Map(_) => self.to_json().to_string(),
        }
    }
}

fn format_float(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        v.to_string()
    }
}

/// ISO 8601 with the zone's offset (`Z` for UTC), fractional digits as the column's precision.
fn format_datetime(micros: i64, precision: u8, tz: Option<&str>) -> String {
    let Some(utc) = DateTime::<Utc>::from_timestamp_micros(micros) else {
        return micros.to_string();
    };
    let pattern = match precision {
        0 => "%Y-%m-%dT%H:%M:%S",
        1..=3 => "%Y-%m-%dT%H:%M:%S%.3f",
        _ => "%Y-%m-%dT%H:%M:%S%.6f",
    };
    let zone = tz
        .filter(|name| !matches!(*name, "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT" | "Universal"))
        .and_then(|name| name.parse::<chrono_tz::Tz>().ok());
    match zone {
        Some(zone) => {
            let local = zone.from_utc_datetime(&utc.naive_utc());
            format!("{}{}", local.format(pattern), local.format("%:z"))
        }
        None => format!("{}Z", utc.format(pattern)),
    }
}

/// A complete result.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub columns: Vec<String>,
    /// ClickHouse type names, e.g. `UInt64`, `Nullable(String)`, `DateTime64(6, 'UTC')`.
    pub types: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl QueryResult {
    /// PostHog's query-API shape: `{"columns": [...], "types": [...], "results": [[...]]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "columns": self.columns,
            "types": self.types,
            "results": self.rows.iter()
                .map(|row| row.iter().map(Value::to_json).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
        })
    }
}

/// A result read chunk by chunk: the header is known first, rows arrive as the engine produces
/// them, so large results never sit in memory whole.
pub struct RowStream {
    pub columns: Vec<String>,
    pub types: Vec<String>,
    chunks: Box<dyn Iterator<Item = Result<Vec<Vec<Value>>>> + Send>,
}

impl RowStream {
    pub fn new(
        columns: Vec<String>,
        types: Vec<String>,
        chunks: Box<dyn Iterator<Item = Result<Vec<Vec<Value>>>> + Send>,
    ) -> RowStream {
        RowStream {
            columns,
            types,
            chunks,
        }
    }

    /// The next chunk of rows, `None` at the end.
    pub fn next_chunk(&mut self) -> Option<Result<Vec<Vec<Value>>>> {
        self.chunks.next()
    }

    /// Reads everything into a [`QueryResult`].
    pub fn collect(mut self) -> Result<QueryResult> {
        let mut rows = Vec::new();
        while let Some(chunk) = self.next_chunk() {
            rows.extend(chunk?);
        }
        Ok(QueryResult {
            columns: self.columns,
            types: self.types,
            rows,
        })
    }
}

/// The parts of a ClickHouse type name that change how an Arrow value must be read.
#[derive(Debug, Clone, PartialEq)]
pub enum ChType {
    DateTime {
        tz: Option<String>,
    },
    DateTime64 {
        precision: u8,
        tz: Option<String>,
    },
    Uuid,
    Enum(Vec<(i64, String)>),
    /// 128- or 256-bit integers, sent as raw little-endian bytes.
    Wide {
        signed: bool,
    },
    Ipv4,
    Array(Box<ChType>),
    Tuple(Vec<ChType>),
    Map(Box<ChType>, Box<ChType>),
    /// Anything whose Arrow form already says what it is.
    Plain,
}

impl ChType {
    /// Parses a type name as printed by ClickHouse; unknown or malformed names become `Plain`.
    pub fn parse(name: &str) -> ChType {
        let name = name.trim();
        let (head, args) = match name.find('(') {
            Some(open) if name.ends_with(')') => {
                (&name[..open], Some(&name[open + 1..name.len() - 1]))
            }
            _ => (name, None),
        };
        let args_list = args.map(split_top_level).unwrap_or_default();
        match (head, args_list.as_slice()) {
            ("Nullable" | "LowCardinality", [inner]) => ChType::parse(inner),
            ("DateTime", []) => ChType::DateTime { tz: None },
            ("DateTime", [tz]) => ChType::DateTime {
                tz: Some(unquote(tz)),
            },
            ("DateTime64", [p, rest @ ..]) => ChType::DateTime64 {
                precision: p.trim().parse().unwrap_or(3),
                tz: rest.first().map(|tz| unquote(tz)),
            },
            ("UUID", []) => ChType::Uuid,
            ("Enum8" | "Enum16" | "Enum", items) => ChType::Enum(
                items
                    .iter()
                    .filter_map(|item| {
                        let eq = item.rfind('=')?;
                        let code = item[eq + 1..].trim().parse().ok()?;
                        Some((code, unquote(&item[..eq])))
                    })
                    .collect(),
            ),
            ("Int128" | "Int256", []) => ChType::Wide { signed: true },
            ("UInt128" | "UInt256", []) => ChType::Wide { signed: false },
            ("IPv4", []) => ChType::Ipv4,
            ("Array", [inner]) => ChType::Array(Box::new(ChType::parse(inner))),
            ("Tuple", items) => ChType::Tuple(
                items
                    .iter()
                    .map(|item| ChType::parse(strip_tuple_element_name(item)))
                    .collect(),
            ),
            ("Map", [k, v]) => ChType::Map(Box::new(ChType::parse(k)), Box::new(ChType::parse(v))),
            _ => ChType::Plain,
        }
    }
}

/// Splits `a, b(c, d), 'e,f'` at top-level commas.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut in_quote = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if in_quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '\'' {
                in_quote = false;
            }
            continue;
        }
        match c {
            '\'' => in_quote = true,
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = s[start..].trim();
    if !last.is_empty() {
        parts.push(last);
    }
    parts
}

/// `'Europe/Berlin'` → `Europe/Berlin` (with `\'` unescaped).
fn unquote(s: &str) -> String {
    let s = s.trim();
    let inner = s
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .unwrap_or(s);
    inner.replace("\\'", "'").replace("\\\\", "\\")
}

/// Named tuple elements print as `name Type`; the type is what matters here.
fn strip_tuple_element_name(item: &str) -> &str {
    let item = item.trim();
    match item.split_once(' ') {
        Some((first, rest))
            if !first.contains('(')
                && first
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '`') =>
        {
            rest.trim()
        }
        _ => item,
    }
}

/// Converts one Arrow batch to rows, given each column's ClickHouse type.
pub fn batch_to_rows(batch: &RecordBatch, types: &[ChType]) -> Result<Vec<Vec<Value>>> {
    let mut rows: Vec<Vec<Value>> = (0..batch.num_rows())
        .map(|_| Vec::with_capacity(batch.num_columns()))
        .collect();
    for (index, column) in batch.columns().iter().enumerate() {
        let ch = types.get(index).unwrap_or(&ChType::Plain);
        for (row_index, row) in rows.iter_mut().enumerate() {
            row.push(cell(column.as_ref(), row_index, ch)?);
        }
    }
    Ok(rows)
}

/// The value at `row` of `array`, read as ClickHouse type `ch`.
pub fn cell(array: &dyn Array, row: usize, ch: &ChType) -> Result<Value> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    let value = match (array.data_type(), ch) {
        (DataType::Null, _) => Value::Null,
        (DataType::Boolean, _) => Value::Bool(array.as_boolean().value(row)),
        (DataType::UInt32, ChType::DateTime { tz }) => Value::DateTime {
            micros: i64::from(array.as_primitive::<UInt32Type>().value(row)) * 1_000_000,
            precision: 0,
            tz: tz.clone(),
        },
        (DataType::UInt32, ChType::Ipv4) => Value::String(
            std::net::Ipv4Addr::from(array.as_primitive::<UInt32Type>().value(row)).to_string(),
        ),
        (DataType::Int8, ChType::Enum(names)) => enum_name(
            i64::from(array.as_primitive::<Int8Type>().value(row)),
            names,
        ),
        (DataType::Int16, ChType::Enum(names)) => enum_name(
            i64::from(array.as_primitive::<Int16Type>().value(row)),
            names,
        ),
        (DataType::Int8, _) => Value::Int(i64::from(array.as_primitive::<Int8Type>().value(row))),
        (DataType::Int16, _) => Value::Int(i64::from(array.as_primitive::<Int16Type>().value(row))),
        (DataType::Int32, _) => Value::Int(i64::from(array.as_primitive::<Int32Type>().value(row))),
        (DataType::Int64, _) => Value::Int(array.as_primitive::<Int64Type>().value(row)),
        (DataType::UInt8, _) => {
            Value::UInt(u64::from(array.as_primitive::<UInt8Type>().value(row)))
        }
        (DataType::UInt16, _) => {
            Value::UInt(u64::from(array.as_primitive::<UInt16Type>().value(row)))
        }
        (DataType::UInt32, _) => {
            Value::UInt(u64::from(array.as_primitive::<UInt32Type>().value(row)))
        }
        (DataType::UInt64, _) => Value::UInt(array.as_primitive::<UInt64Type>().value(row)),
        (DataType::Float16, _) => {
            Value::Float(f64::from(array.as_primitive::<Float16Type>().value(row)))
        }
        (DataType::Float32, _) => {
            Value::Float(f64::from(array.as_primitive::<Float32Type>().value(row)))
        }
        (DataType::Float64, _) => Value::Float(array.as_primitive::<Float64Type>().value(row)),
        (DataType::Decimal128(_, scale), _) => {
            let raw = array.as_primitive::<Decimal128Type>().value(row);
            Value::Float(raw as f64 / 10f64.powi(i32::from(*scale)))
        }
        (DataType::Decimal256(_, scale), _) => {
            let raw = array.as_primitive::<Decimal256Type>().value(row);
            let raw: f64 = raw.to_string().parse().unwrap_or(f64::NAN);
            Value::Float(raw / 10f64.powi(i32::from(*scale)))
        }
        (DataType::Date32, _) => Value::Date(array.as_primitive::<Date32Type>().value(row)),
        (DataType::Timestamp(unit, arrow_tz), ch) => {
            let raw = match unit {
                TimeUnit::Second => array
                    .as_primitive::<TimestampSecondType>()
                    .value(row)
                    .saturating_mul(1_000_000),
                TimeUnit::Millisecond => array
                    .as_primitive::<TimestampMillisecondType>()
                    .value(row)
                    .saturating_mul(1_000),
                TimeUnit::Microsecond => {
                    array.as_primitive::<TimestampMicrosecondType>().value(row)
                }
                TimeUnit::Nanosecond => {
                    array.as_primitive::<TimestampNanosecondType>().value(row) / 1_000
                }
            };
            let (precision, tz) = match ch {
                ChType::DateTime64 { precision, tz } => (*precision, tz.clone()),
                ChType::DateTime { tz } => (0, tz.clone()),
                _ => (6, arrow_tz.as_ref().map(|t| t.to_string())),
            };
            Value::DateTime {
                micros: raw,
                precision,
                tz,
            }
        }
        (DataType::Utf8, _) => Value::String(array.as_string::<i32>().value(row).to_string()),
        (DataType::LargeUtf8, _) => Value::String(array.as_string::<i64>().value(row).to_string()),
        (DataType::Utf8View, _) => Value::String(array.as_string_view().value(row).to_string()),
        (DataType::Binary, _) => {
            Value::String(String::from_utf8_lossy(array.as_binary::<i32>().value(row)).into_owned())
        }
        (DataType::LargeBinary, _) => {
            Value::String(String::from_utf8_lossy(array.as_binary::<i64>().value(row)).into_owned())
        }
        (DataType::FixedSizeBinary(16), ChType::Uuid) => {
            let bytes = array.as_fixed_size_binary().value(row);
            let bytes: [u8; 16] = bytes
                .try_into()
                .map_err(|_| StoreError::Invalid("UUID cell is not 16 bytes".into()))?;
            Value::Uuid(uuid::Uuid::from_bytes(bytes))
        }
        (DataType::FixedSizeBinary(16), ChType::Wide { signed }) => {
            let bytes = array.as_fixed_size_binary().value(row);
            let bytes: [u8; 16] = bytes
                .try_into()
                .map_err(|_| StoreError::Invalid("128-bit cell is not 16 bytes".into()))?;
            if *signed {
                Value::BigInt(i128::from_le_bytes(bytes))
            } else {
                let v = u128::from_le_bytes(bytes);
                match i128::try_from(v) {
                    Ok(v) => Value::BigInt(v),
                    Err(_) => Value::String(v.to_string()),
                }
            }
        }
        (DataType::FixedSizeBinary(32), ChType::Wide { signed }) => {
            // 256-bit integers: show as text of the little-endian value when it fits 128 bits.
            let bytes = array.as_fixed_size_binary().value(row);
            let (low, high) = bytes.split_at(16);
            let low: [u8; 16] = low
                .try_into()
                .map_err(|_| StoreError::Invalid("256-bit cell is not 32 bytes".into()))?;
            let fill = if *signed && high.iter().all(|b| *b == 0xff) {
                0xff
            } else {
                0
            };
            if high.iter().all(|b| *b == fill) {
                Value::BigInt(i128::from_le_bytes(low))
            } else {
                Value::String(format!(
                    "0x{}",
                    bytes.iter().rev().fold(String::new(), |mut s, b| {
                        let _ = write!(s, "{b:02x}");
                        s
                    })
                ))
            }
        }
        (DataType::FixedSizeBinary(_), _) => {
            let bytes = array.as_fixed_size_binary().value(row);
            Value::String(
                String::from_utf8_lossy(bytes)
                    .trim_end_matches('\0')
                    .to_string(),
            )
        }
        (DataType::List(_), ch) => {
            let list = array.as_list::<i32>();
            list_values(list.value(row).as_ref(), ch)?
        }
        (DataType::LargeList(_), ch) => {
            let list = array.as_list::<i64>();
            list_values(list.value(row).as_ref(), ch)?
        }
        (DataType::Struct(_), ch) => {
            let st = array.as_struct();
            let inner: Vec<ChType> = match ch {
                ChType::Tuple(items) => items.clone(),
                _ => Vec::new(),
            };
            let mut items = Vec::with_capacity(st.num_columns());
            for (i, child) in st.columns().iter().enumerate() {
                items.push(cell(
                    child.as_ref(),
                    row,
                    inner.get(i).unwrap_or(&ChType::Plain),
                )?);
            }
            Value::Tuple(items)
        }
        (DataType::Map(_, _), ch) => {
            let map = array.as_map();
            let entries = map.value(row);
            let (kt, vt) = match ch {
                ChType::Map(k, v) => (k.as_ref().clone(), v.as_ref().clone()),
                _ => (ChType::Plain, ChType::Plain),
            };
            let keys = entries.column(0);
            let values = entries.column(1);
            let mut out = Vec::with_capacity(entries.len());
            for i in 0..entries.len() {
                out.push((cell(keys.as_ref(), i, &kt)?, cell(values.as_ref(), i, &vt)?));
            }
            Value::Map(out)
        }
        (DataType::Dictionary(_, _), ch) => {
            let dict = array.as_any_dictionary();
            let key = dict
                .normalized_keys()
                .get(row)
                .copied()
                .ok_or_else(|| StoreError::Invalid("dictionary key out of range".into()))?;
            cell(dict.values().as_ref(), key, ch)?
        }
        (other, _) => {
            return Err(StoreError::Invalid(format!(
                "result column of Arrow type {other} cannot be shown yet"
            )));
        }
    };
    Ok(value)
}

fn list_values(items: &dyn Array, ch: &ChType) -> Result<Value> {
    let inner = match ch {
        ChType::Array(inner) => inner.as_ref(),
        _ => &ChType::Plain,
    };
    (0..items.len())
        .map(|i| cell(items, i, inner))
        .collect::<Result<Vec<_>>>()
        .map(Value::Array)
}

fn enum_name(code: i64, names: &[(i64, String)]) -> Value {
    names
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| Value::String(name.clone()))
        .unwrap_or(Value::Int(code))
}

/// A ClickHouse type name for an Arrow type, used when `DESCRIBE` cannot describe a statement.
pub fn arrow_type_name(dt: &DataType) -> String {
    match dt {
        DataType::Null => "Nullable(Nothing)".into(),
        DataType::Boolean => "Bool".into(),
        DataType::Int8 => "Int8".into(),
        DataType::Int16 => "Int16".into(),
        DataType::Int32 => "Int32".into(),
        DataType::Int64 => "Int64".into(),
        DataType::UInt8 => "UInt8".into(),
        DataType::UInt16 => "UInt16".into(),
        DataType::UInt32 => "UInt32".into(),
        DataType::UInt64 => "UInt64".into(),
        DataType::Float32 => "Float32".into(),
        DataType::Float64 => "Float64".into(),
        DataType::Date32 => "Date32".into(),
        DataType::Timestamp(_, Some(tz)) => format!("DateTime64(6, '{tz}')"),
        DataType::Timestamp(_, None) => "DateTime64(6)".into(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Binary | DataType::LargeBinary => {
            "String".into()
        }
        DataType::FixedSizeBinary(n) => format!("FixedString({n})"),
        DataType::List(f) | DataType::LargeList(f) => {
            format!("Array({})", arrow_type_name(f.data_type()))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_clickhouse_type_names() {
        assert_eq!(
            ChType::parse("Nullable(DateTime('UTC'))"),
            ChType::DateTime {
                tz: Some("UTC".into())
            }
        );
        assert_eq!(
            ChType::parse("DateTime64(6, 'Europe/Berlin')"),
            ChType::DateTime64 {
                precision: 6,
                tz: Some("Europe/Berlin".into())
            }
        );
        assert_eq!(
            ChType::parse("Enum8('full' = 0, 'a, b' = 1)"),
            ChType::Enum(vec![(0, "full".into()), (1, "a, b".into())])
        );
        assert_eq!(
            ChType::parse("Map(String, Array(UUID))"),
            ChType::Map(
                Box::new(ChType::Plain),
                Box::new(ChType::Array(Box::new(ChType::Uuid)))
            )
        );
        assert_eq!(
            ChType::parse("Tuple(a UInt128, b DateTime)"),
            ChType::Tuple(vec![
                ChType::Wide { signed: false },
                ChType::DateTime { tz: None }
            ])
        );
        assert_eq!(ChType::parse("Array(String"), ChType::Plain);
    }

    #[test]
    fn datetimes_render_in_their_zone() {
        assert_eq!(
            format_datetime(1_704_164_645_000_000, 0, None),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            format_datetime(1_704_164_645_123_456, 6, Some("UTC")),
            "2024-01-02T03:04:05.123456Z"
        );
        assert_eq!(
            format_datetime(1_704_164_645_000_000, 0, Some("Europe/Berlin")),
            "2024-01-02T04:04:05+01:00"
        );
    }

    #[test]
    fn json_shape_matches_the_query_api() {
        let r = QueryResult {
            columns: vec!["a".into(), "b".into()],
            types: vec!["UInt64".into(), "Date".into()],
            rows: vec![vec![Value::UInt(1), Value::Date(19723)]],
        };
        assert_eq!(
            r.to_json().to_string(),
            r#"{"columns":["a","b"],"types":["UInt64","Date"],"results":[[1,"2024-01-01"]]}"#
        );
    }
}
