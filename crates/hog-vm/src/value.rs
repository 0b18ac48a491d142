//! The runtime value model.
//!
//! `Value` is 16 bytes: scalars are stored inline, everything else behind one `Rc` (a thin
//! pointer), so cloning a value is at most a reference-count increment and the interpreter never
//! allocates to move values around. Containers have reference semantics like PostHog's VMs
//! (`let b := a` aliases an array; `b[1] := 0` is visible through `a`).
//!
//! Integers and floats are distinct (`Int(i64)` / `Float(f64)`) so integer loops stay on the
//! fast path, but printing and `typeof` follow PostHog's Node VM (the production one): a float
//! with an integral value prints as `1` and has type `integer`.
//!
//! Memory accounting does not live in the values: whoever creates a value charges its cost
//! (see `memory.rs` for the cost model and `stl/mod.rs` for how native functions do it).
//! Dropping deep structures is iterative (see [`drop_iteratively`]) so a million-deep nested
//! array cannot overflow the Rust stack when it is freed.

use crate::closure::{Closure, Upvalue};
use indexmap::IndexMap;
use std::cell::{Ref, RefCell, RefMut};
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::ops::Deref;
use std::rc::Rc;

/// A Hog value.
#[derive(Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(HogStr),
    /// Mutable, shared by reference, 1-based from Hog.
    Array(Rc<HogArray>),
    /// Immutable sequence; `(a, b)` / `tuple(...)`.
    Tuple(Rc<HogTuple>),
    /// Insertion-ordered map with keys of any value type.
    Dict(Rc<HogDict>),
    /// A function value: a callable plus its captured upvalues.
    Closure(Rc<Closure>),
    /// `{type, message, payload}` built by `Error()` / `HogError()` …
    Error(Rc<ErrorValue>),
    /// An instant plus the zone it is displayed in.
    DateTime(Rc<DateTimeValue>),
    /// A calendar date (midnight UTC when compared).
    Date(DateValue),
}

impl Value {
    /// The name `typeof` returns for this value (Node semantics: integral floats are `integer`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(f) => {
                if f.is_finite() && f.fract() == 0.0 {
                    "integer"
                } else {
                    "float"
                }
            }
            Value::Str(_) => "string",
            Value::Array(_) => "array",
            Value::Tuple(_) => "tuple",
            Value::Dict(d) => {
                if d.borrow().contains_key(&DictKey::from("__hx_ast")) {
                    "sql"
                } else {
                    "object"
                }
            }
            Value::Closure(_) => "function",
            Value::Error(_) => "error",
            Value::DateTime(_) => "datetime",
            Value::Date(_) => "date",
        }
    }

    /// Truthiness as used by `NOT`, `AND`, `OR`, `JUMP_IF_FALSE`: falsy are null, false, 0,
    /// 0.0, NaN and ''. Empty containers are truthy (Node VM, production).
    #[inline]
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => !(*f == 0.0 || f.is_nan()),
            Value::Str(s) => !s.is_empty(),
            _ => true,
        }
    }

    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The string content, if this is a string.
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The numeric value of an `Int` or `Float` (no coercion of other types).
    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// An integer value: `Int`, or a `Float` with an integral value in `i64` range.
    #[inline]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Float(f) => float_to_i64_exact(*f),
            _ => None,
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Float(_))
    }

    /// A string value (not charged; use `NativeCtx::string` for results of native functions).
    pub fn str(s: impl Into<HogStr>) -> Value {
        Value::Str(s.into())
    }

    /// A new array (not charged; see `NativeCtx::array`).
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(HogArray::new(items)))
    }

    /// A new tuple (not charged; see `NativeCtx::tuple`).
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(HogTuple::new(items)))
    }

    /// A new dict (not charged; see `NativeCtx::dict`).
    pub fn dict(map: DictMap) -> Value {
        Value::Dict(Rc::new(HogDict::new(map)))
    }

    /// Identity of the heap object behind a container value (for cycle detection and sharing).
    pub fn heap_id(&self) -> Option<usize> {
        match self {
            Value::Array(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            Value::Tuple(t) => Some(Rc::as_ptr(t) as *const u8 as usize),
            Value::Dict(d) => Some(Rc::as_ptr(d) as *const u8 as usize),
            Value::Closure(c) => Some(Rc::as_ptr(c) as *const u8 as usize),
            Value::Error(e) => Some(Rc::as_ptr(e) as *const u8 as usize),
            _ => None,
        }
    }
}

