//! Robustness: hostile and random bytecode never panics and never hangs past its limits.
//! Seeded mutations of the 34 PostHog vectors, plus proptest-generated programs, plus the
//! `cargo fuzz` harness (`fuzz/harness.rs`) on random bytes and byte-mutated vector texts.
//! `HOG_FULL_TESTS=1` runs many more mutations.

#[path = "../fuzz/harness.rs"]
mod harness;

use hog_vm::{Limits, Vm};
use proptest::prelude::*;
use std::path::PathBuf;
use std::time::Duration;

fn limits() -> Limits {
    Limits::default()
        .with_max_steps(Some(200_000))
        .with_max_memory(Some(8 << 20))
        .with_timeout(Some(Duration::from_secs(2)))
}

/// Loads and runs; any outcome but a panic is fine.
fn run(bytecode: &serde_json::Value) {
    if let Ok(mut vm) = Vm::from_json(bytecode.clone()) {
        vm.set_limits(limits());
        vm.set_fixed_time(1_700_000_000.0);
        vm.host_functions_mut().register_async("fetch");
        let _ = vm.run();
        let _ = vm.take_output();
    }
}

/// SplitMix64: a small deterministic generator for the mutations.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn interesting(rng: &mut Rng) -> serde_json::Value {
    use serde_json::json;
    match rng.below(12) {
        0 => json!(rng.below(60) as i64),
        1 => json!(-(rng.below(40) as i64)),
        2 => json!(i64::MAX),
        3 => json!(1.5),
        4 => json!("print"),
        5 => json!("concat"),
        6 => json!(true),
        7 => json!(null),
        8 => json!([1]),
        9 => json!(""),
        10 => json!("arrayMap"),
        _ => json!(rng.below(1000) as i64),
    }
}

fn mutate(program: &[serde_json::Value], rng: &mut Rng) -> serde_json::Value {
    let mut p = program.to_vec();
    for _ in 0..1 + rng.below(4) {
        if p.len() < 3 {
            break;
        }
        let i = 2 + rng.below(p.len() - 2);
        match rng.below(5) {
            0 => p[i] = interesting(rng),
            1 => {
                p.remove(i);
            }
            2 => p.insert(i, interesting(rng)),
            3 => {
                let j = 2 + rng.below(p.len() - 2);
                p.swap(i, j);
            }
            _ => p.truncate(i),
        }
    }
    serde_json::Value::Array(p)
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/posthog-vm"
    ))
}

/// The fuzz target's input, made on stable: the vectors' `.hoge` texts with bytes flipped,
/// dropped, duplicated or spliced, through the same harness as `cargo fuzz run load_and_run`.
#[test]
fn fuzz_harness_on_byte_mutated_vector_texts() {
    let rounds = if std::env::var_os("HOG_FULL_TESTS").is_some() {
        500
    } else {
        12
    };
    let mut rng = Rng(0xf022);
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(vectors_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) == Some("hoge") {
            texts.push(std::fs::read(&path).unwrap());
        }
    }
    assert_eq!(texts.len(), 34);
    for text in &texts {
        harness::load_and_run(text); // unmutated: loads and runs
        for _ in 0..rounds {
            let mut t = text.clone();
            for _ in 0..1 + rng.below(3) {
                let i = rng.below(t.len());
                match rng.below(4) {
                    0 => {
                        let bytes = b"0123456789[]{},\":-.e ";
                        t[i] = bytes[rng.below(bytes.len())];
                    }
                    1 => {
                        t.remove(i);
                    }
                    2 => {
                        let end = (i + 1 + rng.below(16)).min(t.len());
                        let piece = t[i..end].to_vec();
                        t.splice(i..i, piece);
                    }
                    _ => t[i] = rng.next() as u8,
                }
            }
            harness::load_and_run(&t);
        }
    }
}

#[test]
fn seeded_mutations_of_the_vectors() {
    let dir = vectors_dir();
    let per_vector = if std::env::var_os("HOG_FULL_TESTS").is_some() {
        2000
    } else {
        60
    };
    let mut rng = Rng(0x5eed);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("hoge") {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let serde_json::Value::Array(program) = json else {
            panic!()
        };
        for _ in 0..per_vector {
            run(&mutate(&program, &mut rng));
            count += 1;
        }
    }
    assert!(count >= 34 * per_vector);
}

/// Any opcode with plausible operands.
fn element() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        (1i64..=57).prop_map(serde_json::Value::from),
        (-20i64..20).prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "print", "concat", "arrayMap", "x", "length", "values", "keys"
        ])
        .prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
        (-1e3f64..1e3).prop_map(serde_json::Value::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    /// The fuzz harness on arbitrary bytes and on arbitrary text that starts like bytecode.
    #[test]
    fn fuzz_harness_on_random_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        text in r#"\["_H", ?1,[-0-9a-z", \[\]{}.:]{0,120}"#,
    ) {
        harness::load_and_run(&bytes);
        harness::load_and_run(text.as_bytes());
    }

    #[test]
    fn random_programs_never_panic(body in prop::collection::vec(element(), 0..60)) {
        let mut program = vec![serde_json::json!("_H"), serde_json::json!(1)];
        program.extend(body);
        run(&serde_json::Value::Array(program));
    }
}
