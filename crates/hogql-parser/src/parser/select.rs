//! Grammar actions for SELECT queries and Hog statements: assembling clauses into nodes,
//! normalising join kinds, and depth accounting for the non-expression nodes.

use super::actions::{Builder, N, SN, X, check_alias, dmax, exprs, span, vals};
use crate::ast::*;
use crate::error::{ErrorKind, ParseError};

/// One table of a FROM clause before the chain is linked.
pub struct JoinPart {
    pub join_type: Option<String>,
    pub table: X,
    pub args: Option<Vec<X>>,
    pub alias: Option<String>,
    pub table_final: bool,
    pub sample: Option<N<SampleExpr>>,
    pub constraint: Option<N<JoinConstraint>>,
    pub span: Span,
    /// Where the table's text ends (after FINAL/SAMPLE, or the `)` of a parenthesised join it
    /// ends), which may be past `span`: a query ending with it ends there.
    pub text_end: u32,
}

pub struct TableExpr {
    pub table: X,
    pub args: Option<Vec<X>>,
    pub alias: Option<String>,
    /// Where PostHog's JoinExpr node ends when not after FINAL/SAMPLE: after the `)` of a
    /// table function (before its alias), or else after the alias.
    pub node_end: Option<u32>,
}

pub struct FromClause {
    pub joins: Vec<JoinPart>,
    pub array_join: Option<N<ArrayJoin>>,
}

#[derive(Default)]
pub struct LimitParts {
    pub by: Option<N<LimitByExpr>>,
    pub limit: Option<X>,
    pub offset: Option<X>,
    pub with_ties: bool,
    /// The end of `WITH TIES`, where the query's span ends.
    pub ties_end: Option<u32>,
    /// `OFFSET n` without `LIMIT`.
    pub offset_only: bool,
    /// `LIMIT n, m`: its `m` always stays with the SELECT (unlike `LIMIT n OFFSET m`).
    pub comma: bool,
    /// A set's own `ORDER BY` (`SetEnd` only).
    pub order_by: Option<Vec<N<OrderExpr>>>,
}

impl LimitParts {
    /// `LIMIT n [WITH TIES] OFFSET m`: PostHog's parser reads the OFFSET as the enclosing
    /// set's (then, without a set, puts it back), so the query's text ends before it.
    fn offset_outside(&self) -> bool {
        self.limit.is_some() && self.offset.is_some() && !self.comma
    }
}

pub struct SelectParts {
    pub ctes: Option<Vec<N<Cte>>>,
    pub distinct: bool,
    pub columns: Vec<X>,
    pub from: Option<FromClause>,
    pub prewhere: Option<X>,
    pub where_: Option<X>,
    pub group_by: Option<(Vec<X>, Option<GroupByMode>)>,
    /// Where GROUP BY and its `WITH TOTALS`/… modifiers end (0 without them).
    pub group_by_end: u32,
    pub having: Option<X>,
    pub qualify: Option<X>,
    pub windows: Option<Vec<N<NamedWindow>>>,
    pub order_by: Option<Vec<N<OrderExpr>>>,
    pub limits: Option<LimitParts>,
    pub settings: Option<(u32, u32)>,
}

#[allow(clippy::large_enum_variant)] // lives only while one rule is reduced
pub enum ForHead {
    Classic(Option<SN>, Option<X>, Option<SN>),
    In(Option<String>, String, X),
}

fn opt_d<T>(x: &Option<N<T>>) -> u32 {
    x.as_ref().map_or(0, |n| n.d)
}

fn opt_sd(x: &Option<SN>) -> u32 {
    x.as_ref().map_or(0, |n| n.d)
}

fn bx(x: Option<X>) -> Option<Box<Expr>> {
    x.map(|x| x.v)
}

