//! JSON objects read without building a tree: each member keeps the text of its value as it
//! stands in the input line (borrowed), and is parsed only when the importer needs it (`$set`,
//! `$groups`, ...). Writing an object back gives exactly the text `serde_json` gives for the
//! same object parsed into a `serde_json::Map` (members in input order, a repeated key keeping
//! its first position and its last value, compact, `serde_json`'s escaping and number forms):
//! strings without escapes, integers and literals are copied, anything else is re-serialised.
//! Importing stays byte-for-byte what it was with a `Value` tree, several times faster.

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;

/// A member's value: the input's own text, or a value set while importing.
#[derive(Debug, Clone)]
pub enum Entry<'a> {
    Raw(&'a RawValue),
    Set(Value),
}

/// The JSON type of a value, from its first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// The kind of a raw JSON value (the text is valid JSON: the parser checked it).
pub fn kind(raw: &RawValue) -> Kind {
    match raw.get().as_bytes().first() {
        Some(b'n') => Kind::Null,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'"') => Kind::String,
        Some(b'[') => Kind::Array,
        Some(b'{') => Kind::Object,
        _ => Kind::Number,
    }
}

/// The text of a JSON string value, borrowed when it has no escapes; `None` for other kinds.
pub fn as_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    if kind(raw) != Kind::String {
        return None;
    }
    match text.get(1..text.len().saturating_sub(1)) {
        Some(inner) if !inner.contains('\\') => Some(Cow::Borrowed(inner)),
        _ => serde_json::from_str::<String>(text).ok().map(Cow::Owned),
    }
}

/// The parsed value (for the few members the importer interprets).
pub fn to_value(raw: &RawValue) -> Value {
    // The text was validated when the enclosing object was read.
    serde_json::from_str(raw.get()).unwrap_or(Value::Null)
}

impl Entry<'_> {
    pub fn value(&self) -> Value {
        match self {
            Entry::Raw(raw) => to_value(raw),
            Entry::Set(value) => value.clone(),
        }
    }
}

/// A member expected to be an object is something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnObject;

/// A JSON object read lazily (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct RawObject<'a> {
    entries: Vec<(Cow<'a, str>, Entry<'a>)>,
}

/// An object key, borrowed from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            entries.push((key, value));
        }
        Ok(entries)
    }
}

/// Objects up to this size find repeated keys by comparing every pair.
const SMALL_OBJECT: usize = 32;

impl<'a> RawObject<'a> {
    /// Reads an object (the whole of `text`, surrounding whitespace allowed).
    pub fn parse(text: &'a str) -> Result<RawObject<'a>, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let members = deserializer.deserialize_map(ObjectVisitor)?;
        deserializer.end()?;
        Ok(RawObject::from_members(members))
    }

    /// Keeps the first position and the last value of a repeated key, as `serde_json::Map` does.
    fn from_members(members: Vec<(Cow<'a, str>, &'a RawValue)>) -> RawObject<'a> {
        let mut entries: Vec<(Cow<'a, str>, Entry<'a>)> = Vec::with_capacity(members.len());
        if members.len() <= SMALL_OBJECT {
            for (key, raw) in members {
                match entries.iter_mut().find(|(k, _)| *k == key) {
                    Some(slot) => slot.1 = Entry::Raw(raw),
                    None => entries.push((key, Entry::Raw(raw))),
                }
            }
        } else {
            let mut index: HashMap<Cow<'a, str>, usize> = HashMap::with_capacity(members.len());
            for (key, raw) in members {
                match index.get(&key) {
                    Some(&at) => entries[at].1 = Entry::Raw(raw),
                    None => {
                        index.insert(key.clone(), entries.len());
                        entries.push((key, Entry::Raw(raw)));
                    }
                }
            }
        }
        RawObject { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }

    /// The member `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Entry<'a>> {
        self.position(key).map(|at| &self.entries[at].1)
    }

    /// The member `key` parsed, if present.
    pub fn value(&self, key: &str) -> Option<Value> {
        self.get(key).map(Entry::value)
    }

    /// The member `key` when it is a JSON string.
    pub fn str_value(&self, key: &str) -> Option<Cow<'_, str>> {
        match self.get(key)? {
            Entry::Raw(raw) => as_str(raw),
            Entry::Set(Value::String(s)) => Some(Cow::Borrowed(s.as_str())),
            Entry::Set(_) => None,
        }
    }

    /// The member `key` when it is an object, parsed; `None` when absent or null.
    pub fn object(&self, key: &str) -> Result<Option<Map<String, Value>>, NotAnObject> {
        match self.value(key) {
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(Value::Null) | None => Ok(None),
            Some(_) => Err(NotAnObject),
        }
    }

    /// Removes `key` the way `serde_json::Map::remove` does with `preserve_order`: the last
    /// member takes the removed one's place.
    pub fn remove(&mut self, key: &str) -> Option<Entry<'a>> {
        let at = self.position(key)?;
        Some(self.entries.swap_remove(at).1)
    }

    /// Sets `key`, in place when present, else at the end.
    pub fn insert(&mut self, key: String, value: Value) {
        match self.position(&key) {
            Some(at) => self.entries[at].1 = Entry::Set(value),
            None => self.entries.push((Cow::Owned(key), Entry::Set(value))),
        }
    }

    /// Appends the object as compact JSON, exactly as `serde_json` writes the same map.
    pub fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (key, entry)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(out, key);
            out.push(':');
            match entry {
                Entry::Raw(raw) => write_raw(out, raw.get()),
                Entry::Set(value) => out.push_str(&value.to_string()),
            }
        }
        out.push('}');
    }

    /// The object as a `serde_json::Map` (for tests and rare paths).
    pub fn to_map(&self) -> Map<String, Value> {
        self.entries
            .iter()
            .map(|(k, e)| (k.to_string(), e.value()))
            .collect()
    }
}

