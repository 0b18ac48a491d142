//! The state of one SELECT while it is resolved: its tables, aliases, lambda arguments and
//! the lazy joins its fields pulled in.

use crate::ir::{Expr, PropKey, Text};
use crate::schema::{LazyKind, TableKind};

/// A table visible in a SELECT's FROM chain.
#[derive(Debug, Clone)]
pub(crate) struct ScopeTable {
    /// The name queries use for it: the alias, or the table/CTE name.
    pub name: String,
    pub kind: ScopeTableKind,
}

#[derive(Debug, Clone)]
pub(crate) enum ScopeTableKind {
    /// A ClickHouse table read directly; `qualifier` is the alias or the ClickHouse name.
    /// Borrowed (no allocation per column reference) unless the table has an alias.
    Physical { table: TableKind, qualifier: Text },
    /// A lazy table used as a FROM item: index into [`Scope::lazy`].
    Lazy(usize),
    /// A subquery (or CTE); `qualifier` is its alias, if any.
    Subquery {
        columns: Vec<SubColumn>,
        qualifier: Option<String>,
    },
}

/// An output column of a subquery.
#[derive(Debug, Clone)]
pub(crate) struct SubColumn {
    pub name: String,
    pub nullable: bool,
    pub sort_key_time: bool,
}

/// A SELECT alias.
#[derive(Debug, Clone)]
pub(crate) struct AliasDef {
    pub name: String,
    /// What a reference to the alias can be: NULL, a sort-key timestamp.
    pub nullable: bool,
    pub sort_key_time: bool,
    /// For aliases the resolver created for output naming: the expression references print
    /// instead of the name. `None` for the query's own aliases.
    pub hidden: Option<Expr>,
}

impl AliasDef {
    /// An alias the query wrote (`expr AS name`, ARRAY JOIN aliases).
    pub fn explicit(name: &str, expr: &Expr) -> Self {
        AliasDef {
            name: name.to_string(),
            nullable: expr.nullable(),
            sort_key_time: expr.is_sort_key_time(),
            hidden: None,
        }
    }

    /// The output name of a plain field or property column.
    pub fn hidden(name: &str, expr: Expr) -> Self {
        AliasDef {
            name: name.to_string(),
            nullable: expr.nullable(),
            sort_key_time: expr.is_sort_key_time(),
            hidden: Some(expr),
        }
    }
}

/// One field requested from a lazy table or join.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LazyOutput {
    /// A plain field of the lazy table, selected under its own name.
    Field(&'static str),
    /// `properties.k1.k2` selected as `properties___k1___k2`.
    Property {
        field: &'static str,
        keys: Vec<PropKey>,
        name: String,
    },
    /// A join key a further hop needs, selected as `<alias>___<field>`.
    JoinKey { field: &'static str, name: String },
}

impl LazyOutput {
    pub fn name(&self) -> &str {
        match self {
            LazyOutput::Field(f) => f,
            LazyOutput::Property { name, .. } | LazyOutput::JoinKey { name, .. } => name,
        }
    }
}

/// How a lazy join attaches to its parent.
#[derive(Debug, Clone)]
pub(crate) struct LazyJoinInfo {
    pub join_type: &'static str,
    pub on: Expr,
}

/// A lazy table or lazy join of one SELECT, built into a subquery once the SELECT is resolved.
#[derive(Debug, Clone)]
pub(crate) struct LazyNode {
    /// The alias of the subquery: `persons`, `events__pdi`, `e__pdi__person`.
    pub alias: String,
    pub kind: LazyKind,
    /// `None` for a lazy table in FROM.
    pub join: Option<LazyJoinInfo>,
    pub outputs: Vec<LazyOutput>,
    /// Lazy joins hanging from this node, in creation order (dependencies first).
    pub children: Vec<usize>,
}

impl LazyNode {
    /// Requests an output (once) and returns its name.
    pub fn request(&mut self, output: LazyOutput) -> String {
        let name = output.name().to_string();
        if !self.outputs.iter().any(|o| o.name() == name) {
            self.outputs.push(output);
        }
        name
    }
}

/// What a lazy join hangs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LazyParent {
    /// The n-th table of the FROM chain.
    From(usize),
    /// Another lazy node.
    Node(usize),
}

/// One SELECT being resolved.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    pub tables: Vec<ScopeTable>,
    pub aliases: Vec<AliasDef>,
    /// Lambda argument frames, innermost last.
    pub lambda_args: Vec<Vec<String>>,
    pub lazy: Vec<LazyNode>,
    /// Lazy joins hanging directly from each FROM table: `(from index, node)`.
    pub from_children: Vec<(usize, usize)>,
    /// Set while resolving inside a WINDOW/OVER spec: SELECT aliases are not visible there
    /// (ClickHouse 26.9 would resolve them to the window function's own alias).
    pub hide_aliases: bool,
    /// The aggregate we are inside of, for the nesting check.
    pub in_aggregate: Option<String>,
}

impl Scope {
    pub fn explicit_alias(&self, name: &str) -> bool {
        self.aliases
            .iter()
            .any(|a| a.hidden.is_none() && a.name == name)
    }
}
