//! Memory accounting: the memory budget of one run.
//!
//! Every allocation a program causes is *charged before it is made*: strings, arrays, tuples,
//! dicts, closures, upvalues, value-stack growth, and every in-place growth (`a[k] := v`,
//! `d.k := v`, appends). Charging is one addition and one comparison. Values are reference
//! counted, so freed garbage is not credited back eagerly; instead, when a charge would cross
//! the limit, the ledger *re-measures* what is really alive (everything reachable from the value
//! stack, counting shared objects once) and retries. Only if the live data plus the new
//! allocation exceeds the limit does the run fail with
//! [`LimitExceeded::Memory`](crate::LimitExceeded). Both the charges and the re-measurement are
//! deterministic, so the same program fails at the same instruction every time.
//!
//! The byte costs below approximate the real heap footprint of each object on a 64-bit host.

use crate::closure::UpvalueState;
use crate::error::{LimitExceeded, VmError};
use crate::value::{FxBuildHasher, Value};
use std::collections::HashSet;

/// One value-stack slot (or array/tuple element).
pub const SLOT: u64 = 16;
/// A string of `len` bytes (refcount box + `String` header + bytes).
#[inline]
pub fn string_cost(len: usize) -> u64 {
    40 + len as u64
}
/// An array or tuple of `len` elements.
#[inline]
pub fn array_cost(len: usize) -> u64 {
    48 + SLOT * len as u64
}
/// One dict entry (key, value, hash index).
pub const DICT_ENTRY: u64 = 48;
/// A dict of `len` entries.
#[inline]
pub fn dict_cost(len: usize) -> u64 {
    64 + DICT_ENTRY * len as u64
}
/// A closure capturing `upvalues` variables.
#[inline]
pub fn closure_cost(upvalues: usize) -> u64 {
    96 + 8 * upvalues as u64
}
/// One upvalue cell.
pub const UPVALUE: u64 = 48;
/// An error value (without its payload).
pub const ERROR: u64 = 64;
/// A datetime value (without its zone string).
pub const DATETIME: u64 = 48;

/// The ledger of one run.
#[derive(Debug, Clone)]
pub struct Memory {
    used: u64,
    limit: u64,
    peak: u64,
    remeasures: u64,
    /// Live bytes not reachable from the value stack (call frames, try frames), kept current
    /// by the interpreter and added to every re-measurement.
    extra: u64,
}

impl Memory {
    /// A ledger with this limit in bytes (`None`: unlimited).
    pub fn new(limit: Option<u64>) -> Self {
        Memory {
            used: 0,
            limit: limit.unwrap_or(u64::MAX),
            peak: 0,
            remeasures: 0,
            extra: 0,
        }
    }

    /// Bytes charged so far (live data plus garbage not yet re-measured).
    pub fn used(&self) -> u64 {
        self.used
    }
    /// The configured limit (`u64::MAX` when off).
    pub fn limit(&self) -> u64 {
        self.limit
    }
    /// High-water mark of [`used`](Self::used).
    pub fn peak(&self) -> u64 {
        self.peak
    }
    /// How many times the live data was re-measured.
    pub fn remeasures(&self) -> u64 {
        self.remeasures
    }
    /// Bytes that can still be charged before a re-measurement is needed.
    pub fn headroom(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }

    /// Charges `bytes` about to be allocated. `roots` is everything the program can still
    /// reach (the value stack), used only if the limit would be crossed.
    #[inline]
    pub fn charge(&mut self, bytes: u64, roots: &[Value]) -> Result<(), VmError> {
        let new = self.used.saturating_add(bytes);
        if new > self.limit {
            return self.charge_slow(bytes, roots);
        }
        self.used = new;
        if new > self.peak {
            self.peak = new;
        }
        Ok(())
    }

    #[cold]
    fn charge_slow(&mut self, bytes: u64, roots: &[Value]) -> Result<(), VmError> {
        self.remeasures += 1;
        let live = measure(roots).saturating_add(self.extra);
        let needed = live.saturating_add(bytes);
        self.used = live;
        if needed > self.limit {
            return Err(VmError::Limit(LimitExceeded::Memory {
                limit: self.limit,
                needed,
            }));
        }
        self.used = needed;
        self.peak = self.peak.max(needed);
        Ok(())
    }

