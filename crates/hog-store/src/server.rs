//! The server store: a ClickHouse server (or cluster) over HTTP through the official `clickhouse`
//! crate. Same SQL and schema as the embedded engine; for when data outgrows one machine.
//!
//! * Statements go out as text with parameters already substituted ([`crate::params`]); the
//!   crate's own `?` placeholders are escaped (`??`) so they never interfere.
//! * Results are read in the `JSONCompact` format (names, types, rows), which every ClickHouse
//!   version speaks, including Debian's 18.16. They stream: ClickHouse writes the header, then
//!   one row per line, so rows are handed on in chunks as they arrive ([`CompactReader`]), and a
//!   large result never sits in memory whole.
//! * Inserts send the Arrow batch as `JSONEachRow`.
//! * Every request has a client-side timeout; ClickHouse's own limits (`max_execution_time`,
//!   `max_memory_usage`) can be set per store with [`ServerOptions::settings`].
//!
//! Cluster: run the DDL of [`crate::schema`] with `ON CLUSTER <name>` on `sharded_*` tables and
//! put `Distributed` tables named as the schema's on top (see the crate README).

use crate::error::{QueryErrorKind, Result, StoreError};
use crate::params::{self, Params};
use crate::result::{ChType, RowStream, Value};
use crate::store::EventStore;
use arrow_array::RecordBatch;
use arrow_schema::DataType;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to reach the server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// e.g. `http://localhost:8123`.
    pub url: String,
    pub user: Option<String>,
    pub password: Option<String>,
    pub database: Option<String>,
    /// Client-side limit for one request (connect, run, read).
    pub timeout: Duration,
    /// ClickHouse settings sent with every request, e.g. `("max_execution_time", "30")`.
    pub settings: Vec<(String, String)>,
}

impl ServerOptions {
    pub fn new(url: impl Into<String>) -> ServerOptions {
        ServerOptions {
            url: url.into(),
            user: None,
            password: None,
            database: None,
            timeout: Duration::from_secs(60),
            settings: Vec::new(),
        }
    }
}

/// A ClickHouse server holding the toolchain's tables.
pub struct ServerStore {
    client: clickhouse::Client,
    runtime: Arc<tokio::runtime::Runtime>,
    options: ServerOptions,
}

impl ServerStore {
    /// Connects and checks the server answers, without touching the schema.
    pub fn connect(options: ServerOptions) -> Result<ServerStore> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::io("cannot start the HTTP client runtime", e))?;
        let mut client = clickhouse::Client::default()
            .with_url(options.url.clone())
            .with_validation(false);
        if let Some(user) = &options.user {
            client = client.with_user(user.clone());
        }
        if let Some(password) = &options.password {
            client = client.with_password(password.clone());
        }
        if let Some(database) = &options.database {
            client = client.with_database(database.clone());
        }
        for (name, value) in &options.settings {
            client = client.with_setting(name.clone(), value.clone());
        }
        let store = ServerStore {
            client,
            runtime: Arc::new(runtime),
            options,
        };
        store.query("SELECT 1", &Params::new())?;
        Ok(store)
    }

    /// Connects, then creates or checks the schema (needs ClickHouse 23.x or newer).
    pub fn open(options: ServerOptions) -> Result<ServerStore> {
        let store = ServerStore::connect(options)?;
        crate::schema::ensure(&store)?;
        Ok(store)
    }

    /// Runs a future on this store's runtime under the client-side timeout.
    fn run<T>(
        &self,
        future: impl Future<Output = std::result::Result<T, clickhouse::error::Error>>,
    ) -> Result<T> {
        let timeout = self.options.timeout;
        self.runtime
            .block_on(async { tokio::time::timeout(timeout, future).await })
            .map_err(|_| StoreError::Query {
                kind: QueryErrorKind::Timeout,
                code: None,
                message: format!(
                    "no answer from {} within {:.1}s",
                    self.options.url,
                    timeout.as_secs_f64()
                ),
            })?
            .map_err(|e| client_error(&self.options.url, e))
    }
}

