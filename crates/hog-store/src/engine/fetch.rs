//! Fetching the embedded engine: the pinned `chdb-core` wheel from PyPI, checked against its
//! sha256, of which only the two shared objects the ADBC driver needs are kept.
//!
//! The wheel is 181 MB and the engine 555 MB, too large to ship with the project, so it is fetched
//! once per machine into a cache directory (`$XDG_CACHE_HOME/hog/engine/26.9.0`, or
//! `$HOG_ENGINE_DIR`). `pip` does the download because it is the ordinary client of that
//! registry; `python3`'s `zipfile` extracts the two members. Parallel fetches (tests, two `hog`
//! processes) serialise on a lock file, and the finished directory appears by one atomic rename,
//! so nobody ever sees half an engine.

use crate::error::{Result, StoreError};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The ClickHouse engine release the project is pinned to (ClickHouse 26.9.2.1).
pub const ENGINE_VERSION: &str = "26.9.0";
/// The pip requirement naming the pinned wheel.
const WHEEL_REQUIREMENT: &str = "chdb-core==26.9.0";
/// The file pip saves for that requirement on x86-64 Linux.
const WHEEL_FILE: &str =
    "chdb_core-26.9.0-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl";
/// sha256 of [`WHEEL_FILE`], as published on PyPI.
const WHEEL_SHA256: &str = "707e2ec3fe0f7953bac97942eaeb7a1ed1d66b1e56ecef3f0aa2130f61f6e735";
/// The ADBC driver inside the engine directory.
pub const DRIVER_FILE: &str = "chdb/_chdb.abi3.so";
/// The one library the driver needs beside it (found through its RPATH `$ORIGIN/../chdb_core.libs`).
const COMPANION_FILE: &str = "chdb_core.libs/libpybind11nonlimitedapi_stubs-12ef79b5.so";

/// Extracts the named members of a wheel (a zip file) into a directory, streaming each.
const EXTRACT_SCRIPT: &str = r#"
import os, shutil, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for member in sys.argv[3:]:
        dest = os.path.join(out, member)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(member) as src, open(dest, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
"#;

/// The engine directory: `$HOG_ENGINE_DIR` when set, else `<cache>/engine/<version>`.
pub fn engine_dir() -> PathBuf {
    match std::env::var_os("HOG_ENGINE_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => crate::paths::cache_root()
            .join("engine")
            .join(ENGINE_VERSION),
    }
}

/// The driver's path if the engine directory is complete.
pub fn installed_driver(dir: &Path) -> Option<PathBuf> {
    let driver = dir.join(DRIVER_FILE);
    (driver.is_file() && dir.join(COMPANION_FILE).is_file()).then_some(driver)
}

/// Returns the path of the engine's driver, fetching the engine first if this machine lacks it.
/// `progress` receives one-line messages meant for stderr.
pub fn ensure_engine(progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    let dir = engine_dir();
    if let Some(driver) = installed_driver(&dir) {
        return Ok(driver);
    }
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err(StoreError::Fetch(
            "the embedded engine is only available for x86-64 Linux; use a ClickHouse server (--url)"
                .into(),
        ));
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ENGINE_VERSION.to_string());
    fs::create_dir_all(parent)
        .map_err(|e| StoreError::io(format!("cannot create {}", parent.display()), e))?;

    // Serialise concurrent fetches; whoever gets the lock second finds the engine installed.
    let lock_path = parent.join(format!(".{name}.lock"));
    let lock = File::create(&lock_path)
        .map_err(|e| StoreError::io(format!("cannot create {}", lock_path.display()), e))?;
    lock.lock()
        .map_err(|e| StoreError::io(format!("cannot lock {}", lock_path.display()), e))?;
    if let Some(driver) = installed_driver(&dir) {
        return Ok(driver);
    }

    let started = Instant::now();
    progress(&format!(
        "hog: fetching the ClickHouse engine ({WHEEL_REQUIREMENT}, 181 MB download, once) into {}",
        dir.display()
    ));
    let work = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let outcome = fetch_into(&work, &dir);
    let _ = fs::remove_dir_all(&work);
    outcome?;
    progress(&format!(
        "hog: engine ready in {:.1}s",
        started.elapsed().as_secs_f64()
    ));
    installed_driver(&dir)
        .ok_or_else(|| StoreError::Fetch(format!("{} is incomplete after fetching", dir.display())))
}

/// Downloads, verifies and extracts into `work`, then renames the result to `dir`.
fn fetch_into(work: &Path, dir: &Path) -> Result<()> {
    let _ = fs::remove_dir_all(work);
    let download = work.join("download");
    let extracted = work.join("engine");
    fs::create_dir_all(&download)
        .map_err(|e| StoreError::io(format!("cannot create {}", download.display()), e))?;

    run_python(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--platform",
                "manylinux2014_x86_64",
                "--python-version",
                "3.11",
                "--disable-pip-version-check",
                "--progress-bar",
                "off",
                "--quiet",
                WHEEL_REQUIREMENT,
                "-d",
            ])
            .arg(&download),
        "pip download",
    )?;

    let wheel = download.join(WHEEL_FILE);
    let actual = sha256_file(&wheel)?;
    if actual != WHEEL_SHA256 {
        return Err(StoreError::Fetch(format!(
            "{WHEEL_FILE} has sha256 {actual}, expected {WHEEL_SHA256}; refusing to use it"
        )));
    }

    run_python(
        Command::new("python3")
            .args(["-c", EXTRACT_SCRIPT])
            .arg(&wheel)
            .arg(&extracted)
            .args([DRIVER_FILE, COMPANION_FILE]),
        "extracting the wheel",
    )?;

    // An empty directory (e.g. a pre-created $HOG_ENGINE_DIR) is replaced; anything else is left
    // alone rather than deleted.
    if dir.exists() {
        fs::remove_dir(dir).map_err(|e| {
            StoreError::io(
                format!(
                    "{} exists but does not hold the engine; remove it or point HOG_ENGINE_DIR elsewhere",
                    dir.display()
                ),
                e,
            )
        })?;
    }
    fs::rename(&extracted, dir)
        .map_err(|e| StoreError::io(format!("cannot move the engine into {}", dir.display()), e))
}

/// Runs a python3 command, turning a missing interpreter or a failure into a clear error.
fn run_python(cmd: &mut Command, what: &str) -> Result<()> {
    let output = cmd.output().map_err(|e| {
        StoreError::Fetch(format!(
            "{what}: cannot run python3 ({e}); hog needs python3 with pip once to fetch the engine, \
             or set HOG_ENGINE_DIR to a directory holding {DRIVER_FILE} and {COMPANION_FILE}"
        ))
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(StoreError::Fetch(format!(
        "{what} failed ({}): {}",
        output.status,
        tail.join(" / ")
    )))
}

/// Hex sha256 of a file, read in 1 MiB chunks.
fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path)
        .map_err(|e| StoreError::io(format!("cannot open {}", path.display()), e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| StoreError::io(format!("cannot read {}", path.display()), e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn incomplete_directory_is_not_installed() {
        let dir = tempfile::tempdir().unwrap();
        assert!(installed_driver(dir.path()).is_none());
        fs::create_dir_all(dir.path().join("chdb")).unwrap();
        fs::write(dir.path().join(DRIVER_FILE), b"").unwrap();
        assert!(installed_driver(dir.path()).is_none());
        fs::create_dir_all(dir.path().join("chdb_core.libs")).unwrap();
        fs::write(dir.path().join(COMPANION_FILE), b"").unwrap();
        assert!(installed_driver(dir.path()).is_some());
    }
}
