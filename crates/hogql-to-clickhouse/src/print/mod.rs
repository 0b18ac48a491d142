//! The ClickHouse printer: a [`ResolvedQuery`] → SQL text + bound parameters.
//!
//! Printing is mechanical except for three things that belong here because they must hold
//! for every query, whatever the resolver produced:
//! * the team guard `equals(<ref>.team_id, T)` for every ClickHouse table in every FROM chain
//!   (into WHERE, or into ON for a LEFT JOIN with a constraint), see [`select`];
//! * every string as a bound parameter, numbered in emission order (FROM before SELECT);
//! * NULL-safe comparisons and the and/or constant simplification, see [`expr`].

mod expr;
mod select;

use crate::context::SettingValue;
use crate::error::TranslateError;
use crate::escape::quote_string;
use crate::ir::Query;
use crate::params::{ClickHouseQuery, ParamSink};

/// A query after resolution, with what printing needs from the context.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedQuery {
    pub query: Query,
    pub team_id: i64,
    pub timezone: String,
    /// The global SETTINGS tail.
    pub settings: Vec<(String, SettingValue)>,
}

/// Prints a resolved query.
pub fn print(resolved: &ResolvedQuery) -> Result<ClickHouseQuery, TranslateError> {
    let mut printer = Printer {
        params: ParamSink::default(),
        team_id: resolved.team_id,
        timezone: &resolved.timezone,
        // Typical queries print 2-6 KB: one allocation up front instead of several regrowths.
        out: String::with_capacity(4096),
        depth: 0,
    };
    printer.query(&resolved.query, select::Position::Top)?;
    let mut sql = printer.out;
    let global: Vec<String> = resolved
        .settings
        .iter()
        .map(|(k, v)| format!("{k}={}", setting_value(v)))
        .collect();
    if !global.is_empty() {
        // A top-level SELECT's own settings already opened the clause.
        if printer_left_settings_open(&resolved.query) {
            sql.push_str(", ");
        } else {
            sql.push_str(" SETTINGS ");
        }
        sql.push_str(&global.join(", "));
    }
    Ok(ClickHouseQuery {
        sql,
        params: printer.params.params,
    })
}

fn printer_left_settings_open(query: &Query) -> bool {
    match query {
        Query::Select(s) => !s.settings.is_empty(),
        Query::Set(_) => false,
    }
}

fn setting_value(v: &SettingValue) -> String {
    match v {
        SettingValue::Int(i) => i.to_string(),
        SettingValue::Bool(b) => u8::from(*b).to_string(),
        SettingValue::Str(s) => quote_string(s),
    }
}

/// What printing a part returns: the text goes into [`Printer::out`].
pub(crate) type Printed = Result<(), TranslateError>;

/// Prints into one buffer: no part of the query is formatted into a string of its own.
pub(crate) struct Printer<'a> {
    params: ParamSink,
    team_id: i64,
    timezone: &'a str,
    out: String,
    /// Expression nesting, for the stack check.
    depth: usize,
}