/// A client error as a store error, naming the server `url`.
fn client_error(url: &str, e: clickhouse::error::Error) -> StoreError {
    match e {
        clickhouse::error::Error::BadResponse(message) => StoreError::from_clickhouse(&message),
        clickhouse::error::Error::Network(inner) => StoreError::Query {
            kind: QueryErrorKind::Connection,
            code: None,
            message: format!("{url}: {inner}"),
        },
        clickhouse::error::Error::TimedOut => StoreError::Query {
            kind: QueryErrorKind::Timeout,
            code: None,
            message: format!("{url} timed out"),
        },
        other => StoreError::Query {
            kind: QueryErrorKind::Other,
            code: None,
            message: other.to_string(),
        },
    }
}

/// The crate treats `?` as its own placeholder; `??` is a literal question mark.
fn escape_placeholders(sql: &str) -> String {
    sql.replace('?', "??")
}

impl EventStore for ServerStore {
    fn describe_location(&self) -> String {
        format!("ClickHouse server {}", self.options.url)
    }

    fn execute(&self, sql: &str, params: &Params) -> Result<()> {
        let sql = escape_placeholders(&params::substitute(sql, params)?);
        self.run(self.client.query(&sql).execute())
    }

    fn query_stream(&self, sql: &str, params: &Params) -> Result<RowStream> {
        let sql = escape_placeholders(&params::substitute(sql, params)?);
        let deadline = Instant::now() + self.options.timeout;
        let cursor = self
            .client
            .query(&sql)
            .fetch_bytes("JSONCompact")
            .map_err(|e| client_error(&self.options.url, e))?;
        let mut reader = CompactReader {
            runtime: self.runtime.clone(),
            cursor,
            pending: Vec::new(),
            rows_started: false,
            done: false,
            deadline,
            url: self.options.url.clone(),
            parsed: Vec::new(),
            types: Vec::new(),
        };
        let (columns, types) = reader.header()?;
        reader.parsed = types.iter().map(|t| ChType::parse(t)).collect();
        reader.types = types.clone();
        Ok(RowStream::new(columns, types, Box::new(reader)))
    }

    fn insert(&self, table: &str, batch: RecordBatch) -> Result<u64> {
        let rows = batch.num_rows();
        if rows == 0 {
            return Ok(0);
        }
        let body = batch_to_json_each_row(&batch)?;
        let sql = format!("INSERT INTO {table} FORMAT JSONEachRow");
        self.run(async {
            let mut insert = self.client.insert_formatted_with(sql);
            insert.send(body.into()).await?;
            insert.end().await
        })?;
        Ok(rows as u64)
    }
}

/// Reads one `JSONCompact` cell by its ClickHouse type: 64-bit integers arrive quoted, date-times
/// as `YYYY-MM-DD hh:mm:ss[.ffffff]` in the column's zone (UTC unless the type names one).
fn json_cell(cell: &serde_json::Value, ch: &ChType, type_name: &str) -> Value {
    use serde_json::Value as J;
    let base = type_name
        .trim_start_matches("Nullable(")
        .trim_start_matches("LowCardinality(");
    match (cell, ch) {
        (J::Null, _) => Value::Null,
        (J::String(s), ChType::DateTime { tz }) | (J::String(s), ChType::DateTime64 { tz, .. }) => {
            let precision = match ch {
                ChType::DateTime64 { precision, .. } => *precision,
                _ => 0,
            };
            match crate::ingest::capture::parse_timestamp(s) {
                Some(micros) if tz.as_deref().is_none_or(|z| z == "UTC") => Value::DateTime {
                    micros,
                    precision,
                    tz: tz.clone(),
                },
                _ => Value::String(s.clone()),
            }
        }
        (J::String(s), ChType::Uuid) => uuid::Uuid::parse_str(s)
            .map(Value::Uuid)
            .unwrap_or_else(|_| Value::String(s.clone())),
        (J::String(s), _) if base.starts_with("Date") && !base.starts_with("DateTime") => {
            match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(date) => Value::Date(
                    (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default())
                        .num_days() as i32,
                ),
                Err(_) => Value::String(s.clone()),
            }
        }
        (J::String(s), _) if base.starts_with("UInt") => s
            .parse::<u64>()
            .map(Value::UInt)
            .or_else(|_| s.parse::<i128>().map(Value::BigInt))
            .unwrap_or_else(|_| Value::String(s.clone())),
        (J::String(s), _) if base.starts_with("Int") => s
            .parse::<i64>()
            .map(Value::Int)
            .or_else(|_| s.parse::<i128>().map(Value::BigInt))
            .unwrap_or_else(|_| Value::String(s.clone())),
        (J::String(s), _) => Value::String(s.clone()),
        (J::Bool(b), _) => Value::Bool(*b),
        (J::Number(n), _) if base.starts_with("Float") => {
            Value::Float(n.as_f64().unwrap_or(f64::NAN))
        }
        (J::Number(n), _) => n
            .as_u64()
            .map(Value::UInt)
            .or_else(|| n.as_i64().map(Value::Int))
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN))),
        (J::Array(items), ChType::Array(inner)) => {
            let inner_name = base
                .strip_prefix("Array(")
                .and_then(|r| r.strip_suffix(')'))
                .unwrap_or("");
            Value::Array(
                items
                    .iter()
                    .map(|i| json_cell(i, inner, inner_name))
                    .collect(),
            )
        }
        (J::Array(items), _) => Value::Array(
            items
                .iter()
                .map(|i| json_cell(i, &ChType::Plain, ""))
                .collect(),
        ),
        (J::Object(map), _) => Value::Map(
            map.iter()
                .map(|(k, v)| (Value::String(k.clone()), json_cell(v, &ChType::Plain, "")))
                .collect(),
        ),
    }
}

