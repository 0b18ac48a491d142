//! Every fixture's printed SQL runs on ClickHouse 26.9 itself (the embedded engine of
//! `hog-store`, on a store holding a little data), and none of it reaches another team's rows.
//!
//! Team 42 runs the fixtures. Team 43's rows share distinct ids, person ids and group keys with
//! team 42's and carry the marker `LEAK` in every text column; any `LEAK` in a result means a
//! missing guard.
//!
//! The engine is fetched on first use (see `hog_store::engine`); set `HOG_SKIP_CLICKHOUSE=1`
//! to skip this test where it cannot be fetched.

mod common;
mod store;

use common::fixture_context;
use hog_store::{EventStore, Param, Params};
use hogql_to_clickhouse::{Context, MaterializedSource, translate_select};
use std::path::{Path, PathBuf};
use store::params;

const SEED: &[&str] = &[
    // team 42
    "INSERT INTO events (uuid, event, properties, timestamp, team_id, distinct_id, elements_chain, person_id, person_properties)
     VALUES (generateUUIDv4(), '$pageview', '{\"$browser\": \"Chrome\", \"$group_0\": \"g1\", \"email\": \"a@x\", \"index\": 1, \"$session_id\": \"s1\"}', now64(6, 'UTC') - 10, 42, 'd1', 'a:href=\"/x\"', '00000000-0000-0000-0000-000000000001', '{\"email\": \"a@x\"}'),
            (generateUUIDv4(), 'signed_up', '{\"$browser\": \"Firefox\", \"price\": 5}', now64(6, 'UTC') - 20, 42, 'd2', '', '00000000-0000-0000-0000-000000000002', '{}')",
    "INSERT INTO person (id, created_at, team_id, properties, is_identified, is_deleted, version)
     VALUES ('00000000-0000-0000-0000-000000000001', now64(6, 'UTC') - 100, 42, '{\"email\": \"a@x\", \"plan\": \"pro\"}', 1, 0, 1)",
    "INSERT INTO person_distinct_id2 (team_id, distinct_id, person_id, is_deleted, version)
     VALUES (42, 'd1', '00000000-0000-0000-0000-000000000001', 0, 1)",
    "INSERT INTO groups (group_type_index, group_key, created_at, team_id, group_properties)
     VALUES (0, 'g1', now64(6, 'UTC'), 42, '{\"name\": \"Acme\"}')",
    // team 43: same keys, every text is LEAK
    "INSERT INTO events (uuid, event, properties, timestamp, team_id, distinct_id, elements_chain, person_id, person_properties)
     VALUES (generateUUIDv4(), 'LEAK', '{\"$browser\": \"LEAK\", \"$group_0\": \"g1\", \"email\": \"LEAK\", \"index\": \"LEAK\", \"a\": \"LEAK\", \"x\": \"LEAK\"}', now64(6, 'UTC') - 5, 43, 'd1', 'LEAK', '00000000-0000-0000-0000-000000000001', '{\"email\": \"LEAK\"}')",
    "INSERT INTO person (id, created_at, team_id, properties, is_identified, is_deleted, version)
     VALUES ('00000000-0000-0000-0000-000000000001', now64(6, 'UTC') - 100, 43, '{\"email\": \"LEAK\", \"plan\": \"LEAK\", \"$browser\": \"LEAK\"}', 1, 0, 5)",
    "INSERT INTO person_distinct_id2 (team_id, distinct_id, person_id, is_deleted, version)
     VALUES (43, 'd1', '00000000-0000-0000-0000-000000000001', 0, 9), (43, 'd2', '00000000-0000-0000-0000-000000000001', 0, 9)",
    "INSERT INTO person_distinct_id_overrides (team_id, distinct_id, person_id, is_deleted, version)
     VALUES (43, 'd1', '00000000-0000-0000-0000-0000000000ff', 0, 9)",
    "INSERT INTO groups (group_type_index, group_key, created_at, team_id, group_properties)
     VALUES (0, 'g1', now64(6, 'UTC'), 43, '{\"name\": \"LEAK\"}')",
    "INSERT INTO cohortpeople (person_id, cohort_id, team_id, sign, version)
     VALUES ('00000000-0000-0000-0000-000000000001', 5, 43, 1, 1)",
];

/// Fixtures whose SQL ClickHouse refuses by design (printer vectors with ill-typed input,
/// mirrored from PostHog's tests): they are only parsed (`EXPLAIN AST`).
const ILL_TYPED: &[&str] = &[
    "02_arrays_tuples",
    "06_logic_folding",
    "16_aggregations",
    "22_quantiles_over",
    // Lambdas where ClickHouse takes none: checks only that they are parenthesised.
    "lambda_outside_higher_order",
];

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "errors") {
                fixtures(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "hogql") {
            out.push(p);
        }
    }
}

/// Creates the materialised property columns a fixture declares, computed as PostHog defines
/// them (nullable: the generic form; legacy `String`: without the `nullIf` layers).
fn add_materialized_columns(store: &dyn EventStore, ctx: &Context) {
    for m in &ctx.materialized {
        let (table, json) = match m.source {
            MaterializedSource::EventProperties => ("events", "properties"),
            MaterializedSource::EventPersonProperties => ("events", "person_properties"),
            MaterializedSource::PersonProperties => ("person", "properties"),
        };
        let (ty, value) = if m.nullable {
            (
                "Nullable(String)",
                format!(
                    "replaceRegexpAll(nullIf(nullIf(JSONExtractRaw({json}, %(key)s), ''), 'null'), '^\"|\"$', '')"
                ),
            )
        } else {
            (
                "String",
                format!("replaceRegexpAll(JSONExtractRaw({json}, %(key)s), '^\"|\"$', '')"),
            )
        };
        let params = Params::from([("key".to_string(), Param::from(m.key.as_str()))]);
        let column = &m.column;
        for sql in [
            format!(
                "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS `{column}` {ty} MATERIALIZED {value}"
            ),
            format!(
                "ALTER TABLE {table} MATERIALIZE COLUMN `{column}` SETTINGS mutations_sync = 1"
            ),
        ] {
            store
                .execute(&sql, &params)
                .unwrap_or_else(|e| panic!("materialising failed: {e}\n{sql}"));
        }
    }
}

#[test]
fn fixtures_run_on_clickhouse_without_leaking() {
    if store::skipped() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store::open(dir.path());
    for sql in SEED {
        store
            .execute(sql, &Params::new())
            .unwrap_or_else(|e| panic!("seeding failed: {e}\n{sql}"));
    }
    let mut paths = Vec::new();
    fixtures(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut paths,
    );
    paths.sort();
    assert!(paths.len() > 100, "fixtures not found");
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("fixture");
        let ctx = fixture_context(&text);
        add_materialized_columns(&store, &ctx);
        let Ok(q) = translate_select(&text, &ctx) else {
            continue;
        };
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let sql = if ILL_TYPED.contains(&name) {
            format!("EXPLAIN AST {}", q.sql)
        } else {
            q.sql.clone()
        };
        match store.query(&sql, &params(&q)) {
            Ok(result) => {
                ran += 1;
                for row in &result.rows {
                    for v in row {
                        if v.to_text().contains("LEAK") {
                            failures.push(format!(
                                "{}: another team's row leaked: {}",
                                path.display(),
                                q.inline()
                            ));
                        }
                    }
                }
            }
            Err(e) => failures.push(format!("{}: {e}\n  {}", path.display(), q.inline())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
    assert!(ran > 100, "only {ran} fixtures ran");
}