pub fn select(
    b: &mut Builder<'_>,
    p: SelectParts,
    l: u32,
    r: u32,
) -> Result<N<SelectQuery>, ParseError> {
    if let Some((sl, sr)) = p.settings {
        return Err(ParseError::new(
            ErrorKind::Unsupported,
            span(sl, sr),
            "Unsupported: SelectStmt.settingsClause()",
        )
        .with_hint("settings can only be added programmatically"));
    }
    let mut d = dmax(&p.columns);
    for x in [&p.prewhere, &p.where_, &p.having, &p.qualify] {
        d = d.max(opt_d(x));
    }
    if let Some(c) = &p.ctes {
        d = d.max(dmax(c));
    }
    if let Some((g, _)) = &p.group_by {
        d = d.max(dmax(g));
    }
    if let Some(w) = &p.windows {
        d = d.max(dmax(w));
    }
    if let Some(o) = &p.order_by {
        d = d.max(dmax(o));
    }
    let mut limits = p.limits.unwrap_or_default();
    // The query ends where its last clause ends (lalrpop places the end of trailing empty
    // optional parts at the next token). PostHog's parser ends a query with
    // `LIMIT n OFFSET m` at the end of `n` (see `LimitParts::offset_outside`).
    let r = match &limits.limit {
        _ if limits.ties_end.is_some() => limits.ties_end.unwrap_or(r),
        Some(lim) if limits.offset_outside() => lim.v.span.end.max(lim.paren_end),
        _ => {
            let mut end = p
                .columns
                .last()
                .map_or(l, |c| c.v.span.end.max(c.paren_end));
            let mut see = |s: Span| end = end.max(s.end);
            if let Some(f) = &p.from {
                f.joins.iter().for_each(|j| {
                    see(j.span);
                    see(Span::new(j.text_end, j.text_end));
                    if let Some(c) = &j.constraint {
                        see(c.v.span);
                    }
                });
                if let Some(a) = &f.array_join {
                    see(a.v.span);
                }
            }
            for x in [
                &p.prewhere,
                &p.where_,
                &p.having,
                &p.qualify,
                &limits.limit,
                &limits.offset,
            ]
            .into_iter()
            .flatten()
            {
                see(x.v.span);
                see(Span::new(x.paren_end, x.paren_end));
            }
            see(Span::new(p.group_by_end, p.group_by_end));
            if let Some((g, _)) = &p.group_by {
                g.iter().for_each(|x| {
                    see(x.v.span);
                    see(Span::new(x.paren_end, x.paren_end));
                });
            }
            if let Some(ws) = &p.windows {
                ws.iter().for_each(|w| see(w.v.span));
            }
            if let Some(os) = &p.order_by {
                os.iter().for_each(|o| see(o.v.span));
            }
            if let Some(lb) = &limits.by {
                see(lb.v.span);
            }
            end.min(r)
        }
    };
    d = d
        .max(opt_d(&limits.by))
        .max(opt_d(&limits.limit))
        .max(opt_d(&limits.offset));

    let (mut select_from, array_join) = match p.from {
        Some(f) => {
            let mut joins = f.joins;
            // `… SAMPLE r OFFSET o` right before the end of the FROM clause: the OFFSET belongs
            // to the sample (PostHog's parser is greedy there), not to the query.
            let only_from_follows = limits.offset_only
                && f.array_join.is_none()
                && p.prewhere.is_none()
                && p.where_.is_none()
                && p.group_by.is_none()
                && p.having.is_none()
                && p.qualify.is_none()
                && p.windows.is_none()
                && p.order_by.is_none();
            if only_from_follows
                && let Some(last) = joins.last_mut()
                && let Some(sample) = &mut last.sample
                && sample.v.offset_value.is_none()
                && let Some(off) = limits.offset.take()
            {
                let oc = off.v.span;
                let ratio = match off.v.kind {
                    ExprKind::ArithmeticOperation(ArithmeticOperation {
                        op: ArithmeticOp::Div,
                        left,
                        right,
                    }) => RatioExpr {
                        left,
                        right: Some(right),
                        span: oc,
                    },
                    kind => RatioExpr {
                        left: Box::new(Expr::new(kind, oc)),
                        right: None,
                        span: oc,
                    },
                };
                sample.v.offset_value = Some(ratio);
                sample.v.span = sample.v.span.to(oc);
                last.span = last.span.to(oc);
                limits.offset_only = false;
            }
            let aj_d = opt_d(&f.array_join);
            let chain = link(b, joins)?;
            d = d.max(chain.d).max(aj_d);
            (Some(Box::new(chain.v)), f.array_join.map(|a| a.v))
        }
        None => (None, None),
    };
    if select_from.as_ref().is_none() && array_join.is_some() {
        select_from = None;
    }
    let (group_by, group_by_mode) = match p.group_by {
        Some((g, m)) => (Some(b.exprs(g)), m),
        None => (None, None),
    };
    let q = SelectQuery {
        ctes: p.ctes.map(vals),
        distinct: p.distinct,
        select: b.exprs(p.columns),
        select_from,
        array_join,
        prewhere: bx(p.prewhere),
        where_: bx(p.where_),
        group_by,
        group_by_mode,
        having: bx(p.having),
        qualify: bx(p.qualify),
        window_exprs: p.windows.map(vals),
        order_by: p.order_by.map(vals),
        limit_by: limits.by.map(|n| n.v),
        limit: bx(limits.limit),
        limit_with_ties: limits.with_ties,
        limit_percent: false,
        offset: bx(limits.offset),
        span: span(l, r),
    };
    b.node(q, l, r, d).ok_or_else(|| too_deep(l, r))
}

