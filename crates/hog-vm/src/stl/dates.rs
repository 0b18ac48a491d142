//! Placeholder table, filled by the STL engineer (see `stl/mod.rs` for how to add functions).

use super::NativeDef;

pub(crate) const FUNCTIONS: &[NativeDef] = &[];
