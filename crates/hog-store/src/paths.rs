//! Where things live on disk by default: the engine cache and the data directory. Follows the
//! XDG base directory conventions without a dependency: `$XDG_CACHE_HOME` / `$XDG_DATA_HOME`,
//! falling back to `~/.cache` / `~/.local/share`.

use std::path::PathBuf;

/// `$XDG_CACHE_HOME/hog`, or `~/.cache/hog`, or `./.hog-cache` when there is no home directory.
pub fn cache_root() -> PathBuf {
    xdg_dir("XDG_CACHE_HOME", ".cache")
        .map(|d| d.join("hog"))
        .unwrap_or_else(|| PathBuf::from(".hog-cache"))
}

/// The default data directory of the embedded store: `$XDG_DATA_HOME/hog/store`, or
/// `~/.local/share/hog/store`, or `./.hog-store` when there is no home directory.
pub fn default_store_dir() -> PathBuf {
    xdg_dir("XDG_DATA_HOME", ".local/share")
        .map(|d| d.join("hog").join("store"))
        .unwrap_or_else(|| PathBuf::from(".hog-store"))
}

fn xdg_dir(var: &str, home_relative: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        // The spec says relative values are to be ignored.
        if dir.is_absolute() {
            return Some(dir);
        }
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(home_relative))
}