fn too_deep(l: u32, r: u32) -> ParseError {
    ParseError::new(
        ErrorKind::TooDeep,
        span(l, r),
        format!(
            "query nested too deeply (more than {} levels)",
            crate::MAX_DEPTH
        ),
    )
}

/// Links the tables of a FROM clause into the `next_join` chain. The chain is built from the
/// back, so no recursion is involved.
fn link(b: &mut Builder<'_>, parts: Vec<JoinPart>) -> Result<N<JoinExpr>, ParseError> {
    let mut next: Option<N<JoinExpr>> = None;
    for p in parts.into_iter().rev() {
        let mut d = p.table.d.max(opt_d(&p.sample)).max(opt_d(&p.constraint));
        if let Some(a) = &p.args {
            d = d.max(dmax(a));
        }
        let next_d = opt_d(&next);
        let (l, r) = (p.span.start, p.span.end);
        let j = JoinExpr {
            join_type: p.join_type,
            table: p.table.v,
            table_args: p.args.map(exprs),
            alias: p.alias,
            table_final: p.table_final,
            sample: p.sample.map(|s| s.v),
            constraint: p.constraint.map(|c| c.v),
            next_join: next.map(|n| Box::new(n.v)),
            span: p.span,
        };
        next = Some(
            b.node(j, l, r, d.max(next_d))
                .ok_or_else(|| too_deep(l, r))?,
        );
    }
    next.ok_or_else(|| {
        ParseError::new(
            ErrorKind::UnexpectedToken,
            Span::default(),
            "empty FROM clause",
        )
    })
}

/// A table, and for a table function its arguments with the end of its `)`.
pub type TableBase = (X, Option<(Vec<X>, u32)>);

/// A table with its alias; `r` is where the alias (or the table) ends.
pub fn table_expr((table, args): TableBase, alias: Option<String>, r: u32) -> TableExpr {
    let (args, node_end) = match args {
        Some((a, end)) => (Some(a), Some(end)),
        None => (None, alias.is_some().then_some(r)),
    };
    TableExpr {
        table,
        args,
        alias,
        node_end,
    }
}

pub fn table_item(
    t: TableExpr,
    table_final: bool,
    sample: Option<N<SampleExpr>>,
    l: u32,
    r: u32,
) -> JoinPart {
    JoinPart {
        join_type: None,
        table: t.table,
        args: t.args,
        alias: t.alias,
        table_final,
        sample,
        constraint: None,
        span: span(l, t.node_end.unwrap_or(r)),
        text_end: r,
    }
}

