//! A deterministic generator of realistic product-analytics events in PostHog's capture format,
//! for the REPL's demo store, examples and benchmarks. The same seed and size always give the
//! same lines, byte for byte.
//!
//! Each simulated user browses anonymously (`$pageview`s with browser, OS, country, URL and
//! session id); some sign up (`signed_up` with `$set`, then `$identify` merging the anonymous id
//! into their account id, with `$set` / `$set_once`); identified users come back, sometimes buy
//! (`purchase` with amount and product), belong to a company (`$groups`, and a
//! `$groupidentify` when the company is first seen). Timestamps spread over `days` days from
//! `start`, each user's events in time order.

use serde_json::{Value, json};

/// The properties the demo store gives their own column (`mat_<key>`, see [`crate::materialize`]):
/// every pageview has them and they are what analysts group by first.
pub const HOT_PROPERTIES: &[&str] = &["$browser", "$os", "$geoip_country_code", "$current_url"];

/// Size and shape of the demo data.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// Exactly this many events are produced.
    pub events: usize,
    /// First day, as seconds since the epoch (default 2024-01-01T00:00:00Z).
    pub start: i64,
    /// Events spread over this many days.
    pub days: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 42,
            events: 20_000,
            start: 1_704_067_200,
            days: 120,
        }
    }
}

/// SplitMix64: tiny, fast and good enough for synthetic data; no dependency needed.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Picks by weight from `(item, weight)` pairs.
    fn weighted<'a>(&mut self, items: &[(&'a str, u64)]) -> &'a str {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        items.last().map_or("", |(item, _)| item)
    }
}

const BROWSERS: &[(&str, u64)] = &[
    ("Chrome", 58),
    ("Safari", 22),
    ("Firefox", 11),
    ("Edge", 7),
    ("Opera", 2),
];
const OSES: &[(&str, u64)] = &[
    ("Windows", 38),
    ("Mac OS X", 27),
    ("iOS", 16),
    ("Android", 14),
    ("Linux", 5),
];
const COUNTRIES: &[(&str, u64)] = &[
    ("US", 34),
    ("DE", 12),
    ("GB", 11),
    ("FR", 8),
    ("IN", 9),
    ("BR", 7),
    ("CA", 6),
    ("JP", 5),
    ("NL", 4),
    ("AU", 4),
];
const PATHS: &[(&str, u64)] = &[
    ("/", 30),
    ("/pricing", 14),
    ("/docs", 18),
    ("/blog", 12),
    ("/features", 10),
    ("/signup", 6),
    ("/about", 4),
    ("/docs/getting-started", 6),
];
const REFERRERS: &[(&str, u64)] = &[
    ("$direct", 40),
    ("https://www.google.com/", 35),
    ("https://news.ycombinator.com/", 8),
    ("https://twitter.com/", 7),
    ("https://www.bing.com/", 5),
    ("https://github.com/", 5),
];
const PLANS: &[(&str, u64)] = &[("free", 70), ("pro", 22), ("enterprise", 8)];
const PRODUCTS: &[(&str, u64)] = &[
    ("starter-pack", 40),
    ("pro-seat", 35),
    ("addon-storage", 15),
    ("support-plan", 10),
];
const COMPANIES: &[&str] = &[
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "stark",
    "wayne",
    "wonka",
    "tyrell",
    "cyberdyne",
];
const FIRST_NAMES: &[&str] = &[
    "Ada", "Grace", "Linus", "Ken", "Barbara", "Edsger", "Margaret", "Dennis", "Frances", "Alan",
];

/// An iterator over the demo events, one JSON line each (without the newline).
pub struct DemoEvents {
    rng: Rng,
    options: DemoOptions,
    produced: usize,
    user: u64,
    pending: std::collections::VecDeque<String>,
    companies_seen: std::collections::HashSet<&'static str>,
}

/// The demo events for `options`.
pub fn events(options: DemoOptions) -> DemoEvents {
    DemoEvents {
        rng: Rng(options.seed ^ 0x005e_ed0f_d3a0),
        options,
        produced: 0,
        user: 0,
        pending: std::collections::VecDeque::new(),
        companies_seen: std::collections::HashSet::new(),
    }
}

impl Iterator for DemoEvents {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        if self.produced >= self.options.events {
            return None;
        }
        while self.pending.is_empty() {
            self.simulate_user();
        }
        self.produced += 1;
        self.pending.pop_front()
    }
}

/// Per-session context shared by that session's events.
struct Session {
    distinct_id: String,
    browser: &'static str,
    os: &'static str,
    country: &'static str,
    session_id: String,
    referrer: &'static str,
    company: Option<&'static str>,
}

