//! The `NAME.test.json` format: test cases for the Hog script `NAME.hog` beside it.
//!
//! ```json
//! {
//!   "profile": "transformation",
//!   "globals": {"project": {"id": 1}},
//!   "mocks": {"geoipLookup": {"return": null}},
//!   "cases": [
//!     {
//!       "name": "hashes the email",
//!       "globals": {"event": {"event": "$pageview", "properties": {"email": "a@b.c"}}},
//!       "mocks": {"geoipLookup": [{"args": ["1.2.3.4"], "return": {"country": "DE"}}]},
//!       "result": {"event": "$pageview", "properties": {"email_hash": "…"}},
//!       "stdout": ["hashed 1 property"]
//!     }
//!   ]
//! }
//! ```
//!
//! * `globals` of the file are the defaults of every case; a case's own `globals` replace them key
//!   by key (`event`, `person`, `inputs`, …).
//! * `mocks` stand in for host functions (`fetch`, `geoipLookup`, …): `{"return": V}` answers
//!   every call with V; a list answers the calls in order, each entry optionally checking the
//!   arguments (`"args": [...]`) and answering with `"return"` (or failing with `"error"`).
//!   A case's mocks replace the file's mock of the same name. A host function that is called but
//!   not mocked fails the case: tests never reach the network.
//! * Expectations, all optional: `result` (the value the script returns; for transformations
//!   the modified event, `null` when it drops the event), `stdout` (the printed lines, exactly),
//!   `error` (the run must fail with an error containing this text).
//! * `chain: ["a.hog", "b.hog"]` (paths relative to the test file) runs several transformations
//!   in order, each getting the previous one's result as `event`; without `chain` the script is
//!   `NAME.hog`.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

use crate::commands::compile::Profile;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    #[serde(default)]
    pub chain: Option<Vec<String>>,
    #[serde(default)]
    pub profile: Option<Profile>,
    #[serde(default)]
    pub globals: serde_json::Map<String, Value>,
    #[serde(default)]
    pub mocks: BTreeMap<String, Mock>,
    pub cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default)]
    pub globals: serde_json::Map<String, Value>,
    #[serde(default)]
    pub mocks: BTreeMap<String, Mock>,
    /// `Some(Value::Null)` when the file says `"result": null`; `None` when it says nothing.
    #[serde(default, deserialize_with = "present")]
    pub result: Option<Value>,
    #[serde(default)]
    pub stdout: Option<Vec<String>>,
    #[serde(default)]
    pub error: Option<String>,
}

/// A stand-in for a host function.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Mock {
    /// Answer every call the same way.
    Always(MockCall),
    /// Answer the calls in order; one more call than listed fails the case.
    Sequence(Vec<MockCall>),
}

/// One expected call and its answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockCall {
    /// When given, the call's arguments must equal these.
    #[serde(default)]
    pub args: Option<Vec<Value>>,
    #[serde(default, rename = "return")]
    pub returns: Value,
    /// Make the host function fail with this message instead.
    #[serde(default)]
    pub error: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}