/// `f` as an `i64` when it is integral and exactly representable.
#[inline]
pub fn float_to_i64_exact(f: f64) -> Option<i64> {
    if f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match crate::print::repr(self, 1 << 20) {
            Ok(s) => f.write_str(&s),
            Err(_) => f.write_str("<value too large to print>"),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s.into())
    }
}

// ------------------------------------------------------------------------------------------------
// Strings

/// An immutable, reference-counted string. A thin pointer (keeps `Value` at 16 bytes); the
/// interpreter may append in place when it holds the only reference (linear string building).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct HogStr(Rc<String>);

impl HogStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Mutable access when this is the only reference (used for in-place `concat`).
    pub(crate) fn get_mut(&mut self) -> Option<&mut String> {
        Rc::get_mut(&mut self.0)
    }
    pub(crate) fn ptr_eq(a: &HogStr, b: &HogStr) -> bool {
        Rc::ptr_eq(&a.0, &b.0)
    }
    /// Identity of the shared buffer (memory accounting counts a shared string once).
    pub(crate) fn ptr_id(&self) -> usize {
        Rc::as_ptr(&self.0) as usize
    }
    /// The allocated capacity, for memory accounting of in-place growth.
    pub(crate) fn capacity(&self) -> usize {
        self.0.capacity()
    }
}

/// Lookups by `&str` in sets of strings (the hash and equality are the content's).
impl std::borrow::Borrow<str> for HogStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Deref for HogStr {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}
impl From<&str> for HogStr {
    fn from(s: &str) -> Self {
        HogStr(Rc::new(s.to_owned()))
    }
}
impl From<String> for HogStr {
    fn from(s: String) -> Self {
        HogStr(Rc::new(s))
    }
}
impl fmt::Debug for HogStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
impl fmt::Display for HogStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

// ------------------------------------------------------------------------------------------------
// Containers

/// The heap object behind `Value::Array`.
pub struct HogArray(RefCell<Vec<Value>>);

impl HogArray {
    pub fn new(items: Vec<Value>) -> Self {
        HogArray(RefCell::new(items))
    }
    /// Read access. Never hold this across a call back into the VM.
    #[inline]
    pub fn borrow(&self) -> Ref<'_, Vec<Value>> {
        self.0.borrow()
    }
    /// Write access: only the interpreter mutates arrays (`SET_PROPERTY`); STL functions return
    /// new arrays.
    #[inline]
    pub(crate) fn borrow_mut(&self) -> RefMut<'_, Vec<Value>> {
        self.0.borrow_mut()
    }
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}

impl Drop for HogArray {
    fn drop(&mut self) {
        let items = std::mem::take(self.0.get_mut());
        drop_iteratively(items);
    }
}

/// The heap object behind `Value::Tuple`.
pub struct HogTuple(Vec<Value>);

impl HogTuple {
    pub fn new(items: Vec<Value>) -> Self {
        HogTuple(items)
    }
}
impl Deref for HogTuple {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        &self.0
    }
}
impl Drop for HogTuple {
    fn drop(&mut self) {
        drop_iteratively(std::mem::take(&mut self.0));
    }
}