/// `(a JOIN b …)`: its tables, the last one marked with the end of the `)` (where a query
/// ending with it ends).
pub fn paren_join(mut parts: Vec<JoinPart>, r: u32) -> Vec<JoinPart> {
    if let Some(last) = parts.last_mut() {
        last.text_end = r;
    }
    parts
}

/// A table or parenthesised join joined to the previous tables: its first table takes the join
/// kind and constraint (PostHog flattens `a JOIN (b JOIN c ON x) ON y` into `a, b ON y, c ON x`).
pub fn joined_group(
    b: &mut Builder<'_>,
    mut parts: Vec<JoinPart>,
    op: Result<(String, u32), ParseError>,
    constraint: Option<N<JoinConstraint>>,
    l: u32,
    r: u32,
) -> Result<Vec<JoinPart>, ParseError> {
    let rest = parts.split_off(1.min(parts.len()));
    let mut out = Vec::with_capacity(rest.len() + 1);
    if let Some(first) = parts.pop() {
        out.push(joined(b, first, op, constraint, l, r)?);
    }
    out.extend(rest);
    Ok(out)
}

/// A table joined to the previous ones; the span starts at the join keywords.
pub fn joined(
    _b: &mut Builder<'_>,
    mut t: JoinPart,
    op: Result<(String, u32), ParseError>,
    constraint: Option<N<JoinConstraint>>,
    l: u32,
    r: u32,
) -> Result<JoinPart, ParseError> {
    let (op, _) = op?;
    if let Some(a) = &t.alias {
        check_alias(a, t.span.start, t.span.end)?;
    }
    // PostHog's span of a joined table covers the table and its alias, not the join keywords
    // or the constraint (which has its own).
    let _ = (l, r);
    t.join_type = Some(op);
    t.constraint = constraint;
    Ok(t)
}

/// Normalises join keywords the way PostHog prints them.
pub fn join_op(
    pre: Option<&str>,
    side: Option<&str>,
    outer: bool,
    post: Option<&str>,
    l: u32,
    r: u32,
) -> Result<(String, u32), ParseError> {
    let bad = || {
        Err(ParseError::new(
            ErrorKind::UnexpectedToken,
            span(l, r),
            "invalid join kind",
        ))
    };
    if pre.is_some() && post.is_some() {
        return bad();
    }
    let m = pre.or(post);
    let s = match side {
        // `SEMI JOIN`, `ANTI JOIN` (PostHog's parser takes them without a side).
        None if matches!(m, Some("SEMI" | "ANTI")) => format!("{} JOIN", m.unwrap_or_default()),
        None | Some("INNER") => {
            if outer {
                return bad();
            }
            match m {
                None => "INNER JOIN".to_string(),
                Some(m @ ("ALL" | "ANY" | "ASOF")) => format!("{m} INNER JOIN"),
                Some(_) => return bad(),
            }
        }
        Some(side @ ("LEFT" | "RIGHT")) => {
            let mut s = side.to_string();
            if outer {
                s.push_str(" OUTER");
            }
            if let Some(m) = m {
                s.push(' ');
                s.push_str(m);
            }
            s + " JOIN"
        }
        Some(_) => {
            let mut s = "FULL".to_string();
            if outer {
                s.push_str(" OUTER");
            }
            match m {
                None => {}
                Some(m @ ("ALL" | "ANY")) => {
                    s.push(' ');
                    s.push_str(m);
                }
                Some(_) => return bad(),
            }
            s + " JOIN"
        }
    };
    Ok((s, l))
}

pub fn constraint(
    b: &mut Builder<'_>,
    e: X,
    kind: ConstraintType,
    l: u32,
    r: u32,
) -> N<JoinConstraint> {
    let d = e.d;
    let c = JoinConstraint {
        expr: e.v,
        constraint_type: kind,
        span: span(l, r),
    };
    // The depth check alone (cloning the constraint for `node` would copy its whole tree).
    let d = b.node((), l, r, d).map_or(1, |n| n.d);
    N::new(c, d)
}

