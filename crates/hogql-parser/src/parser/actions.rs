//! What the grammar's actions call: node construction with depth accounting, literal decoding,
//! and PostHog's desugarings. Keeping this out of the `.lalrpop` file keeps the grammar readable
//! and the generated code small.

use crate::MAX_DEPTH;
use crate::ast::*;
use crate::error::{ErrorKind, ParseError};

/// A node under construction: the value, the depth of the tree below it (a leaf is 1), and
/// whether it was written in parentheses (`(a).b` is not the field chain `a.b`).
#[derive(Debug, Clone)]
pub struct N<T> {
    pub v: T,
    pub d: u32,
    pub paren: bool,
    /// For a parenthesised node, the end of its closing parenthesis (the node's own span
    /// excludes the parentheses); 0 otherwise.
    pub paren_end: u32,
}

/// An expression under construction. Boxed from the start: the LR symbol stack and every action
/// move values around, a box is a sixth of an `Expr`, and most end up behind a `Box` in the tree
/// anyway.
pub type X = N<Box<Expr>>;

/// A statement under construction, boxed: the parser's symbol stack holds a union of every
/// nonterminal's value, so one large value would make every shift and reduce copy its size.
pub type SN = Box<N<Stmt>>;

impl<T> N<T> {
    pub fn new(v: T, d: u32) -> Self {
        N {
            v,
            d,
            paren: false,
            paren_end: 0,
        }
    }
}

/// Depth of a list of nodes (0 when empty).
pub fn dmax<T>(items: &[N<T>]) -> u32 {
    items.iter().map(|n| n.d).max().unwrap_or(0)
}

/// Strips the bookkeeping from a list.
pub fn vals<T>(items: Vec<N<T>>) -> Vec<T> {
    items.into_iter().map(|n| n.v).collect()
}

/// Unboxes a list of expressions.
pub fn exprs(items: Vec<X>) -> Vec<Expr> {
    items.into_iter().map(|n| *n.v).collect()
}

pub fn span(l: u32, r: u32) -> Span {
    Span::new(l, r)
}

/// Parser state shared by all actions: the source and the errors found so far.
pub struct Builder<'s> {
    pub src: &'s str,
    pub errors: Vec<ParseError>,
    too_deep: bool,
    /// Boxes left over from list items: an item is built boxed like any expression and then
    /// moved into its list's `Vec<Expr>`; its box is kept here for the next node instead of
    /// going back to the allocator (allocation was a large part of parsing time). The boxes
    /// themselves are the point, hence `Vec<Box<_>>`.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Expr>>,
}

/// How many spare boxes a builder keeps.
const SPARE_BOXES: usize = 64;

impl<'s> Builder<'s> {
    pub fn new(src: &'s str) -> Self {
        Builder {
            src,
            errors: Vec::new(),
            too_deep: false,
            spare: Vec::new(),
        }
    }

    /// A box for a new node, reusing a spare one if there is one.
    #[inline]
    fn boxed(&mut self, e: Expr) -> Box<Expr> {
        match self.spare.pop() {
            Some(mut b) => {
                *b = e;
                b
            }
            None => Box::new(e),
        }
    }

    /// Moves an expression out of its box, keeping the box for later nodes.
    #[inline]
    pub fn unbox(&mut self, mut b: Box<Expr>) -> Expr {
        let placeholder = Expr::new(ExprKind::Constant(Constant::Null), Span::default());
        let e = std::mem::replace(&mut *b, placeholder);
        if self.spare.len() < SPARE_BOXES {
            self.spare.push(b);
        }
        e
    }

    /// Unboxes a list of expressions.
    pub fn exprs(&mut self, items: Vec<X>) -> Vec<Expr> {
        let mut out = Vec::with_capacity(items.len());
        for x in items {
            out.push(self.unbox(x.v));
        }
        out
    }

    /// Checks a depth; past [`MAX_DEPTH`] reports once and returns `false`. Every node is
    /// checked, so the common case is inlined and the report is out of line.
    #[inline]
    fn depth_ok(&mut self, d: u32, l: u32, r: u32) -> bool {
        d <= MAX_DEPTH || self.report_too_deep(l, r)
    }

    #[cold]
    #[inline(never)]
    fn report_too_deep(&mut self, l: u32, r: u32) -> bool {
        if !self.too_deep {
            self.too_deep = true;
            self.errors.push(
                ParseError::new(
                    ErrorKind::TooDeep,
                    span(l, r),
                    format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
                )
                .with_hint("split the expression or use fewer parentheses"),
            );
        }
        false
    }

