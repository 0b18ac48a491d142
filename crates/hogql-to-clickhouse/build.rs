//! The `clickhouse` test loads the embedded ClickHouse engine (through `hog-store`), which needs
//! the Python stand-in symbols exported from the test executable (see hog-store's build.rs).
fn main() {
    for pattern in ["Py*", "_Py*"] {
        println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic-symbol={pattern}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
