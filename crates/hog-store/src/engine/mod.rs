//! The embedded ClickHouse engine: fetched once per machine ([`fetch`]), loaded once per process
//! as an ADBC driver. The loaded driver is kept for the life of the process: unloading a 555 MB
//! engine mid-run buys nothing and would run its static destructors at an arbitrary point.
//!
//! **Process exit.** The engine registers C++ destructors for its globals with the C library's
//! exit handlers. When the process exits normally (`std::process::exit`, returning from `main`)
//! with a store still open, those destructors free the engine's state while its background
//! threads (merges, the schedule pool) still run: measured, some exits crash with SIGSEGV in a
//! `BgSchPool` thread while the main thread is in `__run_exit_handlers`. So once the engine has
//! started, the store registers an exit hook ([`end_process_at_exit`]) that runs before those
//! destructors: it closes the open store (bounded in time) and ends the process with `_exit`
//! and the same status, so the engine's destructors never run. Data is safe either way: a
//! statement's data is durable when it returns, as after `kill -9`.

pub mod fetch;
mod ffi;

use crate::error::{Result, StoreError};
use adbc_core::options::AdbcVersion;
use adbc_driver_manager::ManagedDriver;
use std::sync::Mutex;

/// The entry point the engine exports for ADBC (it also exports the generic `AdbcDriverInit`).
const ENTRY_POINT: &[u8] = b"chdb_adbc_init";

static DRIVER: Mutex<Option<ManagedDriver>> = Mutex::new(None);

/// Makes a normal exit of this process run `before` (closing whatever store is open) and end
/// the process without the engine's exit-time destructors (see the module docs). Call it after
/// the engine has started; calling it again re-registers the hook ahead of anything the engine
/// registered since. Returns `false` if the C library refused the hook.
pub(crate) fn end_process_at_exit(before: fn()) -> bool {
    ffi::end_process_at_exit(before)
}

/// Ends the process at once with `status`, without exit handlers and without closing the
/// engine (its threads end with the process, as under `kill -9`). Only for
/// [`crate::EventStore::finish_read_only`]: callers flush their own output first.
pub(crate) fn exit_now(status: i32) -> ! {
    ffi::exit_now(status)
}

/// The process's engine driver, fetching the engine (with `progress` messages) and loading it on
/// first use.
pub fn driver(progress: &mut dyn FnMut(&str)) -> Result<ManagedDriver> {
    let mut slot = DRIVER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(driver) = slot.as_ref() {
        return Ok(driver.clone());
    }
    // Keeps the stand-in symbols in every executable that reaches this point (see the module).
    std::hint::black_box(ffi::anchor());
    let path = fetch::ensure_engine(progress)?;
    let driver =
        ManagedDriver::load_dynamic_from_filename(&path, Some(ENTRY_POINT), AdbcVersion::V110)
            .map_err(|e| {
                let mut message = e.message;
                if message.contains("undefined symbol") {
                    message.push_str(
                        "; this executable does not export the Python stand-in symbols the engine \
                     needs: its crate's build.rs must pass -Wl,--export-dynamic-symbol=Py* and \
                     _Py* to the linker (see crates/hog-store/README.md)",
                    );
                }
                StoreError::Load {
                    path: path.clone(),
                    message,
                }
            })?;
    *slot = Some(driver.clone());
    Ok(driver)
}
