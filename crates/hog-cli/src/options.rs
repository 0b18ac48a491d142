//! Flags shared by several subcommands, defined once so `hog sql`, `hog query` and `hog repl`
//! read the same words the same way: which store to open ([`StoreArgs`]) and how HogQL is
//! translated ([`TranslateArgs`]).

use clap::ValueEnum;
use hog_store::materialize::{PropertySource, materialized_properties};
use hog_store::{EmbeddedStore, EventStore, ServerOptions, ServerStore};
use hogql_to_clickhouse::{
    Cohort, CohortKind, Context, Filters, Limits, MaterializedProperty, MaterializedSource,
    PersonsOnEventsMode,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Where the events live: the embedded engine in a directory (the default) or a ClickHouse
/// server reached over HTTP.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct StoreArgs {
    /// The embedded store's data directory [default: ~/.local/share/hog/store].
    #[arg(long, value_name = "DIR", conflicts_with = "url")]
    pub store: Option<PathBuf>,
    /// A ClickHouse server (or cluster) over HTTP instead of the embedded engine,
    /// e.g. http://localhost:8123.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The server user [default: the server's default user].
    #[arg(long, value_name = "NAME", requires = "url")]
    pub user: Option<String>,
    /// The server password (HOG_CLICKHOUSE_PASSWORD is read when this is not given, so the
    /// password need not appear in the process list).
    #[arg(long, value_name = "SECRET", requires = "url")]
    pub password: Option<String>,
    /// The server database [default: the user's default database].
    #[arg(long, value_name = "NAME", requires = "url")]
    pub database: Option<String>,
    /// Seconds a server request may take before it is abandoned.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, requires = "url")]
    pub server_timeout: u64,
}

/// An open store, whichever kind; cheap to clone and share with worker threads.
pub type SharedStore = Arc<dyn EventStore>;

impl StoreArgs {
    /// The embedded store's directory these flags name (`fallback` when `--store` is absent).
    pub fn embedded_dir(&self, fallback: impl FnOnce() -> PathBuf) -> PathBuf {
        self.store.clone().unwrap_or_else(fallback)
    }

    /// Opens the server when `--url` is given, else the embedded store in `dir`. Slow first-time
    /// steps (fetching the engine) are announced on stderr.
    pub fn open(&self, dir: &Path) -> Result<SharedStore, String> {
        match &self.url {
            Some(url) => open_server(self.server_options(url)),
            None => open_embedded(dir).map(|store| Arc::new(store) as SharedStore),
        }
    }

    fn server_options(&self, url: &str) -> ServerOptions {
        let mut options = ServerOptions::new(url);
        options.user = self.user.clone();
        options.password = self
            .password
            .clone()
            .or_else(|| std::env::var("HOG_CLICKHOUSE_PASSWORD").ok());
        options.database = self.database.clone();
        options.timeout = Duration::from_secs(self.server_timeout.max(1));
        options
    }
}

/// Opens the embedded store in `dir`, fetching the engine on first use.
pub fn open_embedded(dir: &Path) -> Result<EmbeddedStore, String> {
    EmbeddedStore::open(dir, &mut |message| eprintln!("{message}")).map_err(|e| e.to_string())
}

fn open_server(options: ServerOptions) -> Result<SharedStore, String> {
    let url = options.url.clone();
    ServerStore::open(options)
        .map(|store| Arc::new(store) as SharedStore)
        .map_err(|e| format!("cannot open the ClickHouse server at {url}: {e}"))
}

/// `ctx` with the store's materialised property columns, so `properties.$browser` reads
/// `events.mat_$browser` instead of parsing the JSON (one `system.columns` query). Returns
/// whether it changed anything. Listing can fail (a server user without access to
/// `system.columns`): the generic JSON form is always correct, so the context is then left as
/// it is and the failure reported to the caller to show as a note.
pub fn add_materialized_columns(ctx: &mut Context, store: &dyn EventStore) -> Result<bool, String> {
    let columns = materialized_properties(store)
        .map_err(|e| format!("cannot list the materialised property columns: {e}"))?;
    let found: Vec<MaterializedProperty> = columns
        .into_iter()
        .map(|c| MaterializedProperty {
            source: match c.source {
                PropertySource::Event => MaterializedSource::EventProperties,
                PropertySource::PersonOnEvent => MaterializedSource::EventPersonProperties,
                PropertySource::Person => MaterializedSource::PersonProperties,
            },
            key: c.key,
            column: c.column,
            nullable: c.nullable,
        })
        .collect();
    if found == ctx.materialized {
        return Ok(false);
    }
    ctx.materialized = found;
    Ok(true)
}

