//! The embedded store: the ClickHouse engine in this process, data in a local directory.
//!
//! The engine serves one data directory per process (all its connections share it), so opened
//! stores are registered here: opening the same directory twice shares one engine database,
//! opening a different one while the first is open is an error. The data directory also gets an
//! [`OwnerLock`] so a second process is told which process holds it.
//!
//! Shutdown: the last handle releases the engine database, which stops the engine's background
//! threads and closes the data directory in milliseconds, then the owner lock. The driver itself
//! stays loaded until the process exits (see [`crate::engine`]).
//!
//! Exiting with a store still open (`std::process::exit`, returning from `main`, a leaked
//! handle) is safe: every open registers an exit hook, after the engine has started, that closes
//! the open store and ends the process before the engine's exit-time destructors can run under
//! its background threads (which crashed some such exits; see [`crate::engine`]). Dropping every
//! handle before exiting is still the clean way. Data is safe either way (durable once a
//! statement returns; survives `kill -9`), and a killed process runs no destructors at all.

use crate::error::{Result, StoreError};
use crate::owner_lock::OwnerLock;
use crate::params::{self, Params};
use crate::result::{ChType, QueryResult, RowStream, arrow_type_name, batch_to_rows};
use crate::schema;
use crate::store::EventStore;
use crate::timing;
use adbc_core::options::{IngestMode, OptionDatabase, OptionStatement, OptionValue};
use adbc_core::{Connection, Database, Driver, Optionable, Statement};
use adbc_driver_manager::{ManagedConnection, ManagedDatabase, ManagedStatement};
use arrow_array::{RecordBatch, RecordBatchReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// A handle to the embedded store. Cheap to clone; the engine database closes with the last one.
#[derive(Clone)]
pub struct EmbeddedStore {
    shared: Arc<Shared>,
}

/// What all handles on one data directory share. The resources are released in [`Drop`] in
/// order (keep-alive connection, engine database, owner lock) while holding the registry lock,
/// so a concurrent [`EmbeddedStore::open`] of the same directory waits for the close to finish
/// instead of finding the directory still locked by its own process.
struct Shared {
    /// Held so the engine stays started between queries (it starts on the first connection).
    keeper: Mutex<Option<ManagedConnection>>,
    database: Mutex<Option<ManagedDatabase>>,
    owner: Mutex<Option<OwnerLock>>,
    dir: PathBuf,
    /// See [`EmbeddedStore::remove_outdated_parts_on_close`].
    tidy_on_close: AtomicBool,
}

impl Shared {
    /// Releases the engine database and the owner lock (idempotent).
    fn close(&self) {
        lock(&self.keeper).take();
        lock(&self.database).take();
        lock(&self.owner).take();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let mut open = lock(&OPEN);
        self.close();
        if open.as_ref().is_some_and(|(dir, _)| *dir == self.dir) {
            *open = None;
        }
    }
}

/// How long the exit hook waits for the open store to close before ending the process anyway.
const EXIT_CLOSE_WAIT: Duration = Duration::from_secs(3);

/// The exit hook's work (see the module docs): closes the store that is open, if any, waiting
/// at most [`EXIT_CLOSE_WAIT`] for the registry (another thread may be opening or closing a
/// store when `exit` is called) and for the engine to close.
fn close_at_exit() {
    let (done, waiter) = std::sync::mpsc::channel::<()>();
    let closer = std::thread::Builder::new()
        .name("hog-store-exit".into())
        .spawn(move || {
            let shared = lock(&OPEN).as_ref().and_then(|(_, weak)| weak.upgrade());
            if let Some(shared) = shared {
                shared.close();
                // The registry entry goes with the last handle (`Drop for Shared`); at exit
                // other handles may live on, closed.
            }
            let _ = done.send(());
        });
    if closer.is_ok() {
        let _ = waiter.recv_timeout(EXIT_CLOSE_WAIT);
    }
}

/// Locks a mutex, ignoring poisoning: the guarded values stay consistent (they are only taken).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where [`EmbeddedStore::remove_outdated_parts_on_close`] moves outdated parts, inside the
/// store directory (the engine ignores it).
const TRASH_DIR: &str = "hog-trash";

/// Deletes the store's trash directory in a process of its own, not waited for (it outlives
/// this one if need be; whatever it leaves, the next tidy-up deletes).
fn empty_trash(dir: &Path) {
    let trash = dir.join(TRASH_DIR);
    if trash.is_dir() {
        let _ = std::process::Command::new("rm")
            .arg("-rf")
            .arg(&trash)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}

impl Drop for EmbeddedStore {
    fn drop(&mut self) {
        if !self.shared.tidy_on_close.load(Ordering::Relaxed) {
            return;
        }
        let _registry = lock(&OPEN);
        // Handles are only made under the registry lock: the count cannot grow meanwhile.
        if Arc::strong_count(&self.shared) == 1 {
            self.close_removing_outdated_parts();
        }
    }
}

/// One row of `system.parts`, as [`EmbeddedStore::covered_outdated_parts`] reads it.
struct PartRow {
    table: String,
    partition: String,
    min_block: i64,
    max_block: i64,
    active: bool,
    path: String,
}

/// The directory currently open in this process's engine, if any.
static OPEN: Mutex<Option<(PathBuf, Weak<Shared>)>> = Mutex::new(None);

/// How long [`EmbeddedStore::open`] waits for a closing store of this process to finish.
const CLOSE_WAIT: Duration = Duration::from_secs(30);

impl EmbeddedStore {
    /// Opens (creating if needed) the store in `dir`, fetching and loading the engine on first use
    /// (its progress messages go to `progress`), and creates or checks the schema.
    pub fn open(dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<EmbeddedStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::io(format!("cannot create store {}", dir.display()), e))?;
        let dir = dir
            .canonicalize()
            .map_err(|e| StoreError::io(format!("cannot open store {}", dir.display()), e))?;

        let waiting_since = Instant::now();
        let mut open = loop {
            let open = lock(&OPEN);
            let Some((open_dir, weak)) = open.as_ref() else {
                break open;
            };
            let open_dir = open_dir.clone();
            match weak.upgrade() {
                Some(shared) if open_dir == dir => return Ok(EmbeddedStore { shared }),
                Some(shared) => {
                    // Release the registry before the handle: dropping the last handle locks it.
                    drop(open);
                    drop(shared);
                    return Err(StoreError::OtherStoreOpen { open: open_dir });
                }
                None if waiting_since.elapsed() < CLOSE_WAIT => {
                    // The last handle is being dropped on another thread; let it finish.
                    drop(open);
                    std::thread::sleep(Duration::from_millis(5));
                }
                None => {
                    return Err(StoreError::OtherStoreOpen { open: open_dir });
                }
            }
        };

        let owner = OwnerLock::acquire(&dir)?;
        let mut driver = crate::engine::driver(progress)?;
        timing::mark("engine driver loaded");
        let config = engine_config(&dir)?;
        let database = driver
            .new_database_with_opts([
                (
                    OptionDatabase::Uri,
                    OptionValue::String(dir.to_string_lossy().into_owned()),
                ),
                (
                    OptionDatabase::Other("chdb.config-file".into()),
                    OptionValue::String(config.to_string_lossy().into_owned()),
                ),
            ])
            .map_err(|e| open_error(&dir, e))?;
        let keeper = database.new_connection().map_err(|e| open_error(&dir, e))?;
        timing::mark("engine started");
        // The engine has started (and registered its exit-time destructors): our exit hook
        // goes after them, so it runs first.
        crate::engine::end_process_at_exit(close_at_exit);
        let shared = Arc::new(Shared {
            keeper: Mutex::new(Some(keeper)),
            database: Mutex::new(Some(database)),
            owner: Mutex::new(Some(owner)),
            dir: dir.clone(),
            tidy_on_close: AtomicBool::new(false),
        });
        let store = EmbeddedStore { shared };
        // Still holding the registry: a concurrent open of this directory must not get a handle
        // before the schema exists.
        if let Err(e) = schema::ensure(&store) {
            // The store's drop takes the registry lock, so release it first.
            drop(open);
            drop(store);
            return Err(e);
        }
        *open = Some((dir, Arc::downgrade(&store.shared)));
        timing::mark("schema checked");
        Ok(store)
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// Makes the close of the store's last handle delete the part directories that merges and
    /// mutations left outdated, for commands that write (`hog import`, `hog materialize`).
    ///
    /// Why: the engine deletes an outdated part only in its cleanup task, which first runs
    /// 30–40 s after start (`cleanup_delay_period`; lowering it did not make a fresh engine run
    /// it sooner), so a short-lived `hog` process never does, and every later open loads them
    /// again (measured: 40 outdated parts of a 500k-event store cost 40–60 ms CPU per open).
    ///
    /// Only parts the engine lists as outdated *and* covered by an active part of the same table
    /// and partition (its block range contains theirs) go, after the engine is closed (so no
    /// merge is using them) and the file system is synced (`sync -f`, so the covering parts
    /// are on disk: what the engine's `old_parts_lifetime` guards against). They are moved to
    /// `hog-trash/` in the store directory and deleted there by a detached `rm -rf`. The owner
    /// lock is held until they are moved; nothing is moved when the sync fails.
    pub fn remove_outdated_parts_on_close(&self) {
        self.shared.tidy_on_close.store(true, Ordering::Relaxed);
    }

    /// Ends a process that only read from the store, once its output is written and flushed,
    /// with `status`, without closing the engine: closing stops the engine's background pools
    /// and waits for their threads (measured: 9-13 ms CPU, 10-25 ms of a `hog query`'s wall
    /// time, half of what follows its output) and buys a reader nothing. Background work the
    /// engine started meanwhile (a merge it chose) ends as under `kill -9`: the data is intact
    /// and the next open removes the merge's temporary directory (checked). When the close has
    /// work to do ([`EmbeddedStore::remove_outdated_parts_on_close`], e.g. after the demo
    /// store's first import) this handle is dropped as usual first, and the process exits
    /// normally.
    pub fn finish_read_only(store: Arc<EmbeddedStore>, status: u8) -> ! {
        if store.shared.tidy_on_close.load(Ordering::Relaxed) {
            drop(store);
            std::process::exit(status.into())
        }
        timing::mark("exiting without closing the engine");
        crate::engine::exit_now(status.into())
    }

    /// The close of the last handle when [`EmbeddedStore::remove_outdated_parts_on_close`] was
    /// asked for. Runs holding the registry lock, so no other thread can get a handle meanwhile.
    fn close_removing_outdated_parts(&self) {
        let Ok(outdated) = self.covered_outdated_parts() else {
            return;
        };
        let owner = lock(&self.shared.owner).take();
        self.shared.close();
        let dir = &self.shared.dir;
        let synced = std::process::Command::new("sync")
            .arg("-f")
            .arg(dir)
            .status()
            .is_ok_and(|status| status.success());
        if synced {
            // Renamed into a trash directory (one call per part) that a detached `rm -rf`
            // empties: deleting the files here took 2.6 s for 60 parts (2,500 files) on a busy
            // disk, all of it added to the command's time.
            let trash = dir.join(TRASH_DIR);
            let _ = std::fs::create_dir_all(&trash);
            for (n, part) in outdated.iter().enumerate() {
                if part.starts_with(dir) {
                    let _ =
                        std::fs::rename(part, trash.join(format!("{}-{n}", std::process::id())));
                }
            }
            empty_trash(dir);
        }
        drop(owner);
    }

    /// Directories of outdated parts that an active part covers (see
    /// [`EmbeddedStore::remove_outdated_parts_on_close`]).
    fn covered_outdated_parts(&self) -> Result<Vec<PathBuf>> {
        let parts = self.query_plain(
            "SELECT table, partition_id, min_block_number, max_block_number, active, path \
             FROM system.parts WHERE database = currentDatabase()",
            &crate::Params::new(),
        )?;
        let parts: Vec<PartRow> = parts
            .rows
            .into_iter()
            .filter_map(|row| match row.as_slice() {
                [
                    crate::Value::String(table),
                    crate::Value::String(partition),
                    crate::Value::Int(min_block),
                    crate::Value::Int(max_block),
                    crate::Value::UInt(active),
                    crate::Value::String(path),
                ] => Some(PartRow {
                    table: table.clone(),
                    partition: partition.clone(),
                    min_block: *min_block,
                    max_block: *max_block,
                    active: *active != 0,
                    path: path.clone(),
                }),
                _ => None,
            })
            .collect();
        let covered = |part: &PartRow| {
            parts.iter().any(|other| {
                other.active
                    && other.table == part.table
                    && other.partition == part.partition
                    && other.min_block <= part.min_block
                    && other.max_block >= part.max_block
                    && other.path != part.path
            })
        };
        Ok(parts
            .iter()
            .filter(|part| !part.active && covered(part))
            .map(|part| PathBuf::from(&part.path))
            .collect())
    }

    fn connection(&self) -> Result<ManagedConnection> {
        match lock(&self.shared.database).as_ref() {
            Some(database) => database.new_connection().map_err(adbc_error),
            None => Err(StoreError::Invalid("the store is closed".into())),
        }
    }

    fn statement(&self, sql: &str) -> Result<ManagedStatement> {
        let mut connection = self.connection()?;
        let mut statement = connection.new_statement().map_err(adbc_error)?;
        statement.set_sql_query(sql).map_err(adbc_error)?;
        Ok(statement)
    }

    /// Runs a query; the result stays valid as long as the statement.
    fn execute_query(
        &self,
        sql: &str,
    ) -> Result<(ManagedStatement, Box<dyn RecordBatchReader + Send>)> {
        let mut statement = self.statement(sql)?;
        let reader = statement
            .execute()
            .map_err(|e| StoreError::from_clickhouse(&e.message))?;
        Ok((statement, Box::new(reader)))
    }

    /// Names and ClickHouse types of a query's result, or `None` when ClickHouse cannot
    /// describe the statement (e.g. `SHOW`, `EXPLAIN`).
    fn describe(&self, sql: &str) -> Option<(Vec<String>, Vec<String>)> {
        if !starts_like_select(sql) {
            return None;
        }
        let mut statement = self.statement(&format!("DESCRIBE TABLE ({sql}\n)")).ok()?;
        let reader = statement.execute().ok()?;
        let mut names = Vec::new();
        let mut types = Vec::new();
        for batch in reader {
            let batch = batch.ok()?;
            let rows = batch_to_rows(&batch, &[]).ok()?;
            for row in rows {
                match (row.first(), row.get(1)) {
                    (Some(crate::Value::String(n)), Some(crate::Value::String(t))) => {
                        names.push(n.clone());
                        types.push(t.clone());
                    }
                    _ => return None,
                }
            }
        }
        Some((names, types))
    }
}

impl EventStore for EmbeddedStore {
    fn describe_location(&self) -> String {
        format!("embedded store {}", self.shared.dir.display())
    }

    fn execute(&self, sql: &str, params: &Params) -> Result<()> {
        let sql = params::substitute(sql, params)?;
        let mut statement = self.statement(&sql)?;
        statement
            .execute_update()
            .map_err(|e| StoreError::from_clickhouse(&e.message))?;
        Ok(())
    }

    fn query_stream(&self, sql: &str, params: &Params) -> Result<RowStream> {
        let sql = params::substitute(sql, params)?;
        // The engine reports Arrow types only, and several ClickHouse types share one (DateTime
        // and UInt32, an Enum and its integer, UUID and FixedString(16)), so their names come
        // from a `DESCRIBE` of the query. It runs on its own connection while the query itself
        // runs (`execute` returns with the first block, for a group-by at the end), so it adds
        // no wall time; before, the two ran one after the other (measured: 3-4 ms CPU and 3-13
        // ms wall for the describe of a group-by over `events`).
        let (described, executed) = std::thread::scope(|scope| {
            let describing = std::thread::Builder::new()
                .name("hog-describe".into())
                .spawn_scoped(scope, || self.describe(&sql));
            let executed = self.execute_query(&sql);
            let described = match describing {
                Ok(handle) => handle.join().ok().flatten(),
                Err(_) => self.describe(&sql),
            };
            (described, executed)
        });
        timing::mark("statement executed and described");
        let (statement, reader) = executed?;
        Ok(rows_of(statement, reader, described))
    }

    fn query_plain(&self, sql: &str, params: &Params) -> Result<QueryResult> {
        let sql = params::substitute(sql, params)?;
        let (statement, reader) = self.execute_query(&sql)?;
        timing::mark("statement executed");
        rows_of(statement, reader, None).collect()
    }

    fn is_exclusive(&self) -> bool {
        true
    }

    fn finish_read_only(self: Arc<Self>, status: u8) -> ! {
        EmbeddedStore::finish_read_only(self, status)
    }

    fn remove_outdated_parts_on_close(&self) {
        EmbeddedStore::remove_outdated_parts_on_close(self);
    }

    fn insert(&self, table: &str, batch: RecordBatch) -> Result<u64> {
        let rows = batch.num_rows() as u64;
        if rows == 0 {
            return Ok(0);
        }
        let mut connection = self.connection()?;
        let mut statement = connection.new_statement().map_err(adbc_error)?;
        statement
            .set_option(
                OptionStatement::TargetTable,
                OptionValue::String(table.into()),
            )
            .map_err(adbc_error)?;
        statement
            .set_option(OptionStatement::IngestMode, IngestMode::Append.into())
            .map_err(adbc_error)?;
        statement.bind(batch).map_err(adbc_error)?;
        statement
            .execute_update()
            .map_err(|e| StoreError::from_clickhouse(&e.message))?;
        Ok(rows)
    }
}

/// The rows of an executed query, with the `described` names and ClickHouse types when they
/// match the result's columns, else the names and types the Arrow schema gives.
fn rows_of(
    statement: ManagedStatement,
    reader: Box<dyn RecordBatchReader + Send>,
    described: Option<(Vec<String>, Vec<String>)>,
) -> RowStream {
    let schema = reader.schema();
    let (columns, types) = match described {
        Some((names, types)) if names.len() == schema.fields().len() => (names, types),
        _ => (
            schema.fields().iter().map(|f| f.name().clone()).collect(),
            schema
                .fields()
                .iter()
                .map(|f| arrow_type_name(f.data_type()))
                .collect(),
        ),
    };
    let parsed: Vec<ChType> = types.iter().map(|t| ChType::parse(t)).collect();
    let chunks = BatchChunks {
        reader,
        _statement: statement,
        types: parsed,
    };
    RowStream::new(columns, types, Box::new(chunks))
}

/// Streams converted rows out of an engine result; owns the statement so the result stays valid.
/// Field order is drop order: the reader goes before the statement it reads from.
struct BatchChunks {
    reader: Box<dyn RecordBatchReader + Send>,
    _statement: ManagedStatement,
    types: Vec<ChType>,
}

impl Iterator for BatchChunks {
    type Item = Result<Vec<Vec<crate::Value>>>;

    fn next(&mut self) -> Option<Self::Item> {
        let batch = self.reader.next()?;
        Some(match batch {
            Ok(batch) => batch_to_rows(&batch, &self.types),
            Err(e) => Err(StoreError::from_clickhouse(&e.to_string())),
        })
    }
}

/// `SELECT`/`WITH` statements (possibly parenthesised) can be wrapped in `DESCRIBE TABLE (...)`.
fn starts_like_select(sql: &str) -> bool {
    let trimmed = sql.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let head: String = trimmed
        .chars()
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase();
    head.starts_with("SELECT") || head.starts_with("WITH")
}

fn adbc_error(e: adbc_core::error::Error) -> StoreError {
    StoreError::from_clickhouse(&e.message)
}

/// The name of the engine's configuration file inside a store directory.
const ENGINE_CONFIG: &str = "engine-config.xml";

/// What [`ENGINE_CONFIG`] holds: nothing but the defaults.
const ENGINE_CONFIG_TEXT: &str = "<!-- Written by hog: the embedded engine reads this file, so that a config.xml in the \
working directory or ~/.clickhouse-local cannot change (or break) the store. -->\n<clickhouse></clickhouse>\n";

/// Writes the store's engine configuration (if it is not already there) and returns its path.
///
/// Without an explicit configuration file the engine, like `clickhouse-local`, reads
/// `./config.xml` of whatever directory `hog` was started in: a ClickHouse project's config
/// there would set limits or profiles on the store, and one that does not parse made every open
/// fail as if the directory were taken.
fn engine_config(dir: &Path) -> Result<PathBuf> {
    let path = dir.join(ENGINE_CONFIG);
    if std::fs::read(&path).ok().as_deref() != Some(ENGINE_CONFIG_TEXT.as_bytes()) {
        std::fs::write(&path, ENGINE_CONFIG_TEXT)
            .map_err(|e| StoreError::io(format!("cannot write {}", path.display()), e))?;
    }
    Ok(path)
}

/// Connecting fails mostly when another engine owns the directory despite our lock (e.g. a
/// process that does not use it); say so instead of passing the engine's wording on.
fn open_error(dir: &Path, e: adbc_core::error::Error) -> StoreError {
    if e.message.contains("chdb_connect failed") {
        StoreError::Query {
            kind: crate::QueryErrorKind::Other,
            code: None,
            message: format!(
                "cannot open store {}: the engine could not take the directory (is another program using it?)",
                dir.display()
            ),
        }
    } else {
        StoreError::from_clickhouse(&e.message)
    }
}