/// Fast non-cryptographic hasher for dict keys (FxHash's multiply-rotate). Keys come from
/// untrusted programs, but a Hog program can only slow itself down, and the step/time budgets
/// bound that.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Fixed-size pieces only (a variable-length copy of the tail was a `memcpy` call per
        // hashed key).
        let mut b = bytes;
        while let Some((head, rest)) = b.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*head));
            b = rest;
        }
        if let Some((head, rest)) = b.split_first_chunk::<4>() {
            self.add(u32::from_le_bytes(*head) as u64);
            b = rest;
        }
        if let Some((head, rest)) = b.split_first_chunk::<2>() {
            self.add(u16::from_le_bytes(*head) as u64);
            b = rest;
        }
        if let Some(&last) = b.first() {
            self.add(last as u64);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    /// The multiply leaves the low bits of the state poorly mixed (an aligned pointer's low
    /// bits stay zero), and hashbrown picks buckets from the low bits: rotate the well-mixed
    /// high bits down.
    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

pub type FxBuildHasher = BuildHasherDefault<FxHasher>;

/// The map inside a dict.
pub type DictMap = IndexMap<DictKey, Value, FxBuildHasher>;

/// A new empty dict map with room for `n` entries.
pub fn dict_map_with_capacity(n: usize) -> DictMap {
    DictMap::with_capacity_and_hasher(n, FxBuildHasher::default())
}

/// The heap object behind `Value::Dict`.
pub struct HogDict(RefCell<DictMap>);

impl HogDict {
    pub fn new(map: DictMap) -> Self {
        HogDict(RefCell::new(map))
    }
    #[inline]
    pub fn borrow(&self) -> Ref<'_, DictMap> {
        self.0.borrow()
    }
    #[inline]
    pub(crate) fn borrow_mut(&self) -> RefMut<'_, DictMap> {
        self.0.borrow_mut()
    }
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
    /// Convenience lookup by string key.
    pub fn get_str(&self, key: &str) -> Option<Value> {
        self.0.borrow().get(&DictKey::from(key)).cloned()
    }
}

impl Drop for HogDict {
    fn drop(&mut self) {
        let map = std::mem::take(self.0.get_mut());
        if map.values().any(is_container) || map.keys().any(|k| is_container(&k.0)) {
            // Only containers can recurse; strings and scalars are freed right here.
            let mut items = Vec::new();
            for (k, v) in map {
                if is_container(&k.0) {
                    items.push(k.0);
                }
                if is_container(&v) {
                    items.push(v);
                }
            }
            drop_iteratively(items);
        }
    }
}

/// A dict key: any value. Numbers hash and compare by numeric value (`1` and `1.0` are the
/// same key, like a JavaScript `Map`), strings by content, containers and functions by identity.
#[derive(Clone)]
pub struct DictKey(pub Value);

impl DictKey {
    pub fn value(&self) -> &Value {
        &self.0
    }
}

impl From<&str> for DictKey {
    fn from(s: &str) -> Self {
        DictKey(Value::from(s))
    }
}
impl From<Value> for DictKey {
    fn from(v: Value) -> Self {
        DictKey(v)
    }
}

impl Hash for DictKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.0 {
            Value::Null => state.write_u8(0),
            Value::Bool(b) => {
                state.write_u8(1);
                state.write_u8(*b as u8)
            }
            Value::Int(i) => {
                state.write_u8(2);
                state.write_u64(*i as u64)
            }
            Value::Float(f) => match float_to_i64_exact(*f) {
                Some(i) => {
                    state.write_u8(2);
                    state.write_u64(i as u64)
                }
                None => {
                    state.write_u8(3);
                    let bits = if f.is_nan() {
                        f64::NAN.to_bits()
                    } else {
                        f.to_bits()
                    };
                    state.write_u64(bits)
                }
            },
            Value::Str(s) => {
                state.write_u8(4);
                s.as_bytes().hash(state)
            }
            Value::Date(d) => {
                state.write_u8(5);
                d.hash(state)
            }
            Value::DateTime(d) => {
                state.write_u8(6);
                state.write_u64(d.dt.to_bits());
                d.zone.hash(state)
            }
            other => {
                state.write_u8(7);
                state.write_usize(other.heap_id().unwrap_or(0))
            }
        }
    }
}

impl PartialEq for DictKey {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                float_to_i64_exact(*b) == Some(*a)
            }
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Str(a), Value::Str(b)) => a.as_str() == b.as_str(),
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => {
                a.dt.to_bits() == b.dt.to_bits() && a.zone == b.zone
            }
            (a, b) => match (a.heap_id(), b.heap_id()) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            },
        }
    }
}
impl Eq for DictKey {}

// ------------------------------------------------------------------------------------------------
// Errors, dates