/// The query text of `hog sql` / `hog query`: the argument, or standard input for `-` or none.
pub fn query_text(arg: Option<&str>) -> Result<String, String> {
    match arg {
        None | Some("-") => {
            let mut buf = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf)
                .map_err(|e| format!("cannot read the query from standard input: {e}"))?;
            Ok(buf)
        }
        Some(q) => Ok(q.to_string()),
    }
}

/// How `person` / `person_id` on events are resolved (PostHog's persons-on-events modes).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PoeMode {
    /// Persons through person_distinct_ids (needs no person data on events).
    #[default]
    Disabled,
    /// Person id and properties stored on the event row.
    OnEvents,
    /// Person id from the event, corrected by overrides; properties from the event row.
    OverrideOnEvents,
    /// Person id corrected by overrides; properties joined from persons.
    OverrideJoined,
}

impl From<PoeMode> for PersonsOnEventsMode {
    fn from(mode: PoeMode) -> Self {
        match mode {
            PoeMode::Disabled => PersonsOnEventsMode::Disabled,
            PoeMode::OnEvents => PersonsOnEventsMode::PersonIdNoOverridePropertiesOnEvents,
            PoeMode::OverrideOnEvents => PersonsOnEventsMode::PersonIdOverridePropertiesOnEvents,
            PoeMode::OverrideJoined => PersonsOnEventsMode::PersonIdOverridePropertiesJoined,
        }
    }
}

/// Everything that shapes the translation of a HogQL query for one team.
#[derive(Debug, Clone, clap::Args)]
pub struct TranslateArgs {
    /// The team whose rows the query may read.
    #[arg(long, default_value_t = 1)]
    pub team_id: i64,
    /// The project time zone (IANA name).
    #[arg(long, default_value = "UTC")]
    pub timezone: String,
    /// How `person` / `person_id` on events are resolved.
    #[arg(long, value_enum, default_value_t = PoeMode::Disabled)]
    pub persons_on_events: PoeMode,
    /// LIMIT added to top-level SELECTs without one.
    #[arg(long, default_value_t = 100)]
    pub default_limit: u64,
    /// The largest LIMIT a top-level SELECT may have.
    #[arg(long, default_value_t = 50_000)]
    pub max_limit: u64,
    /// Omit the global SETTINGS tail.
    #[arg(long)]
    pub no_settings: bool,
    /// Lower bound of `{filters}` (inclusive): a date, a date-time in the project time zone, or
    /// a relative one such as -7d, -24h, -2w, -3m, -1y.
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub date_from: Option<String>,
    /// Upper bound of `{filters}` (exclusive), same forms as --date-from.
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub date_to: Option<String>,
    /// A HogQL condition ANDed into `{filters}` (repeatable), e.g. "properties.$browser = 'Chrome'".
    #[arg(long = "filter", value_name = "HOGQL")]
    pub filters: Vec<String>,
    /// A calculated cohort for `IN COHORT` (repeatable): its id and optionally its name, e.g.
    /// `--cohort 5='Power users'`. Members are the rows of `cohortpeople` whose signs sum to a
    /// positive number.
    #[arg(long = "cohort", value_name = "ID[=NAME]", value_parser = parse_dynamic_cohort)]
    pub cohorts: Vec<Cohort>,
    /// A static (uploaded) cohort for `IN COHORT` (repeatable), members in
    /// `person_static_cohort`; same form as --cohort.
    #[arg(long = "static-cohort", value_name = "ID[=NAME]", value_parser = parse_static_cohort)]
    pub static_cohorts: Vec<Cohort>,
    /// Cohorts for `IN COHORT` from a JSON file as PostHog's cohorts API lists them: an array
    /// (or `{"results": [...]}`) of objects with `id`, `name`, and optionally `is_static` and
    /// `version` (a calculated cohort's current version: only its rows are members).
    #[arg(long = "cohorts", value_name = "FILE.json", value_parser = parse_cohorts_file)]
    pub cohorts_file: Option<CohortList>,
}

