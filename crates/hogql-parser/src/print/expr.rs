//! Expressions: precedence, parentheses and the sugared forms of desugared calls.

use super::{Printer, Style, format_float, quote_string};
use crate::ast::*;

/// The grammar's expression levels, loosest first (see `grammar/hogql.lalrpop`). A child is
/// parenthesised when its own level is looser than the level its position requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prec {
    /// `e AS name`
    Alias,
    /// `x -> e` (and the ternary, which the printer never writes)
    Lambda,
    Or,
    And,
    Not,
    Between,
    /// `a ?? b`
    Nullish,
    /// `IS NULL`, `IS DISTINCT FROM`
    IsNull,
    Compare,
    /// `+ - ||`
    Additive,
    /// `* / %`
    Mult,
    /// A negative number literal (`-5` is one token pair the parser folds into a constant).
    Unary,
    /// Calls, `a[i]`, `a.1`, `x::t`, `f() OVER w`
    Postfix,
    /// Literals, names, brackets, CASE, tags, …
    Primary,
}

/// Which sugared form a desugared call is printed in.
enum Sugar {
    /// `a || b || c`, or an f-string when an argument is itself a desugared `concat` (which
    /// `||` would flatten).
    Concat,
    /// `a ?? b`
    Nullish,
    /// `CASE WHEN … THEN … ELSE … END` (`if`, `multiIf`)
    Case,
    /// `CASE x WHEN … THEN … ELSE … END` (`_caseWithExpression`)
    CaseWith,
    /// `INTERVAL e UNIT`
    Interval(&'static str),
    /// `TRIM(LEADING|TRAILING|BOTH s FROM x)`
    Trim(&'static str),
}

fn sugar(c: &Call) -> Option<Sugar> {
    if !c.desugared
        || c.params.is_some()
        || c.distinct
        || c.order_by.is_some()
        || c.filter_expr.is_some()
        || c.within_group.is_some()
    {
        return None;
    }
    let n = c.args.len();
    Some(match c.name.as_str() {
        "concat" if n >= 2 => Sugar::Concat,
        "ifNull" if n == 2 => Sugar::Nullish,
        "if" if n == 3 => Sugar::Case,
        "multiIf" if n >= 5 && !n.is_multiple_of(2) => Sugar::Case,
        "_caseWithExpression" if n >= 4 && n.is_multiple_of(2) => Sugar::CaseWith,
        "toIntervalSecond" if n == 1 => Sugar::Interval("SECOND"),
        "toIntervalMinute" if n == 1 => Sugar::Interval("MINUTE"),
        "toIntervalHour" if n == 1 => Sugar::Interval("HOUR"),
        "toIntervalDay" if n == 1 => Sugar::Interval("DAY"),
        "toIntervalWeek" if n == 1 => Sugar::Interval("WEEK"),
        "toIntervalMonth" if n == 1 => Sugar::Interval("MONTH"),
        "toIntervalQuarter" if n == 1 => Sugar::Interval("QUARTER"),
        "toIntervalYear" if n == 1 => Sugar::Interval("YEAR"),
        "trim" | "trimLeft" | "trimRight" if n == 2 && is_literal(&c.args[1]) => {
            Sugar::Trim(match c.name.as_str() {
                "trimLeft" => "LEADING",
                "trimRight" => "TRAILING",
                _ => "BOTH",
            })
        }
        _ => return None,
    })
}

/// What the grammar's `Literal` accepts: an unsigned number, a string or NULL (the characters
/// of `TRIM(LEADING s FROM x)` must be one).
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Constant(Constant::Null | Constant::String(_)) => true,
        ExprKind::Constant(Constant::Int(i)) => *i >= 0,
        ExprKind::Constant(Constant::BigInt(s)) => !s.starts_with('-'),
        ExprKind::Constant(Constant::Float(f)) => !f.is_sign_negative() || f.is_nan(),
        _ => false,
    }
}

fn is_desugared_concat(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call(c) if c.desugared && c.name == "concat")
}