    /// An expression node whose deepest child has depth `child_d`. A node that would be too
    /// deep becomes `NULL` (the parse already failed), so the tree never exceeds the limit.
    pub fn x(&mut self, kind: ExprKind, l: u32, r: u32, child_d: u32) -> X {
        let d = child_d + 1;
        if self.depth_ok(d, l, r) {
            N::new(self.boxed(Expr::new(kind, span(l, r))), d)
        } else {
            N::new(
                Box::new(Expr::new(ExprKind::Constant(Constant::Null), span(l, r))),
                1,
            )
        }
    }

    /// `(e)`: the same node, marked as parenthesised. Parentheses count as a level of depth,
    /// so 10,000 of them are an error even around a single number.
    pub fn paren(&mut self, mut e: X, l: u32, r: u32) -> X {
        e.paren = true;
        e.paren_end = r;
        e.d += 1;
        if self.depth_ok(e.d, l, r) {
            e
        } else {
            N::new(
                Box::new(Expr::new(ExprKind::Constant(Constant::Null), span(l, r))),
                1,
            )
        }
    }

    /// A statement node, with the same depth rule as [`Builder::x`].
    pub fn s(&mut self, kind: StmtKind, l: u32, r: u32, child_d: u32) -> SN {
        let d = child_d + 1;
        Box::new(if self.depth_ok(d, l, r) {
            N::new(Stmt::new(kind, span(l, r)), d)
        } else {
            N::new(Stmt::new(StmtKind::Expr(None), span(l, r)), 1)
        })
    }

    /// Checks the depth of a non-expression node (select, join, window, block).
    pub fn node<T>(&mut self, v: T, l: u32, r: u32, child_d: u32) -> Option<N<T>> {
        let d = child_d + 1;
        self.depth_ok(d, l, r).then(|| N::new(v, d))
    }

    // -------------------------------------------------------------------------------------------
    // literals

    pub fn constant(&mut self, c: Constant, l: u32, r: u32) -> X {
        self.x(ExprKind::Constant(c), l, r, 0)
    }

    /// A constant the parser adds that is not written in the source (the `0` of `-x`, the
    /// `NULL` of `x IS NULL`, …). It gets an empty span at `at`, which also tells the JSON
    /// export to give it no position, as PostHog's parser does.
    pub fn synthetic(&mut self, c: Constant, at: u32) -> X {
        self.x(ExprKind::Constant(c), at, at, 0)
    }

    /// A number literal, `negative` when a `-` was written before it.
    pub fn number(&mut self, text: &str, negative: bool, l: u32, r: u32) -> X {
        let c = number_constant(text, negative);
        self.constant(c, l, r)
    }

    pub fn string(&mut self, raw: &str, l: u32, r: u32) -> X {
        let s = unescape(&raw[1..raw.len() - 1], b'\'');
        self.constant(Constant::String(s), l, r)
    }

    /// `-x`: a literal number after `-` becomes a negative constant, anything else `0 - x`.
    pub fn negate(&mut self, minus_end: u32, x: X, l: u32, r: u32) -> X {
        let between = self
            .src
            .get(minus_end as usize..x.v.span.start as usize)
            .unwrap_or("");
        let literal = !x.paren && between.trim().is_empty();
        if literal && let ExprKind::Constant(c) = &x.v.kind {
            let text = self.src.get(x.v.span.range()).unwrap_or("");
            let negated = match c {
                Constant::Int(_) | Constant::BigInt(_) | Constant::Float(_) => Some(
                    if text.eq_ignore_ascii_case("inf") || text.eq_ignore_ascii_case("infinity") {
                        Constant::Float(f64::NEG_INFINITY)
                    } else if text.eq_ignore_ascii_case("nan") {
                        Constant::Float(f64::NAN)
                    } else {
                        number_constant(text, true)
                    },
                ),
                _ => None,
            };
            if let Some(c) = negated {
                return self.constant(c, l, r);
            }
        }
        let zero = self.synthetic(Constant::Int(0), l);
        self.arith(ArithmeticOp::Sub, zero, x, l, r)
    }

    // -------------------------------------------------------------------------------------------
    // identifiers and fields

    /// A bare name in expression position: `true`/`false` become booleans.
    pub fn name_expr(&mut self, name: String, quoted: bool, l: u32, r: u32) -> X {
        if !quoted {
            if name.eq_ignore_ascii_case("true") {
                return self.constant(Constant::Bool(true), l, r);
            }
            if name.eq_ignore_ascii_case("false") {
                return self.constant(Constant::Bool(false), l, r);
            }
        }
        // Room for `table.column` and `properties.$key` without growing.
        let mut chain = Vec::with_capacity(3);
        chain.push(ChainPart::Name(name));
        self.x(ExprKind::Field(Field { chain }), l, r, 0)
    }