/// The payload of `Value::Error`: what `Error('msg')`, `HogError('Type', 'msg', payload)` build.
pub struct ErrorValue {
    pub error_type: HogStr,
    pub message: HogStr,
    /// `Null` when absent.
    pub payload: Value,
}

impl Drop for ErrorValue {
    fn drop(&mut self) {
        if is_container(&self.payload) {
            drop_iteratively(vec![std::mem::take(&mut self.payload)]);
        }
    }
}

/// A datetime: an absolute instant (`dt`, epoch seconds with fraction) and the IANA zone used to
/// display it and to compute calendar fields.
#[derive(Clone, Debug, PartialEq)]
pub struct DateTimeValue {
    pub dt: f64,
    pub zone: HogStr,
}

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateValue {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

// ------------------------------------------------------------------------------------------------
// Iterative destruction

/// Whether `v` refers to an object that can hold other values (and so be part of a cycle).
#[inline]
pub(crate) fn is_container(v: &Value) -> bool {
    matches!(
        v,
        Value::Array(_) | Value::Tuple(_) | Value::Dict(_) | Value::Closure(_) | Value::Error(_)
    )
}

/// Drops `values` without recursion: children of uniquely owned containers are moved onto an
/// explicit work list before their parent is freed, so the parent's own `Drop` sees it empty.
pub(crate) fn drop_iteratively(values: Vec<Value>) {
    if !values.iter().any(is_container) {
        return; // plain drop of scalars and strings, no recursion possible
    }
    let mut work = values;
    while let Some(v) = work.pop() {
        match v {
            Value::Array(rc) => {
                if let Ok(arr) = Rc::try_unwrap(rc) {
                    work.append(&mut arr.0.borrow_mut());
                }
            }
            Value::Tuple(rc) => {
                if let Ok(mut t) = Rc::try_unwrap(rc) {
                    work.append(&mut t.0);
                }
            }
            Value::Dict(rc) => {
                if let Ok(d) = Rc::try_unwrap(rc) {
                    let map = std::mem::take(&mut *d.0.borrow_mut());
                    for (k, v) in map {
                        if is_container(&k.0) {
                            work.push(k.0);
                        }
                        if is_container(&v) {
                            work.push(v);
                        }
                    }
                }
            }
            Value::Error(rc) => {
                if let Ok(mut e) = Rc::try_unwrap(rc) {
                    work.push(std::mem::take(&mut e.payload));
                }
            }
            Value::Closure(rc) => {
                if let Ok(mut c) = Rc::try_unwrap(rc) {
                    for up in c.upvalues.drain(..) {
                        if let Ok(cell) = Rc::try_unwrap(up) {
                            work.push(Upvalue::into_closed_value(cell));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_two_words() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn numeric_dict_keys_unify() {
        let mut m = dict_map_with_capacity(2);
        m.insert(DictKey(Value::Int(1)), Value::from("int"));
        m.insert(DictKey(Value::Float(1.0)), Value::from("float"));
        m.insert(DictKey(Value::from("1")), Value::from("str"));
        assert_eq!(m.len(), 2);
        assert_eq!(
            m.get(&DictKey(Value::Int(1)))
                .and_then(|v| v.as_str().map(str::to_owned)),
            Some("float".into())
        );
    }

    #[test]
    fn dropping_a_million_deep_array_does_not_overflow() {
        let mut v = Value::array(vec![]);
        for _ in 0..1_000_000 {
            v = Value::array(vec![v]);
        }
        drop(v);
        let mut d = Value::dict(dict_map_with_capacity(0));
        for _ in 0..200_000 {
            let mut m = dict_map_with_capacity(1);
            m.insert(DictKey::from("k"), d);
            d = Value::tuple(vec![Value::dict(m)]);
        }
        drop(d);
    }

    #[test]
    fn truthiness_follows_node() {
        assert!(!Value::Null.is_truthy());
        assert!(!Value::Float(f64::NAN).is_truthy());
        assert!(!Value::from("").is_truthy());
        assert!(Value::from("0").is_truthy());
        assert!(Value::array(vec![]).is_truthy());
    }
}
