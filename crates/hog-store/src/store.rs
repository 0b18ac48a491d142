//! The [`EventStore`] trait: what the rest of the toolchain needs from ClickHouse, whichever
//! ClickHouse it is (the embedded engine or a server). Both speak the same SQL and hold the same
//! schema ([`crate::schema`]).

use crate::error::Result;
use crate::params::Params;
use crate::result::{QueryResult, RowStream};
use arrow_array::RecordBatch;
use std::sync::Arc;

/// A ClickHouse holding the toolchain's tables.
pub trait EventStore: Send + Sync {
    /// Where the data lives, for messages (`embedded store /path`, `ClickHouse server http://...`).
    fn describe_location(&self) -> String;

    /// Runs a statement that returns no rows (DDL, `INSERT ... SELECT`, `OPTIMIZE`).
    /// `%(name)s` placeholders are replaced by the escaped values of `params`.
    fn execute(&self, sql: &str, params: &Params) -> Result<()>;

    /// Runs a query and streams its rows; the header (names, ClickHouse types) comes first.
    fn query_stream(&self, sql: &str, params: &Params) -> Result<RowStream>;

    /// Runs a query and collects all rows.
    fn query(&self, sql: &str, params: &Params) -> Result<QueryResult> {
        self.query_stream(sql, params)?.collect()
    }

    /// Runs one of the toolchain's own metadata queries (schema version, materialised columns,
    /// table parts) and collects its rows, without asking ClickHouse for the result's type
    /// names: the embedded store then runs one statement instead of two (the `DESCRIBE` that
    /// [`EventStore::query_stream`] needs). The types are named after the engine's Arrow types,
    /// so only use it for results of strings, numbers and booleans: a `DateTime`, `Enum` or
    /// `UUID` column would come back as its integer or bytes.
    fn query_plain(&self, sql: &str, params: &Params) -> Result<QueryResult> {
        self.query(sql, params)
    }

    /// Whether this process is the only writer of the store (the embedded store's owner lock):
    /// then leftovers of an earlier, killed process (e.g. import staging tables) are its to
    /// remove. A server may have other clients.
    fn is_exclusive(&self) -> bool {
        false
    }

    /// Asks the store to delete the table parts that merges and mutations left outdated when
    /// its last handle closes (the embedded store: see
    /// [`crate::EmbeddedStore::remove_outdated_parts_on_close`]); for commands that write. A
    /// server cleans up by itself.
    fn remove_outdated_parts_on_close(&self) {}

    /// Ends a process that only read from the store, once its output is written and flushed:
    /// closes the store and exits with `status`. The embedded store skips the close when it
    /// has nothing to do but stop the engine (see
    /// [`crate::EmbeddedStore::finish_read_only`]).
    fn finish_read_only(self: Arc<Self>, status: u8) -> ! {
        drop(self);
        std::process::exit(status.into())
    }

    /// Appends an Arrow batch to `table`. The batch must carry every non-`MATERIALIZED` column
    /// of the table, in the table's order, named as in the table (`DEFAULT` columns included).
    /// Returns the number of rows written.
    fn insert(&self, table: &str, batch: RecordBatch) -> Result<u64>;
}