    /// `base.name`: extends a field chain, otherwise a property access.
    pub fn member(&mut self, base: X, name: String, nullish: bool, l: u32, r: u32) -> X {
        let (d, paren) = (base.d, base.paren);
        let mut e = base.v;
        if !nullish && !paren {
            if let ExprKind::Field(f) = &mut e.kind {
                f.chain.push(ChainPart::Name(name));
                e.span = span(l, r);
                return N::new(e, d);
            }
            // `true.x` is the chain ["true", "x"] in PostHog.
            if let ExprKind::Constant(Constant::Bool(v)) = e.kind {
                let text = self
                    .src
                    .get(e.span.range())
                    .unwrap_or(if v { "true" } else { "false" });
                let chain = vec![ChainPart::Name(text.to_string()), ChainPart::Name(name)];
                return self.x(ExprKind::Field(Field { chain }), l, r, 0);
            }
        }
        let key = self.synthetic(Constant::String(name), r);
        let d = d.max(key.d);
        self.x(
            ExprKind::ArrayAccess(ArrayAccess {
                array: e,
                property: key.v,
                nullish,
            }),
            l,
            r,
            d,
        )
    }

    /// `base.*`
    pub fn member_star(&mut self, base: X, l: u32, r: u32) -> Result<X, ParseError> {
        match base.v.kind {
            ExprKind::Field(mut f) if !base.paren => {
                f.chain.push(ChainPart::Name("*".into()));
                Ok(N::new(
                    Box::new(Expr::new(ExprKind::Field(f), span(l, r))),
                    base.d,
                ))
            }
            _ => Err(ParseError::new(
                ErrorKind::UnexpectedToken,
                span(r - 1, r),
                "`*` can only follow a table name",
            )),
        }
    }

    pub fn tuple_access(&mut self, base: X, index: &str, nullish: bool, l: u32, r: u32) -> X {
        let index = index.parse::<i64>().unwrap_or(i64::MAX);
        let d = base.d;
        self.x(
            ExprKind::TupleAccess(TupleAccess {
                tuple: base.v,
                index,
                nullish,
            }),
            l,
            r,
            d,
        )
    }

    pub fn index(&mut self, base: X, prop: X, nullish: bool, l: u32, r: u32) -> X {
        let d = base.d.max(prop.d);
        self.x(
            ExprKind::ArrayAccess(ArrayAccess {
                array: base.v,
                property: prop.v,
                nullish,
            }),
            l,
            r,
            d,
        )
    }

    pub fn slice(&mut self, base: X, start: Option<X>, end: Option<X>, l: u32, r: u32) -> X {
        let d = base
            .d
            .max(start.as_ref().map_or(0, |x| x.d))
            .max(end.as_ref().map_or(0, |x| x.d));
        self.x(
            ExprKind::ArraySlice(ArraySlice {
                array: base.v,
                start: start.map(|x| x.v),
                end: end.map(|x| x.v),
            }),
            l,
            r,
            d,
        )
    }

    // -------------------------------------------------------------------------------------------
    // operators

    pub fn arith(&mut self, op: ArithmeticOp, a: X, b: X, l: u32, r: u32) -> X {
        let d = a.d.max(b.d);
        self.x(
            ExprKind::ArithmeticOperation(ArithmeticOperation {
                op,
                left: a.v,
                right: b.v,
            }),
            l,
            r,
            d,
        )
    }

    pub fn compare(&mut self, op: CompareOp, a: X, b: X, l: u32, r: u32) -> X {
        let d = a.d.max(b.d);
        self.x(
            ExprKind::CompareOperation(CompareOperation {
                op,
                left: a.v,
                right: b.v,
                is_null_style: false,
            }),
            l,
            r,
            d,
        )
    }

    /// `x IS [NOT] NULL`; `null_l..r` is the `NULL` keyword.
    pub fn is_null(&mut self, a: X, negated: bool, null_l: u32, l: u32, r: u32) -> X {
        let null = self.synthetic(Constant::Null, null_l);
        let op = if negated {
            CompareOp::NotEq
        } else {
            CompareOp::Eq
        };
        let d = a.d.max(null.d);
        self.x(
            ExprKind::CompareOperation(CompareOperation {
                op,
                left: a.v,
                right: null.v,
                is_null_style: true,
            }),
            l,
            r,
            d,
        )
    }

    pub fn distinct_from(&mut self, a: X, b: X, negated: bool, l: u32, r: u32) -> X {
        let d = a.d.max(b.d);
        self.x(
            ExprKind::IsDistinctFrom(IsDistinctFrom {
                left: a.v,
                right: b.v,
                negated,
            }),
            l,
            r,
            d,
        )
    }