/// Does a constant print with a leading `-`?
fn is_negative_number(c: &Constant) -> bool {
    match c {
        Constant::Int(i) => *i < 0,
        Constant::BigInt(s) => s.starts_with('-'),
        Constant::Float(f) => f.is_sign_negative() && !f.is_nan(),
        _ => false,
    }
}

/// Characters an operand of `NOT` and a Hog expression statement may not start with (the
/// grammar's "st" restriction: `NOT (x)` is the call `not(x)`, and a statement starting with
/// `(` or `-` would continue the previous one).
fn starts_restricted(first: u8) -> bool {
    matches!(first, b'(' | b'[' | b'{' | b'-' | b'+' | b'*')
}

/// A plain name or a call before `(` would merge into a `Call`, so such callees of an
/// [`ExprCall`] are parenthesised.
fn callee_needs_parens(callee: &Expr) -> bool {
    match &callee.kind {
        ExprKind::Call(_) => true,
        ExprKind::Field(f) => f.chain.len() <= 1,
        _ => false,
    }
}

/// `1.1` and `#1.1` would lex as floats, and so does `.1` after `}` (the lexer takes `}` as
/// the end of a block; PostHog reads `{}.1` as a tuple access): such bases of a tuple access
/// are parenthesised.
fn tuple_base_needs_parens(base: &Expr) -> bool {
    matches!(
        base.kind,
        ExprKind::Constant(_)
            | ExprKind::PositionalRef(_)
            | ExprKind::Dict(_)
            | ExprKind::Placeholder(_)
    )
}

impl Printer {
    /// The level `e` prints at (for deciding parentheses around it).
    fn prec(&self, e: &Expr) -> Prec {
        match &e.kind {
            ExprKind::Alias(_) => Prec::Alias,
            ExprKind::Lambda(_) => Prec::Lambda,
            ExprKind::Or(items) if items.len() >= 2 => Prec::Or,
            ExprKind::And(items) if items.len() >= 2 => Prec::And,
            ExprKind::Not(inner) => {
                if self.not_as_call(inner) {
                    Prec::Postfix
                } else {
                    Prec::Not
                }
            }
            ExprKind::BetweenExpr(_) => Prec::Between,
            ExprKind::CompareOperation(c) if is_null_style(c) => Prec::IsNull,
            ExprKind::IsDistinctFrom(_) => Prec::IsNull,
            ExprKind::CompareOperation(_) => Prec::Compare,
            ExprKind::ArithmeticOperation(a) => match a.op {
                ArithmeticOp::Add | ArithmeticOp::Sub => Prec::Additive,
                _ => Prec::Mult,
            },
            ExprKind::Constant(c) if is_negative_number(c) => Prec::Unary,
            ExprKind::Call(c) => match sugar(c) {
                Some(Sugar::Concat) if !c.args.iter().any(is_desugared_concat) => Prec::Additive,
                Some(Sugar::Nullish) => Prec::Nullish,
                Some(Sugar::Case) if self.is_ternary(c) => Prec::Lambda,
                Some(_) => Prec::Primary,
                None => Prec::Postfix,
            },
            ExprKind::ExprCall(_)
            | ExprKind::WindowFunction(_)
            | ExprKind::ArrayAccess(_)
            | ExprKind::ArraySlice(_)
            | ExprKind::TupleAccess(_)
            | ExprKind::TypeCast(_) => Prec::Postfix,
            _ => Prec::Primary,
        }
    }

    /// `NOT x` only parses back when `x` is at least at `NOT`'s level and does not start with a
    /// bracket or sign; otherwise the printer writes the equivalent call `not(x)`. The parser
    /// never builds such a `Not`, so this only serves hand-built trees.
    fn not_as_call(&self, inner: &Expr) -> bool {
        self.prec(inner) < Prec::Not || starts_restricted(self.first_char(inner))
    }

