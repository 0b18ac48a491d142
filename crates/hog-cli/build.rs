//! `hog` loads the embedded ClickHouse engine, whose shared object imports CPython symbols; the
//! binary defines inert stand-ins for them (hog-store's `engine::ffi`) and must export them to
//! the dynamic symbol table so the engine's `dlopen` resolves them. Integration tests get the
//! same, for tests that open a store in-process (cargo rejects the instruction for a package
//! without test targets, hence the check).
fn main() {
    let has_tests = std::path::Path::new("tests").is_dir();
    for pattern in ["Py*", "_Py*"] {
        println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic-symbol={pattern}");
        if has_tests {
            println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic-symbol={pattern}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=tests");
}
