//! Exports the Python stand-in symbols (see `src/engine/ffi.rs`) from this crate's
//! test and example executables, which load the embedded engine. A crate whose own binaries load the engine
//! (hog-cli) needs the same instruction for its binaries. Cargo rejects `-arg-examples` /
//! `-arg-benches` for a package without such targets: add them together with the first one.
fn main() {
    for pattern in ["Py*", "_Py*"] {
        println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic-symbol={pattern}");
        println!("cargo:rustc-link-arg-examples=-Wl,--export-dynamic-symbol={pattern}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