    /// The first character `e` prints with (`0` for a letter, quote, `#`, `<`, … — anything
    /// no grammar rule cares about). Follows the left edge of the printed form without
    /// printing, so checking a chain of nested nodes stays cheap.
    fn first_char(&self, e: &Expr) -> u8 {
        // `left(child, min)`: the first character of a left operand printed at level `min`.
        let left = |child: &Expr, min: Prec| {
            if self.prec(child) < min {
                b'('
            } else {
                self.first_char(child)
            }
        };
        match &e.kind {
            ExprKind::Constant(c) if is_negative_number(c) => b'-',
            ExprKind::Field(f) if f.chain.first().and_then(ChainPart::as_name) == Some("*") => b'*',
            ExprKind::Placeholder(_) | ExprKind::Dict(_) => b'{',
            ExprKind::Array(_) => b'[',
            ExprKind::Tuple(_) | ExprKind::SelectQuery(_) | ExprKind::SelectSetQuery(_) => b'(',
            ExprKind::Lambda(l) if l.args.len() != 1 => b'(',
            ExprKind::Alias(a) => left(&a.expr, Prec::Alias),
            ExprKind::Or(items) if items.len() >= 2 => left(&items[0], Prec::And),
            ExprKind::And(items) if items.len() >= 2 => left(&items[0], Prec::Not),
            ExprKind::BetweenExpr(b) => left(&b.expr, Prec::Nullish),
            ExprKind::CompareOperation(c) if is_null_style(c) => left(&c.left, Prec::IsNull),
            ExprKind::CompareOperation(c) => left(&c.left, Prec::Compare),
            ExprKind::IsDistinctFrom(d) => left(&d.left, Prec::IsNull),
            ExprKind::ArithmeticOperation(a) => match a.op {
                ArithmeticOp::Add | ArithmeticOp::Sub => left(&a.left, Prec::Additive),
                _ => left(&a.left, Prec::Mult),
            },
            ExprKind::Call(c) => match sugar(c) {
                Some(Sugar::Concat) if !c.args.iter().any(is_desugared_concat) => {
                    left(&c.args[0], Prec::Additive)
                }
                Some(Sugar::Nullish) => left(&c.args[0], Prec::Nullish),
                Some(Sugar::Case) if self.is_ternary(c) => left(&c.args[0], Prec::Or),
                _ => 0,
            },
            ExprKind::ExprCall(c) if callee_needs_parens(&c.expr) => b'(',
            ExprKind::ExprCall(c) => left(&c.expr, Prec::Postfix),
            ExprKind::TupleAccess(t) if tuple_base_needs_parens(&t.tuple) => b'(',
            ExprKind::TupleAccess(t) => left(&t.tuple, Prec::Postfix),
            ExprKind::ArrayAccess(a) => left(&a.array, Prec::Postfix),
            ExprKind::ArraySlice(a) => left(&a.array, Prec::Postfix),
            ExprKind::TypeCast(t) => left(&t.expr, Prec::Postfix),
            _ => 0,
        }
    }

    /// Prints `e`, in parentheses when it binds looser than `min`.
    pub(super) fn expr(&mut self, e: &Expr, min: Prec) {
        if self.prec(e) < min {
            self.push("(");
            self.expr_bare(e);
            self.push(")");
        } else {
            self.expr_bare(e);
        }
    }

