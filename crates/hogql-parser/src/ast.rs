//! The syntax tree of HogQL (SELECT queries, expressions) and Hog (programs).
//!
//! The node set mirrors PostHog's own AST (`posthog/hogql/ast.py`): the same node kinds, the same
//! desugarings (`a || b` is a `concat` call, `a ?? b` an `ifNull` call, `CASE` an `if`/`multiIf`
//! call, `INTERVAL 1 DAY` a `toIntervalDay` call, `-x` is `0 - x`, `x IS NULL` is `x == NULL`, …).
//! Keeping that shape means the specs in `../shared/spec/` (translation to ClickHouse, bytecode
//! encoding) apply to this tree word for word, and the PostHog JSON export is a direct mapping.
//!
//! Every node carries a [`Span`]: byte offsets into the parsed text. Line/column are computed only
//! for display ([`crate::LineIndex`]).
//!
//! Depth guarantee: trees produced by the parser are at most [`crate::MAX_DEPTH`] nodes deep
//! (deeper input is a syntax error), so recursive consumers (visitors, printers, compilers) cannot
//! overflow the stack on parser output.
//!
//! Enums that may grow are `#[non_exhaustive]`; the tree only ever gains variants/fields.

mod visit;

pub use visit::{
    Visitor, walk_block, walk_expr, walk_join, walk_order, walk_program, walk_query, walk_select,
    walk_select_set, walk_stmt, walk_window,
};

use serde::Serialize;

/// A byte range `[start, end)` into the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn contains(self, inner: Span) -> bool {
        self.start <= inner.start && inner.end <= self.end
    }

    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// As a `Range<usize>` for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

// ------------------------------------------------------------------------------------------------
// Expressions
// ------------------------------------------------------------------------------------------------

/// An expression (HogQL and Hog share them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

/// The kinds of expression. Names follow PostHog's AST classes. Payloads much larger than two
/// boxes are boxed themselves (`Call`, `WindowFunction`, `Lambda`, `HogQLXTag`), which keeps an
/// `Expr` at 48 bytes: parsers and compilers move expressions by value all the time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum ExprKind {
    /// `42`, `1.5`, `'text'`, `NULL`, `true`, `inf`.
    Constant(Constant),
    /// A dotted name: `event`, `properties.$browser`, `t.*`, `*`.
    Field(Field),
    /// `{name}` or `{expr}`: substituted by the caller before resolution.
    Placeholder(Box<Expr>),
    /// `expr AS name`, `expr name`, `expr AS 'name'`.
    Alias(Alias),
    /// `a + b`, `a - b`, `a * b`, `a / b`, `a % b`; also `-x` as `0 - x`.
    ArithmeticOperation(ArithmeticOperation),
    /// Comparisons, `[NOT] IN`, `[NOT] LIKE`, regex matches, `IS [NOT] NULL`, `IN COHORT`.
    CompareOperation(CompareOperation),
    /// `x [NOT] BETWEEN low AND high`.
    BetweenExpr(BetweenExpr),
    /// `a AND b AND c` (flattened, ≥ 2 operands).
    And(Vec<Expr>),
    /// `a OR b OR c` (flattened, ≥ 2 operands).
    Or(Vec<Expr>),
    /// `NOT x`.
    Not(Box<Expr>),
    /// A call of a named function, incl. parametric aggregates and desugared operators.
    Call(Box<Call>),
    /// A call whose callee is not a plain name: `a.b(1)`, `f(1)(2)(3)`, `(x -> x)(1)`.
    ExprCall(ExprCall),
    /// `f(args) OVER (window)` / `f(args) OVER name`.
    WindowFunction(Box<WindowFunction>),
    /// `x -> expr`, `(x, y) -> { block }`, `lambda x: expr`.
    Lambda(Box<Lambda>),
    /// `[a, b]`.
    Array(Vec<Expr>),
    /// `(a, b)`, `(a,)`.
    Tuple(Vec<Expr>),
    /// `{key: value, ...}` (keys are expressions).
    Dict(Vec<(Expr, Expr)>),
    /// `a[i]`, `a?.[i]`, and `a?.name` (as a string-constant property).
    ArrayAccess(ArrayAccess),
    /// `a[start:end]` (either bound optional).
    ArraySlice(ArraySlice),
    /// `t.1`, `t?.2`.
    TupleAccess(TupleAccess),
    /// `x::type`, `CAST(x AS type)`.
    TypeCast(TypeCast),
    /// `a IS [NOT] DISTINCT FROM b`, `a <=> b` (the latter is `negated: true`).
    IsDistinctFrom(IsDistinctFrom),
    /// `#1`: the n-th column of the select list.
    PositionalRef(i64),
    /// A `SELECT` used as an expression (subquery) or table.
    SelectQuery(Box<SelectQuery>),
    /// A `UNION`/`EXCEPT`/`INTERSECT` chain used as an expression or table.
    SelectSetQuery(Box<SelectSetQuery>),
    /// `<Tag attr={expr}>children</Tag>`.
    HogQLXTag(Box<HogQLXTag>),
}