/// The batch as `JSONEachRow` text: UUID columns (the `arrow.uuid` extension) as text,
/// timestamps as `YYYY-MM-DD hh:mm:ss.ffffff` UTC, other values as JSON.
fn batch_to_json_each_row(batch: &RecordBatch) -> Result<Vec<u8>> {
    let schema = batch.schema();
    let kinds: Vec<ChType> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::FixedSizeBinary(16)
                if f.metadata().get("ARROW:extension:name").map(String::as_str)
                    == Some("arrow.uuid") =>
            {
                ChType::Uuid
            }
            _ => ChType::Plain,
        })
        .collect();
    let mut out = Vec::with_capacity(batch.num_rows() * 128);
    for row in 0..batch.num_rows() {
        let mut object = serde_json::Map::with_capacity(batch.num_columns());
        for (index, field) in schema.fields().iter().enumerate() {
            let column = batch.column(index);
            let value = crate::result::cell(column.as_ref(), row, &kinds[index])?;
            let json = match value {
                // Whole seconds without a fraction: old servers parse `DateTime` only so.
                Value::DateTime { micros, .. } => serde_json::Value::String(
                    chrono::DateTime::from_timestamp_micros(micros)
                        .map(|d| {
                            let pattern = if micros % 1_000_000 == 0 {
                                "%Y-%m-%d %H:%M:%S"
                            } else {
                                "%Y-%m-%d %H:%M:%S%.6f"
                            };
                            d.format(pattern).to_string()
                        })
                        .unwrap_or_default(),
                ),
                Value::Uuid(u) => serde_json::Value::String(u.to_string()),
                other => other.to_json(),
            };
            object.insert(field.name().clone(), json);
        }
        serde_json::to_writer(&mut out, &serde_json::Value::Object(object))
            .map_err(|e| StoreError::Invalid(format!("internal: encoding a row: {e}")))?;
        out.push(b'\n');
    }
    Ok(out)
}

/// Rows handed on per chunk while streaming.
const CHUNK_ROWS: usize = 1024;

/// Reads a `JSONCompact` answer as it arrives. ClickHouse writes it as
/// `{"meta": [...], "data": [` on lines of their own, then one row per line (`[..],`), then `],`
/// and statistics; JSON escapes newlines inside values, so a line is never part of a row. An
/// error that happens mid-stream arrives as ClickHouse's error text in place of rows.
struct CompactReader {
    runtime: Arc<tokio::runtime::Runtime>,
    cursor: clickhouse::query::BytesCursor,
    /// Bytes received and not yet consumed.
    pending: Vec<u8>,
    rows_started: bool,
    done: bool,
    deadline: Instant,
    url: String,
    parsed: Vec<ChType>,
    types: Vec<String>,
}

