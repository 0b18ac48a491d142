//! Rendering query results for people and programs: aligned tables for the terminal
//! ([`table`]), PostHog's query-API JSON, JSON lines and CSV ([`text`]). Shared by the REPL and
//! `hog query`, so a result looks the same wherever it is printed.

pub mod problem;
pub mod run;
pub mod table;
pub mod text;

use hog_store::QueryResult;

/// How a result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// An aligned table with a row count.
    #[default]
    Table,
    /// `{"columns": [...], "types": [...], "results": [[...]]}`, like PostHog's query API.
    Json,
    /// One JSON object per row, keyed by column name.
    Jsonl,
    /// A header line and one line per row (RFC 4180 quoting).
    Csv,
}

impl Format {
    /// Parses a format name as typed after `\format` or `--format`.
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

/// The result in `format`, ending with a newline. Tables carry no footer here (row count and
/// time are the caller's business, see [`table::footer`]).
pub fn render(result: &QueryResult, format: Format, style: &table::Style) -> String {
    match format {
        Format::Table => table::render(result, style),
        Format::Json => text::json(result),
        Format::Jsonl => text::jsonl(result),
        Format::Csv => text::csv(result),
    }
}