    /// `a AND b`, flattening a left operand that is already an `AND` (not parenthesised).
    pub fn and(&mut self, a: X, b: X, l: u32, r: u32) -> X {
        self.flat(a, b, l, r, true)
    }

    pub fn or(&mut self, a: X, b: X, l: u32, r: u32) -> X {
        self.flat(a, b, l, r, false)
    }

    /// PostHog flattens nested `AND`s (and `OR`s) on both sides, parenthesised or not:
    /// `a AND (b AND c)` is one `AND` of three.
    fn flat(&mut self, a: X, b: X, l: u32, r: u32, is_and: bool) -> X {
        let mut items = Vec::new();
        let mut d = 0;
        for x in [a, b] {
            let e = self.unbox(x.v);
            match e.kind {
                ExprKind::And(inner) if is_and => {
                    d = d.max(x.d - 1);
                    items.extend(inner);
                }
                ExprKind::Or(inner) if !is_and => {
                    d = d.max(x.d - 1);
                    items.extend(inner);
                }
                kind => {
                    d = d.max(x.d);
                    items.push(Expr::new(kind, e.span));
                }
            }
        }
        let kind = if is_and {
            ExprKind::And(items)
        } else {
            ExprKind::Or(items)
        };
        self.x(kind, l, r, d)
    }

    pub fn not(&mut self, e: X, l: u32, r: u32) -> X {
        let d = e.d;
        self.x(ExprKind::Not(e.v), l, r, d)
    }

    pub fn between(&mut self, e: X, low: X, high: X, negated: bool, l: u32, r: u32) -> X {
        let d = e.d.max(low.d).max(high.d);
        self.x(
            ExprKind::BetweenExpr(BetweenExpr {
                expr: e.v,
                low: low.v,
                high: high.v,
                negated,
            }),
            l,
            r,
            d,
        )
    }

    /// `a || b`: one `concat` call, flattening `||` on both sides (parenthesised or not).
    pub fn concat(&mut self, a: X, b: X, l: u32, r: u32) -> X {
        let mut args = Vec::new();
        let mut d = 0;
        for x in [a, b] {
            let e = self.unbox(x.v);
            match e.kind {
                ExprKind::Call(c) if c.desugared && c.name == "concat" => {
                    d = d.max(x.d - 1);
                    args.extend(c.args);
                }
                kind => {
                    d = d.max(x.d);
                    args.push(Expr::new(kind, e.span));
                }
            }
        }
        self.sugar_call("concat", args, l, r, d)
    }

    /// A call PostHog's parser builds from other syntax.
    pub fn sugar_call(&mut self, name: &str, args: Vec<Expr>, l: u32, r: u32, child_d: u32) -> X {
        self.x(ExprKind::Call(Box::new(sugar(name, args))), l, r, child_d)
    }

    pub fn ternary(&mut self, c: X, a: X, b: X, l: u32, r: u32) -> X {
        let d = c.d.max(a.d).max(b.d);
        let args = vec![self.unbox(c.v), self.unbox(a.v), self.unbox(b.v)];
        self.sugar_call("if", args, l, r, d)
    }

    pub fn nullish(&mut self, a: X, b: X, l: u32, r: u32) -> X {
        let d = a.d.max(b.d);
        let args = vec![self.unbox(a.v), self.unbox(b.v)];
        self.sugar_call("ifNull", args, l, r, d)
    }

    pub fn alias(&mut self, e: X, alias: String, l: u32, r: u32) -> Result<X, ParseError> {
        check_alias(&alias, l, r)?;
        let d = e.d;
        Ok(self.x(
            ExprKind::Alias(Alias {
                expr: e.v,
                alias,
                hidden: false,
            }),
            l,
            r,
            d,
        ))
    }

    pub fn cast(&mut self, e: X, type_name: String, l: u32, r: u32) -> X {
        let d = e.d;
        self.x(
            ExprKind::TypeCast(TypeCast {
                expr: e.v,
                type_name: type_name.to_lowercase(),
            }),
            l,
            r,
            d,
        )
    }

    /// `INTERVAL e unit`.
    pub fn interval(
        &mut self,
        e: X,
        unit: &str,
        unit_l: u32,
        l: u32,
        r: u32,
    ) -> Result<X, ParseError> {
        let name = match unit.to_ascii_lowercase().as_str() {
            "second" => "toIntervalSecond",
            "minute" => "toIntervalMinute",
            "hour" => "toIntervalHour",
            "day" => "toIntervalDay",
            "week" => "toIntervalWeek",
            "month" => "toIntervalMonth",
            "quarter" => "toIntervalQuarter",
            "year" | "yyyy" => "toIntervalYear",
            _ => {
                return Err(ParseError::new(
                    ErrorKind::UnexpectedToken,
                    span(unit_l, r),
                    format!("unknown interval unit `{unit}`"),
                )
                .with_hint("expected SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR"));
            }
        };
        let d = e.d;
        let args = vec![self.unbox(e.v)];
        Ok(self.sugar_call(name, args, l, r, d))
    }

