//! The source map: which source span each instruction of a compiled program came from, so a
//! runtime error can say `script.hog:12:5` and underline the code.
//!
//! Bytecode stays PostHog's format untouched; the map is a sidecar (`NAME.hoge.map` next to
//! `NAME.hoge`, JSON):
//!
//! ```json
//! {"version": 1, "source": "script.hog", "ops": [[2, 0, 25], [4, 0, 25], …]}
//! ```
//!
//! Each entry is `[element index of an opcode in the bytecode array, span start, span end]`
//! (byte offsets into the source), in increasing element order. Element indexes count the
//! `"_H", 1` header, so they are exactly the `ip` values PostHog's VMs and ours report.

use crate::code::Elem;
use hogql_parser::LineIndex;
use hogql_parser::ast::Span;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMap {
    pub version: u32,
    /// The source file name as given to the compiler, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `(element index, span start, span end)`, sorted by element index.
    pub ops: Vec<(u32, u32, u32)>,
}

impl SourceMap {
    /// Collects the spans of every opcode in `elems` (which start at element `offset` of the
    /// final array: 2 after the header).
    pub(crate) fn from_elems(elems: &[Elem], offset: u32, source: Option<String>) -> Self {
        let ops = elems
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Elem::Op(_, s) => Some((i as u32 + offset, s.start, s.end)),
                _ => None,
            })
            .collect();
        SourceMap {
            version: 1,
            source,
            ops,
        }
    }

    /// The span of the instruction at element index `ip` (or of the nearest instruction before
    /// it, for an `ip` that points at an operand).
    pub fn span_at(&self, ip: usize) -> Option<Span> {
        let ip = u32::try_from(ip).ok()?;
        let i = match self.ops.binary_search_by_key(&ip, |o| o.0) {
            Ok(i) => i,
            Err(0) => return None,
            Err(i) => i - 1,
        };
        let (_, s, e) = self.ops[i];
        Some(Span::new(s, e))
    }

    /// `LINE:COL` (1-based) of the instruction at `ip` in `source`.
    pub fn line_col(&self, source: &str, ip: usize) -> Option<(u32, u32)> {
        let span = self.span_at(ip)?;
        let lc = LineIndex::new(source).line_col(source, span.start);
        Some((lc.line, lc.column + 1))
    }

    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn from_json_str(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }
}
