//! Bound parameters: the translator never splices a user string into SQL text.
//!
//! Every string constant of the query, every property key and every time zone the translator
//! adds becomes a parameter `%(hogql_val_N)s` (PostHog's spelling), numbered in the order the
//! printer emits them. A [`ClickHouseQuery`] is the SQL plus the values; it can be rendered
//! for a ClickHouse server (`{hogql_val_N:String}` query parameters) or inlined with escaped
//! literals for display or for engines without parameter support.
//!
//! Inlining is safe because `%` can appear in the printed SQL only as part of a placeholder:
//! identifiers containing `%` are refused and no user text is printed verbatim.

use crate::escape::quote_string;
use std::fmt::Write;

/// The value of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    String(String),
    /// Integer keys of a JSON path (`properties.arr.1`): `JSONExtractRaw` treats them as
    /// 1-based array indexes.
    Int(i64),
}

impl ParamValue {
    /// The escaped ClickHouse literal.
    pub fn literal(&self) -> String {
        match self {
            ParamValue::String(s) => quote_string(s),
            ParamValue::Int(i) => i.to_string(),
        }
    }

    /// The ClickHouse type of the value, for server-side query parameters.
    pub fn clickhouse_type(&self) -> &'static str {
        match self {
            ParamValue::String(_) => "String",
            ParamValue::Int(_) => "Int64",
        }
    }
}

/// One bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// `hogql_val_N`.
    pub name: String,
    pub value: ParamValue,
}

/// The output of translation: SQL with `%(hogql_val_N)s` placeholders and their values.
#[derive(Debug, Clone, PartialEq)]
pub struct ClickHouseQuery {
    pub sql: String,
    pub params: Vec<Param>,
}

impl ClickHouseQuery {
    /// The value of a parameter by name.
    pub fn param(&self, name: &str) -> Option<&ParamValue> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map(|p| &p.value)
    }

    /// The SQL with every placeholder replaced by its escaped literal: for display, and for
    /// engines that take no parameters. Safe against injection: values are escaped by
    /// [`quote_string`], and placeholders are the only `%` in the SQL.
    pub fn inline(&self) -> String {
        self.render(|v| v.literal())
    }

    /// The SQL with ClickHouse server query parameters `{hogql_val_N:String}`; send the values
    /// as `param_hogql_val_N`.
    pub fn with_server_placeholders(&self) -> String {
        self.render_named(|name, v| format!("{{{name}:{}}}", v.clickhouse_type()))
    }

    fn render(&self, f: impl Fn(&ParamValue) -> String) -> String {
        self.render_named(|_, v| f(v))
    }

    fn render_named(&self, f: impl Fn(&str, &ParamValue) -> String) -> String {
        let mut out = String::with_capacity(self.sql.len() + 16 * self.params.len());
        let mut rest = self.sql.as_str();
        while let Some(pos) = rest.find("%(") {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 2..];
            match after.find(")s") {
                Some(end) => {
                    let name = &after[..end];
                    match self.param(name) {
                        Some(v) => out.push_str(&f(name, v)),
                        // Not a placeholder of ours (cannot happen: see the module docs);
                        // copy it through unchanged rather than guess.
                        None => {
                            let _ = write!(out, "%({name})s");
                        }
                    }
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str(&rest[pos..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Collects parameters while printing; numbering follows emission order.
#[derive(Debug, Default)]
pub(crate) struct ParamSink {
    pub params: Vec<Param>,
}

impl ParamSink {
    /// Binds a value and returns its placeholder.
    #[cfg(test)]
    pub fn bind(&mut self, value: ParamValue) -> String {
        let mut out = String::new();
        self.bind_into(&mut out, value);
        out
    }

    /// Binds a value and appends its placeholder `%(hogql_val_N)s` to `out`.
    pub fn bind_into(&mut self, out: &mut String, value: ParamValue) {
        let mut name = String::with_capacity(16);
        name.push_str("hogql_val_");
        push_decimal(&mut name, self.params.len());
        out.push_str("%(");
        out.push_str(&name);
        out.push_str(")s");
        self.params.push(Param { name, value });
    }
}

/// `n` in decimal, without the formatting machinery (one parameter name per string constant).
fn push_decimal(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        out.push(char::from(*d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_count_in_decimal() {
        let mut sink = ParamSink::default();
        let names: Vec<String> = (0..12).map(|_| sink.bind(ParamValue::Int(0))).collect();
        assert_eq!(names[0], "%(hogql_val_0)s");
        assert_eq!(names[9], "%(hogql_val_9)s");
        assert_eq!(names[10], "%(hogql_val_10)s");
        let mut big = String::new();
        push_decimal(&mut big, usize::MAX);
        assert_eq!(big, usize::MAX.to_string());
    }

    #[test]
    fn inline_escapes_values() {
        let mut sink = ParamSink::default();
        let a = sink.bind(ParamValue::String("it's".into()));
        let b = sink.bind(ParamValue::Int(3));
        let q = ClickHouseQuery {
            sql: format!("SELECT {a}, {b}"),
            params: sink.params,
        };
        assert_eq!(q.sql, "SELECT %(hogql_val_0)s, %(hogql_val_1)s");
        assert_eq!(q.inline(), "SELECT 'it\\'s', 3");
        assert_eq!(
            q.with_server_placeholders(),
            "SELECT {hogql_val_0:String}, {hogql_val_1:Int64}"
        );
    }

    #[test]
    fn inline_of_a_value_that_looks_like_a_placeholder() {
        let mut sink = ParamSink::default();
        let a = sink.bind(ParamValue::String("%(hogql_val_0)s'; DROP".into()));
        let q = ClickHouseQuery {
            sql: format!("SELECT {a}"),
            params: sink.params,
        };
        assert_eq!(q.inline(), "SELECT '%(hogql_val_0)s\\'; DROP'");
    }
}
