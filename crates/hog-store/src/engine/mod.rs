//! The embedded ClickHouse engine: fetched once per machine ([`fetch`]), loaded once per process
//! as an ADBC driver. The loaded driver is kept for the life of the process: unloading a 555 MB
//! engine mid-run buys nothing and would run its static destructors at an arbitrary point.

pub mod fetch;
mod ffi;

use crate::error::{Result, StoreError};
use adbc_core::options::AdbcVersion;
use adbc_driver_manager::ManagedDriver;
use std::sync::Mutex;

/// The entry point the engine exports for ADBC (it also exports the generic `AdbcDriverInit`).
const ENTRY_POINT: &[u8] = b"chdb_adbc_init";

static DRIVER: Mutex<Option<ManagedDriver>> = Mutex::new(None);

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