/// The cohorts of a `--cohorts` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortList(pub Vec<Cohort>);

fn parse_cohort(spec: &str, kind: CohortKind) -> Result<Cohort, String> {
    let (id, name) = match spec.split_once('=') {
        Some((id, name)) => (id, name.trim()),
        None => (spec, ""),
    };
    let id = id
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("expected ID or ID=NAME with a numeric ID, got {spec:?}"))?;
    Ok(Cohort {
        id,
        name: name.to_string(),
        kind,
    })
}

fn parse_dynamic_cohort(spec: &str) -> Result<Cohort, String> {
    parse_cohort(spec, CohortKind::Dynamic { version: None })
}

fn parse_static_cohort(spec: &str) -> Result<Cohort, String> {
    parse_cohort(spec, CohortKind::Static)
}

/// One cohort of PostHog's cohorts API (the fields `IN COHORT` needs; others are ignored).
#[derive(serde::Deserialize)]
struct ApiCohort {
    id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    is_static: bool,
    #[serde(default)]
    version: Option<i64>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum ApiCohorts {
    List(Vec<ApiCohort>),
    Page { results: Vec<ApiCohort> },
}

fn parse_cohorts_file(path: &str) -> Result<CohortList, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    parse_cohorts_json(&text).map_err(|e| format!("{path}: {e}"))
}

fn parse_cohorts_json(text: &str) -> Result<CohortList, String> {
    let parsed: ApiCohorts = serde_json::from_str(text).map_err(|e| {
        format!("expected a JSON array of cohorts ({{\"id\": 5, \"name\": \"...\", \"is_static\": false}}): {e}")
    })?;
    let (ApiCohorts::List(list) | ApiCohorts::Page { results: list }) = parsed;
    Ok(CohortList(
        list.into_iter()
            .map(|c| Cohort {
                id: c.id,
                name: c.name.unwrap_or_default(),
                kind: if c.is_static {
                    CohortKind::Static
                } else {
                    CohortKind::Dynamic { version: c.version }
                },
            })
            .collect(),
    ))
}

impl Default for TranslateArgs {
    /// The same values as the flags' defaults (for `hog` started without a subcommand).
    fn default() -> Self {
        TranslateArgs {
            team_id: 1,
            timezone: "UTC".to_string(),
            persons_on_events: PoeMode::Disabled,
            default_limit: 100,
            max_limit: 50_000,
            no_settings: false,
            date_from: None,
            date_to: None,
            filters: Vec::new(),
            cohorts: Vec::new(),
            static_cohorts: Vec::new(),
            cohorts_file: None,
        }
    }
}

impl TranslateArgs {
    /// The translator's context for these flags.
    pub fn context(&self) -> Context {
        self.context_for(self.team_id, &self.timezone)
    }