    /// `INTERVAL '2 days'`: the count and the unit (singular or plural) from the string.
    pub fn interval_string(&mut self, raw: &str, l: u32, r: u32) -> Result<X, ParseError> {
        let body = raw[1..raw.len() - 1].trim();
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        let unit = body[digits..].trim();
        let unit = unit
            .strip_suffix(['s', 'S'])
            .filter(|u| !u.is_empty())
            .unwrap_or(unit);
        // The count is not written as a literal: no position, as in PostHog.
        let count = self.synthetic(number_constant(&body[..digits], false), l);
        // the unit's span: the whole string (PostHog has no finer position for it)
        let unit_l = r.saturating_sub(raw.len() as u32);
        self.interval(count, unit, unit_l, l, r)
    }

    /// `TRIM(LEADING|TRAILING|BOTH s FROM x)`.
    pub fn trim(&mut self, side: &str, s: X, x: X, l: u32, r: u32) -> X {
        let name = match side {
            "leading" => "trimLeft",
            "trailing" => "trimRight",
            _ => "trim",
        };
        let d = s.d.max(x.d);
        self.sugar_call(name, vec![*x.v, *s.v], l, r, d)
    }

    /// `CASE [x] WHEN … THEN … [ELSE …] END`.
    pub fn case(
        &mut self,
        subject: Option<X>,
        arms: Vec<(X, X)>,
        default: Option<X>,
        l: u32,
        r: u32,
    ) -> X {
        // A missing ELSE is an explicit NULL, as in PostHog.
        let default = Some(default.unwrap_or_else(|| self.synthetic(Constant::Null, r)));
        let mut d = subject
            .as_ref()
            .map_or(0, |x| x.d)
            .max(default.as_ref().map_or(0, |x| x.d));
        for (w, t) in &arms {
            d = d.max(w.d).max(t.d);
        }
        let mut args = Vec::with_capacity(arms.len() * 2 + 2);
        let name = match &subject {
            Some(_) => "_caseWithExpression",
            None if arms.len() == 1 && default.is_some() => "if",
            None => "multiIf",
        };
        if let Some(s) = subject {
            args.push(*s.v);
        }
        for (w, t) in arms {
            args.push(*w.v);
            args.push(*t.v);
        }
        if let Some(e) = default {
            args.push(*e.v);
        }
        self.sugar_call(name, args, l, r, d)
    }

    /// A template string's pieces → `''`, the single piece, or `concat(pieces)`.
    pub fn template(&mut self, pieces: Vec<X>, l: u32, r: u32) -> X {
        let d = dmax(&pieces);
        let mut pieces = pieces;
        match pieces.len() {
            0 => self.constant(Constant::String(String::new()), l, r),
            1 => pieces
                .pop()
                .unwrap_or_else(|| self.constant(Constant::Null, l, r)),
            _ => {
                let pieces = self.exprs(pieces);
                self.sugar_call("concat", pieces, l, r, d)
            }
        }
    }

    /// Literal text of a template string (`full`: a whole-text template, where quotes are text).
    pub fn template_text(&mut self, raw: &str, full: bool, l: u32, r: u32) -> X {
        let s = if full {
            unescape_full_template(raw)
        } else {
            unescape(raw, b'\'')
        };
        self.constant(Constant::String(s), l, r)
    }

    // -------------------------------------------------------------------------------------------
    // collections and calls

    pub fn array(&mut self, items: Vec<X>, l: u32, r: u32) -> X {
        let d = dmax(&items);
        let items = self.exprs(items);
        self.x(ExprKind::Array(items), l, r, d)
    }

    pub fn tuple(&mut self, items: Vec<X>, l: u32, r: u32) -> X {
        let d = dmax(&items);
        let items = self.exprs(items);
        self.x(ExprKind::Tuple(items), l, r, d)
    }

    pub fn dict(&mut self, items: Vec<(X, X)>, l: u32, r: u32) -> X {
        let d = items.iter().map(|(k, v)| k.d.max(v.d)).max().unwrap_or(0);
        let items = items.into_iter().map(|(k, v)| (*k.v, *v.v)).collect();
        self.x(ExprKind::Dict(items), l, r, d)
    }

    pub fn placeholder(&mut self, e: X, l: u32, r: u32) -> X {
        let d = e.d;
        self.x(ExprKind::Placeholder(e.v), l, r, d)
    }

