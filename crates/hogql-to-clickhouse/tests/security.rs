//! Security properties of the translation:
//! * user strings never escape their literal: they are bound parameters, and the inline form
//!   escapes them;
//! * identifiers are escaped (or refused when they contain `%`);
//! * every table access carries the team guard, through joins, subqueries, CTEs, set
//!   operations, ARRAY JOIN and lazy joins;
//! * anything reading outside the team's data is refused with a clear error.

mod common;

use common::TEAM;
use hogql_to_clickhouse::escape::quote_string;
use hogql_to_clickhouse::{Context, ErrorKind, ParamValue, translate_select};
use proptest::prelude::*;

/// A HogQL string literal for `s`.
fn hogql_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

const NASTY: &[&str] = &[
    "it's",
    "a\\'b",
    "\\",
    "'; DROP TABLE events; --",
    "' OR 1=1 OR '",
    "/* comment */",
    "-- comment",
    "`backtick`",
    "%(hogql_val_0)s",
    "%s %d %%",
    "line\nbreak\r\ttab",
    "ünïcödé ✓ 🦔",
    "\u{2028}\u{feff}",
    "\\x27",
    "$session_id",
];

fn ctx() -> Context {
    Context::new(TEAM)
}

#[test]
fn strings_are_bound_parameters() {
    for s in NASTY {
        let lit = hogql_string(s);
        let q = format!(
            "select {lit} as a, properties.{} from events where event = {lit}",
            "x"
        );
        let out = translate_select(&q, &ctx()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        let strings: Vec<&ParamValue> = out.params.iter().map(|p| &p.value).collect();
        assert_eq!(
            strings
                .iter()
                .filter(|v| **v == &ParamValue::String(s.to_string()))
                .count(),
            2,
            "{q}"
        );
        // Nothing of the value is in the SQL text (each value is at least 2 chars long).
        if s.len() > 3 && !s.starts_with("%(") {
            assert!(!out.sql.contains(s), "{s:?} spliced into {}", out.sql);
        }
        // The inline form carries the escaped literal, twice.
        assert_eq!(
            out.inline().matches(&quote_string(s)).count(),
            2,
            "{}",
            out.inline()
        );
    }
}

#[test]
fn property_keys_are_bound_parameters() {
    for s in NASTY {
        let q = format!("select properties[{}] from events", hogql_string(s));
        let out = translate_select(&q, &ctx()).unwrap();
        assert_eq!(
            out.param("hogql_val_0"),
            Some(&ParamValue::String(s.to_string())),
            "{q}"
        );
    }
}

#[test]
fn identifiers_are_escaped() {
    for (alias, printed) in [
        ("a`b", "`a``b`"),
        ("-- x", "`-- x`"),
        ("a\\b", "`a\\\\b`"),
        ("new\nline", "`new\\nline`"),
        ("drop table", "`drop table`"),
    ] {
        let q = format!(
            "select 1 as `{}`",
            alias
                .replace('`', "``")
                .replace('\\', "\\\\")
                .replace('\n', "\\n")
        );
        let out = translate_select(&q, &ctx()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        assert!(
            out.sql.contains(&format!("AS {printed}")),
            "{q} -> {}",
            out.sql
        );
    }
    let err = translate_select("select 1 as `a%b`", &ctx()).unwrap_err();
    assert!(
        err[0]
            .message
            .contains("is not permitted as it contains the \"%\" character")
    );
}

/// Every ClickHouse table reference (`FROM t [AS a]` / `JOIN t [AS a]`) must be followed
/// somewhere by `equals(<a or t>.team_id, 42)`, and no other team id may appear.
fn assert_guarded(sql: &str) {
    const TABLES: [&str; 7] = [
        "events",
        "person",
        "person_distinct_id2",
        "person_distinct_id_overrides",
        "groups",
        "cohortpeople",
        "person_static_cohort",
    ];
    let words: Vec<&str> = sql.split(' ').collect();
    let mut references = 0;
    for (i, w) in words.iter().enumerate() {
        if *w != "FROM" && *w != "JOIN" {
            continue;
        }
        let Some(table) = words.get(i + 1) else {
            continue;
        };
        let table = table.trim_end_matches(')');
        if !TABLES.contains(&table) {
            continue;
        }
        let reference = if words.get(i + 2) == Some(&"AS") {
            words[i + 3]
        } else {
            table
        };
        let guard = format!("equals({reference}.team_id, {TEAM})");
        assert!(
            sql[..].contains(&guard),
            "no guard {guard} for {table} in: {sql}"
        );
        references += 1;
    }
    assert!(references > 0, "no table read in: {sql}");
    for (pos, _) in sql.match_indices(".team_id, ") {
        let rest = &sql[pos + ".team_id, ".len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        assert_eq!(digits, TEAM.to_string(), "foreign team id in: {sql}");
    }
}

#[test]
fn every_table_access_is_guarded() {
    let queries = [
        "select event from events",
        "select e.event from events e join events f on e.uuid = f.uuid",
        "select e.event from events e left join raw_persons p on p.id = e.person_id",
        "select e.event from events e right join raw_groups g on g.key = e.$group_0",
        "select e.event from events e full outer join raw_person_distinct_ids d on d.distinct_id = e.distinct_id",
        "select 1 from events cross join raw_groups",
        "select 1 from events, raw_persons, raw_groups",
        "select c from (select count() as c from events)",
        "select c from (select c from (select count() as c from (select event from events)))",
        "select event from events where distinct_id in (select distinct_id from raw_person_distinct_ids)",
        "select (select count() from raw_persons) as n",
        "with a as (select event from events) select * from a",
        "with a as (select event from events), b as (select * from a) select b.event from b join a on a.event = b.event",
        "select event from events union all select event from events",
        "select 1 union all select event from events",
        "select distinct_id from events intersect select distinct_id from raw_person_distinct_ids",
        "select event, x from events array join [1, 2] as x",
        "select event, person.properties.email from events",
        "select pdi.person.properties.email, pdi.person_id from events",
        "select group_0.properties.name from events",
        "select id, properties.email from persons",
        "select person.properties.email from person_distinct_ids",
        "select key from groups",
        "select person_id from person_distinct_id_overrides",
        "select * from raw_cohort_people",
        "select * from static_cohort_people",
        "select e.event from events e left join (select distinct_id from events) s on s.distinct_id = e.distinct_id",
    ];
    for q in queries {
        let out = translate_select(q, &ctx()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        assert_guarded(&out.sql);
    }
    for mode in [
        hogql_to_clickhouse::PersonsOnEventsMode::PersonIdOverridePropertiesJoined,
        hogql_to_clickhouse::PersonsOnEventsMode::PersonIdOverridePropertiesOnEvents,
    ] {
        let out = translate_select(
            "select person_id, person.properties.email from events",
            &ctx().with_persons_on_events(mode),
        )
        .unwrap();
        assert_guarded(&out.sql);
    }
}

#[test]
fn no_way_out_of_the_catalogue() {
    for (q, kind) in [
        ("select * from system.tables", ErrorKind::UnknownTable),
        ("select * from system.one", ErrorKind::UnknownTable),
        ("select * from default.events", ErrorKind::UnknownTable),
        (
            "select * from url('http://x', CSV)",
            ErrorKind::UnknownTable,
        ),
        ("select * from file('/etc/passwd')", ErrorKind::UnknownTable),
        (
            "select * from remote('host', default.events)",
            ErrorKind::UnknownTable,
        ),
        ("select * from s3('x')", ErrorKind::UnknownTable),
        ("select * from sharded_events", ErrorKind::UnknownTable),
        ("select * from person", ErrorKind::UnknownTable),
        ("select url('http://x')", ErrorKind::UnknownFunction),
        ("select file('/etc/passwd')", ErrorKind::UnknownFunction),
        ("select dictGet('d', 'a', 1)", ErrorKind::UnknownFunction),
        ("select currentDatabase()", ErrorKind::UnknownFunction),
        ("select getSetting('readonly')", ErrorKind::UnknownFunction),
        ("select sleep(1)", ErrorKind::UnknownFunction),
        ("select throwIf(1)", ErrorKind::UnknownFunction),
        ("select hostName()", ErrorKind::UnknownFunction),
        ("select version()", ErrorKind::UnknownFunction),
        ("select currentUser()", ErrorKind::UnknownFunction),
    ] {
        let err = translate_select(q, &ctx()).expect_err(q);
        assert_eq!(err[0].kind, kind, "{q}: {}", err[0].message);
    }
    // Reserved aliases: refused by the parser or, for trees built otherwise, the resolver.
    for q in [
        "select 1 as team_id",
        "select event from events e join events team_id on 1 = 1",
    ] {
        let err = translate_select(q, &ctx()).expect_err(q);
        assert!(
            matches!(err[0].kind, ErrorKind::Syntax | ErrorKind::Invalid),
            "{q}: {:?}",
            err[0]
        );
        assert!(
            err[0].message.contains("team_id"),
            "{q}: {}",
            err[0].message
        );
    }
}

#[test]
fn team_id_cannot_be_redirected() {
    // A user's own team_id condition is just another filter; the guard is still there.
    let out = translate_select(
        "select event from events where team_id = 1 or 1 = 1",
        &ctx(),
    )
    .unwrap();
    assert!(
        out.sql.contains("equals(events.team_id, 42)"),
        "{}",
        out.sql
    );
    // `team_id` is not selectable through `*`.
    let out = translate_select("select * from events", &ctx()).unwrap();
    assert!(
        !out.sql
            .split(" FROM ")
            .next()
            .unwrap_or("")
            .contains("team_id"),
        "{}",
        out.sql
    );
}

proptest! {
    #[test]
    fn any_string_stays_a_parameter(s in "\\PC*") {
        let q = format!("select {} from events", hogql_string(&s));
        let out = translate_select(&q, &ctx()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(out.param("hogql_val_0"), Some(&ParamValue::String(s.clone())));
        prop_assert!(out.inline().contains(&quote_string(&s)));
    }

    #[test]
    fn any_alias_is_escaped_or_refused(s in "[^`\\\\]{1,12}") {
        let q = format!("select 1 as `{s}`");
        match translate_select(&q, &ctx()) {
            Ok(out) => {
                let printed = hogql_to_clickhouse::escape::escape_identifier(&s).unwrap();
                let expected = format!("AS {}", printed);
                prop_assert!(out.sql.contains(&expected), "{}", out.sql);
            }
            Err(e) => prop_assert!(s.contains('%') || s.eq_ignore_ascii_case("team_id") || s.trim().is_empty() || e[0].kind == ErrorKind::Syntax
                || ["true", "false", "null"].contains(&s.to_lowercase().as_str()), "{:?}", e),
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let ok = format!("select {}1", "1 + ".repeat(150));
    assert!(translate_select(&ok, &ctx()).is_ok());
    let deep = format!("select {}1", "1 + ".repeat(450));
    let err = translate_select(&deep, &ctx()).expect_err("too deep");
    assert!(!err.is_empty());
    let nested = format!(
        "select 1 from {}events{}",
        "(select 1 from ".repeat(60),
        ")".repeat(60)
    );
    let _ = translate_select(&nested, &ctx());
    let calls = format!("select {}1{}", "abs(".repeat(300), ")".repeat(300));
    assert!(translate_select(&calls, &ctx()).is_ok());
}

#[test]
fn deep_nesting_fits_a_small_thread_stack() {
    // Stack room is checked every few levels, not at every one: 390 levels of operators
    // and 300 of calls still translate on a 512 KiB thread.
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let ops = format!("select {}1", "1 + ".repeat(390));
            let calls = format!("select {}1{}", "abs(".repeat(300), ")".repeat(300));
            (
                translate_select(&ops, &ctx()).is_ok(),
                translate_select(&calls, &ctx()).is_ok(),
            )
        })
        .expect("thread starts");
    assert_eq!(worker.join().expect("no stack overflow"), (true, true));
}
