//! PostHog's geoip transformation (`../shared/bench/geoip`): the five events must come out
//! exactly as `geoip-expected.json`, with the host's `geoipLookup` answering from the records.

use hog_vm::{Outcome, Vm};
use serde_json::Value as Json;
use std::path::PathBuf;

fn read(name: &str) -> Json {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bench/geoip"
    ))
    .join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// A VM with the transformation host functions PostHog provides.
pub fn geoip_vm() -> Vm {
    let bytecode = read("geoip-bytecode.json");
    let records = read("geoip-lookup-records.json");
    let mut vm = Vm::from_json(bytecode).unwrap();
    let host = vm.host_functions_mut();
    host.register_json("geoipLookup", move |args| {
        Ok(args
            .first()
            .and_then(Json::as_str)
            .and_then(|ip| records.get(ip))
            .cloned()
            .unwrap_or(Json::Null))
    });
    host.register_json("cleanNullValues", |args| {
        Ok(args.first().cloned().unwrap_or(Json::Null))
    });
    host.register_json("isKnownBotUserAgent", |_| Ok(Json::Bool(false)));
    host.register_json("isKnownBotIp", |_| Ok(Json::Bool(false)));
    host.register_json("postHogCapture", |_| {
        Err("postHogCapture is not allowed in transformations".into())
    });
    vm
}

#[test]
fn geoip_transformation_matches_expected() {
    let globals = read("geoip-globals.json");
    let expected = read("geoip-expected.json");
    let mut vm = geoip_vm();
    let (Json::Array(globals), Json::Array(expected)) = (globals, expected) else {
        panic!("bad data")
    };
    assert_eq!(globals.len(), 5);
    for (i, (g, want)) in globals.into_iter().zip(expected).enumerate() {
        vm.set_globals(g).unwrap();
        match vm.run().unwrap() {
            Outcome::Finished(got) => assert_eq!(got, want, "event {i}"),
            Outcome::Suspended { .. } => panic!("no async calls expected"),
        }
    }
}

/// The same with a host that answers from shared records (`register_json_shared`), shares the
/// globals, replaces `print` and runs every event twice on one VM (the second round reuses
/// the object keys kept from the first): same results.
#[test]
fn geoip_with_shared_host_data_matches_expected() {
    use std::rc::Rc;
    let (Json::Array(globals), Json::Array(expected), Json::Object(records)) = (
        read("geoip-globals.json"),
        read("geoip-expected.json"),
        read("geoip-lookup-records.json"),
    ) else {
        panic!("bad data")
    };
    let records: std::collections::HashMap<String, Rc<Json>> =
        records.into_iter().map(|(k, v)| (k, Rc::new(v))).collect();
    let mut vm = geoip_vm();
    let lookup = records;
    let null = Rc::new(Json::Null);
    vm.host_functions_mut()
        .register_json_shared("geoipLookup", move |args| {
            Ok(args
                .first()
                .and_then(Json::as_str)
                .and_then(|ip| lookup.get(ip))
                .unwrap_or(&null)
                .clone())
        });
    vm.host_functions_mut()
        .register("print", |_| Ok(hog_vm::Value::Null));
    let globals: Vec<Rc<Json>> = globals.into_iter().map(Rc::new).collect();
    for _ in 0..2 {
        for (i, (g, want)) in globals.iter().zip(&expected).enumerate() {
            vm.set_globals_shared(g.clone()).unwrap();
            match vm.run().unwrap() {
                Outcome::Finished(got) => assert_eq!(&got, want, "event {i}"),
                Outcome::Suspended { .. } => panic!("no async calls expected"),
            }
        }
    }
    assert!(
        vm.take_output().is_empty(),
        "print went to the host function"
    );
}
