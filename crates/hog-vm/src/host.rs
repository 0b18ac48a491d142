//! Functions provided by the embedding application.
//!
//! *Sync* host functions run inline and take precedence over the standard library (so a host can
//! override `print`, as PostHog's CDP does). *Async* host functions suspend the VM: the run
//! returns `Suspended { function, args, state }`, the host does the work and resumes with the
//! result (see `api.rs`).

use crate::value::Value;
use std::collections::HashMap;
use std::rc::Rc;

/// A sync host function working on VM values. Return `Err(message)` to fail the run.
pub type HostFn = Rc<dyn Fn(&[Value]) -> Result<Value, String>>;
/// A sync host function working on JSON (arguments converted like PostHog does: dicts →
/// objects, tuples → arrays, dates as tagged objects).
pub type JsonHostFn = Rc<dyn Fn(&[serde_json::Value]) -> Result<serde_json::Value, String>>;

/// A sync host function on JSON that hands out JSON it keeps (a cache of lookups): the VM
/// converts from the shared value, nothing is cloned.
pub type SharedJsonHostFn =
    Rc<dyn Fn(&[serde_json::Value]) -> Result<Rc<serde_json::Value>, String>>;

#[derive(Clone)]
pub(crate) enum HostImpl {
    Values(HostFn),
    Json(JsonHostFn),
    SharedJson(SharedJsonHostFn),
    /// Suspends the VM.
    Async,
}

/// The registry of host functions, by name.
#[derive(Clone, Default)]
pub struct HostFunctions {
    pub(crate) by_name: HashMap<String, HostImpl>,
}

impl HostFunctions {
    pub fn new() -> Self {
        Self::default()
    }
    /// Registers a sync function on VM values.
    pub fn register(
        &mut self,
        name: impl Into<String>,
        f: impl Fn(&[Value]) -> Result<Value, String> + 'static,
    ) {
        self.by_name
            .insert(name.into(), HostImpl::Values(Rc::new(f)));
    }
    /// Registers a sync function on JSON values.
    pub fn register_json(
        &mut self,
        name: impl Into<String>,
        f: impl Fn(&[serde_json::Value]) -> Result<serde_json::Value, String> + 'static,
    ) {
        self.by_name.insert(name.into(), HostImpl::Json(Rc::new(f)));
    }
    /// Registers a sync function on JSON whose results are shared with the host (for hosts
    /// that answer from a cache: no clone per call). The program gets its own copy, as with
    /// [`HostFunctions::register_json`].
    pub fn register_json_shared(
        &mut self,
        name: impl Into<String>,
        f: impl Fn(&[serde_json::Value]) -> Result<Rc<serde_json::Value>, String> + 'static,
    ) {
        self.by_name
            .insert(name.into(), HostImpl::SharedJson(Rc::new(f)));
    }
    /// Declares an async function: calling it suspends the VM.
    pub fn register_async(&mut self, name: impl Into<String>) {
        self.by_name.insert(name.into(), HostImpl::Async);
    }
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }
    pub(crate) fn get(&self, name: &str) -> Option<&HostImpl> {
        self.by_name.get(name)
    }
}
