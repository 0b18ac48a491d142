//! What a translation needs to know besides the query: the team, its time zone, limits, the
//! persons-on-events mode and the SETTINGS tail.

use crate::error::{ErrorKind, TranslateError};

/// How `events.person_id` and `events.person.*` are resolved (PostHog's
/// `personsOnEventsMode`, see the spec §10.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PersonsOnEventsMode {
    /// `person_id` and `person.*` through `person_distinct_ids` (INNER JOIN `events__pdi`).
    /// Needs only `person_distinct_id2` and `person`: the default.
    #[default]
    Disabled,
    /// `person_id`, `person.*` from the event row (`person_id`, `person_properties`, …).
    PersonIdNoOverridePropertiesOnEvents,
    /// The event's `person_id` corrected by `person_distinct_id_overrides`; properties from the
    /// event row.
    PersonIdOverridePropertiesOnEvents,
    /// The corrected `person_id`, properties joined from `persons`.
    PersonIdOverridePropertiesJoined,
}

/// How the `persons` lazy table de-duplicates `person` rows (spec §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PersonsArgMaxVersion {
    /// `GROUP BY person.id` with `argMax(tuple(field), version).1` per field.
    V1,
    /// Plain columns of the rows whose `(id, version)` is the newest non-deleted one.
    #[default]
    V2,
}

/// The first day of the week, for `toStartOfWeek(x)` with one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeekStart {
    #[default]
    Sunday,
    Monday,
}

/// Row limits (spec §13). `None` means "no limit added" / "no cap".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Added to each top-level SELECT (and each member of a top-level set operation) that has
    /// no LIMIT. Default 100.
    pub default_limit: Option<u64>,
    /// The largest LIMIT a top-level SELECT may have; larger constants are lowered, other
    /// expressions wrapped in `min2(max, expr)`. Default 50,000.
    pub max_limit: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            default_limit: Some(100),
            max_limit: Some(50_000),
        }
    }
}

/// Whose property a property definition describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertyScope {
    Event,
    Person,
    /// Properties of groups of one group type index.
    Group(u8),
}

/// The declared type of a property (PostHog's property definitions, spec §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertyType {
    Numeric,
    DateTime,
    Boolean,
    String,
}

/// The value of a ClickHouse setting in the SETTINGS tail.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingValue {
    Int(i64),
    Bool(bool),
    Str(String),
}

/// A cohort of the project, for `x IN COHORT <id | 'name'>` (spec §9.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    pub id: i64,
    pub name: String,
    pub kind: CohortKind,
}

/// Where a cohort's members are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortKind {
    /// Uploaded lists: `person_static_cohort`.
    Static,
    /// Calculated cohorts: `cohortpeople`, rows of the given calculation `version` (when
    /// known), otherwise the rows whose `sign`s sum to a positive number.
    Dynamic { version: Option<i64> },
}

/// What the `{filters}` placeholder stands for (HogQL doc §9): a date range on the
/// timestamp of the SELECT's `events` (or `created_at` of its `groups`) and conditions.
/// `{filters}` with nothing set is `true`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Lower bound (inclusive): a date or date-time in the project time zone
    /// (`2024-01-31`, `2024-01-31 12:00:00`) or a relative one (`-7d`, `-24h`, `-2w`, `-3m`, `-1y`).
    pub date_from: Option<String>,
    /// Upper bound (exclusive), same forms.
    pub date_to: Option<String>,
    /// HogQL boolean expressions ANDed in (e.g. PostHog property filters written as HogQL:
    /// `properties.$browser = 'Chrome'`), resolved in the SELECT that holds `{filters}`.
    pub conditions: Vec<String>,
}

/// Which JSON column a materialised property column was computed from (spec §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaterializedSource {
    /// `events.properties` → `mat_<key>` on `events`.
    EventProperties,
    /// `events.person_properties` → `mat_pp_<key>` on `events`.
    EventPersonProperties,
    /// `person.properties` → `pmat_<key>` on `person`.
    PersonProperties,
}

impl MaterializedSource {
    /// The column name prefix PostHog uses for this source.
    pub fn prefix(self) -> &'static str {
        match self {
            MaterializedSource::EventProperties => "mat_",
            MaterializedSource::EventPersonProperties => "mat_pp_",
            MaterializedSource::PersonProperties => "pmat_",
        }
    }

    /// The conventional column name of `key`: the prefix, then the key with every character
    /// other than ASCII letters, digits and `$` replaced by `_` (`$browser%%%#@!@` →
    /// `mat_$browser_______`).
    pub fn column_name(self, key: &str) -> String {
        let mut name = String::with_capacity(self.prefix().len() + key.len());
        name.push_str(self.prefix());
        name.extend(key.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '$' {
                c
            } else {
                '_'
            }
        }));
        name
    }
}

