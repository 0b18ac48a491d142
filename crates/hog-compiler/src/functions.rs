//! What the compiler knows about global functions, for compile-time checks (unknown names, wrong
//! argument counts): the 129 names of PostHog's STL contract with their arity ranges, and the 8
//! functions of the bytecode STL with their exact parameter counts (hog-stl.md §5).
//!
//! This is the *contract*, not our VM's implementation: a script that passes these checks is one
//! that PostHog accepts too. (A test checks that every function our VM implements agrees with it.)

/// No upper bound on the argument count.
pub const VARIADIC: usize = usize::MAX;

/// Native STL: name, minimum and maximum argument count.
pub const NATIVE: &[(&str, usize, usize)] = &[
    ("Error", 0, 2),
    ("HogError", 1, 3),
    ("JSONExtract", 2, VARIADIC),
    ("JSONExtractArrayRaw", 1, VARIADIC),
    ("JSONExtractBool", 1, VARIADIC),
    ("JSONExtractFloat", 1, VARIADIC),
    ("JSONExtractInt", 1, VARIADIC),
    ("JSONExtractString", 1, VARIADIC),
    ("JSONHas", 1, VARIADIC),
    ("JSONLength", 1, VARIADIC),
    ("NotImplementedError", 0, 2),
    ("RetryError", 0, 2),
    ("addDays", 2, 2),
    ("and", 1, VARIADIC),
    ("arrayPopBack", 1, 1),
    ("arrayPopFront", 1, 1),
    ("arrayPushBack", 2, 2),
    ("arrayPushFront", 2, 2),
    ("arrayReverse", 1, 1),
    ("arrayReverseSort", 1, VARIADIC),
    ("arraySort", 1, VARIADIC),
    ("arrayStringConcat", 1, 2),
    ("assumeNotNull", 1, 1),
    ("base64Decode", 1, 1),
    ("base64Encode", 1, 1),
    ("coalesce", 1, VARIADIC),
    ("concat", 1, VARIADIC),
    ("dateAdd", 3, 3),
    ("dateDiff", 3, 3),
    ("dateTrunc", 2, 3),
    ("decodeURLComponent", 1, 1),
    ("empty", 1, 1),
    ("encodeURLComponent", 1, 1),
    ("equals", 2, 2),
    ("extract", 2, 2),
    ("extractRegex", 2, 2),
    ("floor", 1, 2),
    ("formatDateTime", 2, 3),
    ("fromUnixTimestamp", 1, 1),
    ("fromUnixTimestampMilli", 1, 1),
    ("generateUUIDv4", 0, 0),
    ("greater", 2, 2),
    ("greaterOrEquals", 2, 2),
    ("has", 2, 2),
    ("if", 3, 3),
    ("ifNull", 2, 2),
    ("ilike", 2, 2),
    ("in", 2, 2),
    ("indexOf", 2, 2),
    ("isIPAddressInRange", 2, 2),
    ("isNotNull", 1, 1),
    ("isNull", 1, 1),
    ("isValidJSON", 1, 1),
    ("jsonParse", 1, 1),
    ("jsonStringify", 1, 2),
    ("keys", 1, 1),
    ("length", 1, 1),
    ("less", 2, 2),
    ("lessOrEquals", 2, 2),
    ("like", 2, 2),
    ("lower", 1, 1),
    ("match", 2, 2),
    ("max2", 2, 2),
    ("md5", 1, 2),
    ("md5Hex", 1, 1),
    ("min2", 2, 2),
    ("minus", 2, 2),
    ("multiIf", 3, VARIADIC),
    ("multiSearchAnyCaseInsensitive", 2, 2),
    ("not", 1, 1),
    ("notEmpty", 1, 1),
    ("notEquals", 2, 2),
    ("notILike", 2, 2),
    ("notLike", 2, 2),
    ("now", 0, 1),
    ("or", 1, VARIADIC),
    ("plus", 2, 2),
    ("position", 2, 3),
    ("positionCaseInsensitive", 2, 3),
    ("print", 0, VARIADIC),
    ("randomFloat", 0, 0),
    ("range", 1, 2),
    ("replaceAll", 3, 3),
    ("replaceOne", 3, 3),
    ("reverse", 1, 1),
    ("round", 1, 2),
    ("run", 1, 1),
    ("sha1", 1, 2),
    ("sha1Hex", 1, 1),
    ("sha1HmacChain", 1, 2),
    ("sha1HmacChainHex", 1, 1),
    ("sha256", 1, 2),
    ("sha256Hex", 1, 1),
    ("sha256HmacChain", 1, 2),
    ("sha256HmacChainHex", 1, 1),
    ("sleep", 1, 1),
    ("splitByString", 2, 3),
    ("startsWith", 2, 2),
    ("substring", 2, 3),
    ("toDate", 1, 1),
    ("toDateTime", 1, 2),
    ("toFloat", 1, 1),
    ("toInt", 1, 1),
    ("toIntervalDay", 1, 1),
    ("toIntervalHour", 1, 1),
    ("toIntervalMinute", 1, 1),
    ("toIntervalMonth", 1, 1),
    ("toMonth", 1, 1),
    ("toStartOfDay", 1, 2),
    ("toStartOfHour", 1, 1),
    ("toStartOfMonth", 1, 1),
    ("toStartOfWeek", 1, 2),
    ("toString", 1, 2),
    ("toTimeZone", 2, 2),
    ("toUUID", 1, 1),
    ("toUnixTimestamp", 1, 2),
    ("toUnixTimestampMilli", 1, 2),
    ("toYYYYMM", 1, 1),
    ("toYear", 1, 1),
    ("today", 0, 0),
    ("trim", 1, 2),
    ("trimLeft", 1, 2),
    ("trimRight", 1, 2),
    ("tryBase64Decode", 1, 1),
    ("tryDecodeURLComponent", 1, 1),
    ("tuple", 0, VARIADIC),
    ("typeof", 1, 1),
    ("upper", 1, 1),
    ("values", 1, 1),
];