    fn list(&mut self, items: &[Expr]) {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(e, Prec::Alias);
        }
    }

    fn expr_bare(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Constant(c) => self.constant(c),
            ExprKind::Field(f) => self.field(f),
            ExprKind::Placeholder(inner) => {
                self.push("{");
                self.expr(inner, Prec::Alias);
                self.push("}");
            }
            ExprKind::Alias(a) => {
                self.expr(&a.expr, Prec::Alias);
                self.push(" ");
                self.kw("AS");
                self.push(" ");
                self.name(&a.alias);
            }
            ExprKind::ArithmeticOperation(a) => {
                let (l, r) = match a.op {
                    ArithmeticOp::Add | ArithmeticOp::Sub => (Prec::Additive, Prec::Mult),
                    _ => (Prec::Mult, Prec::Unary),
                };
                self.expr(&a.left, l);
                self.push(" ");
                self.push(a.op.symbol());
                self.push(" ");
                self.expr(&a.right, r);
            }
            ExprKind::CompareOperation(c) => self.compare(c),
            ExprKind::BetweenExpr(b) => {
                self.expr(&b.expr, Prec::Nullish);
                self.push(" ");
                if b.negated {
                    self.kw("NOT ");
                }
                self.kw("BETWEEN");
                self.push(" ");
                self.expr(&b.low, Prec::Nullish);
                self.push(" ");
                self.kw("AND");
                self.push(" ");
                self.expr(&b.high, Prec::Nullish);
            }
            ExprKind::And(items) | ExprKind::Or(items) if items.len() < 2 => {
                // Not built by the parser; `and(x)` / `or(x)` mean the same.
                let is_and = matches!(e.kind, ExprKind::And(_));
                self.push(if is_and { "and(" } else { "or(" });
                self.list(items);
                self.push(")");
            }
            ExprKind::And(items) => self.joined(items, "AND", Prec::Not),
            ExprKind::Or(items) => self.joined(items, "OR", Prec::And),
            ExprKind::Not(inner) => {
                if self.not_as_call(inner) {
                    self.push("not(");
                    self.expr(inner, Prec::Alias);
                    self.push(")");
                } else {
                    self.kw("NOT");
                    self.push(" ");
                    self.expr(inner, Prec::Not);
                }
            }
            ExprKind::Call(c) => self.call(c),
            ExprKind::ExprCall(c) => {
                if callee_needs_parens(&c.expr) {
                    self.push("(");
                    self.expr(&c.expr, Prec::Alias);
                    self.push(")");
                } else {
                    self.postfix_base(&c.expr);
                }
                self.push("(");
                self.list(&c.args);
                self.push(")");
            }
            ExprKind::WindowFunction(w) => {
                self.call_name(&w.name);
                self.push("(");
                self.list(&w.exprs);
                self.push(")");
                if !w.args.is_empty() {
                    self.push("(");
                    self.list(&w.args);
                    self.push(")");
                }
                self.push(" ");
                self.kw("OVER");
                self.push(" ");
                match &w.over {
                    WindowOver::Name(n) => self.name(n),
                    WindowOver::Expr(win) => {
                        self.push("(");
                        self.window_spec(win);
                        self.push(")");
                    }
                }
            }
            ExprKind::Lambda(l) => self.lambda(l),
            ExprKind::Array(items) => {
                self.push("[");
                self.list(items);
                self.push("]");
            }
            ExprKind::Tuple(items) => {
                self.push("(");
                self.list(items);
                if items.len() == 1 {
                    self.push(",");
                }
                self.push(")");
            }
            ExprKind::Dict(items) => {
                self.push("{");
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.expr(k, Prec::Alias);
                    self.push(": ");
                    self.expr(v, Prec::Alias);
                }
                self.push("}");
            }
            ExprKind::ArrayAccess(a) => {
                self.postfix_base(&a.array);
                self.push(if a.nullish { "?.[" } else { "[" });
                self.expr(&a.property, Prec::Alias);
                self.push("]");
            }
            ExprKind::ArraySlice(s) => {
                self.postfix_base(&s.array);
                self.push("[");
                if let Some(start) = &s.start {
                    self.expr(start, Prec::Alias);
                }
                self.push(":");
                if let Some(end) = &s.end {
                    self.expr(end, Prec::Alias);
                }
                self.push("]");
            }
            ExprKind::TupleAccess(t) => {
                if tuple_base_needs_parens(&t.tuple) {
                    self.push("(");
                    self.expr(&t.tuple, Prec::Alias);
                    self.push(")");
                } else {
                    self.postfix_base(&t.tuple);
                }
                self.push(if t.nullish { "?." } else { "." });
                self.push(&t.index.to_string());
            }
            ExprKind::TypeCast(t) => {
                self.postfix_base(&t.expr);
                self.push("::");
                self.name(&t.type_name);
            }
            ExprKind::IsDistinctFrom(d) => {
                self.expr(&d.left, Prec::IsNull);
                self.push(" ");
                self.kw(if d.negated {
                    "IS NOT DISTINCT FROM"
                } else {
                    "IS DISTINCT FROM"
                });
                self.push(" ");
                self.expr(&d.right, Prec::Compare);
            }
            ExprKind::PositionalRef(n) => {
                self.push("#");
                self.push(&n.to_string());
            }
            ExprKind::SelectQuery(q) => self.parenthesised(|p| p.select(q)),
            ExprKind::SelectSetQuery(q) => self.parenthesised(|p| p.select_set(q)),
            ExprKind::HogQLXTag(tag) => self.tag(tag),
        }
    }

    /// The expression before a postfix operator (`x[…]`, `x::t`, `x.1`, `x(…)`).
    fn postfix_base(&mut self, e: &Expr) {
        self.expr(e, Prec::Postfix);
    }

    fn joined(&mut self, items: &[Expr], op: &str, min: Prec) {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.push(" ");
                self.kw(op);
                self.push(" ");
            }
            self.expr(e, min);
        }
    }

    fn constant(&mut self, c: &Constant) {
        match c {
            Constant::Null => self.kw("NULL"),
            Constant::Bool(b) => self.push(if *b { "true" } else { "false" }),
            Constant::Int(i) => self.push(&i.to_string()),
            Constant::BigInt(s) => self.push(s),
            Constant::Float(f) => self.push(&format_float(*f)),
            Constant::String(s) => self.push(&quote_string(s)),
        }
    }

    fn field(&mut self, f: &Field) {
        for (i, part) in f.chain.iter().enumerate() {
            if i > 0 {
                self.push(".");
            }
            match part {
                ChainPart::Name(n) => self.name(n),
                // Only later stages build index parts; `a.1` reads back as a tuple access.
                ChainPart::Index(n) => self.push(&n.to_string()),
            }
        }
    }

    fn compare(&mut self, c: &CompareOperation) {
        if is_null_style(c) {
            self.expr(&c.left, Prec::IsNull);
            self.push(" ");
            self.kw(if c.op == CompareOp::Eq {
                "IS NULL"
            } else {
                "IS NOT NULL"
            });
            return;
        }
        self.expr(&c.left, Prec::Compare);
        self.push(" ");
        match c.op {
            CompareOp::Eq if self.style == Style::Sql => self.push("="),
            CompareOp::Eq => self.push("=="),
            CompareOp::NotEq => self.push("!="),
            CompareOp::Lt => self.push("<"),
            CompareOp::LtEq => self.push("<="),
            CompareOp::Gt => self.push(">"),
            CompareOp::GtEq => self.push(">="),
            CompareOp::Like => self.kw("LIKE"),
            CompareOp::ILike => self.kw("ILIKE"),
            CompareOp::NotLike => self.kw("NOT LIKE"),
            CompareOp::NotILike => self.kw("NOT ILIKE"),
            CompareOp::In => self.kw("IN"),
            CompareOp::GlobalIn => self.kw("GLOBAL IN"),
            CompareOp::NotIn => self.kw("NOT IN"),
            CompareOp::GlobalNotIn => self.kw("GLOBAL NOT IN"),
            CompareOp::InCohort => self.kw("IN COHORT"),
            CompareOp::NotInCohort => self.kw("NOT IN COHORT"),
            CompareOp::Regex => self.push("=~"),
            CompareOp::NotRegex => self.push("!~"),
            CompareOp::IRegex => self.push("=~*"),
            CompareOp::NotIRegex => self.push("!~*"),
        }
        self.push(" ");
        self.expr(&c.right, Prec::Additive);
    }

    fn call(&mut self, c: &Call) {
        match sugar(c) {
            Some(Sugar::Concat) => {
                if c.args.iter().any(is_desugared_concat) {
                    self.template(&c.args);
                } else {
                    for (i, a) in c.args.iter().enumerate() {
                        if i > 0 {
                            self.push(" || ");
                        }
                        self.expr(a, if i == 0 { Prec::Additive } else { Prec::Mult });
                    }
                }
            }
            Some(Sugar::Nullish) => {
                self.expr(&c.args[0], Prec::Nullish);
                self.push(" ?? ");
                self.expr(&c.args[1], Prec::IsNull);
            }
            Some(Sugar::Case) if self.is_ternary(c) => {
                // `c ? a : b`: the condition is an OR-level expression, the `else` part
                // another ternary or anything at OR level.
                self.expr(&c.args[0], Prec::Or);
                self.push(" ? ");
                self.expr(&c.args[1], Prec::Lambda);
                self.push(" : ");
                let other = &c.args[2];
                match &other.kind {
                    ExprKind::Call(inner) if self.is_ternary(inner) => self.expr_bare(other),
                    _ => self.expr(other, Prec::Or),
                }
            }
            Some(Sugar::Case) => self.case(None, &c.args),
            Some(Sugar::CaseWith) => self.case(Some(&c.args[0]), &c.args[1..]),
            Some(Sugar::Interval(unit)) => {
                self.kw("INTERVAL");
                self.push(" ");
                self.expr(&c.args[0], Prec::Postfix);
                self.push(" ");
                self.kw(unit);
            }
            Some(Sugar::Trim(side)) => {
                self.kw("TRIM");
                self.push("(");
                self.kw(side);
                self.push(" ");
                self.expr(&c.args[1], Prec::Primary);
                self.push(" ");
                self.kw("FROM");
                self.push(" ");
                self.expr(&c.args[0], Prec::Alias);
                self.push(")");
            }
            None => self.plain_call(c),
        }
    }

    /// `name(args)`, `name(params)(args)`, with DISTINCT, ORDER BY, WITHIN GROUP and FILTER.
    fn plain_call(&mut self, c: &Call) {
        self.call_name(&c.name);
        let first_list = match (&c.within_group, &c.params) {
            // `f(p) WITHIN GROUP (…)`: the parser moved the parenthesised values to `params`.
            (Some(_), Some(p)) => p,
            (Some(_), None) => &c.args,
            (None, Some(p)) => {
                self.push("(");
                self.list(p);
                self.push(")");
                &c.args
            }
            (None, None) => &c.args,
        };
        self.push("(");
        if c.distinct {
            self.kw("DISTINCT");
            self.push(" ");
        }
        self.list(first_list);
        if let Some(order) = &c.order_by {
            self.push(" ");
            self.kw("ORDER BY");
            self.push(" ");
            self.order_list(order);
        }
        self.push(")");
        if let Some(order) = &c.within_group {
            self.push(" ");
            self.kw("WITHIN GROUP");
            self.push(" (");
            self.kw("ORDER BY");
            self.push(" ");
            self.order_list(order);
            self.push(")");
        }
        if let Some(f) = &c.filter_expr {
            self.push(" ");
            self.kw("FILTER");
            self.push(" (");
            self.kw("WHERE");
            self.push(" ");
            self.expr(f, Prec::Alias);
            self.push(")");
        }
    }

    /// In Hog, a desugared three-argument `if` is written as the ternary `c ? a : b` (both
    /// parse to the same call; Hog code uses the ternary, HogQL the CASE form).
    fn is_ternary(&self, c: &Call) -> bool {
        self.style == Style::Hog && c.name == "if" && matches!(sugar(c), Some(Sugar::Case))
    }

    /// `CASE [subject] WHEN c THEN v … ELSE d END`; `rest` is `c, v, …, d`.
    fn case(&mut self, subject: Option<&Expr>, rest: &[Expr]) {
        self.kw("CASE");
        if let Some(s) = subject {
            self.push(" ");
            self.expr(s, Prec::Alias);
        }
        let (arms, default) = rest.split_at(rest.len() - 1);
        for pair in arms.chunks(2) {
            self.push(" ");
            self.kw("WHEN");
            self.push(" ");
            self.expr(&pair[0], Prec::Alias);
            self.push(" ");
            self.kw("THEN");
            self.push(" ");
            if let Some(v) = pair.get(1) {
                self.expr(v, Prec::Alias);
            }
        }
        self.push(" ");
        self.kw("ELSE");
        self.push(" ");
        self.expr(&default[0], Prec::Alias);
        self.push(" ");
        self.kw("END");
    }

    /// An f-string: string constants as text, everything else as `{expr}`. Two text pieces in
    /// a row would merge, so the second one is written as `{'…'}`.
    fn template(&mut self, pieces: &[Expr]) {
        self.push("f'");
        let mut prev_text = false;
        for p in pieces {
            match &p.kind {
                ExprKind::Constant(Constant::String(s)) if !prev_text && !s.is_empty() => {
                    let mut q = String::new();
                    super::escape_into(&mut q, s, '\'');
                    self.push(&q.replace('{', "\\{"));
                    prev_text = true;
                }
                _ => {
                    self.push("{");
                    self.expr(p, Prec::Alias);
                    self.push("}");
                    prev_text = false;
                }
            }
        }
        self.push("'");
    }

    fn lambda(&mut self, l: &Lambda) {
        if l.args.len() == 1 {
            self.name(&l.args[0]);
        } else {
            self.push("(");
            for (i, a) in l.args.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.name(a);
            }
            self.push(")");
        }
        self.push(" -> ");
        match &l.body {
            LambdaBody::Block(b) => self.block(b),
            LambdaBody::Expr(e) => {
                // The body may not start with `{` (that opens a block body).
                if self.prec(e) >= Prec::Lambda && self.first_char(e) == b'{' {
                    self.push("(");
                    self.expr(e, Prec::Alias);
                    self.push(")");
                } else {
                    self.expr(e, Prec::Lambda);
                }
            }
        }
    }

    /// `<kind attr='text' attr={expr} flag>children</kind>`.
    fn tag(&mut self, tag: &HogQLXTag) {
        self.push("<");
        self.push(&tag.kind);
        let mut children = None;
        for a in &tag.attributes {
            match &a.value {
                HogQLXValue::Children(c) => children = Some(c),
                HogQLXValue::Expr(v) => {
                    self.push(" ");
                    self.attr_name(&a.name);
                    self.push("=");
                    match &v.kind {
                        ExprKind::Constant(Constant::String(s)) => self.push(&quote_string(s)),
                        _ => {
                            self.push("{");
                            self.expr(v, Prec::Alias);
                            self.push("}");
                        }
                    }
                }
            }
        }
        let Some(children) = children else {
            self.push(" />");
            return;
        };
        self.push(">");
        let mut prev_text = false;
        for c in children {
            match &c.kind {
                // Text is taken verbatim up to the next `{` or `<`; whitespace-only text with a
                // line break is layout and dropped, and text starting with `=` right after the
                // opening tag would lex as `>=`: such text goes in braces.
                ExprKind::Constant(Constant::String(s)) if !prev_text && is_tag_text(s) => {
                    self.push(s);
                    prev_text = true;
                }
                ExprKind::HogQLXTag(t) => {
                    self.tag(t);
                    prev_text = false;
                }
                _ => {
                    self.push("{");
                    self.expr(c, Prec::Alias);
                    self.push("}");
                    prev_text = false;
                }
            }
        }
        self.push("</");
        self.push(&tag.kind);
        self.push(">");
    }
}