    /// `callee(args)`: a [`Call`] when the callee is a plain name, or `f(p)` followed by a second
    /// argument list (parametric); otherwise an [`ExprCall`].
    pub fn call(&mut self, callee: X, args: CallArgs, l: u32, r: u32) -> X {
        let d = callee.d.max(args.depth);
        let paren = callee.paren;
        match callee.v.kind {
            ExprKind::Field(f)
                if !paren && f.chain.len() == 1 && f.chain[0].as_name().is_some() =>
            {
                let name = f.chain.into_iter().next().and_then(|c| match c {
                    ChainPart::Name(n) => Some(n),
                    ChainPart::Index(_) => None,
                });
                self.call_name(name.unwrap_or_default(), args, callee.d, l, r)
            }
            ExprKind::Call(c)
                if !paren
                    && !c.desugared
                    && c.params.is_none()
                    && !c.distinct
                    && c.order_by.is_none()
                    && c.filter_expr.is_none() =>
            {
                // `f(params)(args)`: the call node is reused, its arguments become parameters.
                let mut c = c;
                c.params = Some(std::mem::replace(&mut c.args, args.args));
                c.distinct = args.distinct;
                c.order_by = args.order_by;
                self.x(ExprKind::Call(c), l, r, d)
            }
            kind => {
                let callee = Expr::new(kind, callee.v.span);
                self.x(
                    ExprKind::ExprCall(ExprCall {
                        expr: Box::new(callee),
                        args: args.args,
                    }),
                    l,
                    r,
                    d,
                )
            }
        }
    }

    /// `name(args)`: a call of a plain name, whose node (a field) had depth `callee_d`. The
    /// recursive-descent parser calls this directly, without building the field first.
    pub fn call_name(&mut self, name: String, args: CallArgs, callee_d: u32, l: u32, r: u32) -> X {
        let call = Box::new(Call {
            name,
            args: args.args,
            params: None,
            distinct: args.distinct,
            order_by: args.order_by,
            filter_expr: None,
            within_group: None,
            desugared: false,
        });
        self.x(ExprKind::Call(call), l, r, callee_d.max(args.depth))
    }

    /// A call with a keyword as its name (`trim(x)`).
    pub fn named_call(&mut self, name: &str, args: CallArgs, l: u32, r: u32) -> X {
        self.call_name(name.to_string(), args, 0, l, r)
    }

    /// `call FILTER (WHERE cond)`.
    pub fn filter(&mut self, call: X, cond: X, l: u32, r: u32) -> Result<X, ParseError> {
        let d = call.d.max(cond.d);
        match call.v.kind {
            ExprKind::Call(mut c) if !call.paren && !c.desugared => {
                c.filter_expr = Some(cond.v);
                Ok(self.x(ExprKind::Call(c), l, r, d))
            }
            _ => Err(ParseError::new(
                ErrorKind::UnexpectedToken,
                span(call.v.span.end, r),
                "`FILTER` must follow a function call",
            )),
        }
    }

    /// `call WITHIN GROUP (ORDER BY …)`: the call's arguments become its parameters.
    pub fn within_group(
        &mut self,
        call: X,
        order: Vec<N<OrderExpr>>,
        l: u32,
        r: u32,
    ) -> Result<X, ParseError> {
        let d = call.d.max(dmax(&order));
        match call.v.kind {
            ExprKind::Call(mut c) if !call.paren && !c.desugared && c.params.is_none() => {
                c.params = Some(std::mem::take(&mut c.args));
                c.within_group = Some(vals(order));
                Ok(self.x(ExprKind::Call(c), l, r, d))
            }
            _ => Err(ParseError::new(
                ErrorKind::UnexpectedToken,
                span(call.v.span.end, r),
                "`WITHIN GROUP` must follow a function call",
            )),
        }
    }

    /// `call OVER (…)` / `call OVER name`.
    pub fn over(&mut self, call: X, over: N<WindowOver>, l: u32, r: u32) -> Result<X, ParseError> {
        let d = call.d.max(over.d);
        match call.v.kind {
            ExprKind::Call(c) if !call.paren && !c.desugared => {
                let (exprs, args) = match c.params {
                    Some(params) => (params, c.args),
                    None => (c.args, Vec::new()),
                };
                let w = Box::new(WindowFunction {
                    name: c.name,
                    exprs,
                    args,
                    over: over.v,
                });
                Ok(self.x(ExprKind::WindowFunction(w), l, r, d))
            }
            _ => Err(ParseError::new(
                ErrorKind::UnexpectedToken,
                span(call.v.span.end, r),
                "`OVER` must follow a function call",
            )),
        }
    }