/// `WITH … (SELECT … UNION ALL …)`: PostHog gives the CTEs to the first SELECT inside.
pub fn with_ctes(ctes: Vec<N<Cte>>, mut q: N<Query>) -> N<Query> {
    let d = q.d.max(dmax(&ctes) + 1);
    let mut first = &mut q.v;
    loop {
        match first {
            Query::Select(s) => {
                let mut all = vals(ctes);
                all.extend(s.ctes.take().unwrap_or_default());
                s.ctes = Some(all);
                break;
            }
            Query::SelectSet(set) => first = &mut set.initial_select_query,
        }
    }
    q.d = d;
    q
}

pub fn sample(v: N<RatioExpr>, offset: Option<N<RatioExpr>>, l: u32, r: u32) -> N<SampleExpr> {
    let d = v.d.max(offset.as_ref().map_or(0, |o| o.d)) + 1;
    N::new(
        SampleExpr {
            sample_value: v.v,
            offset_value: offset.map(|o| o.v),
            span: span(l, r),
        },
        d,
    )
}

pub fn ratio(a: X, c: Option<X>, l: u32, r: u32) -> N<RatioExpr> {
    let d = a.d.max(c.as_ref().map_or(0, |c| c.d)) + 1;
    N::new(
        RatioExpr {
            left: a.v,
            right: c.map(|c| c.v),
            span: span(l, r),
        },
        d,
    )
}

pub fn array_join(
    b: &mut Builder<'_>,
    kind: ArrayJoinKind,
    exprs: Vec<X>,
    l: u32,
    r: u32,
) -> N<ArrayJoin> {
    let d = dmax(&exprs);
    let aj = ArrayJoin {
        kind,
        exprs: self::exprs(exprs),
        span: span(l, r),
    };
    let _ = b;
    N::new(aj, d + 1)
}

pub fn cte_subquery(
    b: &mut Builder<'_>,
    name: X,
    q: N<Query>,
    l: u32,
    r: u32,
) -> Result<N<Cte>, ParseError> {
    let n = match &name.v.kind {
        ExprKind::Field(f) if !name.paren && f.chain.len() == 1 => {
            f.chain[0].as_name().map(str::to_string)
        }
        _ => None,
    };
    let Some(n) = n else {
        return Err(ParseError::new(
            ErrorKind::UnexpectedToken,
            name.v.span,
            "a subquery CTE needs a plain name",
        ));
    };
    let d = q.d;
    let expr = *b.subquery(q).v;
    Ok(N::new(
        Cte {
            name: n,
            expr,
            cte_type: CteType::Subquery,
            span: span(l, r),
        },
        d + 1,
    ))
}

pub fn cte_column(_b: &mut Builder<'_>, e: X, name: String, l: u32, r: u32) -> N<Cte> {
    let d = e.d;
    N::new(
        Cte {
            name,
            expr: *e.v,
            cte_type: CteType::Column,
            span: span(l, r),
        },
        d + 1,
    )
}

pub fn window(
    b: &mut Builder<'_>,
    partition: Option<Vec<X>>,
    order: Option<Vec<N<OrderExpr>>>,
    frame: Option<(FrameMethod, WindowFrameExpr, Option<WindowFrameExpr>)>,
    l: u32,
    r: u32,
) -> N<WindowExpr> {
    let d = partition
        .as_deref()
        .map_or(0, dmax)
        .max(order.as_deref().map_or(0, dmax));
    let (frame_method, frame_start, frame_end) = match frame {
        Some((m, s, e)) => (Some(m), Some(s), e),
        None => (None, None, None),
    };
    let w = WindowExpr {
        partition_by: partition.map(exprs),
        order_by: order.map(vals),
        frame_method,
        frame_start,
        frame_end,
        span: span(l, r),
    };
    let _ = b;
    N::new(w, d + 1)
}

pub fn order(
    _b: &mut Builder<'_>,
    e: X,
    dir: Option<Order>,
    nulls: Option<NullsOrder>,
    l: u32,
    r: u32,
) -> N<OrderExpr> {
    let d = e.d;
    N::new(
        OrderExpr {
            expr: e.v,
            order: dir.unwrap_or(Order::Asc),
            nulls,
            span: span(l, r),
        },
        d + 1,
    )
}

