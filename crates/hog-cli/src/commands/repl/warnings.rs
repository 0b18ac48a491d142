//! Warnings shown before a query is sent, for mistakes that are common and whose ClickHouse
//! error would be obscure:
//!
//! * a property (always a string in HogQL) compared with a number: ClickHouse refuses
//!   `String > UInt8` with "Illegal types of arguments"; suggest `toFloat(...)` / `toInt(...)`;
//! * a property key never seen in the team's data: most often a typo, and the query then
//!   silently returns nothing; suggest the closest keys that were seen.

use super::catalog::{Catalog, close_keys};
use crate::render::problem::Problem;
use hogql_parser::ast::{
    ChainPart, CompareOp, Constant, Expr, ExprKind, Query, Visitor, walk_expr,
};

/// The warnings for `query` (spans are into the text it was parsed from).
pub fn check(query: &Query, catalog: &Catalog, text: &str) -> Vec<Problem> {
    let mut checker = Checker {
        catalog,
        text,
        problems: Vec::new(),
    };
    checker.visit_query(query);
    checker.problems
}

struct Checker<'a> {
    catalog: &'a Catalog,
    text: &'a str,
    problems: Vec<Problem>,
}

/// A property access: which properties (event or person) and the key.
struct Property {
    person: bool,
    key: String,
}

/// `properties.k`, `e.properties.k`, `person.properties.k`, `events.person.properties.k`.
fn property(expr: &Expr) -> Option<Property> {
    let ExprKind::Field(field) = &expr.kind else {
        return None;
    };
    let names: Vec<&str> = field.chain.iter().filter_map(ChainPart::as_name).collect();
    let at = names.iter().position(|n| *n == "properties")?;
    let key = names.get(at + 1)?;
    Some(Property {
        person: names[..at]
            .iter()
            .any(|n| *n == "person" || *n == "persons"),
        key: key.to_string(),
    })
}

fn number(expr: &Expr) -> Option<bool> {
    match &expr.kind {
        ExprKind::Constant(Constant::Int(_) | Constant::BigInt(_)) => Some(false),
        ExprKind::Constant(Constant::Float(_)) => Some(true),
        _ => None,
    }
}

impl Checker<'_> {
    fn source(&self, expr: &Expr) -> String {
        self.text.get(expr.span.range()).unwrap_or("").to_string()
    }

    fn compared_with_number(&mut self, prop: &Expr, num: &Expr, float: bool) {
        let prop_text = self.source(prop);
        let cast = if float || matches!(num.kind, ExprKind::Constant(Constant::Float(_))) {
            "toFloat"
        } else {
            "toInt"
        };
        let span = prop.span.to(num.span);
        self.problems.push(
            Problem::warning(
                format!(
                    "`{prop_text}` is a string: comparing it with a number fails in ClickHouse"
                ),
                Some(span.range()),
            )
            .with_label("string compared with a number")
            .with_hints([format!(
                "convert it first: `{cast}({prop_text})` (or `toFloat(...)` for decimals)"
            )]),
        );
    }
}

impl Visitor for Checker<'_> {
    fn visit_expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::CompareOperation(op)
                if matches!(
                    op.op,
                    CompareOp::Eq
                        | CompareOp::NotEq
                        | CompareOp::Lt
                        | CompareOp::LtEq
                        | CompareOp::Gt
                        | CompareOp::GtEq
                ) && !op.is_null_style =>
            {
                if let (Some(_), Some(float)) = (property(&op.left), number(&op.right)) {
                    self.compared_with_number(&op.left, &op.right, float);
                } else if let (Some(float), Some(_)) = (number(&op.left), property(&op.right)) {
                    self.compared_with_number(&op.right, &op.left, float);
                }
            }
            ExprKind::Field(_) => {
                if let Some(p) = property(expr) {
                    let known = if p.person {
                        &self.catalog.person_keys
                    } else {
                        &self.catalog.event_keys
                    };
                    if !known.is_empty() && !known.contains(&p.key) {
                        let close = close_keys(&p.key, known);
                        let whose = if p.person { "person" } else { "event" };
                        let mut problem = Problem::warning(
                            format!("no {whose} in this team has the property `{}`", p.key),
                            Some(expr.span.range()),
                        )
                        .with_label("unknown property key");
                        if !close.is_empty() {
                            let list: Vec<String> =
                                close.iter().map(|k| format!("`{k}`")).collect();
                            problem =
                                problem.with_hints([format!("did you mean {}?", list.join(", "))]);
                        }
                        self.problems.push(problem);
                    }
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(text: &str) -> Vec<Problem> {
        let catalog = Catalog {
            event_keys: vec!["$browser".into(), "amount".into()],
            person_keys: vec!["email".into()],
            event_names: vec![],
        };
        let query = hogql_parser::parse_select(text).unwrap();
        check(&query, &catalog, text)
    }

    #[test]
    fn property_compared_with_number() {
        let w = warnings("select 1 from events where properties.amount > 100");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].hints[0].contains("toInt(properties.amount)"), "{w:?}");
        let w = warnings("select 1 from events where 2.5 <= properties.amount");
        assert!(
            w[0].hints[0].contains("toFloat(properties.amount)"),
            "{w:?}"
        );
        assert!(warnings("select 1 from events where toFloat(properties.amount) > 100").is_empty());
        assert!(warnings("select 1 from events where properties.amount = '100'").is_empty());
    }

    #[test]
    fn unknown_property_keys_suggest_close_ones() {
        let w = warnings("select properties.$brwser from events");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.contains("`$brwser`"));
        assert_eq!(w[0].hints, vec!["did you mean `$browser`?".to_string()]);
        let w = warnings("select person.properties.emial from events");
        assert!(w[0].hints[0].contains("`email`"), "{w:?}");
        assert!(
            warnings("select properties.$browser, person.properties.email from events").is_empty()
        );
    }
}