/// A session id as PostHog's SDKs make them: a UUIDv7 whose time part is the session's first
/// event. The random part takes the same five draws the demo's earlier (random-looking) ids
/// did, so every other generated value stays what it was.
fn session_uuid(start_secs: i64, rng: &mut Rng) -> String {
    let a = rng.next() as u32;
    let b = rng.below(0x1_0000) as u16;
    let c = rng.below(0x1000) as u16;
    let d = rng.below(0x1000) as u16;
    let e = rng.next() & 0xffff_ffff_ffff;
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&a.to_be_bytes());
    random[4..6].copy_from_slice(&b.to_be_bytes());
    random[6..8].copy_from_slice(&(c ^ (d << 4)).to_be_bytes());
    random[8..].copy_from_slice(&e.to_be_bytes()[6..]);
    let millis = u64::try_from(start_secs).unwrap_or(0) * 1000;
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

impl DemoEvents {
    /// Appends one user's whole history to `pending`.
    fn simulate_user(&mut self) {
        self.user += 1;
        let user = self.user;
        let rng = &mut self.rng;
        let anon_id = format!("anon-{:016x}", rng.next());
        let account_id = format!("user-{user:06}");
        let browser = rng.weighted(BROWSERS);
        let os = rng.weighted(OSES);
        let country = rng.weighted(COUNTRIES);
        let company = rng
            .chance(60)
            .then(|| COMPANIES[rng.below(COMPANIES.len() as u64) as usize]);
        let span = i64::from(self.options.days.max(1)) * 86_400;
        let mut t = self.options.start + rng.below(span as u64) as i64;
        let end = self.options.start + span;
        let signs_up = rng.chance(35);
        let sessions = 1 + rng.below(6);
        let mut identified = false;

        for session_index in 0..sessions {
            if t >= end {
                break;
            }
            let mut session = Session {
                distinct_id: if identified {
                    account_id.clone()
                } else {
                    anon_id.clone()
                },
                browser,
                os,
                country,
                session_id: session_uuid(t, &mut self.rng),
                referrer: self.rng.weighted(REFERRERS),
                company: if identified { company } else { None },
            };
            let pageviews = 1 + self.rng.below(7);
            for _ in 0..pageviews {
                let path = self.rng.weighted(PATHS);
                self.push(&session, "$pageview", t, json!({ "$current_url": format!("https://example.com{path}"), "$pathname": path }));
                t += 5 + self.rng.below(180) as i64;
            }
            if signs_up && !identified && session_index + 1 >= sessions.min(2) {
                let plan = self.rng.weighted(PLANS);
                let name = FIRST_NAMES[self.rng.below(FIRST_NAMES.len() as u64) as usize];
                let email = format!("{}.{user}@example.com", name.to_lowercase());
                self.push(
                    &session,
                    "signed_up",
                    t,
                    json!({ "plan": plan, "$set": { "plan": plan } }),
                );
                t += 2;
                session.distinct_id = account_id.clone();
                self.push(
                    &session,
                    "$identify",
                    t,
                    json!({
                        "$anon_distinct_id": anon_id,
                        "$set": { "email": email, "name": name, "plan": plan },
                        "$set_once": { "first_browser": browser, "signup_country": country },
                    }),
                );
                identified = true;
                t += 3;
                if let Some(company) = company {
                    session.company = Some(company);
                    if self.companies_seen.insert(company) {
                        let employees = 10 + self.rng.below(5000);
                        self.push(
                            &session,
                            "$groupidentify",
                            t,
                            json!({ "$group_type": "company", "$group_key": company, "$group_set": { "name": company.to_uppercase(), "employees": employees } }),
                        );
                        t += 1;
                    }
                }
            }
            if identified && self.rng.chance(30) {
                let product = self.rng.weighted(PRODUCTS);
                let amount = (5 + self.rng.below(495)) as f64 + self.rng.below(100) as f64 / 100.0;
                self.push(
                    &session,
                    "purchase",
                    t,
                    json!({ "product": product, "amount": amount, "currency": "USD" }),
                );
                t += 10;
                if self.rng.chance(20) {
                    let plan = self.rng.weighted(PLANS);
                    self.push(
                        &session,
                        "plan_changed",
                        t,
                        json!({ "plan": plan, "$set": { "plan": plan } }),
                    );
                    t += 2;
                }
            }
            // Next session between an hour and three weeks later.
            t += 3_600 + self.rng.below(21 * 86_400) as i64;
        }
    }