pub fn limit_by(
    _b: &mut Builder<'_>,
    n: X,
    offset: Option<X>,
    exprs: Vec<X>,
    l: u32,
    r: u32,
) -> N<LimitByExpr> {
    let d = n.d.max(opt_d(&offset)).max(dmax(&exprs));
    N::new(
        LimitByExpr {
            n: n.v,
            offset_value: bx(offset),
            exprs: self::exprs(exprs),
            span: span(l, r),
        },
        d + 1,
    )
}

/// The members of a set operation, collected left to right by the grammar.
pub struct SetMembers {
    pub first: N<Query>,
    /// `(operator, member, start, end)` after the first member.
    pub rest: Vec<(SetOperator, N<Query>, u32, u32)>,
    /// For each member (the first, then `rest`): a SELECT written without parentheses.
    pub bare: Vec<bool>,
}

impl SetMembers {
    pub fn new(first: N<Query>, bare: bool) -> Box<Self> {
        Box::new(SetMembers {
            first,
            rest: Vec::new(),
            bare: vec![bare],
        })
    }

    pub fn push(
        mut self: Box<Self>,
        op: SetOperator,
        q: N<Query>,
        l: u32,
        r: u32,
        bare: bool,
    ) -> Box<Self> {
        self.rest.push((op, q, l, r));
        self.bare.push(bare);
        self
    }
}

/// A set operation (or a single member) with its optional `ORDER BY … LIMIT … OFFSET …`
/// after a parenthesised last member. As PostHog's parser does:
/// - that ORDER BY and WITH TIES are accepted and left out of the JSON AST (a set keeps its
///   ORDER BY in `SelectSetQuery::order_by` for the translator; a single parenthesised SELECT
///   does not: it has no place for a second ORDER BY);
/// - a single member takes the LIMIT/OFFSET given (`(SELECT … LIMIT 5) LIMIT 1` has LIMIT 1);
/// - a last member `SELECT … LIMIT n OFFSET m` without parentheses gives its OFFSET to the
///   set, and other such members keep it (and their text ends after it).
pub fn set(
    b: &mut Builder<'_>,
    members: SetMembers,
    end: Option<Box<LimitParts>>,
    l: u32,
    r: u32,
) -> N<Query> {
    let SetMembers {
        mut first,
        rest,
        bare,
    } = members;
    let (mut limit, mut offset, order_by) =
        end.map_or((None, None, None), |e| (e.limit, e.offset, e.order_by));
    let tail_d = opt_d(&limit)
        .max(opt_d(&offset))
        .max(order_by.as_deref().map_or(0, dmax));
    let order_by = order_by.map(vals);
    if rest.is_empty() {
        let (ql, qo) = match &mut first.v {
            Query::Select(s) => (&mut s.limit, &mut s.offset),
            Query::SelectSet(s) => {
                if order_by.is_some() {
                    s.order_by = order_by;
                }
                (&mut s.limit, &mut s.offset)
            }
        };
        if let Some(x) = limit {
            *ql = Some(x.v);
        }
        if let Some(x) = offset {
            *qo = Some(x.v);
        }
        first.d = first.d.max(tail_d + 1);
        return first;
    }
    // Inside a set, a member `… LIMIT n OFFSET m` ends after `m` (PostHog).
    let widen = |q: &mut N<Query>| {
        if let Query::Select(s) = &mut q.v
            && let (Some(_), Some(off)) = (&s.limit, &s.offset)
        {
            s.span.end = s.span.end.max(off.span.end);
        }
    };
    let last = rest.len();
    let mut d = first.d.max(tail_d);
    if bare[0] {
        widen(&mut first);
    }
    let mut nodes = Vec::with_capacity(rest.len());
    for (i, (op, mut q, ql, qr)) in rest.into_iter().enumerate() {
        if i + 1 < last && bare[i + 1] {
            widen(&mut q);
        } else if i + 1 == last
            && bare[i + 1]
            && offset.is_none()
            && let Query::Select(s) = &mut q.v
            && let Some(off) = &s.offset
            && s.limit.is_some()
            && s.span.end < off.span.start
        {
            offset = s.offset.take().map(|o| N::new(o, q.d));
        }
        d = d.max(q.d);
        nodes.push(SelectSetNode {
            set_operator: op,
            select_query: q.v,
            span: span(ql, qr),
        });
    }
    let s = SelectSetQuery {
        initial_select_query: first.v,
        subsequent_select_queries: nodes,
        limit: limit.take().map(|x| x.v),
        offset: offset.take().map(|x| x.v),
        order_by,
        span: span(l, r),
    };
    match b.node(s, l, r, d) {
        Some(n) => N::new(Query::SelectSet(Box::new(n.v)), n.d),
        None => N::new(
            Query::Select(Box::new(SelectQuery::new(Vec::new(), span(l, r)))),
            1,
        ),
    }
}

