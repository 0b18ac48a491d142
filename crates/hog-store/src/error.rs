//! The store's error type. ClickHouse reports errors as text carrying a numeric code
//! (`Code: 62. DB::Exception: ...`); [`StoreError::from_clickhouse`] turns that into a
//! [`QueryErrorKind`] so callers can react (and users read) without parsing messages.

use std::path::PathBuf;

/// Everything that can go wrong in the store. Messages are written for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The embedded engine is not on this machine and could not be fetched.
    #[error("cannot fetch the embedded ClickHouse engine: {0}")]
    Fetch(String),
    /// The engine's shared object exists but could not be loaded.
    #[error("cannot load the embedded ClickHouse engine from {path}: {message}")]
    Load { path: PathBuf, message: String },
    /// Another process owns the data directory.
    #[error("store {} is in use by process {pid}", dir.display())]
    InUse { dir: PathBuf, pid: String },
    /// This process already has a different data directory open in the embedded engine.
    #[error(
        "this process already has the store {} open; the embedded engine serves one data directory per process",
        open.display()
    )]
    OtherStoreOpen { open: PathBuf },
    /// The data directory was written by a newer `hog` with a schema this one does not know.
    #[error(
        "store schema version {found} is newer than this hog supports ({supported}); upgrade hog"
    )]
    SchemaTooNew { found: u32, supported: u32 },
    /// ClickHouse rejected a statement.
    #[error("{kind}: {message}")]
    Query {
        kind: QueryErrorKind,
        /// ClickHouse's error code, when the message carried one.
        code: Option<u32>,
        message: String,
    },
    /// Bad use of the store API (unknown parameter, unsupported value, ...).
    #[error("{0}")]
    Invalid(String),
    /// Reading or writing files of the store.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// The class of a ClickHouse error, from its numeric code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryErrorKind {
    /// Code 62.
    Syntax,
    /// Codes 47 (unknown identifier) and 16 (no such column in table).
    UnknownColumn,
    /// Code 46.
    UnknownFunction,
    /// Code 60.
    UnknownTable,
    /// Codes 241 (query memory limit) and 173 (cannot allocate).
    MemoryLimit,
    /// Codes 159 (timeout exceeded) and 394 (query cancelled).
    Timeout,
    /// Codes 43, 53, 70, 386 (type errors), 6 and 27 and 72 (cannot parse).
    Type,
    /// Code 164 (readonly) and 497 (access denied).
    Forbidden,
    /// Transport problems talking to a server.
    Connection,
    /// Anything else.
    Other,
}

impl std::fmt::Display for QueryErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            QueryErrorKind::Syntax => "syntax error",
            QueryErrorKind::UnknownColumn => "unknown column",
            QueryErrorKind::UnknownFunction => "unknown function",
            QueryErrorKind::UnknownTable => "unknown table",
            QueryErrorKind::MemoryLimit => "query exceeded its memory limit",
            QueryErrorKind::Timeout => "query exceeded its time limit",
            QueryErrorKind::Type => "type error",
            QueryErrorKind::Forbidden => "not allowed",
            QueryErrorKind::Connection => "cannot reach ClickHouse",
            QueryErrorKind::Other => "ClickHouse error",
        })
    }
}

impl QueryErrorKind {
    /// The kind for a ClickHouse error code.
    pub fn from_code(code: u32) -> Self {
        match code {
            62 => QueryErrorKind::Syntax,
            16 | 47 => QueryErrorKind::UnknownColumn,
            46 => QueryErrorKind::UnknownFunction,
            60 | 81 => QueryErrorKind::UnknownTable,
            173 | 241 => QueryErrorKind::MemoryLimit,
            159 | 394 => QueryErrorKind::Timeout,
            6 | 27 | 43 | 53 | 70 | 72 | 386 => QueryErrorKind::Type,
            164 | 497 => QueryErrorKind::Forbidden,
            _ => QueryErrorKind::Other,
        }
    }
}

