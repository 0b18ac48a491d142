//! Ingestion into the real engine, checked against values computed independently from the same
//! events: person processing ($set / $set_once / $identify / $create_alias), groups, bad lines,
//! team isolation, incremental imports and the demo data.

mod common;

use common::{fresh_team, scalar, store, team_params};
use hog_store::ingest::{CollectBadLines, ImportError, ImportOptions, import_jsonl};
use hog_store::{EventStore, Value};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// Persons as HogQL reads them: latest version per id, deleted ones dropped.
const PERSONS: &str = "SELECT toString(id), argMax(properties, version), argMax(is_identified, version) \
     FROM person WHERE team_id = %(team)s GROUP BY id HAVING argMax(is_deleted, version) = 0 ORDER BY id";
/// Distinct id → person id, latest version.
const DISTINCT_IDS: &str = "SELECT distinct_id, toString(argMax(person_id, version)) FROM person_distinct_id2 \
     WHERE team_id = %(team)s GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0 ORDER BY distinct_id";

/// Imports with tiny batches, so flushes happen mid-scenario (and staged events are moved into
/// `events` every two batches and at the end).
fn import(lines: &[String], team: i64) -> (hog_store::ingest::ImportSummary, Vec<String>) {
    import_batched(lines, team, 3)
}

fn import_batched(
    lines: &[String],
    team: i64,
    batch_size: usize,
) -> (hog_store::ingest::ImportSummary, Vec<String>) {
    let input = lines.join("\n");
    let mut bad = CollectBadLines::default();
    let options = ImportOptions {
        team_id: team,
        batch_size,
        events_per_move: batch_size * 2,
        ..ImportOptions::default()
    };
    let summary = import_jsonl(&store(), input.as_bytes(), &options, &mut bad).expect("import");
    (summary, bad.0.iter().map(|e| e.to_string()).collect())
}

/// [`scenario`] with a line whose timestamp does not parse at index `at`.
fn scenario_with_bad_line_at(at: usize) -> Vec<String> {
    let mut lines = scenario();
    lines.insert(
        at,
        r#"{"event": "e", "distinct_id": "d", "timestamp": "never"}"#.into(),
    );
    lines
}

fn scenario() -> Vec<String> {
    [
        json!({"event": "$pageview", "distinct_id": "anon1", "timestamp": "2024-01-01T10:00:00Z", "properties": {"$browser": "Chrome"}}),
        json!({"event": "$pageview", "distinct_id": "anon1", "timestamp": "2024-01-01T10:01:00Z", "properties": {"$browser": "Chrome", "$set_once": {"first_seen": "a", "plan": "none"}}}),
        json!({"event": "$pageview", "distinct_id": "user1", "timestamp": "2024-01-01T11:00:00Z", "properties": {"$browser": "Safari"}, "$set": {"plan": "free"}}),
        json!({"event": "$identify", "distinct_id": "user1", "timestamp": "2024-01-01T11:01:00Z", "properties": {"$anon_distinct_id": "anon1", "$set": {"email": "u1@example.com"}}}),
        json!({"event": "purchase", "distinct_id": "anon1", "timestamp": "2024-01-02T09:00:00Z", "properties": {"amount": 10.5, "$groups": {"company": "acme"}}}),
        json!({"event": "$pageview", "distinct_id": "anon2", "timestamp": "2024-01-03T09:00:00Z", "properties": {"$browser": "Firefox"}}),
        json!({"event": "$create_alias", "distinct_id": "anon2", "timestamp": "2024-01-03T09:00:01Z", "properties": {"alias": "alt2"}}),
        json!({"event": "$groupidentify", "distinct_id": "anon2", "timestamp": "2024-01-03T09:00:02Z", "properties": {"$group_type": "company", "$group_key": "acme", "$group_set": {"name": "Acme"}}}),
        json!({"event": "purchase", "distinct_id": "alt2", "timestamp": "2024-01-04T09:00:00Z", "properties": {"amount": 4, "$groups": {"company": "acme"}}}),
    ]
    .iter()
    .map(|v| v.to_string())
    .collect()
}