// ------------------------------------------------------------------------------------------------
// statements

/// One element of a statement list.
pub enum Item {
    Stmt(SN),
    /// A `;`, with its end offset.
    Semi(u32),
    /// A statement the parser recovered from (its error is recorded).
    Skip,
}

/// The statements of a list. A `;` right after an expression statement, assignment, `return x`
/// or `throw x` belongs to that statement's span (and to the `if`/`while`/`for` that ends with
/// one), as in PostHog's parser; declarations, blocks and functions end before it.
pub fn statements(items: Vec<Item>) -> Vec<SN> {
    let mut out: Vec<SN> = Vec::with_capacity(items.len());
    let mut after_stmt = false;
    for item in items {
        match item {
            Item::Stmt(s) => {
                out.push(s);
                after_stmt = true;
            }
            Item::Semi(r) => {
                if after_stmt && let Some(last) = out.last_mut() {
                    extend_to_semi(&mut last.v, r);
                }
                after_stmt = false;
            }
            Item::Skip => after_stmt = false,
        }
    }
    out
}

/// Whether `s` ends with an expression, which a following `(`, `[`, `-`, `+` or `*` would
/// continue: the next statement cannot start with one (the grammar's `ListE`).
pub fn ends_with_expr(s: &Stmt) -> bool {
    let mut s = s;
    loop {
        match &s.kind {
            StmtKind::Expr(e) => return e.is_some(),
            StmtKind::VarDecl { expr, .. } => return expr.is_some(),
            StmtKind::Return(e) => return e.is_some(),
            StmtKind::Assign { .. } | StmtKind::Throw(_) => return true,
            StmtKind::If { then, else_, .. } => s = else_.as_deref().unwrap_or(then),
            StmtKind::While { body, .. }
            | StmtKind::For { body, .. }
            | StmtKind::ForIn { body, .. } => s = body,
            _ => return false,
        }
    }
}

/// Extends `s` (and the statement it ends with) to `r` if it is one that owns a following `;`.
/// Recursion follows nested `if`/`while`/`for` bodies, whose depth the parser bounds.
fn extend_to_semi(s: &mut Stmt, r: u32) -> bool {
    let owns = match &mut s.kind {
        StmtKind::Expr(Some(_))
        | StmtKind::Assign { .. }
        | StmtKind::Return(Some(_))
        | StmtKind::Throw(_) => true,
        StmtKind::If { then, else_, .. } => match else_ {
            Some(e) => extend_to_semi(e, r),
            None => extend_to_semi(then, r),
        },
        StmtKind::While { body, .. }
        | StmtKind::For { body, .. }
        | StmtKind::ForIn { body, .. } => extend_to_semi(body, r),
        _ => false,
    };
    if owns {
        s.span.end = r;
    }
    owns
}