    /// The same context for another team or time zone (the REPL's `\team`).
    pub fn context_for(&self, team_id: i64, timezone: &str) -> Context {
        let mut ctx = Context::new(team_id)
            .with_timezone(timezone.to_string())
            .with_limits(Limits {
                default_limit: Some(self.default_limit),
                max_limit: Some(self.max_limit),
            })
            .with_persons_on_events(self.persons_on_events.into())
            .with_filters(Filters {
                date_from: self.date_from.clone(),
                date_to: self.date_to.clone(),
                conditions: self.filters.clone(),
            });
        let from_file = self.cohorts_file.iter().flat_map(|f| f.0.iter());
        ctx.cohorts = from_file
            .chain(&self.cohorts)
            .chain(&self.static_cohorts)
            .cloned()
            .collect();
        if self.no_settings {
            ctx.without_settings()
        } else {
            ctx
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        translate: TranslateArgs,
        #[command(flatten)]
        store: StoreArgs,
    }

    #[test]
    fn default_impl_matches_the_flag_defaults() {
        let parsed = Probe::parse_from(["probe"]);
        let by_default = TranslateArgs::default();
        assert_eq!(parsed.translate.team_id, by_default.team_id);
        assert_eq!(parsed.translate.timezone, by_default.timezone);
        assert_eq!(parsed.translate.default_limit, by_default.default_limit);
        assert_eq!(parsed.translate.max_limit, by_default.max_limit);
        assert_eq!(
            parsed.translate.persons_on_events,
            by_default.persons_on_events
        );
        assert_eq!(parsed.translate.no_settings, by_default.no_settings);
        assert_eq!(parsed.translate.date_from, by_default.date_from);
        assert_eq!(parsed.translate.filters, by_default.filters);
    }

    #[test]
    fn store_and_url_exclude_each_other() {
        let both = Probe::try_parse_from(["probe", "--store", "/tmp/x", "--url", "http://h:8123"]);
        assert!(both.is_err());
        let user_without_url = Probe::try_parse_from(["probe", "--user", "me"]);
        assert!(user_without_url.is_err());
        let server = Probe::try_parse_from(["probe", "--url", "http://h:8123", "--user", "me"])
            .expect("url with user parses");
        assert_eq!(server.store.url.as_deref(), Some("http://h:8123"));
    }

    #[test]
    fn context_carries_team_limits_and_settings() {
        let args = TranslateArgs {
            team_id: 7,
            default_limit: 33,
            no_settings: true,
            ..TranslateArgs::default()
        };
        let sql =
            hogql_to_clickhouse::translate_select("select event from events", &args.context())
                .expect("translates")
                .inline();
        assert_eq!(
            sql,
            "SELECT events.event AS event FROM events WHERE equals(events.team_id, 7) LIMIT 33"
        );
        let other = args.context_for(8, "Europe/Berlin");
        let sql = hogql_to_clickhouse::translate_select("select event from events", &other)
            .expect("translates")
            .inline();
        assert!(sql.contains("equals(events.team_id, 8)"), "{sql}");
    }

    #[test]
    fn cohort_flags_and_file_fill_the_context() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("cohorts.json");
        std::fs::write(
            &file,
            r#"{"results": [{"id": 9, "name": "Calculated", "version": 4, "count": 10},
                            {"id": 10, "name": "Uploaded", "is_static": true}]}"#,
        )
        .expect("write cohorts");
        let parsed = Probe::try_parse_from([
            "probe",
            "--cohort",
            "5=Power users",
            "--cohort",
            "6",
            "--static-cohort",
            "7=Beta",
            "--cohorts",
            file.to_str().expect("utf-8 path"),
        ])
        .expect("cohort flags parse");
        let cohorts = parsed.translate.context().cohorts;
        let dynamic = |version| CohortKind::Dynamic { version };
        let summary: Vec<(i64, &str, CohortKind)> = cohorts
            .iter()
            .map(|c| (c.id, c.name.as_str(), c.kind))
            .collect();
        assert_eq!(
            summary,
            [
                (9, "Calculated", dynamic(Some(4))),
                (10, "Uploaded", CohortKind::Static),
                (5, "Power users", dynamic(None)),
                (6, "", dynamic(None)),
                (7, "Beta", CohortKind::Static),
            ]
        );
        let bad = Probe::try_parse_from(["probe", "--cohort", "five=x"]);
        assert!(bad.is_err());
        assert!(parse_cohorts_json("[{\"name\": \"no id\"}]").is_err());
        assert!(parse_cohorts_json("[]").is_ok_and(|l| l.0.is_empty()));
    }

    #[test]
    fn filters_flags_fill_the_filters_placeholder() {
        let parsed = Probe::try_parse_from([
            "probe",
            "--date-from",
            "2024-01-01",
            "--date-to",
            "-1d",
            "--filter",
            "event = 'signup'",
            "--no-settings",
        ])
        .expect("filter flags parse");
        let sql = hogql_to_clickhouse::translate_select(
            "select count() from events where {filters}",
            &parsed.translate.context(),
        )
        .expect("translates")
        .inline();
        assert!(sql.contains("'signup'"), "{sql}");
        assert!(sql.contains("2024-01-01"), "{sql}");
        assert!(sql.contains("timestamp"), "{sql}");
        let unfiltered = hogql_to_clickhouse::translate_select(
            "select count() from events where {filters}",
            &TranslateArgs::default().context(),
        )
        .expect("translates")
        .inline();
        assert!(!unfiltered.contains("signup"), "{unfiltered}");
    }
}
