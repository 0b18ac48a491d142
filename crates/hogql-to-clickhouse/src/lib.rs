//! HogQL → ClickHouse SQL.
//!
//! Stages (one public function per edge):
//!
//! | from | function | to |
//! |---|---|---|
//! | text | [`hogql_parser::parse_select`] | AST ([`hogql_parser::ast::Query`]) |
//! | AST | [`resolve`] | [`ResolvedQuery`] (names bound, lazy joins expanded, limits applied) |
//! | resolved | [`print`] | [`ClickHouseQuery`] (SQL + bound parameters; team guards added here) |
//!
//! [`translate_select`] runs all three. Every string constant of the query is a bound
//! parameter; [`ClickHouseQuery::inline`] gives a safely escaped form for display.
#![forbid(unsafe_code)]

pub mod context;
pub mod error;
pub mod escape;
pub mod functions;
pub mod ir;
pub mod params;
mod print;
mod resolve;
pub mod schema;

pub use context::{Context, Limits, PersonsArgMaxVersion, PersonsOnEventsMode, SettingValue, WeekStart};
pub use error::{ErrorKind, TranslateError};
pub use params::{ClickHouseQuery, Param, ParamValue};
pub use print::{ResolvedQuery, print};
pub use resolve::resolve;