    /// `params -> body`: `params` was parsed as an expression (a name, or a tuple of names).
    pub fn lambda(
        &mut self,
        params: X,
        body: N<LambdaBody>,
        l: u32,
        r: u32,
    ) -> Result<X, ParseError> {
        let pspan = params.v.span;
        let names = match params.v.kind {
            ExprKind::Field(f) if f.chain.len() == 1 => f
                .chain
                .into_iter()
                .filter_map(|c| c.as_name().map(str::to_string))
                .collect(),
            ExprKind::Tuple(items) if params.paren => {
                let mut names = Vec::new();
                for item in items {
                    match item.kind {
                        ExprKind::Field(f)
                            if f.chain.len() == 1 && f.chain[0].as_name().is_some() =>
                        {
                            names.extend(
                                f.chain
                                    .into_iter()
                                    .filter_map(|c| c.as_name().map(str::to_string)),
                            )
                        }
                        _ => return Err(lambda_param_error(item.span)),
                    }
                }
                names
            }
            _ => return Err(lambda_param_error(pspan)),
        };
        Ok(self.lambda_names(names, body, l, r))
    }

    pub fn lambda_names(&mut self, args: Vec<String>, body: N<LambdaBody>, l: u32, r: u32) -> X {
        let d = body.d;
        self.x(
            ExprKind::Lambda(Box::new(Lambda { args, body: body.v })),
            l,
            r,
            d,
        )
    }

    pub fn tag(&mut self, kind: &str, attrs: Vec<N<HogQLXAttribute>>, l: u32, r: u32) -> X {
        let d = dmax(&attrs);
        self.x(
            ExprKind::HogQLXTag(Box::new(HogQLXTag {
                kind: kind.to_string(),
                attributes: vals(attrs),
            })),
            l,
            r,
            d,
        )
    }

    /// A tag with children; the children become the `children` attribute.
    #[allow(clippy::too_many_arguments)]
    pub fn tag_with_children(
        &mut self,
        open: &str,
        attrs: Vec<N<HogQLXAttribute>>,
        children: Vec<X>,
        close: &str,
        (cl, cr): (u32, u32),
        l: u32,
        r: u32,
    ) -> Result<X, ParseError> {
        if open != close {
            return Err(ParseError::new(
                ErrorKind::InvalidName,
                span(cl, cr),
                format!("closing tag `</{close}>` does not match `<{open}>`"),
            ));
        }
        if !children.is_empty() && attrs.iter().any(|a| a.v.name == "children") {
            return Err(ParseError::new(
                ErrorKind::InvalidName,
                span(l, r),
                "a tag cannot have both children and a `children` attribute",
            ));
        }
        let mut attrs = attrs;
        if !children.is_empty() {
            let d = dmax(&children);
            let cspan = span(
                children[0].v.span.start,
                children[children.len() - 1].v.span.end,
            );
            attrs.push(N::new(
                HogQLXAttribute {
                    name: "children".into(),
                    value: HogQLXValue::Children(exprs(children)),
                    span: cspan,
                },
                d + 1,
            ));
        }
        Ok(self.tag(open, attrs, l, r))
    }

    pub fn tag_text(&mut self, text: &str, l: u32, r: u32) -> X {
        self.constant(Constant::String(text.to_string()), l, r)
    }

    pub fn attr(&mut self, name: String, value: Option<X>, l: u32, r: u32) -> N<HogQLXAttribute> {
        // A bare attribute (`<Tag animated />`) is `true`, a value implied by the syntax: an
        // empty span, so no position in the JSON (as PostHog gives it).
        let value = value.unwrap_or_else(|| {
            N::new(
                Box::new(Expr::new(
                    ExprKind::Constant(Constant::Bool(true)),
                    span(l, l),
                )),
                1,
            )
        });
        let d = value.d + 1;
        N::new(
            HogQLXAttribute {
                name,
                value: HogQLXValue::Expr(value.v),
                span: span(l, r),
            },
            d,
        )
    }

    /// A query used as an expression; the node keeps the query's own span (without the
    /// parentheses around it).
    pub fn subquery(&mut self, q: N<Query>) -> X {
        let d = q.d;
        N::new(Box::new(q.v.into_expr()), d)
    }

    /// `(SELECT …)` as an expression: its node excludes the parentheses, but a SELECT whose
    /// clause ends with it ends at the `)` (`r`), as in PostHog's parser.
    pub fn subquery_expr(&mut self, q: N<Query>, r: u32) -> X {
        let mut x = self.subquery(q);
        x.paren_end = r;
        x
    }
}

/// Arguments of a call: `(DISTINCT? args ORDER BY …)`.
pub struct CallArgs {
    pub args: Vec<Expr>,
    pub distinct: bool,
    pub order_by: Option<Vec<OrderExpr>>,
    pub depth: u32,
}

