//! The 57 opcodes of PostHog's Hog bytecode (numbers as in hog-bytecode.md §4), with the
//! operands each one takes. Stack effects are written `[…, a, b] → […, r]`, top on the right.

/// Operand kinds, in the order they follow the opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A non-negative count or index.
    Count,
    /// A signed jump offset.
    Offset,
    /// A string (function or global name).
    Name,
    /// Any JSON scalar, pushed verbatim (`STRING`, `INTEGER`, `FLOAT`).
    Literal,
    /// `CLOSURE`: a count n followed by n (bool, index) pairs.
    UpvalueList,
}

macro_rules! opcodes {
    ($( $(#[$doc:meta])* $name:ident = $num:literal, $text:literal, [$($operand:ident),*];)*) => {
        /// An opcode.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum Opcode {
            $( $(#[$doc])* $name = $num, )*
        }

        impl Opcode {
            /// The opcode with this number.
            pub fn from_number(n: i64) -> Option<Opcode> {
                match n {
                    $( $num => Some(Opcode::$name), )*
                    _ => None,
                }
            }
            /// PostHog's name (`GET_GLOBAL`, …).
            pub fn name(self) -> &'static str {
                match self {
                    $( Opcode::$name => $text, )*
                }
            }
            /// The operands that follow the opcode.
            pub fn operands(self) -> &'static [Operand] {
                match self {
                    $( Opcode::$name => &[$(Operand::$operand),*], )*
                }
            }
        }
    };
}

opcodes! {
    /// `[…, k_n … k_1] → […, v]`: resolve the global chain `k_1.k_2…k_n`.
    GetGlobal = 1, "GET_GLOBAL", [Count];
    /// `[…, a1 … aN] → […, r]`: call a function by name.
    CallGlobal = 2, "CALL_GLOBAL", [Name, Count];
    /// Pop n, push whether all are truthy (no short circuit).
    And = 3, "AND", [Count];
    /// Pop n, push whether any is truthy.
    Or = 4, "OR", [Count];
    /// `[…, a] → […, !a]`.
    Not = 5, "NOT", [];
    /// `[…, r, l] → […, l + r]`.
    Plus = 6, "PLUS", [];
    /// `[…, r, l] → […, l - r]`.
    Minus = 7, "MINUS", [];
    /// `[…, r, l] → […, l * r]`.
    Multiply = 8, "MULTIPLY", [];
    /// `[…, r, l] → […, l / r]`.
    Divide = 9, "DIVIDE", [];
    /// `[…, r, l] → […, l % r]` (truncated).
    Mod = 10, "MOD", [];
    /// `[…, r, l] → […, l == r]`.
    Eq = 11, "EQ", [];
    /// `[…, r, l] → […, l != r]`.
    NotEq = 12, "NOT_EQ", [];
    /// `[…, r, l] → […, l > r]`.
    Gt = 13, "GT", [];
    /// `[…, r, l] → […, l >= r]`.
    GtEq = 14, "GT_EQ", [];
    /// `[…, r, l] → […, l < r]`.
    Lt = 15, "LT", [];
    /// `[…, r, l] → […, l <= r]`.
    LtEq = 16, "LT_EQ", [];
    /// `[…, r, l] → […, l LIKE r]`.
    Like = 17, "LIKE", [];
    /// `[…, r, l] → […, l ILIKE r]`.
    ILike = 18, "ILIKE", [];
    /// `[…, r, l] → […, l NOT LIKE r]`.
    NotLike = 19, "NOT_LIKE", [];
    /// `[…, r, l] → […, l NOT ILIKE r]`.
    NotILike = 20, "NOT_ILIKE", [];
    /// `[…, r, l] → […, l IN r]`.
    In = 21, "IN", [];
    /// `[…, r, l] → […, l NOT IN r]`.
    NotIn = 22, "NOT_IN", [];
    /// `[…, pattern, value] → […, value =~ pattern]`.
    Regex = 23, "REGEX", [];
    /// `[…, pattern, value] → […, value !~ pattern]`.
    NotRegex = 24, "NOT_REGEX", [];
    /// `[…, pattern, value] → […, value =~* pattern]`.
    IRegex = 25, "IREGEX", [];
    /// `[…, pattern, value] → […, value !~* pattern]`.
    NotIRegex = 26, "NOT_IREGEX", [];
    /// Reserved; never emitted, not implemented by PostHog's VMs.
    InCohort = 27, "IN_COHORT", [];
    /// Reserved; never emitted, not implemented by PostHog's VMs.
    NotInCohort = 28, "NOT_IN_COHORT", [];
    /// `→ […, true]`.
    True = 29, "TRUE", [];
    /// `→ […, false]`.
    False = 30, "FALSE", [];
    /// `→ […, null]`.
    Null = 31, "NULL", [];
    /// `→ […, s]`.
    String = 32, "STRING", [Literal];
    /// `→ […, i]`.
    Integer = 33, "INTEGER", [Literal];
    /// `→ […, f]`.
    Float = 34, "FLOAT", [Literal];
    /// `[…, a] → […]`.
    Pop = 35, "POP", [];
    /// `→ […, local_i]`.
    GetLocal = 36, "GET_LOCAL", [Count];
    /// `[…, v] → […]`, local_i = v.
    SetLocal = 37, "SET_LOCAL", [Count];
    /// Pop the result, leave the frame, push the result in the caller.
    Return = 38, "RETURN", [];
    /// Jump by the offset (relative to the element after the operand).
    Jump = 39, "JUMP", [Offset];
    /// `[…, c] → […]`, jump if c is falsy.
    JumpIfFalse = 40, "JUMP_IF_FALSE", [Offset];
    /// Deprecated (version 0): declare a named function whose body follows.
    DeclareFn = 41, "DECLARE_FN", [Name, Count, Count];
    /// `[…, k1, v1 … kn, vn] → […, dict]`.
    Dict = 42, "DICT", [Count];
    /// `[…, e1 … en] → […, array]`.
    Array = 43, "ARRAY", [Count];
    /// `[…, e1 … en] → […, tuple]`.
    Tuple = 44, "TUPLE", [Count];
    /// `[…, obj, key] → […, obj[key]]`.
    GetProperty = 45, "GET_PROPERTY", [];
    /// `[…, obj, key, v] → […]`, obj[key] = v.
    SetProperty = 46, "SET_PROPERTY", [];
    /// Jump if the top of the stack is not null (no pop).
    JumpIfStackNotNull = 47, "JUMP_IF_STACK_NOT_NULL", [Offset];
    /// `[…, obj, key] → […, obj?.[key]]`.
    GetPropertyNullish = 48, "GET_PROPERTY_NULLISH", [];
    /// `[…, error] → …`: unwind to the innermost `TRY`.
    Throw = 49, "THROW", [];
    /// Push a try frame whose catch code is at index(TRY) + 1 + offset.
    Try = 50, "TRY", [Offset];
    /// Pop the innermost try frame.
    PopTry = 51, "POP_TRY", [];
    /// `→ […, callable]`, then skip the body: name, argCount, upvalueCount, bodyLength.
    Callable = 52, "CALLABLE", [Name, Count, Count, Count];
    /// `[…, callable] → […, closure]` capturing n upvalues.
    Closure = 53, "CLOSURE", [UpvalueList];
    /// `[…, a1 … aN, closure] → […, r]`.
    CallLocal = 54, "CALL_LOCAL", [Count];
    /// `→ […, upvalue_i]`.
    GetUpvalue = 55, "GET_UPVALUE", [Count];
    /// `[…, v] → […]`, upvalue_i = v.
    SetUpvalue = 56, "SET_UPVALUE", [Count];
    /// `[…, a] → […]`, closing upvalues that point at the popped slot.
    CloseUpvalue = 57, "CLOSE_UPVALUE", [];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_57_opcodes_are_numbered() {
        let known: Vec<_> = (0..=60).filter_map(Opcode::from_number).collect();
        assert_eq!(known.len(), 57);
        for (i, op) in known.iter().enumerate() {
            assert_eq!(*op as i64, i as i64 + 1);
        }
    }
}