/// A property with its own column: reading its first key reads the column instead of parsing
/// the JSON text (spec §5.2). The column must hold the generic form's value of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterializedProperty {
    pub source: MaterializedSource,
    /// The property name (the first key of the chain).
    pub key: String,
    /// The ClickHouse column holding it.
    pub column: String,
    /// `Nullable(String)` (read bare) or legacy `String` (read as `nullIf(nullIf(col, ''), 'null')`).
    pub nullable: bool,
}

/// Everything a translation depends on besides the query.
#[derive(Debug, Clone)]
pub struct Context {
    /// The team whose rows the query may read; every table access is guarded by it.
    pub team_id: i64,
    /// The project time zone (IANA name): every DateTime column is shown in it.
    pub timezone: String,
    pub week_start: WeekStart,
    pub limits: Limits,
    pub persons_on_events: PersonsOnEventsMode,
    pub persons_argmax: PersonsArgMaxVersion,
    /// Group type names of the project (`organization` → index 0): `events.organization` is
    /// then `events.group_0`.
    pub group_types: Vec<(String, u8)>,
    /// The global SETTINGS appended to the query, in order. Empty: no SETTINGS tail.
    pub settings: Vec<(String, SettingValue)>,
    /// Declared property types: `properties.x` of a `Numeric` property is read as a Float64,
    /// and so on (spec §5.4). Undeclared properties stay strings.
    pub property_types: Vec<(PropertyScope, String, PropertyType)>,
    /// The project's cohorts; `IN COHORT` of any other id or name is an error.
    pub cohorts: Vec<Cohort>,
    /// What `{filters}` expands to.
    pub filters: Filters,
    /// The deployment's materialised property columns; none by default.
    pub materialized: Vec<MaterializedProperty>,
    /// The store has the sessions v2 table `raw_sessions`: the `sessions` table and the
    /// `events.session` join can be used. Off, they are refused as unknown.
    pub sessions: bool,
}

/// The embedded store creates `raw_sessions` (schema version 2), so contexts allow sessions
/// unless told otherwise.
const SESSIONS_BY_DEFAULT: bool = true;

/// The global settings PostHog sends with every query (2025 tail, minus options ClickHouse
/// 26.9 no longer needs). `readonly=2` forbids writes but still allows these settings.
pub fn default_settings() -> Vec<(String, SettingValue)> {
    let s = |k: &str, v: i64| (k.to_string(), SettingValue::Int(v));
    vec![
        s("readonly", 2),
        s("max_execution_time", 60),
        s("allow_experimental_object_type", 1),
        s("format_csv_allow_double_quotes", 0),
        s("max_ast_elements", 4_000_000),
        s("max_expanded_ast_elements", 4_000_000),
        s("max_bytes_before_external_group_by", 0),
        s("transform_null_in", 1),
        s(
            "optimize_min_equality_disjunction_chain_length",
            4_294_967_295,
        ),
    ]
}

impl Context {
    /// A context for `team_id` with the defaults: UTC, Sunday weeks, LIMIT 100 (max 50,000),
    /// persons through distinct ids, the default SETTINGS tail.
    pub fn new(team_id: i64) -> Self {
        Context {
            team_id,
            timezone: "UTC".into(),
            week_start: WeekStart::default(),
            limits: Limits::default(),
            persons_on_events: PersonsOnEventsMode::default(),
            persons_argmax: PersonsArgMaxVersion::default(),
            group_types: Vec::new(),
            settings: default_settings(),
            property_types: Vec::new(),
            cohorts: Vec::new(),
            filters: Filters::default(),
            materialized: Vec::new(),
            sessions: SESSIONS_BY_DEFAULT,
        }
    }

    /// Whether the store has `raw_sessions` (see [`Context::sessions`]).
    pub fn with_sessions(mut self, available: bool) -> Self {
        self.sessions = available;
        self
    }

    /// Declares a materialised property column named by the convention of
    /// [`MaterializedSource::column_name`].
    pub fn with_materialized_property(
        mut self,
        source: MaterializedSource,
        key: impl Into<String>,
        nullable: bool,
    ) -> Self {
        let key = key.into();
        let column = source.column_name(&key);
        self.materialized.push(MaterializedProperty {
            source,
            key,
            column,
            nullable,
        });
        self
    }

    /// The materialised column of a property, if the deployment has one.
    pub fn materialized_property(
        &self,
        source: MaterializedSource,
        key: &str,
    ) -> Option<&MaterializedProperty> {
        self.materialized
            .iter()
            .find(|m| m.source == source && m.key == key)
    }

