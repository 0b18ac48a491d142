//! Name resolution state: the locals of each function being compiled, their block depths, and the
//! upvalues each function captures from the functions around it (hog-bytecode.md §8, §11.5).
//!
//! A local's index is its stack slot relative to the frame start, so the order of `locals`
//! mirrors the runtime stack exactly; that is why hidden helper slots (`for … in`, `between`,
//! `catch`) are declared as locals too.

use std::collections::HashSet;

/// A local variable (or hidden helper slot) of the function being compiled.
#[derive(Debug, Clone)]
pub(crate) struct Local {
    pub name: String,
    /// Block depth it was declared at; parameters are at depth 0.
    pub depth: u32,
    /// Some closure captures it: leaving its scope must close the upvalue (`CLOSE_UPVALUE`).
    pub captured: bool,
}

/// One captured variable of a function: a local of the immediately enclosing function
/// (`is_local`) or one of that function's own upvalues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Upvalue {
    pub index: usize,
    pub is_local: bool,
}

/// Per-function compiler state.
#[derive(Debug, Default)]
pub(crate) struct FnState {
    pub locals: Vec<Local>,
    pub upvalues: Vec<Upvalue>,
    pub scope_depth: u32,
    /// Locals declared whose value is not on the stack yet (`let x := …` is declared before its
    /// initialiser is compiled).
    pub pending: usize,
    /// Operand values on the stack above the locals while an expression is being compiled.
    pub temps: usize,
    /// Every name ever declared in this function: most lookups are of globals and STL
    /// functions, which this rejects without scanning `locals`.
    pub declared: HashSet<String>,
}

impl FnState {
    /// A function whose parameters are its first locals (depth 0).
    pub fn with_params(params: &[String]) -> Self {
        FnState {
            declared: params.iter().cloned().collect(),
            locals: params
                .iter()
                .map(|p| Local {
                    name: p.clone(),
                    depth: 0,
                    captured: false,
                })
                .collect(),
            upvalues: Vec::new(),
            scope_depth: 0,
            pending: 0,
            temps: 0,
        }
    }

    /// The number of stack slots in use above the frame start: the next push lands here.
    pub fn height(&self) -> usize {
        (self.locals.len() + self.temps).saturating_sub(self.pending)
    }

    /// The innermost local called `name`.
    pub fn resolve_local(&self, name: &str) -> Option<usize> {
        if !self.declared.contains(name) {
            return None;
        }
        self.locals.iter().rposition(|l| l.name == name)
    }

    /// Whether `name` is already declared in the innermost scope.
    pub fn declared_in_current_scope(&self, name: &str) -> bool {
        if !self.declared.contains(name) {
            return false;
        }
        self.locals
            .iter()
            .rev()
            .take_while(|l| l.depth >= self.scope_depth)
            .any(|l| l.name == name)
    }

    pub fn push_local(&mut self, name: &str) -> usize {
        if !self.declared.contains(name) {
            self.declared.insert(name.to_owned());
        }
        self.locals.push(Local {
            name: name.to_owned(),
            depth: self.scope_depth,
            captured: false,
        });
        self.locals.len() - 1
    }

    /// Adds (or finds) an upvalue; duplicates share one index.
    pub fn add_upvalue(&mut self, index: usize, is_local: bool) -> usize {
        let up = Upvalue { index, is_local };
        if let Some(i) = self.upvalues.iter().position(|u| *u == up) {
            return i;
        }
        self.upvalues.push(up);
        self.upvalues.len() - 1
    }
}
