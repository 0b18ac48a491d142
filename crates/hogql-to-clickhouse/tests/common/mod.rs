//! Shared by the test files: fixture options and output formatting.
#![allow(dead_code)]

use hogql_to_clickhouse::{
    ClickHouseQuery, Cohort, CohortKind, Context, Limits, MaterializedSource, PersonsArgMaxVersion,
    PersonsOnEventsMode, SettingValue, TranslateError, WeekStart,
};

/// The team every fixture runs as.
pub const TEAM: i64 = 42;

/// Builds the context of a fixture from its leading `-- key: value` comment lines.
///
/// * `limits: printer`: no default LIMIT (max 50,000) and no SETTINGS tail, like the
///   spec's `[select]` vectors; otherwise LIMIT 100 and the SETTINGS tail (`[exec]`).
/// * `settings: k=v, …` overrides settings of the tail; `poe:`, `persons:`, `week:`,
///   `timezone:`, `group: name=index`, `sessions: on|off` (the store has `raw_sessions`), `team:`, `cohort: <id> <static|dynamic[@version]> <name>`,
///   `filters_from:`, `filters_to:`, `filter: <HogQL condition>` (repeatable),
///   `materialized: <properties|person_properties|person> <string|nullable> <key>` (repeatable;
///   the key is the rest of the line, spaces included).
pub fn fixture_context(text: &str) -> Context {
    let mut ctx = Context::new(TEAM);
    let mut printer = false;
    let mut settings: Vec<(String, i64)> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("--") else {
            break;
        };
        let Some((key, value)) = rest.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "limits" if value == "printer" => printer = true,
            "settings" => {
                for kv in value.split(',') {
                    if let Some((k, v)) = kv.split_once('=') {
                        settings.push((k.trim().to_string(), v.trim().parse().unwrap_or(0)));
                    }
                }
            }
            "poe" => {
                ctx.persons_on_events = match value {
                    "on_events" => PersonsOnEventsMode::PersonIdNoOverridePropertiesOnEvents,
                    "override_on_events" => PersonsOnEventsMode::PersonIdOverridePropertiesOnEvents,
                    "override_joined" => PersonsOnEventsMode::PersonIdOverridePropertiesJoined,
                    _ => PersonsOnEventsMode::Disabled,
                }
            }
            "persons" => {
                ctx.persons_argmax = if value == "v1" {
                    PersonsArgMaxVersion::V1
                } else {
                    PersonsArgMaxVersion::V2
                }
            }
            "sessions" => ctx.sessions = value == "on",
            "week" if value == "monday" => ctx.week_start = WeekStart::Monday,
            "timezone" => ctx.timezone = value.to_string(),
            "team" => ctx.team_id = value.parse().unwrap_or(TEAM),
            "filters_from" => ctx.filters.date_from = Some(value.to_string()),
            "filters_to" => ctx.filters.date_to = Some(value.to_string()),
            "filter" => ctx.filters.conditions.push(value.to_string()),
            // `cohort: <id> <static | dynamic | dynamic@<version>> <name>`
            "cohort" => {
                let mut parts = value.splitn(3, ' ');
                let id = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                let kind = match parts.next().unwrap_or("") {
                    "static" => CohortKind::Static,
                    other => CohortKind::Dynamic {
                        version: other.strip_prefix("dynamic@").and_then(|v| v.parse().ok()),
                    },
                };
                let name = parts.next().unwrap_or("").to_string();
                ctx.cohorts.push(Cohort { id, name, kind });
            }
            "materialized" => {
                let mut parts = value.splitn(3, ' ');
                let source = match parts.next().unwrap_or("") {
                    "person_properties" => MaterializedSource::EventPersonProperties,
                    "person" => MaterializedSource::PersonProperties,
                    _ => MaterializedSource::EventProperties,
                };
                let nullable = parts.next() == Some("nullable");
                let key = parts.next().unwrap_or("");
                ctx = ctx.with_materialized_property(source, key, nullable);
            }
            "group" => {
                if let Some((name, index)) = value.split_once('=') {
                    ctx.group_types
                        .push((name.trim().to_string(), index.trim().parse().unwrap_or(0)));
                }
            }
            _ => {}
        }
    }
    if printer {
        ctx.limits = Limits {
            default_limit: None,
            max_limit: Some(50_000),
        };
        if settings.is_empty() {
            ctx = ctx.without_settings();
        }
    }
    for (k, v) in settings {
        ctx = ctx.with_setting(k, SettingValue::Int(v));
    }
    ctx
}

/// SQL followed by the parameters, one per line.
pub fn format_query(q: &ClickHouseQuery) -> String {
    let mut out = q.sql.clone();
    for p in &q.params {
        out.push_str(&format!("\n-- {} = {}", p.name, p.value.literal()));
    }
    out
}

pub fn format_errors(errors: &[TranslateError], text: &str) -> String {
    errors
        .iter()
        .map(|e| e.render(text))
        .collect::<Vec<_>>()
        .join("\n")
}