impl StoreError {
    /// Builds a query error from ClickHouse's message text: finds `Code: N`, classifies it, and
    /// keeps only the human part of the message (without the `[chdb]` prefix, the
    /// `DB::Exception:` marker and the trailing `(ERROR_NAME)`; a trailing stack trace is cut).
    pub fn from_clickhouse(raw: &str) -> StoreError {
        let code = parse_code(raw);
        let kind = code.map_or(QueryErrorKind::Other, QueryErrorKind::from_code);
        StoreError::Query {
            kind,
            code,
            message: clean_message(raw),
        }
    }

    /// Shorthand for an I/O error with the path or action it concerns.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> StoreError {
        StoreError::Io {
            context: context.into(),
            source,
        }
    }

    /// The query error kind, if this is a query error.
    pub fn query_kind(&self) -> Option<QueryErrorKind> {
        match self {
            StoreError::Query { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// The number after the first `Code: ` in a ClickHouse message.
fn parse_code(raw: &str) -> Option<u32> {
    let start = raw.find("Code: ")? + "Code: ".len();
    let digits: String = raw[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Strips transport prefixes and ClickHouse boilerplate from an error message.
fn clean_message(raw: &str) -> String {
    let mut text = raw.trim();
    for prefix in ["[chdb]", "Code:"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim_start();
        }
    }
    // "62. DB::Exception: Syntax error..." -> "Syntax error..."
    if let Some(pos) = text.find("DB::Exception: ") {
        text = &text[pos + "DB::Exception: ".len()..];
    }
    // Server messages may carry a stack trace after the first line.
    if let Some(pos) = text.find("\nStack trace") {
        text = &text[..pos];
    }
    let text = text.trim_end();
    // Drop ". (SYNTAX_ERROR)" style suffixes and the ", e.what() = ..." noise of old servers.
    let text = match text.rfind(" (") {
        Some(pos)
            if text.ends_with(')')
                && text[pos + 2..text.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_') =>
        {
            text[..pos].trim_end()
        }
        _ => text,
    };
    let text = text.split(", e.what() = ").next().unwrap_or(text);
    text.trim_end_matches('.').to_string()
}

/// Result alias used across the crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_is_classified_and_cleaned() {
        let e = StoreError::from_clickhouse(
            "[chdb] Code: 62. DB::Exception: Syntax error: failed at position 7 (1): 1. Expected one of: FROM. (SYNTAX_ERROR)",
        );
        assert_eq!(e.query_kind(), Some(QueryErrorKind::Syntax));
        assert_eq!(
            e.to_string(),
            "syntax error: Syntax error: failed at position 7 (1): 1. Expected one of: FROM"
        );
    }

    #[test]
    fn memory_and_unknown_column_codes() {
        let e = StoreError::from_clickhouse(
            "[chdb] Code: 241. DB::Exception: Query memory limit exceeded: would use 5.05 MiB. (MEMORY_LIMIT_EXCEEDED)",
        );
        assert_eq!(e.query_kind(), Some(QueryErrorKind::MemoryLimit));
        let e = StoreError::from_clickhouse(
            "Code: 47. DB::Exception: Unknown expression identifier `nope`. (UNKNOWN_IDENTIFIER)",
        );
        assert_eq!(e.query_kind(), Some(QueryErrorKind::UnknownColumn));
        assert!(
            e.to_string()
                .ends_with("Unknown expression identifier `nope`")
        );
    }

    #[test]
    fn message_without_code_is_other() {
        let e = StoreError::from_clickhouse("something broke");
        assert_eq!(e.query_kind(), Some(QueryErrorKind::Other));
        assert_eq!(e.to_string(), "ClickHouse error: something broke");
    }

    #[test]
    fn old_server_stack_trace_is_cut() {
        let e = StoreError::from_clickhouse(
            "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1, e.what() = DB::Exception\nStack trace: 0. foo",
        );
        assert_eq!(e.query_kind(), Some(QueryErrorKind::Syntax));
        assert_eq!(
            e.to_string(),
            "syntax error: Syntax error: failed at position 1"
        );
    }
}