/// A string as `serde_json` writes it: copied when nothing in it needs escaping.
fn write_string(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&Value::from(s).to_string());
    }
}

/// A raw JSON value as `serde_json` would write it after parsing it.
fn write_raw(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let copy = match bytes.first() {
        // Valid JSON strings hold no raw control characters or quotes; without a backslash
        // there is nothing to re-escape.
        Some(b'"') => !text.contains('\\'),
        Some(b't' | b'f' | b'n') => true,
        // Non-negative integers within u64 print back unchanged; signs, fractions, exponents
        // and larger numbers go through serde_json's number formatting.
        Some(b'0'..=b'9') => bytes.len() <= 19 && bytes.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if copy {
        out.push_str(text);
    } else {
        out.push_str(&to_value_text(text));
    }
}

fn to_value_text(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => value.to_string(),
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the importer wrote before: the object through a `serde_json::Map`.
    fn via_map(text: &str) -> String {
        let map: Map<String, Value> = serde_json::from_str(text).unwrap();
        Value::Object(map).to_string()
    }

    fn written(text: &str) -> String {
        let mut out = String::new();
        RawObject::parse(text).unwrap().write_json(&mut out);
        out
    }

    #[test]
    fn writes_what_serde_json_writes() {
        for text in [
            r#"{}"#,
            r#" { "a" : 1 , "b":"x" } "#,
            r#"{"a":1,"b":2,"a":3}"#,
            r#"{"f":1.50,"e":1e3,"n":-0,"m":-12,"big":123456789012345678901234,"z":0}"#,
            r#"{"s":"caf\u00e9 \/ \"q\" \n","k\"ey":true,"nul":null}"#,
            r#"{"o":{"y":[1, 2.0, {"x": "a"}], "y": 5},"arr":[ ]}"#,
            "{\"u\":\"ünïcödé ✓\"}",
        ] {
            assert_eq!(written(text), via_map(text), "{text}");
        }
    }

    #[test]
    fn remove_and_insert_follow_the_map() {
        let text = r#"{"a":1,"distinct_id":"d","b":2,"c":3}"#;
        let mut raw = RawObject::parse(text).unwrap();
        let mut map: Map<String, Value> = serde_json::from_str(text).unwrap();
        assert!(raw.remove("distinct_id").is_some());
        map.remove("distinct_id");
        raw.insert("$group_0".into(), Value::from("acme"));
        map.insert("$group_0".into(), Value::from("acme"));
        raw.insert("a".into(), Value::from("again"));
        map.insert("a".into(), Value::from("again"));
        let mut out = String::new();
        raw.write_json(&mut out);
        assert_eq!(out, Value::Object(map).to_string());
        assert_eq!(raw.str_value("a").as_deref(), Some("again"));
        assert_eq!(raw.str_value("b"), None);
    }

    #[test]
    fn large_objects_keep_the_last_of_repeated_keys() {
        let mut text = String::from("{");
        for i in 0..50 {
            text.push_str(&format!("\"k{}\":{i},", i % 40));
        }
        text.push_str("\"end\":true}");
        assert_eq!(written(&text), via_map(&text));
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "[a-z\"\\\\/\\n\\t é☃\\u{1}]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(("[a-c$\"]{0,3}", inner), 0..5)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any object, written by serde_json in its own forms or pretty-printed, reads back and
        /// writes exactly as the map would.
        #[test]
        fn round_trips_like_the_map(
            pairs in prop::collection::vec(("[a-d$_]{0,3}", json_value()), 0..8),
            pretty in any::<bool>(),
        ) {
            // Build the text by hand so repeated keys reach the reader.
            let mut text = String::from("{");
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 { text.push_str(if pretty { " ,\n " } else { "," }); }
                text.push_str(&Value::from(k.as_str()).to_string());
                text.push_str(if pretty { " : " } else { ":" });
                text.push_str(&if pretty { serde_json::to_string_pretty(v).unwrap() } else { v.to_string() });
            }
            text.push('}');
            prop_assert_eq!(written(&text), via_map(&text));
        }
    }
}
