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

pub use context::{
    Cohort, CohortKind, Context, Filters, Limits, MaterializedProperty, MaterializedSource,
    PersonsArgMaxVersion, PersonsOnEventsMode, PropertyScope, PropertyType, SettingValue,
    WeekStart,
};
pub use error::{ErrorKind, TranslateError};
pub use params::{ClickHouseQuery, Param, ParamValue};
pub use print::{ResolvedQuery, print};
pub use resolve::resolve;

/// Resolving and printing recurse once per nesting level. When less than this much stack is
/// left, recursion continues on a new heap-allocated segment of [`STACK_SEGMENT`] bytes, so
/// deeply nested (but allowed) queries never overflow the caller's thread stack.
pub(crate) const STACK_RED_ZONE: usize = 512 * 1024;
pub(crate) const STACK_SEGMENT: usize = 4 * 1024 * 1024;
/// Expression recursion checks for stack room every this many levels (a few frames are far
/// smaller than the red zone).
pub(crate) const STACK_CHECK_EVERY: usize = 8;

/// Parses, resolves and prints one HogQL SELECT (or set operation) for `ctx`'s team.
pub fn translate_select(text: &str, ctx: &Context) -> Result<ClickHouseQuery, Vec<TranslateError>> {
    if text.trim().is_empty() {
        return Err(vec![TranslateError::invalid("Empty query")]);
    }
    let ast = hogql_parser::parse_select(text).map_err(|errs| {
        errs.into_iter()
            .map(TranslateError::from)
            .collect::<Vec<_>>()
    })?;
    let resolved = resolve(&ast, ctx)?;
    print(&resolved).map_err(|e| vec![e])
}
