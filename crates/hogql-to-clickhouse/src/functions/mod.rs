//! The HogQL → ClickHouse function table: which functions exist, what they are called in
//! ClickHouse, how many arguments and parameters they take, and how they print.
//!
//! The table is data (`table.txt`, one function per line) read once on first use; aggregate
//! combinators (`sumIf`, `avgArrayIf`, `maxArgMax`, …) are derived from their base aggregates by
//! [`lookup`]. Anything not found is refused: there is no fallback to "pass the name through".

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Printing that needs more than "rename and check the arity" (see `print::calls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// `equals`, `like`, `in`, …: the NULL-safe comparison rules.
    Compare,
    /// `toDecimal(x, s)` → `accurateCastOrNull(x, 'Decimal64(s)')`.
    ToDecimal,
    /// `toDate(x)` → `toDate` for Date/DateTime input, `toDateOrNull` otherwise.
    ToDate,
    /// `toDateTime(x[, tz])`: overloads by argument type (spec §6).
    ToDateTime,
    /// `toStartOfWeek(x)` gets the project's week mode.
    WeekMode,
    /// `date_part('year', dt)` → the matching `toYear(dt)` … call.
    DatePart,
    /// `tumble`, `hop`, …: the first argument must be a `DateTime`.
    TimeWindow,
    /// `concat(…)` never returns NULL: arguments are made non-null strings.
    Concat,
    /// `trim(x, chars)` → `trim(BOTH chars FROM x)` (also LEADING/TRAILING).
    Trim,
    /// `arrayReduce('agg', …)`: the aggregate name is checked against an allow-list.
    ArrayReduce,
    /// `indexHint(…)`: comparisons inside are not NULL-wrapped.
    IndexHint,
    /// `lag`/`lead` → `lagInFrame`/`leadInFrame` with a nullable argument and a full frame.
    LagLead,
    /// `CASE x WHEN a THEN b … ELSE e END` (the parser's `_caseWithExpression(x, a, b, …, e)`)
    /// → `transform(x, [a, …], [b, …], e)`.
    CaseWithExpression,
}

/// One function of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct FnSpec {
    /// The HogQL name as listed.
    pub name: Cow<'static, str>,
    /// The ClickHouse name, or a template with `{N}` / `{tz}` holes.
    pub clickhouse: Cow<'static, str>,
    pub min_args: usize,
    /// `None` = unbounded.
    pub max_args: Option<usize>,
    pub case_insensitive: bool,
    /// Append the project time zone when called with fewer than `max_args` arguments.
    pub timezone: bool,
    /// Insert the precision `6` at this argument position.
    pub precision6_at: Option<usize>,
    pub aggregate: bool,
    pub window_only: bool,
    /// Allowed number of parameters `f(params)(args)`; `None` = the function takes none.
    pub params: Option<(usize, Option<usize>)>,
    /// A constant appended as one more bound argument (`toInt` → `…, 'Int64'`).
    pub suffix: Option<&'static str>,
    pub special: Option<Special>,
    /// Known to PostHog but not available in ClickHouse 26.9.
    pub unavailable: bool,
}

impl FnSpec {
    pub fn is_template(&self) -> bool {
        self.clickhouse.contains('{')
    }
}

struct Table {
    by_name: HashMap<&'static str, FnSpec>,
    /// Lowercase name → listed name, for case-insensitive entries.
    by_lowercase: HashMap<String, &'static str>,
    /// Lines of `table.txt` that did not parse (a test asserts there are none).
    #[cfg_attr(not(test), allow(dead_code))]
    bad_lines: Vec<&'static str>,
}

static TABLE_TEXT: &str = include_str!("table.txt");
static TABLE: LazyLock<Table> = LazyLock::new(|| parse_table(TABLE_TEXT));

fn parse_table(text: &'static str) -> Table {
    let mut by_name = HashMap::new();
    let mut by_lowercase = HashMap::new();
    let mut bad_lines = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line) {
            Some(spec) => {
                let name: &'static str = match &spec.name {
                    Cow::Borrowed(n) => n,
                    Cow::Owned(_) => {
                        bad_lines.push(line);
                        continue;
                    }
                };
                if spec.case_insensitive {
                    by_lowercase.insert(name.to_lowercase(), name);
                }
                if by_name.insert(name, spec).is_some() {
                    bad_lines.push(line);
                }
            }
            None => bad_lines.push(line),
        }
    }
    Table {
        by_name,
        by_lowercase,
        bad_lines,
    }
}

fn parse_count(s: &str) -> Option<Option<usize>> {
    if s == "inf" {
        Some(None)
    } else {
        s.parse().ok().map(Some)
    }
}

fn parse_line(line: &'static str) -> Option<FnSpec> {
    let mut parts = line.split_whitespace();
    let name = parts.next()?;
    let ch = parts.next()?;
    let min_args: usize = parts.next()?.parse().ok()?;
    let max_args = parse_count(parts.next()?)?;
    let mut spec = FnSpec {
        name: Cow::Borrowed(name),
        clickhouse: Cow::Borrowed(if ch == "=" { name } else { ch }),
        min_args,
        max_args,
        case_insensitive: false,
        timezone: false,
        precision6_at: None,
        aggregate: false,
        window_only: false,
        params: None,
        suffix: None,
        special: None,
        unavailable: false,
    };
    for flag in parts {
        match flag {
            "ci" => spec.case_insensitive = true,
            "tz" => spec.timezone = true,
            "agg" => spec.aggregate = true,
            "win" => spec.window_only = true,
            "unavailable" => spec.unavailable = true,
            _ => {
                let (key, value) = flag.split_once('=')?;
                match key {
                    "p6" => spec.precision6_at = Some(value.parse().ok()?),
                    "p" => {
                        let (a, b) = value.split_once('-')?;
                        spec.params = Some((a.parse().ok()?, parse_count(b)?));
                    }
                    "suffix" => spec.suffix = Some(value),
                    "special" => spec.special = Some(parse_special(value)?),
                    _ => return None,
                }
            }
        }
    }
    Some(spec)
}

fn parse_special(s: &str) -> Option<Special> {
    Some(match s {
        "compare" => Special::Compare,
        "to_decimal" => Special::ToDecimal,
        "to_date" => Special::ToDate,
        "to_datetime" => Special::ToDateTime,
        "week_mode" => Special::WeekMode,
        "date_part" => Special::DatePart,
        "time_window" => Special::TimeWindow,
        "concat" => Special::Concat,
        "trim" => Special::Trim,
        "array_reduce" => Special::ArrayReduce,
        "index_hint" => Special::IndexHint,
        "lag_lead" => Special::LagLead,
        "case_with_expression" => Special::CaseWithExpression,
        _ => return None,
    })
}

/// Base aggregates whose combinator forms are generated (spec §9.2), longest name first so
/// `countDistinctIf` is not read as `count` + `DistinctIf`.
const COMBINATOR_BASES: [(&str, usize, usize); 7] = [
    ("countDistinct", 1, 1),
    ("median", 1, 1),
    ("count", 0, 1),
    ("avg", 1, 1),
    ("sum", 1, 1),
    ("min", 1, 1),
    ("max", 1, 1),
];
const OTHER_SUFFIXES: [&str; 7] = [
    "Array", "Map", "State", "Merge", "ForEach", "ArgMin", "ArgMax",
];

/// Reads `name` as `<base><Other>?<OrDefault|OrNull>?<If>?` with at least one suffix.
fn combinator(name: &str) -> Option<FnSpec> {
    for (base, min, max) in COMBINATOR_BASES {
        let Some(mut rest) = name.strip_prefix(base) else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let mut extra = 0;
        if let Some(s) = OTHER_SUFFIXES.iter().find(|s| rest.starts_with(**s)) {
            if *s == "ArgMin" || *s == "ArgMax" {
                extra += 1;
            }
            rest = &rest[s.len()..];
        }
        for s in ["OrDefault", "OrNull"] {
            if let Some(r) = rest.strip_prefix(s) {
                rest = r;
                break;
            }
        }
        if let Some(r) = rest.strip_prefix("If") {
            rest = r;
            extra += 1;
        }
        if !rest.is_empty() {
            continue;
        }
        return Some(FnSpec {
            name: Cow::Owned(name.to_string()),
            clickhouse: Cow::Owned(name.to_string()),
            min_args: min + extra,
            max_args: Some(max + extra),
            case_insensitive: false,
            timezone: false,
            precision6_at: None,
            aggregate: true,
            window_only: false,
            params: None,
            suffix: None,
            special: None,
            unavailable: false,
        });
    }
    None
}

/// Finds a function: exact name, then (for case-insensitive entries) the lowercase name, then
/// a generated aggregate combinator.
pub fn lookup(name: &str) -> Option<FnSpec> {
    let table = &*TABLE;
    if let Some(spec) = table.by_name.get(name) {
        return Some(spec.clone());
    }
    if let Some(listed) = table.by_lowercase.get(&name.to_lowercase()) {
        return table.by_name.get(listed).cloned();
    }
    combinator(name)
}

/// Every listed HogQL function name (for suggestions and completion).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    TABLE.by_name.keys().copied()
}

/// Aggregates `arrayReduce` may name (spec §9.1).
pub const ARRAY_REDUCE_ALLOWED: [&str; 21] = [
    "count",
    "countMap",
    "countMapState",
    "sum",
    "sumMap",
    "sumMapState",
    "min",
    "minMap",
    "minMapState",
    "max",
    "maxMap",
    "maxMapState",
    "avg",
    "avgState",
    "avgMap",
    "avgMapState",
    "median",
    "uniq",
    "uniqState",
    "uniqMap",
    "uniqMapState",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_completely() {
        assert!(
            TABLE.bad_lines.is_empty(),
            "bad lines: {:?}",
            TABLE.bad_lines
        );
        assert!(
            TABLE.by_name.len() > 600,
            "only {} functions",
            TABLE.by_name.len()
        );
    }

    #[test]
    fn lookups() {
        assert_eq!(lookup("SuM").unwrap().clickhouse, "sum");
        assert_eq!(lookup("CoALESce").unwrap().clickhouse, "coalesce");
        assert!(lookup("tostring").is_none(), "toString is case-sensitive");
        assert_eq!(lookup("now").unwrap().clickhouse, "now64");
        let q = lookup("quantile").unwrap();
        assert_eq!(q.params, Some((1, Some(1))));
        assert!(lookup("file").is_none());
        assert!(lookup("url").is_none());
        assert!(lookup("sleep").is_none());
        assert!(lookup("JSONExtractKey").unwrap().unavailable);
    }

    #[test]
    fn combinators() {
        let s = lookup("avgArrayIf").unwrap();
        assert!(s.aggregate);
        assert_eq!((s.min_args, s.max_args), (2, Some(2)));
        let s = lookup("maxArgMax").unwrap();
        assert_eq!((s.min_args, s.max_args), (2, Some(2)));
        assert!(lookup("sumMergeOrNull").is_some());
        assert!(lookup("countDistinctIf").is_some());
        assert!(lookup("sumIfArray").is_none(), "nothing may follow If");
        assert!(lookup("sumOrNullArray").is_none(), "only If follows OrNull");
        assert!(lookup("sumArrayArray").is_none());
    }
}
