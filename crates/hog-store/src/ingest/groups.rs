//! Groups (`$groupidentify`) and group types. PostHog keeps the mapping group type name → index
//! (0..=4) per team in Postgres; here it lives in `hog_group_type_mapping`. Group rows go to
//! `groups`, a ReplacingMergeTree on `_timestamp` (whole seconds) read with
//! `argMax(..., _timestamp)`, so each new row of a group gets a `_timestamp` strictly greater than
//! the previous one, even when several imports happen within one second.

use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// PostHog supports five group types per project.
pub const MAX_GROUP_TYPES: usize = 5;

/// One group's current state.
#[derive(Debug, Clone)]
pub struct Group {
    pub properties: Map<String, Value>,
    /// Microseconds since the epoch.
    pub created_at: i64,
    /// `_timestamp` of the last row written, if any.
    pub stored_ts: Option<u32>,
    json: Option<Arc<str>>,
}

impl Group {
    /// The properties as JSON text, cached until they change.
    pub fn properties_json(&mut self) -> Arc<str> {
        if let Some(json) = &self.json {
            return json.clone();
        }
        let json: Arc<str> = Value::Object(self.properties.clone()).to_string().into();
        self.json = Some(json.clone());
        json
    }
}

/// A row for `groups`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub group_type_index: u8,
    pub group_key: String,
    pub created_at: i64,
    pub properties: String,
    pub timestamp: u32,
}

/// Group types and groups of one team.
#[derive(Debug, Default)]
pub struct GroupModel {
    /// Type names by index.
    types: Vec<String>,
    new_types: Vec<(String, u8)>,
    groups: HashMap<(u8, String), Group>,
    dirty: HashSet<(u8, String)>,
}

impl GroupModel {
    /// Starts from the team's stored types (name, index) and groups.
    pub fn new(types: Vec<(String, u8)>, groups: Vec<(u8, String, Group)>) -> GroupModel {
        let mut sorted = types;
        sorted.sort_by_key(|(_, index)| *index);
        GroupModel {
            types: sorted.into_iter().map(|(name, _)| name).collect(),
            new_types: Vec::new(),
            groups: groups
                .into_iter()
                .map(|(index, key, group)| ((index, key), group))
                .collect(),
            dirty: HashSet::new(),
        }
    }

    /// A stored group for [`GroupModel::new`].
    pub fn stored_group(properties: Map<String, Value>, created_at: i64, stored_ts: u32) -> Group {
        Group {
            properties,
            created_at,
            stored_ts: Some(stored_ts),
            json: None,
        }
    }

    /// The index of a group type, assigning the next free one to a new type.
    pub fn index_for(&mut self, group_type: &str) -> Result<u8, String> {
        if let Some(index) = self.types.iter().position(|t| t == group_type) {
            return Ok(index as u8);
        }
        if self.types.len() >= MAX_GROUP_TYPES {
            return Err(format!(
                "group type {group_type:?} would be a sixth group type; PostHog allows {MAX_GROUP_TYPES}"
            ));
        }
        let index = self.types.len() as u8;
        self.types.push(group_type.to_string());
        self.new_types.push((group_type.to_string(), index));
        Ok(index)
    }

    /// Applies `$groupidentify`: creates the group if needed and sets `$group_set` properties.
    pub fn identify(
        &mut self,
        group_type: &str,
        key: &str,
        set: &Map<String, Value>,
        timestamp: i64,
    ) -> Result<(), String> {
        let index = self.index_for(group_type)?;
        let group = self
            .groups
            .entry((index, key.to_string()))
            .or_insert_with(|| Group {
                properties: Map::new(),
                created_at: timestamp,
                stored_ts: None,
                json: None,
            });
        let mut changed = group.stored_ts.is_none();
        for (k, v) in set {
            if group.properties.get(k) != Some(v) {
                group.properties.insert(k.clone(), v.clone());
                changed = true;
            }
        }
        if timestamp < group.created_at {
            group.created_at = timestamp;
            changed = true;
        }
        if changed {
            group.json = None;
            self.dirty.insert((index, key.to_string()));
        }
        Ok(())
    }

    /// The group's state, if it exists.
    pub fn get_mut(&mut self, index: u8, key: &str) -> Option<&mut Group> {
        self.groups.get_mut(&(index, key.to_string()))
    }

    /// Rows for the changed groups and the new group types since the last call.
    pub fn take_writes(&mut self, now_secs: u32) -> (Vec<GroupRow>, Vec<(String, u8)>) {
        let mut rows = Vec::with_capacity(self.dirty.len());
        let mut dirty: Vec<(u8, String)> = self.dirty.drain().collect();
        dirty.sort();
        for key in dirty {
            if let Some(group) = self.groups.get_mut(&key) {
                let timestamp = match group.stored_ts {
                    Some(previous) => now_secs.max(previous.saturating_add(1)),
                    None => now_secs,
                };
                group.stored_ts = Some(timestamp);
                rows.push(GroupRow {
                    group_type_index: key.0,
                    group_key: key.1.clone(),
                    created_at: group.created_at,
                    properties: group.properties_json().to_string(),
                    timestamp,
                });
            }
        }
        (rows, std::mem::take(&mut self.new_types))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_get_indexes_in_order_of_appearance_up_to_five() {
        let mut model = GroupModel::new(vec![("company".into(), 0)], Vec::new());
        assert_eq!(model.index_for("company"), Ok(0));
        for (i, name) in ["team", "project", "org", "region"].iter().enumerate() {
            assert_eq!(model.index_for(name), Ok(i as u8 + 1));
        }
        assert!(
            model
                .index_for("sixth")
                .unwrap_err()
                .contains("sixth group type")
        );
        let (_, new_types) = model.take_writes(0);
        assert_eq!(new_types.len(), 4);
    }

    #[test]
    fn rewritten_group_gets_a_later_timestamp() {
        let mut model = GroupModel::new(Vec::new(), Vec::new());
        let mut set = Map::new();
        set.insert("name".into(), Value::from("Acme"));
        model.identify("company", "acme", &set, 5).unwrap();
        let (rows, _) = model.take_writes(100);
        assert_eq!(rows[0].timestamp, 100);
        assert_eq!(rows[0].properties, r#"{"name":"Acme"}"#);
        set.insert("plan".into(), Value::from("pro"));
        model.identify("company", "acme", &set, 6).unwrap();
        let (rows, _) = model.take_writes(100);
        assert_eq!(rows[0].timestamp, 101);
        // No change, no row.
        model.identify("company", "acme", &set, 7).unwrap();
        assert!(model.take_writes(100).0.is_empty());
    }
}
