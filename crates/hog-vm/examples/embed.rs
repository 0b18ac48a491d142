//! Embedding hog-vm: an event transformation loop.
//!
//! A host loads one transformation program once, registers the functions it offers
//! (`lookupCountry` here), and runs the program for each incoming event with the event as a
//! global, under sandbox limits, collecting the transformed event and the usage report.
//!
//! `cargo run -p hog-vm --example embed`

use hog_vm::{Limits, Outcome, Vm};
use serde_json::{Value, json};

/// The transformation, as PostHog bytecode compiled from:
/// ```hog
/// let e := event
/// e.properties.tag := upper(e.event)
/// e.properties.country := lookupCountry(e.properties.ip)
/// if (e.properties.country == null) { print('unknown ip', e.properties.ip) }
/// return e
/// ```
const TRANSFORMATION: &str = r#"["_H", 1,
    32, "event", 1, 1,
    36, 0, 32, "properties", 45, 32, "tag", 36, 0, 32, "event", 45, 2, "upper", 1, 46,
    36, 0, 32, "properties", 45, 32, "country", 36, 0, 32, "properties", 45, 32, "ip", 45, 2, "lookupCountry", 1, 46,
    31, 36, 0, 32, "properties", 45, 32, "country", 45, 11, 40, 11,
        32, "unknown ip", 36, 0, 32, "properties", 45, 32, "ip", 45, 2, "print", 2, 35,
    36, 0, 38, 35]"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut vm = Vm::load(TRANSFORMATION)?;
    vm.set_limits(
        Limits::default()
            .with_max_steps(Some(100_000))
            .with_max_memory(Some(1 << 20)),
    );
    vm.host_functions_mut()
        .register_json("lookupCountry", |args| {
            Ok(match args.first().and_then(Value::as_str) {
                Some(ip) if ip.starts_with("89.") => json!("Sweden"),
                Some(ip) if ip.starts_with("81.") => json!("United Kingdom"),
                _ => Value::Null,
            })
        });
    vm.on_print(|line| eprintln!("[transformation log] {line}"));

    let events = [
        json!({"event": "$pageview", "properties": {"ip": "89.160.20.129"}}),
        json!({"event": "signup", "properties": {"ip": "81.2.69.142", "plan": "free"}}),
        json!({"event": "purchase", "properties": {"ip": "10.0.0.1"}}),
    ];
    for event in events {
        vm.set_globals(json!({ "event": event }))?;
        match vm.run() {
            Ok(Outcome::Finished(transformed)) => {
                let u = vm.usage();
                println!("{transformed}");
                println!(
                    "  used {} steps, {} bytes peak, {} µs",
                    u.steps, u.peak_memory, u.wall_time_us
                );
            }
            Ok(Outcome::Suspended { function, .. }) => {
                eprintln!("unexpected async call to {function}");
            }
            // A failing event is reported and skipped; the host carries on.
            Err(e) => eprintln!("transformation failed ({}): {e}", e.kind()),
        }
    }
    Ok(())
}