impl CallArgs {
    pub fn new(
        b: &mut Builder<'_>,
        distinct: bool,
        args: Vec<X>,
        order_by: Option<Vec<N<OrderExpr>>>,
    ) -> Self {
        let depth = dmax(&args);
        let args = b.exprs(args);
        CallArgs::from_exprs(distinct, args, depth, order_by)
    }

    /// Arguments already moved out of their boxes; `depth` is the deepest of them.
    pub fn from_exprs(
        distinct: bool,
        args: Vec<Expr>,
        depth: u32,
        order_by: Option<Vec<N<OrderExpr>>>,
    ) -> Self {
        CallArgs {
            depth: depth.max(order_by.as_deref().map_or(0, dmax)),
            args,
            distinct,
            order_by: order_by.map(vals),
        }
    }
}

fn lambda_param_error(s: Span) -> ParseError {
    ParseError::new(
        ErrorKind::UnexpectedToken,
        s,
        "lambda parameters must be names",
    )
    .with_hint("write `x -> …` or `(x, y) -> …`")
}

fn sugar(name: &str, args: Vec<Expr>) -> Call {
    Call {
        name: name.to_string(),
        args,
        params: None,
        distinct: false,
        order_by: None,
        filter_expr: None,
        within_group: None,
        desugared: true,
    }
}

/// Names that may not be aliases (PostHog reserves them).
pub fn check_alias(alias: &str, l: u32, r: u32) -> Result<(), ParseError> {
    let reserved = ["true", "false", "null", "team_id"];
    if reserved.iter().any(|w| alias.eq_ignore_ascii_case(w)) {
        return Err(ParseError::new(
            ErrorKind::InvalidName,
            span(l, r),
            format!("\"{alias}\" cannot be an alias or identifier, as it's a reserved keyword"),
        ));
    }
    Ok(())
}

/// The value of a number literal. Integers that overflow `i64` keep their digits.
pub fn number_constant(text: &str, negative: bool) -> Constant {
    // Most literals are short decimal integers: no case folding or wide arithmetic needed
    // (18 digits always fit an `i64`).
    if !text.is_empty() && text.len() <= 18 && text.bytes().all(|c| c.is_ascii_digit()) {
        let v: i64 = text.parse().unwrap_or_default();
        return Constant::Int(if negative { -v } else { v });
    }
    let lower = text.to_ascii_lowercase();
    let sign = if negative { -1.0 } else { 1.0 };
    if lower == "inf" || lower == "infinity" {
        return Constant::Float(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Constant::Float(f64::NAN);
    }
    let radix_int = |digits: &str, radix: u32| {
        let v = u128::from_str_radix(digits, radix).ok();
        match v {
            Some(v) if negative && v <= i64::MAX as u128 + 1 => {
                Constant::Int((v as i128).wrapping_neg() as i64)
            }
            Some(v) if !negative && v <= i64::MAX as u128 => Constant::Int(v as i64),
            Some(v) => Constant::BigInt(format!("{}{v}", if negative { "-" } else { "" })),
            None => Constant::BigInt(format!("{}{digits}", if negative { "-" } else { "" })),
        }
    };
    if let Some(h) = lower.strip_prefix("0x") {
        return radix_int(h, 16);
    }
    if let Some(b) = lower.strip_prefix("0b") {
        return radix_int(b, 2);
    }
    if lower.bytes().all(|c| c.is_ascii_digit()) {
        let trimmed = lower.trim_start_matches('0');
        return radix_int(if trimmed.is_empty() { "0" } else { trimmed }, 10);
    }
    let v: f64 = lower.parse().unwrap_or(f64::NAN);
    Constant::Float(if negative { -v } else { v })
}

/// Decodes the escapes of a string, quoted identifier or template text body.
/// `quote` is the delimiter, which may also be escaped by doubling it.
pub fn unescape(body: &str, quote: u8) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('r') => out.push('\r'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('a') => out.push('\u{7}'),
                Some('v') => out.push('\u{b}'),
                Some('0') => {}
                Some('\\') => out.push('\\'),
                // `\x41` stays as written (PostHog does not decode it).
                Some(x @ ('x' | 'X')) => {
                    out.push('\\');
                    out.push(x);
                }
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else if c as u32 == quote as u32 && chars.peek() == Some(&c) {
            chars.next();
            out.push(c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Text of a whole-text template: only `\{` (and the common escapes) are decoded; quotes are
/// plain text.
fn unescape_full_template(raw: &str) -> String {
    unescape(raw, 0)
}

/// The name of a quoted identifier (`` `a``b` `` → ``a`b``).
pub fn unquote_ident(raw: &str) -> String {
    let q = raw.as_bytes()[0];
    unescape(&raw[1..raw.len() - 1], q)
}
