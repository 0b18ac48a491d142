//! Name resolution state: the locals of each function being compiled, their block depths, and the
//! upvalues each function captures from the functions around it (hog-bytecode.md §8, §11.5).
//!
//! A local's index is its stack slot relative to the frame start, so the order of `locals`
//! mirrors the runtime stack exactly; that is why hidden helper slots (`for … in`, `between`,
//! `catch`) are declared as locals too.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast, non-cryptographic hasher for the name sets (the Fx hash of rustc): names come from
/// the program being compiled, whose author gains nothing from colliding them.
#[derive(Default, Clone, Copy)]
pub(crate) struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Name → the indexes of the live locals of that name, innermost last.
pub(crate) type NameIndex = HashMap<String, Vec<usize>, BuildHasherDefault<NameHasher>>;

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
    /// Where each name is in `locals`: lookups cost the same however many locals the
    /// function has (a long script's top level has hundreds).
    by_name: NameIndex,
}

impl FnState {
    /// A function whose parameters are its first locals (depth 0).
    pub fn with_params(params: &[String]) -> Self {
        let mut f = FnState::default();
        for p in params {
            f.push_local(p);
        }
        f
    }

    /// The number of stack slots in use above the frame start: the next push lands here.
    pub fn height(&self) -> usize {
        (self.locals.len() + self.temps).saturating_sub(self.pending)
    }

    /// The innermost local called `name`.
    pub fn resolve_local(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).and_then(|v| v.last()).copied()
    }

    /// Whether `name` is already declared in the innermost scope. (Depths never decrease along
    /// `locals`, so the innermost local of that name is in the innermost scope if any is.)
    pub fn declared_in_current_scope(&self, name: &str) -> bool {
        self.resolve_local(name)
            .is_some_and(|i| self.locals[i].depth >= self.scope_depth)
    }

    pub fn push_local(&mut self, name: &str) -> usize {
        let index = self.locals.len();
        self.locals.push(Local {
            name: name.to_owned(),
            depth: self.scope_depth,
            captured: false,
        });
        match self.by_name.get_mut(name) {
            Some(v) => v.push(index),
            None => {
                self.by_name.insert(name.to_owned(), vec![index]);
            }
        }
        index
    }

    /// Removes the innermost local (its scope ends).
    pub fn pop_local(&mut self) -> Option<Local> {
        let l = self.locals.pop()?;
        if let Some(v) = self.by_name.get_mut(&l.name) {
            v.pop();
        }
        Some(l)
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