pub fn block(b: &mut Builder<'_>, items: Vec<Item>, l: u32, r: u32) -> N<Block> {
    let mut d = 0;
    let declarations = statements(items)
        .into_iter()
        .map(|s| {
            d = d.max(s.d);
            s.v
        })
        .collect();
    let blk = Block {
        declarations,
        span: span(l, r),
    };
    match b.node(blk, l, r, d) {
        Some(n) => n,
        None => N::new(
            Block {
                declarations: Vec::new(),
                span: span(l, r),
            },
            1,
        ),
    }
}

/// The lexer drops a `;` between an `if`'s branch and `else` (so that it does not end the `if`);
/// like any `;` after a statement it still belongs to the branch's span.
pub fn then_before_else(b: &Builder<'_>, mut t: SN, else_l: u32) -> SN {
    let gap = b
        .src
        .get(t.v.span.end as usize..else_l as usize)
        .unwrap_or("");
    let (toks, _) = crate::lexer::tokenize(gap, crate::lexer::Entry::Expr);
    if let Some(&(_, _, end)) = toks
        .iter()
        .find(|(_, tok, _)| *tok == crate::token::Tok::Semi)
    {
        let at = t.v.span.end + end;
        extend_to_semi(&mut t.v, at);
    }
    t
}

// The statement arguments stay `SN` (boxed) although a `Stmt` is now small enough for clippy's
// `boxed_local`: that is the type the LR grammar's symbols and the descent parser hand over, and
// boxing keeps the LR symbol stack small (see `SN`).
#[allow(clippy::boxed_local)]
pub fn if_stmt(b: &mut Builder<'_>, c: X, t: SN, e: Option<SN>, l: u32, r: u32) -> SN {
    let d = c.d.max(t.d).max(opt_sd(&e));
    let cond = b.unbox(c.v);
    b.s(
        StmtKind::If {
            cond,
            then: Box::new(t.v),
            else_: e.map(|e| Box::new(e.v)),
        },
        l,
        r,
        d,
    )
}

#[allow(clippy::boxed_local)] // see `if_stmt`
pub fn while_stmt(b: &mut Builder<'_>, c: X, body: SN, l: u32, r: u32) -> SN {
    let d = c.d.max(body.d);
    let cond = b.unbox(c.v);
    b.s(
        StmtKind::While {
            cond,
            body: Box::new(body.v),
        },
        l,
        r,
        d,
    )
}

#[allow(clippy::boxed_local)] // see `if_stmt`
pub fn for_stmt(b: &mut Builder<'_>, h: ForHead, body: SN, l: u32, r: u32) -> SN {
    match h {
        ForHead::Classic(init, cond, step) => {
            let d = opt_sd(&init)
                .max(opt_d(&cond))
                .max(opt_sd(&step))
                .max(body.d);
            let kind = StmtKind::For {
                init: init.map(|s| Box::new(s.v)),
                cond: cond.map(|c| b.unbox(c.v)),
                step: step.map(|s| Box::new(s.v)),
                body: Box::new(body.v),
            };
            b.s(kind, l, r, d)
        }
        ForHead::In(key_var, value_var, expr) => {
            let d = expr.d.max(body.d);
            let expr = b.unbox(expr.v);
            b.s(
                StmtKind::ForIn {
                    key_var,
                    value_var,
                    expr,
                    body: Box::new(body.v),
                },
                l,
                r,
                d,
            )
        }
    }
}

pub fn try_stmt(
    b: &mut Builder<'_>,
    t: N<Block>,
    catches: Vec<N<CatchClause>>,
    finally: Option<N<Block>>,
    l: u32,
    r: u32,
) -> SN {
    let d = t.d.max(dmax(&catches)).max(opt_d(&finally));
    let kind = StmtKind::TryCatch {
        try_block: t.v,
        catches: vals(catches),
        finally: finally.map(|f| f.v),
    };
    b.s(kind, l, r, d)
}

pub fn catch(
    blk: N<Block>,
    var: Option<String>,
    error_type: Option<String>,
    l: u32,
    r: u32,
) -> N<CatchClause> {
    let d = blk.d + 1;
    N::new(
        CatchClause {
            var,
            error_type,
            body: blk.v,
            span: span(l, r),
        },
        d,
    )
}
