//! Placeholders `{expr}` inside `sql(...)` and `(select …)`: the embedded Hog code runs while
//! the AST dicts around it are half built on the stack, so code that addresses stack slots
//! (`between`'s hidden slots) must count those values too.

use hog_compiler::{CompileOptions, compile_source};

/// Compiles and runs `source` on our VM; the printed lines.
fn run(source: &str) -> Vec<String> {
    let compiled = compile_source(source, &CompileOptions::default())
        .unwrap_or_else(|e| panic!("{source}: {e:?}"));
    let mut vm = hog_vm::Vm::load(&compiled.to_json_string()).expect("the VM loads it");
    if let Err(e) = vm.run() {
        panic!("{source}: {e}\n{}", compiled.to_json_string());
    }
    vm.take_output()
}

#[test]
fn between_inside_a_placeholder_of_sql() {
    assert_eq!(
        run("let q := sql(x + {5 between 1 and 10})\nprint(q.right)\n"),
        ["true"]
    );
    assert_eq!(
        run(
            "let n := 7\nlet q := sql(f(a, {n not between 1 and 5}, {null between 1 and 2}, {n between 7 and 7}))\nprint(q.args)\n"
        ),
        ["[{'__hx_ast': 'Field', 'chain': ['a'], 'from_asterisk': false}, true, false, true]"]
    );
}

#[test]
fn between_inside_a_placeholder_of_a_select() {
    assert_eq!(
        run(
            "let lo := 2\nlet q := (select a from t where b = {3 between lo and lo + 1})\nprint(q.where.right)\n"
        ),
        ["true"]
    );
    // After another call argument, inside an array inside the placeholder.
    assert_eq!(
        run("print('x', sql(g({[1, 2 between 1 and 3]}))['args'][1])\n"),
        ["x [1, true]"]
    );
}
