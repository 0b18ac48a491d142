//! Differential test against PostHog's own VM (`@posthog/hogvm` 1.0.71, pinned in
//! `tests/peers`): the 34 vectors and a few hundred random programs must print the same lines,
//! except for the two known bugs of that release (see `../shared/conformance/README.md`).

use hog_vm::Vm;
use serde_json::{Value as Json, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn peers_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/peers"));
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// Runs programs on PostHog's VM; returns (stdout lines, error) per program.
fn run_peer(programs: &[(String, Json)]) -> Vec<(Vec<String>, Option<String>)> {
    let dir = peers_dir();
    assert!(
        dir.join("node_modules/@posthog/hogvm").is_dir(),
        "the npm peers are not installed: run scripts/install-peers.sh (needs Node.js and npm)"
    );
    let input: Vec<Json> = programs
        .iter()
        .map(|(name, bc)| json!({"name": name, "bytecode": bc}))
        .collect();
    let mut child = Command::new("node")
        .arg(dir.join("vm-run.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node must be installed for the differential test (scripts/install-peers.sh)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(Json::Array(input).to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "vm-run.mjs failed");
    let results: Vec<Json> = serde_json::from_slice(&out.stdout).unwrap();
    results
        .into_iter()
        .map(|r| {
            let lines = r["stdout"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap_or("").to_owned())
                .collect();
            (lines, r["error"].as_str().map(str::to_owned))
        })
        .collect()
}

fn run_ours(bytecode: &Json) -> (Vec<String>, Option<String>) {
    let mut vm = Vm::from_json(bytecode.clone()).unwrap();
    let r = vm.run();
    (vm.take_output(), r.err().map(|e| e.to_string()))
}

fn vectors(dir: &Path) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) == Some("hoge") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            out.push((
                name,
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap(),
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The vectors where @posthog/hogvm 1.0.71 is known to be wrong (the snapshots are right).
const PEER_BUGS: &[&str] = &["catchAfterReturn", "nulls"];

#[test]
fn same_output_as_posthog_on_the_vectors() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/posthog-vm"
    ));
    let programs = vectors(&dir);
    assert_eq!(programs.len(), 34);
    let peer = run_peer(&programs);
    let mut diffs = Vec::new();
    for ((name, bc), (peer_lines, _)) in programs.iter().zip(peer) {
        let (ours, err) = run_ours(bc);
        assert!(err.is_none(), "{name}: {err:?}");
        if ours != peer_lines && !PEER_BUGS.contains(&name.as_str()) {
            diffs.push(name.clone());
        }
    }
    assert!(
        diffs.is_empty(),
        "differences from @posthog/hogvm: {diffs:?}"
    );
}

/// SplitMix64, for reproducible random programs.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize].clone()
    }
}

/// A literal push: (opcode, operand).
fn literal(rng: &mut Rng) -> Vec<Json> {
    match rng.next() % 9 {
        0 => vec![json!(33), json!((rng.next() % 200) as i64 - 100)],
        1 => vec![
            json!(34),
            json!(rng.pick(&[0.5, -2.25, 1e-7, 3.0e21, 10.0, 0.1])),
        ],
        2 => vec![
            json!(32),
            json!(rng.pick(&["", "a", "12", "1.5", "abc", "0", "true", "A"])),
        ],
        3 => vec![json!(29)],
        4 => vec![json!(30)],
        5 => vec![json!(31)],
        6 => vec![json!(33), json!(0)],
        7 => vec![json!(33), json!(7)],
        _ => vec![json!(34), json!(-0.0)],
    }
}

#[test]
fn same_output_as_posthog_on_random_programs() {
    // Operators where both VMs define the result for every operand type; `+`/`*` etc. on
    // numbers, booleans and null, comparisons and membership on everything.
    let numeric_ops = [6, 7, 8, 9, 10];
    let any_ops = [11, 12, 13, 14, 15, 16, 17, 18, 21, 22];
    let mut rng = Rng(42);
    let mut programs = Vec::new();
    for i in 0..400 {
        let mut bc = vec![json!("_H"), json!(1)];
        let op = if i % 3 == 0 {
            rng.pick(&numeric_ops)
        } else {
            rng.pick(&any_ops)
        };
        let mut operands = Vec::new();
        for _ in 0..2 {
            let mut lit = literal(&mut rng);
            if numeric_ops.contains(&op) && lit[0] == json!(32) {
                lit = vec![json!(33), json!(3)];
            }
            operands.extend(lit);
        }
        bc.extend(operands);
        bc.push(json!(op));
        bc.extend([json!(2), json!("print"), json!(1), json!(35)]);
        programs.push((format!("random#{i}"), Json::Array(bc)));
    }
    let peer = run_peer(&programs);
    let mut diffs = Vec::new();
    for ((name, bc), (peer_lines, peer_err)) in programs.iter().zip(peer) {
        let (ours, err) = run_ours(bc);
        if peer_err.is_some() || err.is_some() {
            continue; // errors are compared by kind elsewhere; outputs only here
        }
        // Documented divergences with a null operand: ordering (the corpus, `nulls`, pins
        // `false`; this Node release differs) and LIKE (Node matches the text 'null'; we follow
        // the spec's recommendation: no match).
        let elements = bc.as_array().expect("programs are arrays");
        let ordering = matches!(elements[elements.len() - 5].as_i64(), Some(13..=20));
        let has_null = elements.iter().any(|e| *e == json!(31));
        if ordering && has_null {
            continue;
        }
        if ours != peer_lines {
            diffs.push(format!("{name} {bc}: ours {ours:?}, peer {peer_lines:?}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