    fn push(&mut self, session: &Session, event: &str, t: i64, extra: Value) {
        let mut properties = json!({
            "$browser": session.browser,
            "$os": session.os,
            "$geoip_country_code": session.country,
            "$session_id": session.session_id,
            "$referrer": session.referrer,
            "$lib": "web",
        });
        if let (Value::Object(base), Value::Object(extra)) = (&mut properties, extra) {
            base.extend(extra);
            if let Some(company) = session.company {
                base.insert("$groups".into(), json!({ "company": company }));
            }
        }
        let timestamp = chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        let uuid =
            uuid::Builder::from_unix_timestamp_millis(u64::try_from(t).unwrap_or(0) * 1000, &{
                let mut bytes = [0u8; 10];
                bytes[..8].copy_from_slice(&self.rng.next().to_le_bytes());
                bytes[8..].copy_from_slice(&self.rng.next().to_le_bytes()[..2]);
                bytes
            })
            .into_uuid();
        let line = json!({
            "event": event,
            "distinct_id": session.distinct_id,
            "timestamp": timestamp,
            "uuid": uuid.to_string(),
            "properties": properties,
        });
        self.pending.push_back(line.to_string());
    }
}

/// The demo events as a JSONL byte stream (one line each, `\n`-terminated), for the importer.
pub fn reader(options: DemoOptions) -> impl std::io::BufRead {
    std::io::BufReader::with_capacity(
        1 << 16,
        LinesReader {
            lines: events(options),
            current: Vec::new(),
            position: 0,
        },
    )
}

/// Adapts an iterator of lines to [`std::io::Read`] without holding more than one line.
struct LinesReader<I> {
    lines: I,
    current: Vec<u8>,
    position: usize,
}

impl<I: Iterator<Item = String>> std::io::Read for LinesReader<I> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.position >= self.current.len() {
            match self.lines.next() {
                Some(line) => {
                    self.current = line.into_bytes();
                    self.current.push(b'\n');
                    self.position = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.position);
        buf[..n].copy_from_slice(&self.current[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_lines_and_exact_count() {
        let options = DemoOptions {
            events: 3_000,
            ..DemoOptions::default()
        };
        let a: Vec<String> = events(options.clone()).collect();
        let b: Vec<String> = events(options).collect();
        assert_eq!(a.len(), 3_000);
        assert_eq!(a, b);
        let c: Vec<String> = events(DemoOptions {
            seed: 7,
            events: 3_000,
            ..DemoOptions::default()
        })
        .collect();
        assert_ne!(a, c);
    }

    #[test]
    fn reader_yields_the_same_lines() {
        use std::io::BufRead;
        let options = DemoOptions {
            events: 500,
            ..DemoOptions::default()
        };
        let from_reader: Vec<String> = reader(options.clone())
            .lines()
            .map(Result::unwrap)
            .collect();
        let direct: Vec<String> = events(options).collect();
        assert_eq!(from_reader, direct);
    }

    #[test]
    fn every_kind_of_event_appears_and_parses() {
        let mut kinds = std::collections::BTreeSet::new();
        for line in events(DemoOptions {
            events: 5_000,
            ..DemoOptions::default()
        }) {
            let event = crate::ingest::capture::parse_line(&line, 0).expect("demo line parses");
            kinds.insert(event.event.into_owned());
        }
        for kind in [
            "$pageview",
            "signed_up",
            "$identify",
            "purchase",
            "$groupidentify",
        ] {
            assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
        }
    }

    #[test]
    fn sessions_are_uuidv7_of_their_first_event_with_gaps_between_them() {
        use std::collections::BTreeMap;
        // session id → (timestamps in order of the lines, distinct ids)
        let mut sessions: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut order = Vec::new();
        for line in events(DemoOptions {
            events: 5_000,
            ..DemoOptions::default()
        }) {
            let value: Value = serde_json::from_str(&line).unwrap();
            let id = value["properties"]["$session_id"]
                .as_str()
                .unwrap()
                .to_string();
            let time =
                crate::ingest::capture::parse_timestamp(value["timestamp"].as_str().unwrap())
                    .unwrap();
            if !sessions.contains_key(&id) {
                order.push(id.clone());
            }
            sessions.entry(id).or_default().push(time);
        }
        assert!(sessions.len() > 300, "{} sessions", sessions.len());
        let multi = sessions.values().filter(|times| times.len() >= 3).count();
        assert!(
            multi * 2 > sessions.len(),
            "most sessions have several events"
        );
        for (id, times) in &sessions {
            let uuid = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(uuid.get_version_num(), 7, "{id}");
            let (secs, nanos) = uuid.get_timestamp().unwrap().to_unix();
            let first = *times.iter().min().unwrap();
            assert_eq!(
                i64::try_from(secs).unwrap() * 1_000_000 + i64::from(nanos / 1000),
                first,
                "{id}"
            );
            for pair in times.windows(2) {
                assert!(
                    pair[1] > pair[0] && pair[1] - pair[0] < 30 * 60 * 1_000_000,
                    "{id}"
                );
            }
        }
    }
}
