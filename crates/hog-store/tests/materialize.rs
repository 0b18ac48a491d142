//! Materialised property columns against the real engine: the column holds exactly what the
//! generic JSON extraction computes, for rows stored before and after it was added.

mod common;

use common::{fresh_team, store, team_params};
use hog_store::materialize::{PropertySource, materialize_property, materialized_properties};
use hog_store::{EventStore, Param, Value};

/// Property values that stress the extraction: escapes, unicode, numbers, objects, null, absent.
const PROPERTIES: &[&str] = &[
    r#"{"k": "plain"}"#,
    r#"{"k": "quote \" and backslash \\ and tab \t"}"#,
    r#"{"k": "é 日本 🦔 \u00e9"}"#,
    r#"{"k": 42}"#,
    r#"{"k": -1.5e3}"#,
    r#"{"k": true}"#,
    r#"{"k": {"nested": [1, "two", null]}}"#,
    r#"{"k": ["a", "b"]}"#,
    r#"{"k": null}"#,
    r#"{"k": ""}"#,
    r#"{"k": "null"}"#,
    r#"{"other": 1}"#,
    r#"{}"#,
    r#"not json"#,
];

fn insert(store: &dyn EventStore, team: i64, offset: usize) {
    let mut params = team_params(team);
    let mut values = Vec::new();
    for (i, p) in PROPERTIES.iter().enumerate() {
        let name = format!("p{}", offset + i);
        params.insert(name.clone(), Param::from(*p));
        values.push(format!(
            "(generateUUIDv4(), %(team)s, 'e', 'd', %({name})s, now())"
        ));
    }
    store
        .execute(
            &format!(
                "INSERT INTO events (uuid, team_id, event, distinct_id, properties, timestamp) VALUES {}",
                values.join(", ")
            ),
            &params,
        )
        .expect("insert");
}

fn generic_and_column(
    store: &dyn EventStore,
    team: i64,
    key: &str,
    column: &str,
) -> Vec<Vec<Value>> {
    let mut params = team_params(team);
    params.insert("key".into(), Param::from(key));
    store
        .query(
            &format!(
                "SELECT replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(properties, %(key)s), ''), 'null'), '^\"|\"$', '') AS g, \
                 `{column}` AS m FROM events WHERE team_id = %(team)s ORDER BY properties, m"
            ),
            &params,
        )
        .expect("compare query")
        .rows
}

#[test]
fn a_materialised_column_equals_the_generic_extraction() {
    let store = store();
    let team = fresh_team();
    insert(&store, team, 0);
    let (column, created) =
        materialize_property(&store, PropertySource::Event, "k").expect("materialise");
    assert!(created);
    assert_eq!(column.column, "mat_k");
    assert!(column.nullable);
    // Rows inserted after the column exists compute it on insert.
    insert(&store, team, 100);
    let rows = generic_and_column(&store, team, "k", "mat_k");
    assert_eq!(rows.len(), 2 * PROPERTIES.len());
    for row in &rows {
        assert_eq!(row[0], row[1], "{rows:?}");
    }
    assert!(rows.iter().any(|r| r[1] == Value::Null));
    assert!(rows.iter().any(|r| r[1] == Value::String("42".into())));

    // Again: nothing to do, same column.
    let (again, created) =
        materialize_property(&store, PropertySource::Event, "k").expect("materialise again");
    assert!(!created);
    assert_eq!(again, column);
}

#[test]
fn keys_with_special_characters_are_listed_by_their_name() {
    let store = store();
    let team = fresh_team();
    let key = "$we'ird \\ kéy%(x)s";
    let mut params = team_params(team);
    params.insert(
        "p".into(),
        Param::from(r#"{"$we'ird \\ kéy%(x)s": "v\"al"}"#),
    );
    store
        .execute(
            "INSERT INTO events (team_id, event, distinct_id, properties, timestamp) \
             VALUES (%(team)s, 'e', 'd', %(p)s, now())",
            &params,
        )
        .expect("insert");
    let (column, _) =
        materialize_property(&store, PropertySource::Event, key).expect("materialise");
    assert_eq!(column.column, "mat_$we_ird___k_y__x_s");
    let (pp, _) = materialize_property(&store, PropertySource::PersonOnEvent, "email")
        .expect("materialise a person property");
    assert_eq!(pp.column, "mat_pp_email");
    let listed = materialized_properties(&store).expect("list");
    assert!(listed.contains(&column), "{listed:?}");
    assert!(listed.contains(&pp), "{listed:?}");
    let rows = generic_and_column(&store, team, key, &column.column);
    assert_eq!(rows, vec![vec![Value::String("v\\\"al".into()); 2]]);

    // Another key with the same column name is refused, not silently aliased.
    let err = materialize_property(&store, PropertySource::Event, "$we_ird \\ kéy%(x)s")
        .expect_err("a colliding key is refused");
    assert!(err.to_string().contains("already holds"), "{err}");
    assert!(materialize_property(&store, PropertySource::Event, "").is_err());
}