/// Bytecode STL: functions written in Hog, called with exactly this many arguments.
pub const BYTECODE: &[(&str, usize)] = &[
    ("arrayCount", 2),
    ("arrayExists", 2),
    ("arrayFilter", 2),
    ("arrayMap", 2),
    ("arrayReduce", 3),
    ("inCohort", 2),
    ("notInCohort", 2),
    ("sortableSemver", 1),
];

/// The arity rule of a known global function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Range { min: usize, max: usize },
    Exactly(usize),
}

impl Arity {
    /// PostHog's runtime message for a call with `argc` arguments, if that count is wrong.
    pub fn check(self, name: &str, argc: usize) -> Option<String> {
        match self {
            Arity::Range { min, .. } if argc < min => {
                Some(format!("Function {name} requires at least {min} arguments"))
            }
            Arity::Range { max, .. } if argc > max => {
                Some(format!("Function {name} requires at most {max} arguments"))
            }
            Arity::Exactly(n) if argc != n => {
                Some(format!("Function {name} requires exactly {n} arguments"))
            }
            _ => None,
        }
    }
}

/// The arity of the STL function `name`, if it is one.
pub fn stl_arity(name: &str) -> Option<Arity> {
    use std::collections::HashMap;
    use std::hash::BuildHasherDefault;
    use std::sync::OnceLock;
    type Table = HashMap<&'static str, Arity, BuildHasherDefault<crate::scope::NameHasher>>;
    static TABLE: OnceLock<Table> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t: Table = NATIVE
            .iter()
            .map(|(n, min, max)| {
                (
                    *n,
                    Arity::Range {
                        min: *min,
                        max: *max,
                    },
                )
            })
            .collect();
        // Bytecode STL names win (none overlaps today).
        t.extend(BYTECODE.iter().map(|(n, c)| (*n, Arity::Exactly(*c))));
        t
    });
    table.get(name).copied()
}

/// Host functions PostHog provides to transformations and destinations (hog-stl.md §4.2), with
/// their arity. `hog check` knows them under the matching `--profile`.
pub const TRANSFORMATION_HOST: &[(&str, usize, usize)] = &[
    ("geoipLookup", 1, 1),
    ("cleanNullValues", 1, 1),
    ("isKnownBotUserAgent", 1, 1),
    ("isKnownBotIp", 1, 1),
    ("postHogCapture", 1, 1),
];

/// Host functions of realtime destinations.
pub const DESTINATION_HOST: &[(&str, usize, usize)] = &[("fetch", 1, 2), ("postHogCapture", 1, 1)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_has_129_native_and_8_bytecode_functions() {
        assert_eq!(NATIVE.len(), 129);
        assert_eq!(BYTECODE.len(), 8);
        let mut names: Vec<_> = NATIVE.iter().map(|f| f.0).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 129);
    }

    #[test]
    fn arity_messages() {
        assert_eq!(
            stl_arity("toString").and_then(|a| a.check("toString", 0)),
            Some("Function toString requires at least 1 arguments".into())
        );
        assert_eq!(
            stl_arity("arrayMap").and_then(|a| a.check("arrayMap", 1)),
            Some("Function arrayMap requires exactly 2 arguments".into())
        );
        assert_eq!(stl_arity("print").and_then(|a| a.check("print", 30)), None);
        assert_eq!(stl_arity("nope"), None);
    }

    /// Every function our VM implements has the contract's arity (or is not in the contract).
    #[test]
    fn vm_registry_agrees_with_the_contract() {
        for name in hog_vm::stl::names() {
            let Some(def) = hog_vm::stl::lookup(name) else {
                continue;
            };
            if let Some(Arity::Range { min, max }) = stl_arity(name) {
                let vm_max = if def.max_args == hog_vm::stl::VARIADIC {
                    VARIADIC
                } else {
                    def.max_args
                };
                assert_eq!((def.min_args, vm_max), (min, max), "{name}");
            }
        }
    }
}
