//! A pack's parameters as the site gives them: the `values` block, then every
//! `set … value=`, deepest last. Pack folders check them against their schema
//! and hand them to their template; the plan lays them over the values bosun
//! derives for a built-in pack.

use serde_json::{Map, Value};

use super::Pack;

impl Pack {
    /// The site's parameters on their own.
    pub fn parameters(&self) -> Value {
        let mut v = Value::Object(Map::new());
        self.apply_user(&mut v);
        v
    }

    /// Lays the site's `values` block, then its `set … value=` entries, over `values`.
    pub fn apply_user(&self, values: &mut Value) {
        if let Some(v) = &self.values {
            merge(values, v);
        }
        for set in &self.set {
            if let Some(v) = &set.value {
                let mut cur = &mut *values;
                for seg in set.path.split('.') {
                    if !cur.is_object() {
                        *cur = Value::Object(Map::new());
                    }
                    let Value::Object(m) = cur else { break };
                    cur = m.entry(seg.to_string()).or_insert(Value::Null);
                }
                *cur = v.clone();
            }
        }
    }
}

/// Deep merge: objects key by key, anything else replaced.
pub fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}
