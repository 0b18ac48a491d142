//! The event store of the HogQL/Hog toolchain: real ClickHouse, either embedded in the process
//! (the ClickHouse 26.9 engine from the `chdb-core` wheel, loaded as an ADBC driver; data in a
//! local directory) or a ClickHouse server over HTTP.
//!
//! * [`EventStore`]: run SQL with `%(name)s` parameters, stream results (columns, ClickHouse
//!   types, rows of [`Value`]s), insert Arrow batches.
//! * [`EmbeddedStore::open`]: the default store; fetches the engine on first use
//!   ([`engine::fetch`]), creates and versions the schema ([`schema`]), one owner per directory.
//! * [`ingest`]: PostHog capture-format JSONL → events, persons, distinct ids, groups.
//! * [`demo`]: a deterministic generator of realistic events.
//! * [`sessions`]: the `raw_sessions` table and the view that fills it from `events`.
//! * [`materialize`]: materialised property columns (`mat_<key>` on `events`).
//! * [`ServerStore`]: the same over HTTP to a ClickHouse server or cluster.
//! * [`timing`]: phase times on stderr with `HOG_TRACE_TIMING=1`.
#![deny(unsafe_code)]

pub mod demo;
mod embedded;
pub mod engine;
mod error;
pub mod ingest;
pub mod materialize;
mod owner_lock;
pub mod params;
pub mod paths;
mod result;
pub mod schema;
pub mod server;
pub mod sessions;
mod store;
pub mod timing;

pub use embedded::EmbeddedStore;
pub use error::{QueryErrorKind, Result, StoreError};
pub use params::{Param, Params};
pub use result::{ChType, QueryResult, RowStream, Value};
pub use server::{ServerOptions, ServerStore};
pub use store::EventStore;