impl CompactReader {
    /// Receives more bytes; `false` at the end of the answer.
    fn receive(&mut self) -> Result<bool> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        let next = self
            .runtime
            .block_on(async { tokio::time::timeout(left, self.cursor.next()).await });
        match next {
            Err(_) => Err(StoreError::Query {
                kind: QueryErrorKind::Timeout,
                code: None,
                message: format!("no complete answer from {} in time", self.url),
            }),
            Ok(Err(e)) => Err(client_error(&self.url, e)),
            Ok(Ok(Some(bytes))) => {
                self.pending.extend_from_slice(&bytes);
                Ok(true)
            }
            Ok(Ok(None)) => Ok(false),
        }
    }

    /// Reads up to the start of the rows; returns the column names and types.
    fn header(&mut self) -> Result<(Vec<String>, Vec<String>)> {
        const DATA: &[u8] = b"\"data\":";
        let end = loop {
            if let Some(at) = find(&self.pending, DATA) {
                break at;
            }
            if !self.receive()? {
                return Err(unreadable(&self.pending));
            }
        };
        let mut head = String::from_utf8_lossy(&self.pending[..end]).into_owned();
        head.push_str("\"data\": []}");
        self.pending.drain(..end + DATA.len());
        let json: serde_json::Value =
            serde_json::from_str(&head).map_err(|_| unreadable(head.as_bytes()))?;
        let meta = json
            .get("meta")
            .and_then(|m| m.as_array())
            .cloned()
            .unwrap_or_default();
        let field = |m: &serde_json::Value, key: &str| {
            m.get(key)
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .to_string()
        };
        Ok((
            meta.iter().map(|m| field(m, "name")).collect(),
            meta.iter().map(|m| field(m, "type")).collect(),
        ))
    }

    /// The next complete line, receiving more bytes as needed; `None` at the end of the answer.
    fn line(&mut self) -> Result<Option<String>> {
        loop {
            if let Some(at) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=at).collect();
                return Ok(Some(String::from_utf8_lossy(&line).trim().to_string()));
            }
            if !self.receive()? {
                if self.pending.is_empty() {
                    return Ok(None);
                }
                let rest = std::mem::take(&mut self.pending);
                return Ok(Some(String::from_utf8_lossy(&rest).trim().to_string()));
            }
        }
    }

    fn row(&self, line: &str) -> Result<Vec<Value>> {
        let text = line.strip_suffix(',').unwrap_or(line);
        let cells: Vec<serde_json::Value> =
            serde_json::from_str(text).map_err(|_| unreadable(line.as_bytes()))?;
        Ok(cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                json_cell(
                    cell,
                    self.parsed.get(i).unwrap_or(&ChType::Plain),
                    self.types.get(i).map_or("", String::as_str),
                )
            })
            .collect())
    }

    fn chunk(&mut self) -> Result<Vec<Vec<Value>>> {
        let mut rows = Vec::new();
        while rows.len() < CHUNK_ROWS {
            let Some(line) = self.line()? else {
                // The answer ended inside the rows: cut off or replaced by an error.
                self.done = true;
                return Err(unreadable(b"(the answer ended before its last row)"));
            };
            if line.is_empty() {
                continue;
            }
            if !self.rows_started {
                if line == "[" {
                    self.rows_started = true;
                    continue;
                }
                return Err(unreadable(line.as_bytes()));
            }
            if line == "]" || line == "]," {
                self.done = true;
                break;
            }
            if !line.starts_with('[') {
                // ClickHouse reports an error that happens mid-stream in the body.
                return Err(unreadable(line.as_bytes()));
            }
            rows.push(self.row(&line)?);
        }
        Ok(rows)
    }
}

impl Iterator for CompactReader {
    type Item = Result<Vec<Vec<Value>>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.chunk() {
            Ok(rows) if rows.is_empty() && self.done => None,
            Ok(rows) => Some(Ok(rows)),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An answer that is not the `JSONCompact` layout: ClickHouse's error text when it has one.
fn unreadable(text: &[u8]) -> StoreError {
    let text = String::from_utf8_lossy(text);
    if text.contains("Code:") || text.contains("Exception") {
        return StoreError::from_clickhouse(text.trim());
    }
    let shown: String = text.chars().take(200).collect();
    StoreError::Query {
        kind: QueryErrorKind::Other,
        code: None,
        message: format!("unreadable answer from the server: {shown}"),
    }
}