#[test]
fn persons_distinct_ids_and_groups_follow_posthog_semantics() {
    let _hold = store();
    let team = fresh_team();
    let mut lines = scenario();
    lines.insert(2, "not json".into());
    lines.insert(5, r#"{"event": "x"}"#.into());
    lines.insert(6, String::new());
    let (summary, bad) = import(&lines, team);
    assert_eq!(
        bad,
        vec![
            "line 3: invalid JSON: expected ident at line 1 column 2",
            "line 6: missing `distinct_id`",
        ]
    );
    assert_eq!(
        (summary.events, summary.bad_lines, summary.lines),
        (9, 2, 11)
    );

    let store = store();
    let params = team_params(team);
    let ids = store.query(DISTINCT_IDS, &params).unwrap();
    let ids: BTreeMap<String, String> = ids
        .rows
        .iter()
        .map(|r| (r[0].to_text(), r[1].to_text()))
        .collect();
    assert_eq!(
        ids.keys().collect::<Vec<_>>(),
        vec!["alt2", "anon1", "anon2", "user1"]
    );
    assert_eq!(
        ids["anon1"], ids["user1"],
        "identify merged anon1 into user1"
    );
    assert_eq!(ids["anon2"], ids["alt2"], "alias joined alt2 to anon2");
    assert_ne!(ids["anon1"], ids["anon2"]);

    let persons = store.query(PERSONS, &params).unwrap();
    assert_eq!(persons.rows.len(), 2, "{:?}", persons.rows);
    let by_id: HashMap<String, (serde_json::Value, Value)> = persons
        .rows
        .iter()
        .map(|r| {
            (
                r[0].to_text(),
                (serde_json::from_str(&r[1].to_text()).unwrap(), r[2].clone()),
            )
        })
        .collect();
    // user1's own $set wins over the anonymous person's $set_once; the rest is combined.
    assert_eq!(
        by_id[&ids["user1"]].0,
        json!({"first_seen": "a", "plan": "free", "email": "u1@example.com"})
    );
    assert_eq!(by_id[&ids["user1"]].1, Value::Int(1));

    // Events keep the person they had at ingestion; overrides point old ids to the survivor.
    let overrides = store
        .query(
            "SELECT distinct_id, toString(argMax(person_id, version)) FROM person_distinct_id_overrides \
             WHERE team_id = %(team)s GROUP BY distinct_id",
            &params,
        )
        .unwrap();
    assert_eq!(
        overrides.rows,
        vec![vec![
            Value::String("anon1".into()),
            Value::String(ids["user1"].clone())
        ]]
    );
    let purchase_person = scalar(
        &store,
        "SELECT toString(person_id) FROM events WHERE team_id = %(team)s AND event = 'purchase' AND distinct_id = 'anon1'",
        &params,
    );
    assert_eq!(purchase_person.to_text(), ids["user1"]);

    // Groups: type mapping, group row, `$group_0` on events and group columns.
    assert_eq!(
        scalar(
            &store,
            "SELECT group_type_index FROM hog_group_type_mapping WHERE team_id = %(team)s AND group_type = 'company'",
            &params
        ),
        Value::UInt(0)
    );
    assert_eq!(
        scalar(
            &store,
            "SELECT argMax(group_properties, _timestamp) FROM groups WHERE team_id = %(team)s AND group_key = 'acme'",
            &params
        ),
        Value::String(r#"{"name":"Acme"}"#.into())
    );
    let group_events = store
        .query("SELECT `$group_0`, group0_properties FROM events WHERE team_id = %(team)s AND event = 'purchase' ORDER BY timestamp", &params)
        .unwrap();
    assert_eq!(
        group_events.rows,
        vec![
            vec![Value::String("acme".into()), Value::String(String::new())],
            vec![
                Value::String("acme".into()),
                Value::String(r#"{"name":"Acme"}"#.into())
            ],
        ]
    );
}

#[test]
fn importing_in_two_parts_gives_the_same_persons_as_at_once() {
    let _hold = store();
    let lines = scenario();
    let whole = fresh_team();
    import(&lines, whole);
    let parts = fresh_team();
    import(&lines[..3], parts);
    import(&lines[3..], parts);
    let store = store();
    let persons = |team| {
        let mut rows: Vec<String> = store
            .query(PERSONS, &team_params(team))
            .unwrap()
            .rows
            .iter()
            .map(|r| format!("{} {}", r[1].to_text(), r[2].to_text()))
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(persons(whole), persons(parts));
    let ids = |team| {
        store
            .query(DISTINCT_IDS, &team_params(team))
            .unwrap()
            .rows
            .len()
    };
    assert_eq!(ids(whole), ids(parts));
}

#[test]
fn another_teams_events_are_never_visible() {
    let _hold = store();
    let (a, b) = (fresh_team(), fresh_team());
    import(&scenario(), a);
    import(&scenario()[..2], b);
    let store = store();
    let count = |team| {
        scalar(
            &store,
            "SELECT count() FROM events WHERE team_id = %(team)s",
            &team_params(team),
        )
    };
    assert_eq!(count(a), Value::UInt(9));
    assert_eq!(count(b), Value::UInt(2));
    let persons_b = store.query(PERSONS, &team_params(b)).unwrap();
    assert_eq!(persons_b.rows.len(), 1);
}

/// The JSON-extraction columns (`$session_id`, `$window_id`, `$group_N`) hold exactly what their
/// `MATERIALIZED` expressions give, whether the importer supplied the value or the engine
/// computed it (escapes, non-ASCII, slashes, numbers, objects, nulls, absent members).
#[test]
fn materialised_columns_equal_their_definitions() {
    let _hold = store();
    let team = fresh_team();
    let values = [
        json!("0190b6a4-aaaa-7000-8000-000000000001"),
        json!(""),
        json!("caf\u{e9} \u{2028}"),
        json!("a/b"),
        json!("quote \" and \\ backslash\n"),
        json!(42),
        json!(-7),
        json!(1.5),
        json!(12345678901234567890u64),
        json!(true),
        json!(null),
        json!({"nested": [1, "x/y"]}),
    ];
    let mut lines = Vec::new();
    for (i, value) in values.iter().enumerate() {
        lines.push(
            json!({"event": "e", "distinct_id": format!("m{i}"), "timestamp": "2024-02-01T00:00:00Z",
                "properties": {"$session_id": value, "$window_id": value, "$groups": {"company": value}}})
            .to_string(),
        );
        lines.push(
            json!({"event": "e", "distinct_id": format!("m{i}"), "timestamp": "2024-02-01T00:00:01Z",
                "properties": {"$session_id": "plain", "$group_1": value}})
            .to_string(),
        );
    }
    lines.push(
        json!({"event": "bare", "distinct_id": "m", "timestamp": "2024-02-01T00:00:02Z"})
            .to_string(),
    );
    let (summary, bad) = import(&lines, team);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(summary.events, lines.len() as u64);
    let mut checks = Vec::new();
    for column in hog_store::ingest::batch::GIVEN_COLUMNS {
        checks.push(format!(
            "`{column}` != {}",
            hog_store::ingest::staging::materialized_expression(column)
        ));
    }
    let store = store();
    let params = team_params(team);
    let sql = format!(
        "SELECT countIf({}), count() FROM events WHERE team_id = %(team)s",
        checks.join(" OR ")
    );
    let row = store.query(&sql, &params).unwrap().rows.remove(0);
    assert_eq!(row, vec![Value::UInt(0), Value::UInt(lines.len() as u64)]);
    // The values are really there, not all empty.
    let found = scalar(
        &store,
        "SELECT countIf(`$session_id` = 'plain') + countIf(`$group_0` = 'a/b') FROM events WHERE team_id = %(team)s",
        &params,
    );
    assert_eq!(found, Value::UInt(values.len() as u64 + 1));
}

/// A staging table left by a killed import (of another process) goes with the next import.
/// (The other tests' imports run concurrently, so their own staging tables may exist.)
#[test]
fn imports_remove_staging_tables_left_behind() {
    let store = store();
    let none = hog_store::Params::new();
    for table in [
        "hog_ingest_1_2",
        "hog_ingest_1_2_1",
        "hog_ingest_1_2_sessions",
    ] {
        store
            .execute(
                &format!("CREATE TABLE {table} (x UInt8) ENGINE = Memory"),
                &none,
            )
            .unwrap();
    }
    let team = fresh_team();
    import(&scenario()[..2], team);
    let left = scalar(
        &store,
        "SELECT count() FROM system.tables WHERE database = currentDatabase() AND startsWith(name, 'hog_ingest_1_2')",
        &none,
    );
    assert_eq!(left, Value::UInt(0));
}

#[test]
fn strict_mode_stops_at_the_first_bad_line() {
    let _hold = store();
    let team = fresh_team();
    let lines = scenario_with_bad_line_at(1);
    let mut bad = CollectBadLines::default();
    let options = ImportOptions {
        team_id: team,
        strict: true,
        ..ImportOptions::default()
    };
    let err = import_jsonl(&store(), lines.join("\n").as_bytes(), &options, &mut bad).unwrap_err();
    assert!(matches!(err, ImportError::Strict { .. }));
    assert_eq!(
        err.to_string(),
        "line 2: `timestamp` \"never\" is not an ISO 8601 date-time (stopped by --strict; 0 earlier events were written)"
    );
    assert_eq!(
        scalar(
            &store(),
            "SELECT count() FROM events WHERE team_id = %(team)s",
            &team_params(team)
        ),
        Value::UInt(0)
    );
}

/// Staged events are moved month by month (with a last statement for every row not moved yet):
/// each event arrives exactly once, also at month edges, in other zones and outside the
/// engine's `DateTime64` range.
#[test]
fn events_of_many_months_are_moved_exactly_once() {
    let _hold = store();
    let team = fresh_team();
    let times = [
        "2024-03-05T10:00:00Z",
        "2023-12-31T23:59:59.999999Z",
        "2024-01-01T00:00:00Z",
        "1850-06-01T00:00:00Z",
        "2024-03-31T23:00:00-02:00",
        "2400-01-01T00:00:00Z",
        "2024-02-29T12:00:00Z",
    ];
    let lines: Vec<String> = (0..50)
        .map(|i| {
            json!({"event": "e", "distinct_id": format!("d{}", i % 7), "timestamp": times[i % times.len()],
                   "properties": {"n": i}})
            .to_string()
        })
        .collect();
    let (summary, bad) = import_batched(&lines, team, 4);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(summary.events, 50);
    let row = store()
        .query(
            "SELECT count(), uniqExact(uuid), uniqExact(JSONExtractInt(properties, 'n')) \
             FROM events WHERE team_id = %(team)s",
            &team_params(team),
        )
        .unwrap()
        .rows
        .remove(0);
    assert_eq!(row, vec![Value::UInt(50), Value::UInt(50), Value::UInt(50)]);
}

/// An event imported twice (same UUID, in one insert or two) is one event for readers that
/// fold duplicates (`FINAL`), as the ReplacingMergeTree's merges fold them.
#[test]
fn duplicate_events_fold() {
    let _hold = store();
    let team = fresh_team();
    let line = json!({"event": "e", "distinct_id": "d", "timestamp": "2024-05-01T00:00:00Z",
                      "uuid": "0190b6a4-0000-7000-8000-00000000d0d0", "properties": {"k": "v"}})
    .to_string();
    import(&[line.clone(), line.clone()], team);
    import(&[line], team);
    let params = team_params(team);
    let store = store();
    assert_eq!(
        scalar(
            &store,
            "SELECT count() FROM events FINAL WHERE team_id = %(team)s",
            &params
        ),
        Value::UInt(1)
    );
}

/// Events of batches already sent but still in the staging table when `--strict` stops are
/// written, as the error message says.
#[test]
fn strict_mode_writes_the_staged_events_before_it_stops() {
    let _hold = store();
    let team = fresh_team();
    let lines = scenario_with_bad_line_at(7);
    let mut bad = CollectBadLines::default();
    let options = ImportOptions {
        team_id: team,
        strict: true,
        batch_size: 3,
        events_per_move: 1000,
        ..ImportOptions::default()
    };
    let err = import_jsonl(&store(), lines.join("\n").as_bytes(), &options, &mut bad).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("(stopped by --strict; 6 earlier events were written)"),
        "{err}"
    );
    assert_eq!(
        scalar(
            &store(),
            "SELECT count() FROM events WHERE team_id = %(team)s",
            &team_params(team)
        ),
        Value::UInt(6)
    );
}

/// Union-find over `$identify` pairs: the number of people the demo data describes.
fn count_people(lines: &[serde_json::Value]) -> usize {
    let mut parent: HashMap<String, String> = HashMap::new();
    fn find(parent: &mut HashMap<String, String>, x: &str) -> String {
        let p = parent.get(x).cloned().unwrap_or_else(|| x.to_string());
        if p == x {
            return p;
        }
        let root = find(parent, &p);
        parent.insert(x.to_string(), root.clone());
        root
    }
    for line in lines {
        let id = line["distinct_id"].as_str().unwrap().to_string();
        parent.entry(id.clone()).or_insert(id.clone());
        if line["event"] == "$identify" {
            let anon = line["properties"]["$anon_distinct_id"]
                .as_str()
                .unwrap()
                .to_string();
            parent.entry(anon.clone()).or_insert(anon.clone());
            let (ra, rb) = (find(&mut parent, &anon), find(&mut parent, &id));
            parent.insert(ra, rb);
        }
    }
    let keys: Vec<String> = parent.keys().cloned().collect();
    let roots: std::collections::HashSet<String> =
        keys.iter().map(|k| find(&mut parent, k)).collect();
    roots.len()
}

#[test]
fn demo_data_queries_match_independent_counts() {
    let _hold = store();
    let team = fresh_team();
    let options = hog_store::demo::DemoOptions {
        events: 6_000,
        ..Default::default()
    };
    let lines: Vec<String> = hog_store::demo::events(options).collect();
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (summary, bad) = import_batched(&lines, team, 2_500);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(summary.events, 6_000);

    let mut by_event: BTreeMap<String, u64> = BTreeMap::new();
    let mut pageviews_by_browser: BTreeMap<String, u64> = BTreeMap::new();
    let mut revenue_cents: i64 = 0;
    for line in &parsed {
        let event = line["event"].as_str().unwrap().to_string();
        if event == "$pageview" {
            *pageviews_by_browser
                .entry(line["properties"]["$browser"].as_str().unwrap().into())
                .or_default() += 1;
        }
        if event == "purchase" {
            revenue_cents +=
                (line["properties"]["amount"].as_f64().unwrap() * 100.0).round() as i64;
        }
        *by_event.entry(event).or_default() += 1;
    }

    let store = store();
    let params = team_params(team);
    let rows = |sql: &str| -> BTreeMap<String, u64> {
        store
            .query(sql, &params)
            .unwrap()
            .rows
            .iter()
            .map(|r| match &r[1] {
                Value::UInt(n) => (r[0].to_text(), *n),
                other => panic!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(
        rows("SELECT event, count() FROM events WHERE team_id = %(team)s GROUP BY event"),
        by_event
    );
    assert_eq!(
        rows(
            "SELECT JSONExtractString(properties, '$browser') AS b, count() FROM events \
              WHERE team_id = %(team)s AND event = '$pageview' GROUP BY b"
        ),
        pageviews_by_browser
    );
    assert_eq!(
        scalar(
            &store,
            "SELECT toInt64(round(sum(JSONExtractFloat(properties, 'amount')) * 100)) FROM events WHERE team_id = %(team)s AND event = 'purchase'",
            &params
        ),
        Value::Int(revenue_cents)
    );
    let people = count_people(&parsed) as u64;
    assert_eq!(
        scalar(&store, &format!("SELECT count() FROM ({PERSONS})"), &params),
        Value::UInt(people)
    );
    // Every event's distinct id resolves to a live person through the distinct-id table.
    assert_eq!(
        scalar(
            &store,
            "SELECT uniqExact(pdi.person_id) FROM events INNER JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM person_distinct_id2 WHERE team_id = %(team)s GROUP BY distinct_id) AS pdi ON events.distinct_id = pdi.distinct_id WHERE events.team_id = %(team)s",
            &params
        ),
        Value::UInt(people)
    );
}
