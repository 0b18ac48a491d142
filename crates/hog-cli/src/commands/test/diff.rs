//! Differences between two JSON values, as one line per changed path
//! (`~ properties.email: "a@b.c" → "3f2a…"`, `+ properties.$geoip_country: "DE"`,
//! `- properties.bot`): what a transformation did to an event, or how a result differs from the
//! expected one. Numbers compare by value (`1` equals `1.0`).

use serde_json::Value;

/// Whether two values are equal, numbers compared numerically.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// One line per difference from `before` to `after`, paths in document order. Depth is bounded
/// (values nested deeper than 64 levels are compared as a whole).
pub fn diff_lines(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", before, after, 0, &mut out);
    out
}

fn show(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    match (path.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (true, false) => format!("[{}]", show(&Value::from(key))),
        (false, true) => format!("{path}.{key}"),
        (false, false) => format!("{path}[{}]", show(&Value::from(key))),
    }
}

fn walk(path: &str, a: &Value, b: &Value, depth: usize, out: &mut Vec<String>) {
    if json_eq(a, b) {
        return;
    }
    let name = if path.is_empty() { "(value)" } else { path };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if depth < 64 => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => walk(&join(path, k), v, w, depth + 1, out),
                    None => out.push(format!("- {}: {}", join(path, k), show(v))),
                }
            }
            for (k, w) in y {
                if !x.contains_key(k) {
                    out.push(format!("+ {}: {}", join(path, k), show(w)));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if depth < 64 && x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                walk(&format!("{path}[{}]", i + 1), v, w, depth + 1, out);
            }
        }
        _ => out.push(format!("~ {name}: {} → {}", show(a), show(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_added_removed_paths() {
        let before = json!({"event": "e", "properties": {"email": "a@b.c", "bot": true, "n": 1}});
        let after = json!({"event": "e", "properties": {"email": "x", "n": 1.0, "country": "DE"}});
        assert_eq!(
            diff_lines(&before, &after),
            vec![
                "~ properties.email: \"a@b.c\" → \"x\"",
                "- properties.bot: true",
                "+ properties.country: \"DE\"",
            ]
        );
        assert!(diff_lines(&json!([1, 2]), &json!([1.0, 2])).is_empty());
        assert_eq!(
            diff_lines(&json!({"a b": 1}), &json!(null)),
            vec!["~ (value): {\"a b\":1} → null"]
        );
    }
}
