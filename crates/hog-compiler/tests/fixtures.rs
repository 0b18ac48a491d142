//! Fixture-driven snapshots: every `fixtures/ok/*.hog` compiles (and the VM's verifier accepts
//! the bytecode); the snapshot holds the source, the bytecode and its disassembly. Every
//! `fixtures/err/*.hog` fails to compile; the snapshot holds the rendered errors.

use hog_compiler::{CompileOptions, compile_source};

fn options() -> CompileOptions {
    CompileOptions {
        globals: vec!["event".into(), "person".into()],
        ..CompileOptions::default()
    }
}

#[test]
fn compiled_fixtures() {
    insta::glob!("fixtures/ok/*.hog", |path| {
        let source = std::fs::read_to_string(path).expect("fixture");
        let compiled = match compile_source(&source, &options()) {
            Ok(c) => c,
            Err(e) => panic!("{}: {e:?}", path.display()),
        };
        let json = compiled.to_json();
        let program = hog_vm::program::Program::from_json(&json)
            .unwrap_or_else(|e| panic!("{}: the VM rejects the bytecode: {e}", path.display()));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let warnings: Vec<String> = compiled
            .warnings
            .iter()
            .map(|w| w.short(name.as_deref().unwrap_or("?"), &source))
            .collect();
        insta::assert_snapshot!(format!(
            "{source}\n---- bytecode\n{}\n---- warnings\n{}\n---- disassembly\n{}",
            compiled.to_json_string(),
            warnings.join("\n"),
            hog_vm::disasm::disassemble(&program)
        ));
    });
}

#[test]
fn error_fixtures() {
    insta::glob!("fixtures/err/*.hog", |path| {
        let source = std::fs::read_to_string(path).expect("fixture");
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let errors = match compile_source(&source, &options()) {
            Ok(c) => panic!("{name} compiled: {}", c.to_json_string()),
            Err(e) => e,
        };
        let mut out = String::new();
        for e in &errors {
            out.push_str(&format!("{:?} {}\n", e.kind, e.short(&name, &source)));
        }
        out.push('\n');
        for e in &errors {
            out.push_str(&e.render(&name, &source));
        }
        insta::assert_snapshot!(format!("{source}\n---- errors\n{out}"));
    });
}