impl Printer {
    /// Attribute names are the grammar's `Name`: keywords are fine, and a quoted name right
    /// after `<tag` would stop the lexer from seeing a tag at all, so only names that are no
    /// word (or the literal keywords) are quoted.
    fn attr_name(&mut self, n: &str) {
        let literal_kw = ["null", "inf", "infinity", "nan", "top", "not"]
            .iter()
            .any(|k| n.eq_ignore_ascii_case(k));
        if super::is_word(n) && !literal_kw {
            self.push(n);
        } else {
            self.push(&super::quote_ident(n));
        }
    }
}

/// Text a tag's children can hold verbatim: the lexer takes text up to the next `{` or `<`,
/// drops whitespace-only text that spans lines (layout), and right after the opening tag
/// reads a leading `=` as part of `>=` (PostHog's lexer does not; `<a>=</a>` is text there).
fn is_tag_text(s: &str) -> bool {
    let layout = s.trim().is_empty() && s.contains('\n');
    !s.is_empty() && !s.contains(['{', '<']) && !s.starts_with('=') && !layout
}

fn is_null_style(c: &CompareOperation) -> bool {
    c.is_null_style
        && matches!(c.op, CompareOp::Eq | CompareOp::NotEq)
        && matches!(c.right.kind, ExprKind::Constant(Constant::Null))
}
