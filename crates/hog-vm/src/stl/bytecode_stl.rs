//! The bytecode standard library: functions PostHog writes in Hog (`arrayMap`, `arrayFilter`,
//! …), shipped as header-less chunks named `stl/<name>`. They run on the interpreter like user
//! functions, so their callbacks may be user closures and may `throw`.
//!
//! The first five are PostHog's compiled bytecode (hog-stl.md §3). `inCohort`, `notInCohort`
//! and `sortableSemver` are hand-assembled here from their Hog definitions following the
//! compiler rules of hog-bytecode.md §11 (the assembly is shown next to each).

use crate::VmError;
use serde_json::Value as Json;

/// One bytecode-STL function.
pub(crate) struct BytecodeStlDef {
    pub name: &'static str,
    /// Exact number of parameters.
    pub arg_count: u32,
    /// The chunk as JSON text (no header).
    pub source: &'static str,
}

impl BytecodeStlDef {
    pub fn bytecode(&self) -> Result<Vec<Json>, VmError> {
        serde_json::from_str(self.source)
            .map_err(|e| VmError::bytecode(format!("stl/{}: {e}", self.name), None))
    }
}

pub(crate) const FUNCTIONS: &[BytecodeStlDef] = &[
    BytecodeStlDef {
        name: "arrayCount",
        arg_count: 2,
        source: r#"[33,0, 36,1, 36,3, 2,"values",1, 33,1, 36,4, 2,"length",1, 31, 36,6, 36,5, 16, 40,31,
            36,4, 36,5, 45, 37,7, 36,7, 36,0, 54,1, 40,7, 33,1, 36,2, 6, 37,2, 36,5, 33,1, 6, 37,5,
            39,-38, 35,35,35,35,35, 36,2, 38, 35]"#,
    },
    BytecodeStlDef {
        name: "arrayMap",
        arg_count: 2,
        source: r#"[43,0, 36,1, 36,3, 2,"values",1, 33,1, 36,4, 2,"length",1, 31, 36,6, 36,5, 16, 40,29,
            36,4, 36,5, 45, 37,7, 36,2, 36,7, 36,0, 54,1, 2,"arrayPushBack",2, 37,2, 36,5, 33,1, 6,
            37,5, 39,-36, 35,35,35,35,35, 36,2, 38, 35]"#,
    },
    BytecodeStlDef {
        name: "arrayFilter",
        arg_count: 2,
        source: r#"[43,0, 36,1, 36,3, 2,"values",1, 33,1, 36,4, 2,"length",1, 31, 36,6, 36,5, 16, 40,33,
            36,4, 36,5, 45, 37,7, 36,7, 36,0, 54,1, 40,9, 36,2, 36,7, 2,"arrayPushBack",2, 37,2,
            36,5, 33,1, 6, 37,5, 39,-40, 35,35,35,35,35, 36,2, 38, 35]"#,
    },
    BytecodeStlDef {
        name: "arrayExists",
        arg_count: 2,
        source: r#"[36,1, 36,2, 2,"values",1, 33,1, 36,3, 2,"length",1, 31, 36,5, 36,4, 16, 40,26, 36,3,
            36,4, 45, 37,6, 36,6, 36,0, 54,1, 40,2, 29, 38, 36,4, 33,1, 6, 37,4, 39,-33,
            35,35,35,35,35, 30, 38]"#,
    },
    BytecodeStlDef {
        name: "arrayReduce",
        arg_count: 3,
        source: r#"[36,2, 36,1, 36,4, 2,"values",1, 33,1, 36,5, 2,"length",1, 31, 36,7, 36,6, 16, 40,26,
            36,5, 36,6, 45, 37,8, 36,3, 36,8, 36,0, 54,2, 37,3, 36,6, 33,1, 6, 37,6, 39,-33,
            35,35,35,35,35, 36,3, 38, 35]"#,
    },
    // fun inCohort(cohort_id, cohort_ids) {
    //   if (cohort_ids == null) { throw Error('inCohort() requires …') }
    //   for (let id in cohort_ids) { if (id == cohort_id) { return true } }
    //   return false
    // }
    // NULL GET_LOCAL 1 EQ JUMP_IF_FALSE 6 {STRING msg CALL_GLOBAL Error 1 THROW}
    // for-in scope: locals 2 expr, 3 values, 4 index, 5 limit, 6 id; body 25 elements, back -32.
    BytecodeStlDef {
        name: "inCohort",
        arg_count: 2,
        source: r#"[31, 36,1, 11, 40,6, 32,"inCohort() requires cohort membership to be loaded for this evaluation", 2,"Error",1, 49,
            36,1, 36,2, 2,"values",1, 33,1, 36,3, 2,"length",1, 31,
            36,5, 36,4, 16, 40,25,
            36,3, 36,4, 45, 37,6,
            36,0, 36,6, 11, 40,2, 29, 38,
            36,4, 33,1, 6, 37,4,
            39,-32,
            35,35,35,35,35,
            30, 38]"#,
    },
    BytecodeStlDef {
        name: "notInCohort",
        arg_count: 2,
        source: r#"[31, 36,1, 11, 40,6, 32,"notInCohort() requires cohort membership to be loaded for this evaluation", 2,"Error",1, 49,
            36,1, 36,2, 2,"values",1, 33,1, 36,3, 2,"length",1, 31,
            36,5, 36,4, 16, 40,25,
            36,3, 36,4, 45, 37,6,
            36,0, 36,6, 11, 40,2, 30, 38,
            36,4, 33,1, 6, 37,4,
            39,-32,
            35,35,35,35,35,
            29, 38]"#,
    },
    // fun sortableSemver(version) {
    //   if (version == null) { return [] }
    //   let m := extractRegex(version, '(\d+(\.\d+)+)')
    //   if (empty(m)) { return [] }
    //   return arrayMap(x -> toInt(x) ?? 0, splitByString('.', m))
    // }
    BytecodeStlDef {
        name: "sortableSemver",
        arg_count: 1,
        source: r#"[31, 36,0, 11, 40,3, 43,0, 38,
            36,0, 32,"(\\d+(\\.\\d+)+)", 2,"extractRegex",2,
            36,1, 2,"empty",1, 40,3, 43,0, 38,
            52,"lambda",1,0,11, 36,0, 2,"toInt",1, 47,3, 35, 33,0, 38, 53,0,
            32,".", 36,1, 2,"splitByString",2,
            2,"arrayMap",2, 38,
            35]"#,
    },
];

/// The bytecode-STL function called `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static BytecodeStlDef> {
    FUNCTIONS.iter().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_verifies() {
        for def in FUNCTIONS {
            let elements = def.bytecode().unwrap();
            crate::program::decode_chunk(def.name, &elements, false)
                .unwrap_or_else(|e| panic!("{}: {e}", def.name));
        }
    }
}
