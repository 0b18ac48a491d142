//! Generates the LR parser from `grammar/hogql.lalrpop` into `OUT_DIR`.

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    lalrpop::Configuration::new()
        .set_in_dir("../../grammar")
        .set_out_dir(out)
        .emit_rerun_directives(true)
        .process()
        .expect("the grammar in grammar/hogql.lalrpop must compile");
}