    /// Declares the type of a property.
    pub fn with_property_type(
        mut self,
        scope: PropertyScope,
        name: impl Into<String>,
        ty: PropertyType,
    ) -> Self {
        self.property_types.push((scope, name.into(), ty));
        self
    }

    /// The declared type of a property, if any.
    pub fn property_type(&self, scope: PropertyScope, name: &str) -> Option<PropertyType> {
        self.property_types
            .iter()
            .find(|(s, n, _)| *s == scope && n == name)
            .map(|(_, _, t)| *t)
    }

    pub fn with_timezone(mut self, tz: impl Into<String>) -> Self {
        self.timezone = tz.into();
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn with_persons_on_events(mut self, mode: PersonsOnEventsMode) -> Self {
        self.persons_on_events = mode;
        self
    }

    pub fn with_week_start(mut self, week_start: WeekStart) -> Self {
        self.week_start = week_start;
        self
    }

    pub fn with_cohort(mut self, cohort: Cohort) -> Self {
        self.cohorts.push(cohort);
        self
    }

    pub fn with_filters(mut self, filters: Filters) -> Self {
        self.filters = filters;
        self
    }

    pub fn with_group_type(mut self, name: impl Into<String>, index: u8) -> Self {
        self.group_types.push((name.into(), index));
        self
    }

    /// Sets (or replaces) one global setting.
    pub fn with_setting(mut self, key: impl Into<String>, value: SettingValue) -> Self {
        let key = key.into();
        match self.settings.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.settings.push((key, value)),
        }
        self
    }

    /// No SETTINGS tail at all (e.g. to compare with printer-only test vectors).
    pub fn without_settings(mut self) -> Self {
        self.settings.clear();
        self
    }

    /// Checks the configuration: a known IANA time zone, setting names of `[A-Za-z0-9_]`,
    /// group indexes 0..=4, and no attempt to switch off the analyzer (refused by 26.9).
    pub fn validate(&self) -> Result<(), TranslateError> {
        if self.timezone != "UTC" && self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(TranslateError::new(
                ErrorKind::Config,
                format!("Unknown timezone: '{}'", self.timezone),
            ));
        }
        for (key, value) in &self.settings {
            // Bytes, not chars: this runs for every setting of every translation.
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(TranslateError::new(
                    ErrorKind::Config,
                    format!("Invalid setting name: {key:?}"),
                ));
            }
            let off = matches!(value, SettingValue::Int(0) | SettingValue::Bool(false));
            if off && (key == "enable_analyzer" || key == "allow_experimental_analyzer") {
                return Err(TranslateError::new(
                    ErrorKind::Config,
                    format!(
                        "Setting {key}=0 is refused: ClickHouse 26.9 cannot disable the analyzer"
                    ),
                ));
            }
        }
        for (name, index) in &self.group_types {
            if *index > 4 {
                return Err(TranslateError::new(
                    ErrorKind::Config,
                    format!("Group type '{name}' has index {index}; indexes go from 0 to 4"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_timezones() {
        assert!(Context::new(1).validate().is_ok());
        assert!(
            Context::new(1)
                .with_timezone("Europe/Brussels")
                .validate()
                .is_ok()
        );
        let err = Context::new(1)
            .with_timezone("Europe/PostHogLandia")
            .validate()
            .unwrap_err();
        assert_eq!(err.message, "Unknown timezone: 'Europe/PostHogLandia'");
    }

    #[test]
    fn names_materialized_columns() {
        let name = |s: MaterializedSource, k: &str| s.column_name(k);
        assert_eq!(
            name(MaterializedSource::EventProperties, "$browser"),
            "mat_$browser"
        );
        assert_eq!(
            name(MaterializedSource::EventProperties, "$browser%%%#@!@"),
            "mat_$browser_______"
        );
        assert_eq!(
            name(MaterializedSource::EventProperties, "$browser and string"),
            "mat_$browser_and_string"
        );
        assert_eq!(
            name(MaterializedSource::EventPersonProperties, "é x"),
            "mat_pp___x"
        );
        assert_eq!(
            name(MaterializedSource::PersonProperties, "email"),
            "pmat_email"
        );
    }

    #[test]
    fn refuses_bad_settings() {
        let ctx = Context::new(1).with_setting("enable_analyzer", SettingValue::Int(0));
        assert!(ctx.validate().is_err());
        let ctx = Context::new(1).with_setting("x; DROP", SettingValue::Int(0));
        assert!(ctx.validate().is_err());
    }
}