    /// Sets the live bookkeeping bytes outside the value stack (frames, handlers).
    pub fn set_extra(&mut self, bytes: u64) {
        self.extra = bytes;
    }

    /// Replaces the running total with a fresh measurement of `roots` (used when a suspended
    /// run is resumed from serialised state).
    pub fn reset_to(&mut self, roots: &[Value]) {
        self.used = measure(roots);
        self.peak = self.peak.max(self.used);
    }
}

/// The bytes reachable from `roots`, each shared object counted once. Iterative (an explicit
/// work list), so arbitrarily deep structures are fine.
pub fn measure(roots: &[Value]) -> u64 {
    let mut seen: HashSet<usize, FxBuildHasher> = HashSet::default();
    let mut total = SLOT * roots.len() as u64;
    let mut work: Vec<Value> = roots.to_vec();
    while let Some(v) = work.pop() {
        match &v {
            Value::Str(s) => {
                if seen.insert(s.ptr_id()) {
                    total += string_cost(s.capacity());
                }
            }
            Value::Array(a) => {
                if seen.insert(v.heap_id().unwrap_or(0)) {
                    let items = a.borrow();
                    total += array_cost(items.capacity());
                    work.extend(items.iter().filter(|x| needs_walk(x)).cloned());
                }
            }
            Value::Tuple(t) => {
                if seen.insert(v.heap_id().unwrap_or(0)) {
                    total += array_cost(t.len());
                    work.extend(t.iter().filter(|x| needs_walk(x)).cloned());
                }
            }
            Value::Dict(d) => {
                if seen.insert(v.heap_id().unwrap_or(0)) {
                    let map = d.borrow();
                    total += dict_cost(map.capacity());
                    for (k, val) in map.iter() {
                        if needs_walk(&k.0) {
                            work.push(k.0.clone());
                        }
                        if needs_walk(val) {
                            work.push(val.clone());
                        }
                    }
                }
            }
            Value::Closure(c) => {
                if seen.insert(v.heap_id().unwrap_or(0)) {
                    total += closure_cost(c.upvalues.len());
                    for up in &c.upvalues {
                        if seen.insert(std::rc::Rc::as_ptr(up) as usize) {
                            total += UPVALUE;
                            if let UpvalueState::Closed(val) = &*up.0.borrow()
                                && needs_walk(val)
                            {
                                work.push(val.clone());
                            }
                        }
                    }
                }
            }
            Value::Error(e) => {
                if seen.insert(v.heap_id().unwrap_or(0)) {
                    total += ERROR;
                    work.push(Value::Str(e.error_type.clone()));
                    work.push(Value::Str(e.message.clone()));
                    if needs_walk(&e.payload) {
                        work.push(e.payload.clone());
                    }
                }
            }
            Value::DateTime(d) => {
                total += DATETIME;
                work.push(Value::Str(d.zone.clone()));
            }
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Date(_) => {}
        }
    }
    total
}

#[inline]
fn needs_walk(v: &Value) -> bool {
    !matches!(
        v,
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Date(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_objects_count_once() {
        let s = Value::from("x".repeat(1000));
        let arr = Value::array(vec![s.clone(), s.clone(), s]);
        let one = measure(std::slice::from_ref(&arr));
        let twice = measure(&[arr.clone(), arr]);
        assert_eq!(twice, one + SLOT);
        assert!(one > 1000 && one < 1200, "{one}");
    }

    #[test]
    fn remeasure_forgives_garbage_but_not_live_data() {
        let mut m = Memory::new(Some(10_000));
        for _ in 0..100 {
            m.charge(1000, &[]).unwrap(); // garbage: nothing is reachable
        }
        assert!(m.remeasures() > 0);
        let live = Value::from("y".repeat(9000));
        let err = m.charge(2000, &[live]).unwrap_err();
        assert!(matches!(
            err,
            VmError::Limit(LimitExceeded::Memory { limit: 10_000, .. })
        ));
    }
}
