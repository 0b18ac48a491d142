//! The resolved query: what the resolver produces and the printer prints.
//!
//! Every name is bound (columns carry their table reference, aliases and lambda arguments are
//! plain names), functions are ClickHouse functions, lazy tables and joins are already real
//! subqueries and JOINs. The one thing not in the tree is the team guard: the printer adds it
//! to every [`Source::Table`] it prints, so no path through the resolver can forget it.

use crate::schema::Physical;
use std::borrow::Cow;

/// A name in the resolved tree: most are the translator's own (`person_id`, `argMax`) and
/// borrowed, the rest (aliases, the query's own names) owned.
pub type Text = Cow<'static, str>;
use hogql_parser::ast::{ArrayJoinKind, FrameMethod, FrameType, Order, SetOperator};

/// A query ready to print.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Select(Box<Select>),
    Set(Box<SetQuery>),
}

/// `q1 UNION ALL q2 …` in source order; nested sets print parenthesised.
#[derive(Debug, Clone, PartialEq)]
pub struct SetQuery {
    pub initial: Query,
    pub rest: Vec<(SetOperator, Query)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    pub distinct: bool,
    pub columns: Vec<Expr>,
    /// The FROM chain: the first item has no join type.
    pub from: Vec<FromItem>,
    pub array_join: Option<(ArrayJoinKind, Vec<Expr>)>,
    pub prewhere: Option<Expr>,
    pub where_: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub windows: Vec<(String, WindowSpec)>,
    pub order_by: Vec<(Expr, Order)>,
    pub limit_by: Option<LimitBy>,
    pub limit: Option<Expr>,
    pub with_ties: bool,
    pub offset: Option<Expr>,
    /// Per-SELECT settings the translator adds (`optimize_aggregation_in_order=1`).
    pub settings: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LimitBy {
    pub n: Expr,
    pub offset: Option<Expr>,
    pub exprs: Vec<Expr>,
}

/// One item of the FROM chain.
#[derive(Debug, Clone, PartialEq)]
pub struct FromItem {
    /// `None` for the first item; otherwise one of [`JOIN_TYPES`].
    pub join_type: Option<&'static str>,
    pub source: Source,
    pub alias: Option<String>,
    /// Boxed: it is rare and large, and an unboxed one made every FROM item ~0.5 KB (a chain
    /// of two then crossed malloc's large-request threshold).
    pub sample: Option<Box<Sample>>,
    pub constraint: Option<Constraint>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    On(Expr),
    Using(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub ratio: (Expr, Option<Expr>),
    pub offset: Option<(Expr, Option<Expr>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A ClickHouse table: always printed with its team guard.
    Table(Physical),
    Subquery(Query),
    /// `numbers(…)`: no team data.
    Numbers(Vec<Expr>),
}

/// The join types the printer accepts (PostHog's allow-list, normalised spelling).
pub const JOIN_TYPES: [&str; 26] = [
    "JOIN",
    "INNER JOIN",
    "ALL INNER JOIN",
    "ANY INNER JOIN",
    "ASOF INNER JOIN",
    "LEFT JOIN",
    "LEFT OUTER JOIN",
    "LEFT SEMI JOIN",
    "LEFT ALL JOIN",
    "LEFT ANTI JOIN",
    "LEFT ANY JOIN",
    "LEFT ASOF JOIN",
    "LEFT OUTER ALL JOIN",
    "LEFT OUTER ANY JOIN",
    "RIGHT JOIN",
    "RIGHT OUTER JOIN",
    "RIGHT SEMI JOIN",
    "RIGHT ALL JOIN",
    "RIGHT ANTI JOIN",
    "RIGHT ANY JOIN",
    "FULL JOIN",
    "FULL OUTER JOIN",
    "FULL ALL JOIN",
    "FULL ANY JOIN",
    "FULL OUTER ALL JOIN",
    "CROSS JOIN",
];

/// `PARTITION BY … ORDER BY … ROWS …`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WindowSpec {
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<(Expr, Order)>,
    pub frame: Option<Frame>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub method: FrameMethod,
    pub start: FrameBound,
    pub end: Option<FrameBound>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameBound {
    pub kind: FrameType,
    /// `None` = UNBOUNDED (for PRECEDING/FOLLOWING).
    pub value: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Over {
    Spec(WindowSpec),
    Name(String),
}

/// Comparison operators after desugaring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Like,
    ILike,
    NotLike,
    NotILike,
    In,
    NotIn,
    Regex,
    NotRegex,
    IRegex,
    NotIRegex,
}

impl CmpOp {
    pub fn function(self) -> &'static str {
        match self {
            CmpOp::Eq => "equals",
            CmpOp::NotEq => "notEquals",
            CmpOp::Lt => "less",
            CmpOp::LtEq => "lessOrEquals",
            CmpOp::Gt => "greater",
            CmpOp::GtEq => "greaterOrEquals",
            CmpOp::Like => "like",
            CmpOp::ILike => "ilike",
            CmpOp::NotLike => "notLike",
            CmpOp::NotILike => "notILike",
            CmpOp::In => "in",
            CmpOp::NotIn => "notIn",
            CmpOp::Regex | CmpOp::NotRegex | CmpOp::IRegex | CmpOp::NotIRegex => "match",
        }
    }

    pub fn from_function(name: &str) -> Option<CmpOp> {
        Some(match name {
            "equals" => CmpOp::Eq,
            "notEquals" => CmpOp::NotEq,
            "less" => CmpOp::Lt,
            "lessOrEquals" => CmpOp::LtEq,
            "greater" => CmpOp::Gt,
            "greaterOrEquals" => CmpOp::GtEq,
            "like" => CmpOp::Like,
            "ilike" => CmpOp::ILike,
            "notLike" => CmpOp::NotLike,
            "notILike" => CmpOp::NotILike,
            "in" => CmpOp::In,
            "notIn" => CmpOp::NotIn,
            _ => return None,
        })
    }
}

/// A constant value.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond `i64`, as decimal digits (validated by the resolver).
    BigInt(String),
    Float(f64),
    /// Always printed as a bound parameter.
    Str(String),
}

/// One key of a JSON property path.
#[derive(Debug, Clone, PartialEq)]
pub enum PropKey {
    Str(String),
    Int(i64),
}

/// A resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(Const),
    /// `<qualifier>.<name>` (or bare `name`), wrapped in `toTimeZone(…, tz)` when `datetime`.
    Column(ColumnRef),
    /// A bare name: a SELECT alias, a lambda argument, an ARRAY JOIN alias.
    Name(NameRef),
    /// JSON extraction from a String column: `replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(…`.
    Property {
        json: Box<Expr>,
        keys: Vec<PropKey>,
    },
    Call(Call),
    /// A ClickHouse function template from the function table, `{N}` / `{tz}` holes.
    Template {
        template: &'static str,
        args: Vec<Expr>,
    },
    Compare {
        op: CmpOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Array(Vec<Expr>),
    ArrayAccess {
        array: Box<Expr>,
        index: Box<Expr>,
    },
    TupleAccess {
        tuple: Box<Expr>,
        index: i64,
    },
    Lambda {
        args: Vec<String>,
        body: Box<Expr>,
    },
    Alias {
        expr: Box<Expr>,
        name: Text,
    },
    Subquery(Box<Query>),
    Window {
        call: Call,
        over: Box<Over>,
    },
    /// `*` in `count(*)`.
    Star,
    /// Text the translator writes itself (`''`, `'null'`, `6`): never user input.
    Raw(&'static str),
    /// The project time zone as a bound parameter (a new number at every occurrence).
    Timezone,
    /// A string the translator binds (`'Int64'` suffixes); printed as a parameter.
    Bound(String),
    /// `trim(LEADING|TRAILING|BOTH chars FROM x)`.
    Trim {
        mode: &'static str,
        chars: Box<Expr>,
        value: Box<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    pub qualifier: Option<Text>,
    pub name: Text,
    pub nullable: bool,
    /// Wrap in `toTimeZone(…, tz)`.
    pub datetime: bool,
    /// A sort-key timestamp: comparisons with it are never NULL-wrapped.
    pub sort_key_time: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NameRef {
    pub name: String,
    pub nullable: bool,
    pub sort_key_time: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The ClickHouse function name.
    pub name: Text,
    pub params: Option<Vec<Expr>>,
    pub args: Vec<Expr>,
    pub distinct: bool,
    /// Whether the result can be NULL (for comparison wrapping).
    pub nullable: bool,
}

impl Call {
    pub fn new(name: impl Into<Text>, args: Vec<Expr>) -> Self {
        Call {
            name: name.into(),
            params: None,
            args,
            distinct: false,
            nullable: true,
        }
    }

    pub fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }
}

impl Expr {
    pub fn call(name: impl Into<Text>, args: Vec<Expr>) -> Expr {
        Expr::Call(Call::new(name, args))
    }

    pub fn int(v: i64) -> Expr {
        Expr::Const(Const::Int(v))
    }

    pub fn column(qualifier: impl Into<Text>, name: impl Into<Text>) -> Expr {
        Expr::Column(ColumnRef {
            qualifier: Some(qualifier.into()),
            name: name.into(),
            nullable: false,
            datetime: false,
            sort_key_time: false,
        })
    }

    pub fn eq(left: Expr, right: Expr) -> Expr {
        Expr::Compare {
            op: CmpOp::Eq,
            left: Box::new(left),
            right: Box::new(right),
        }
    }

    pub fn is_null_const(&self) -> bool {
        matches!(self, Expr::Const(Const::Null))
    }

    pub fn is_const(&self) -> bool {
        matches!(self, Expr::Const(_))
    }

    /// Whether the value can be NULL (spec §7.3): constants only when NULL, properties
    /// always, columns by declaration, calls unless known otherwise.
    pub fn nullable(&self) -> bool {
        match self {
            Expr::Const(c) => matches!(c, Const::Null),
            Expr::Column(c) => c.nullable,
            Expr::Name(n) => n.nullable,
            Expr::Property { .. } => true,
            Expr::Call(c) => c.nullable,
            Expr::Template { .. } => true,
            Expr::Compare { .. }
            | Expr::Between { .. }
            | Expr::And(_)
            | Expr::Or(_)
            | Expr::Not(_) => false,
            Expr::Array(_)
            | Expr::Lambda { .. }
            | Expr::Star
            | Expr::Raw(_)
            | Expr::Timezone
            | Expr::Bound(_) => false,
            Expr::ArrayAccess { .. }
            | Expr::TupleAccess { .. }
            | Expr::Subquery(_)
            | Expr::Window { .. } => true,
            Expr::Alias { expr, .. } => expr.nullable(),
            Expr::Trim { value, .. } => value.nullable(),
        }
    }

    /// A sort-key timestamp (possibly through an alias): comparisons stay unwrapped.
    pub fn is_sort_key_time(&self) -> bool {
        match self {
            Expr::Column(c) => c.sort_key_time,
            Expr::Name(n) => n.sort_key_time,
            Expr::Alias { expr, .. } => expr.is_sort_key_time(),
            _ => false,
        }
    }
}