/// A literal value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum Constant {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer literal that does not fit `i64`; the decimal digits (with sign) as written
    /// after base conversion.
    BigInt(String),
    Float(f64),
    String(String),
}

/// One element of a field chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum ChainPart {
    Name(String),
    /// Only produced by later stages (the parser turns `a.1` into a [`TupleAccess`]).
    Index(i64),
}

impl ChainPart {
    pub fn as_name(&self) -> Option<&str> {
        match self {
            ChainPart::Name(n) => Some(n),
            ChainPart::Index(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// At least one element; `*` is the name `"*"`.
    pub chain: Vec<ChainPart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alias {
    pub expr: Box<Expr>,
    pub alias: String,
    /// Aliases created by later stages for output naming; the parser always sets `false`.
    pub hidden: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ArithmeticOp {
    Add,
    Sub,
    Mult,
    Div,
    Mod,
}

impl ArithmeticOp {
    /// The operator as written (`+`, `-`, `*`, `/`, `%`).
    pub fn symbol(self) -> &'static str {
        match self {
            ArithmeticOp::Add => "+",
            ArithmeticOp::Sub => "-",
            ArithmeticOp::Mult => "*",
            ArithmeticOp::Div => "/",
            ArithmeticOp::Mod => "%",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArithmeticOperation {
    pub op: ArithmeticOp,
    pub left: Box<Expr>,
    pub right: Box<Expr>,
}

/// Comparison operators, named as in PostHog's `CompareOperationOp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum CompareOp {
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
    GlobalIn,
    NotIn,
    GlobalNotIn,
    InCohort,
    NotInCohort,
    /// `=~`, `~`
    Regex,
    /// `!~`
    NotRegex,
    /// `=~*`, `~*`
    IRegex,
    /// `!~*`
    NotIRegex,
}

impl CompareOp {
    /// PostHog's spelling of the operator (`==`, `not like`, `in cohort`, `=~*`, …), which is
    /// also how the printer writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::NotEq => "!=",
            CompareOp::Lt => "<",
            CompareOp::LtEq => "<=",
            CompareOp::Gt => ">",
            CompareOp::GtEq => ">=",
            CompareOp::Like => "like",
            CompareOp::ILike => "ilike",
            CompareOp::NotLike => "not like",
            CompareOp::NotILike => "not ilike",
            CompareOp::In => "in",
            CompareOp::GlobalIn => "global in",
            CompareOp::NotIn => "not in",
            CompareOp::GlobalNotIn => "global not in",
            CompareOp::InCohort => "in cohort",
            CompareOp::NotInCohort => "not in cohort",
            CompareOp::Regex => "=~",
            CompareOp::NotRegex => "!~",
            CompareOp::IRegex => "=~*",
            CompareOp::NotIRegex => "!~*",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareOperation {
    pub op: CompareOp,
    pub left: Box<Expr>,
    pub right: Box<Expr>,
    /// Written as `x IS NULL` / `x IS NOT NULL` (op is `Eq` / `NotEq`, right is `NULL`).
    pub is_null_style: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BetweenExpr {
    pub expr: Box<Expr>,
    pub low: Box<Expr>,
    pub high: Box<Expr>,
    pub negated: bool,
}

/// A call of a function by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    pub name: String,
    pub args: Vec<Expr>,
    /// Parametric form `f(params)(args)`: `Some` (possibly empty) when the first parentheses
    /// are parameters.
    pub params: Option<Vec<Expr>>,
    /// `f(DISTINCT …)`.
    pub distinct: bool,
    /// `f(x ORDER BY y)`.
    pub order_by: Option<Vec<OrderExpr>>,
    /// `f(x) FILTER (WHERE cond)`.
    pub filter_expr: Option<Box<Expr>>,
    /// `f(p) WITHIN GROUP (ORDER BY …)`: the parenthesised values are in `params`.
    pub within_group: Option<Vec<OrderExpr>>,
    /// `true` when the parser built this call from other syntax (`||`, `??`, `?:`, CASE,
    /// INTERVAL, TRIM, f-strings) rather than from `name(...)`. Semantically irrelevant; it only
    /// decides how the call is printed and exported.
    pub desugared: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExprCall {
    pub expr: Box<Expr>,
    pub args: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowFunction {
    pub name: String,
    /// The arguments: `f(exprs) OVER …`.
    pub exprs: Vec<Expr>,
    /// For the parametric form `f(exprs)(args) OVER …`: the second argument list.
    pub args: Vec<Expr>,
    pub over: WindowOver,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum WindowOver {
    /// `OVER (PARTITION BY … ORDER BY … frame)`.
    Expr(Box<WindowExpr>),
    /// `OVER name`: a window of the `WINDOW` clause.
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lambda {
    pub args: Vec<String>,
    pub body: LambdaBody,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LambdaBody {
    Expr(Box<Expr>),
    /// `x -> { … }` (Hog only).
    Block(Block),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArrayAccess {
    pub array: Box<Expr>,
    pub property: Box<Expr>,
    /// Written with `?.`.
    pub nullish: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArraySlice {
    pub array: Box<Expr>,
    pub start: Option<Box<Expr>>,
    pub end: Option<Box<Expr>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TupleAccess {
    pub tuple: Box<Expr>,
    /// As written (1-based in HogQL/Hog).
    pub index: i64,
    pub nullish: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeCast {
    pub expr: Box<Expr>,
    /// The type name as written (`int`, `text`, `"double precision"`, …).
    pub type_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IsDistinctFrom {
    pub left: Box<Expr>,
    pub right: Box<Expr>,
    /// `IS NOT DISTINCT FROM` and `<=>`.
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HogQLXTag {
    pub kind: String,
    /// Attributes in source order; children (if any) are the last attribute, named `children`.
    pub attributes: Vec<HogQLXAttribute>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HogQLXAttribute {
    pub name: String,
    pub value: HogQLXValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum HogQLXValue {
    /// `attr='text'` (a string constant), `attr={expr}`, or a bare `attr` (the constant `true`).
    Expr(Box<Expr>),
    /// The `children` attribute: text pieces (string constants), `{expr}`s and nested tags.
    Children(Vec<Expr>),
}

// ------------------------------------------------------------------------------------------------
// SELECT queries
// ------------------------------------------------------------------------------------------------

/// What `parse_select` returns: a single SELECT or a set operation chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Query {
    Select(Box<SelectQuery>),
    SelectSet(Box<SelectSetQuery>),
}

impl Query {
    pub fn span(&self) -> Span {
        match self {
            Query::Select(q) => q.span,
            Query::SelectSet(q) => q.span,
        }
    }

    /// The query as an expression node (a subquery).
    pub fn into_expr(self) -> Expr {
        let span = self.span();
        match self {
            Query::Select(q) => Expr::new(ExprKind::SelectQuery(q), span),
            Query::SelectSet(q) => Expr::new(ExprKind::SelectSetQuery(q), span),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelectQuery {
    /// `WITH …` entries in source order.
    pub ctes: Option<Vec<Cte>>,
    pub distinct: bool,
    /// The column list (never empty after parsing).
    pub select: Vec<Expr>,
    /// The FROM clause: the first table, with the joined ones linked through `next_join`.
    pub select_from: Option<Box<JoinExpr>>,
    pub array_join: Option<ArrayJoin>,
    pub prewhere: Option<Box<Expr>>,
    pub where_: Option<Box<Expr>>,
    pub group_by: Option<Vec<Expr>>,
    /// `GROUP BY CUBE(…)` / `ROLLUP(…)`.
    pub group_by_mode: Option<GroupByMode>,
    pub having: Option<Box<Expr>>,
    pub qualify: Option<Box<Expr>>,
    /// `WINDOW name AS (…)` in source order.
    pub window_exprs: Option<Vec<NamedWindow>>,
    pub order_by: Option<Vec<OrderExpr>>,
    pub limit_by: Option<LimitByExpr>,
    pub limit: Option<Box<Expr>>,
    pub limit_with_ties: bool,
    /// `LIMIT n %`.
    pub limit_percent: bool,
    pub offset: Option<Box<Expr>>,
    pub span: Span,
}

impl SelectQuery {
    /// An empty `SELECT` with the given columns, for builders and tests.
    pub fn new(select: Vec<Expr>, span: Span) -> Self {
        SelectQuery {
            ctes: None,
            distinct: false,
            select,
            select_from: None,
            array_join: None,
            prewhere: None,
            where_: None,
            group_by: None,
            group_by_mode: None,
            having: None,
            qualify: None,
            window_exprs: None,
            order_by: None,
            limit_by: None,
            limit: None,
            limit_with_ties: false,
            limit_percent: false,
            offset: None,
            span,
        }
    }
}

/// `WITH name AS (subquery)` or `WITH expr AS name`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cte {
    pub name: String,
    /// A `SelectQuery`/`SelectSetQuery` for subquery CTEs, any expression for column CTEs.
    pub expr: Expr,
    pub cte_type: CteType,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CteType {
    Subquery,
    Column,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum GroupByMode {
    Cube,
    Rollup,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArrayJoin {
    pub kind: ArrayJoinKind,
    pub exprs: Vec<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ArrayJoinKind {
    /// `ARRAY JOIN`
    Array,
    /// `LEFT ARRAY JOIN`
    Left,
    /// `INNER ARRAY JOIN`
    Inner,
}

impl ArrayJoinKind {
    pub fn keyword(self) -> &'static str {
        match self {
            ArrayJoinKind::Array => "ARRAY JOIN",
            ArrayJoinKind::Left => "LEFT ARRAY JOIN",
            ArrayJoinKind::Inner => "INNER ARRAY JOIN",
        }
    }
}

/// One table of the FROM clause and (through `next_join`) the tables joined after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinExpr {
    /// How this table joins the previous one, normalised as in PostHog (`JOIN`, `LEFT JOIN`,
    /// `LEFT OUTER JOIN`, `ANY INNER JOIN`, `LEFT ANY JOIN`, `FULL OUTER JOIN`, `CROSS JOIN`, …).
    /// `None` on the first table.
    pub join_type: Option<String>,
    /// A `Field` (table name), `SelectQuery`/`SelectSetQuery`, `Placeholder` or `HogQLXTag`.
    pub table: Box<Expr>,
    /// Arguments of a table function (`numbers(10)`): `table` is then the function's name.
    pub table_args: Option<Vec<Expr>>,
    pub alias: Option<String>,
    /// `FINAL`
    pub table_final: bool,
    pub sample: Option<SampleExpr>,
    pub constraint: Option<JoinConstraint>,
    pub next_join: Option<Box<JoinExpr>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinConstraint {
    pub expr: Box<Expr>,
    pub constraint_type: ConstraintType,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ConstraintType {
    On,
    Using,
}

/// `SAMPLE ratio [OFFSET ratio]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleExpr {
    pub sample_value: RatioExpr,
    pub offset_value: Option<RatioExpr>,
    pub span: Span,
}

/// `n` or `n / m` (or a placeholder as `left`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioExpr {
    pub left: Box<Expr>,
    pub right: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedWindow {
    pub name: String,
    pub window: WindowExpr,
    pub span: Span,
}

/// `PARTITION BY … ORDER BY … ROWS|RANGE …`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowExpr {
    pub partition_by: Option<Vec<Expr>>,
    pub order_by: Option<Vec<OrderExpr>>,
    pub frame_method: Option<FrameMethod>,
    pub frame_start: Option<WindowFrameExpr>,
    /// Set only for `BETWEEN start AND end`.
    pub frame_end: Option<WindowFrameExpr>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FrameMethod {
    Rows,
    Range,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowFrameExpr {
    pub frame_type: FrameType,
    /// `n PRECEDING` / `n FOLLOWING`; `None` for `UNBOUNDED …` and `CURRENT ROW`.
    pub frame_value: Option<i64>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FrameType {
    Preceding,
    Following,
    CurrentRow,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderExpr {
    pub expr: Box<Expr>,
    pub order: Order,
    /// `NULLS FIRST` / `NULLS LAST` (parsed; PostHog's export drops it).
    pub nulls: Option<NullsOrder>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Order {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum NullsOrder {
    First,
    Last,
}

/// `LIMIT n [OFFSET m] BY exprs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitByExpr {
    pub n: Box<Expr>,
    pub offset_value: Option<Box<Expr>>,
    pub exprs: Vec<Expr>,
    pub span: Span,
}

/// `q1 UNION ALL q2 EXCEPT q3 …`, kept left to right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelectSetQuery {
    pub initial_select_query: Query,
    pub subsequent_select_queries: Vec<SelectSetNode>,
    /// `LIMIT n` of the whole set: written after a parenthesised last member,
    /// `… UNION ALL (SELECT …) LIMIT n`.
    pub limit: Option<Box<Expr>>,
    /// `OFFSET m` of the whole set. PostHog's parser also gives the set the OFFSET of
    /// `… UNION ALL SELECT … LIMIT n OFFSET m` (the last SELECT keeps `LIMIT n`).
    pub offset: Option<Box<Expr>>,
    /// `ORDER BY …` of the whole set, after a parenthesised last member. PostHog's parser
    /// accepts and drops it (so its JSON AST has no such field and ours leaves it out); kept
    /// here so that the translator orders the set's rows as the query asks.
    pub order_by: Option<Vec<OrderExpr>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelectSetNode {
    pub set_operator: SetOperator,
    pub select_query: Query,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SetOperator {
    UnionAll,
    UnionDistinct,
    Intersect,
    IntersectDistinct,
    Except,
}

impl SetOperator {
    pub fn keyword(self) -> &'static str {
        match self {
            SetOperator::UnionAll => "UNION ALL",
            SetOperator::UnionDistinct => "UNION DISTINCT",
            SetOperator::Intersect => "INTERSECT",
            SetOperator::IntersectDistinct => "INTERSECT DISTINCT",
            SetOperator::Except => "EXCEPT",
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Hog programs
// ------------------------------------------------------------------------------------------------

/// A whole Hog program: its top-level declarations and statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Program {
    pub declarations: Vec<Stmt>,
    pub span: Span,
}

/// `{ … }`: a scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub declarations: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

impl Stmt {
    pub fn new(kind: StmtKind, span: Span) -> Self {
        Stmt { kind, span }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum StmtKind {
    /// `let name` / `let name := expr`.
    VarDecl { name: String, expr: Option<Expr> },
    /// `target := value` (target: a field, `a[i]`, `a.b`, `t.1`, …; checked by the compiler).
    Assign { left: Expr, right: Expr },
    /// An expression whose value is discarded. `None` for a lone `;` in a statement position
    /// (`if (x) ;`); top-level and block-level empty statements are dropped.
    Expr(Option<Expr>),
    /// `return [expr]`.
    Return(Option<Expr>),
    /// `throw expr`.
    Throw(Expr),
    /// `if (cond) then [else else_]`.
    If {
        cond: Expr,
        then: Box<Stmt>,
        else_: Option<Box<Stmt>>,
    },
    /// `while (cond) body`.
    While { cond: Expr, body: Box<Stmt> },
    /// `for (init; cond; step) body`; every part optional.
    For {
        init: Option<Box<Stmt>>,
        cond: Option<Expr>,
        step: Option<Box<Stmt>>,
        body: Box<Stmt>,
    },
    /// `for (let [key,] value in expr) body`.
    ForIn {
        key_var: Option<String>,
        value_var: String,
        expr: Expr,
        body: Box<Stmt>,
    },
    /// `fun name(params) { body }` (also `fn`).
    Function {
        name: String,
        params: Vec<String>,
        body: Block,
    },
    /// `{ … }`.
    Block(Block),
    /// `try { … } catch … [finally { … }]`.
    TryCatch {
        try_block: Block,
        catches: Vec<CatchClause>,
        finally: Option<Block>,
    },
}

/// `catch`, `catch (var)`, `catch (var: Type)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatchClause {
    /// `None` for a bare `catch { … }` (the compiler binds it to `e`).
    pub var: Option<String>,
    pub error_type: Option<String>,
    pub body: Block,
    pub span: Span,
}

/// The parser moves expressions and statements by value all the time (builder, LR symbol stack,
/// list collection), so their size is parsing speed: at 144 bytes, `Expr` copies were a fifth of
/// the parse time. Large payloads go behind a `Box` (`Call`, `WindowFunction`, `Lambda`,
/// `HogQLXTag`); these limits keep a new variant or field from undoing that unnoticed.
#[cfg(all(test, target_pointer_width = "64"))]
mod size_tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn expression_nodes_stay_small() {
        assert!(
            size_of::<ExprKind>() <= 40,
            "ExprKind: {}",
            size_of::<ExprKind>()
        );
        assert!(size_of::<Expr>() <= 48, "Expr: {}", size_of::<Expr>());
    }

    #[test]
    fn statement_nodes_stay_small() {
        assert!(size_of::<Stmt>() <= 112, "Stmt: {}", size_of::<Stmt>());
    }
}
