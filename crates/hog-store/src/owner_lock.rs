//! One owner per data directory. The engine takes its own lock too, but it fails with a raw
//! message printed to stderr; this lock comes first and names the process that holds the store.
//! It is an advisory `flock` on `DIR/hog-store.lock` holding the owner's pid: the kernel drops it
//! when the owner exits, however it exits (even `kill -9`), so there is never a stale lock.

use crate::error::{Result, StoreError};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The held lock; released when dropped.
#[derive(Debug)]
pub struct OwnerLock {
    _file: File,
}

impl OwnerLock {
    /// Takes the lock of `dir` (which must exist), or reports which process holds it.
    pub fn acquire(dir: &Path) -> Result<OwnerLock> {
        let path = dir.join("hog-store.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::io(format!("cannot open {}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                return Err(StoreError::InUse {
                    dir: dir.to_path_buf(),
                    pid: if pid.is_empty() {
                        "(unknown)".into()
                    } else {
                        pid.to_string()
                    },
                });
            }
            Err(TryLockError::Error(e)) => {
                return Err(StoreError::io(format!("cannot lock {}", path.display()), e));
            }
        }
        let write_pid = |file: &mut File| -> std::io::Result<()> {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "{}", std::process::id())?;
            file.flush()
        };
        write_pid(&mut file)
            .map_err(|e| StoreError::io(format!("cannot write {}", path.display()), e))?;
        Ok(OwnerLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_names_the_owner() {
        let dir = tempfile::tempdir().unwrap();
        let first = OwnerLock::acquire(dir.path()).unwrap();
        // flock locks belong to the open file description, so a second open in the same process
        // conflicts just as another process would.
        let err = OwnerLock::acquire(dir.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "store {} is in use by process {}",
                dir.path().display(),
                std::process::id()
            )
        );
        drop(first);
        OwnerLock::acquire(dir.path()).unwrap();
    }
}
