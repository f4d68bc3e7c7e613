//! The site digest: SHA-256 of the model as canonical JSON, with every list
//! of named objects sorted by name. Reordering or reformatting the source
//! keeps it; changing any value changes it.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::model::Site;

pub fn digest(site: &Site) -> String {
    // The compact JSON of an object whose keys are in sorted order and whose
    // items are canonical: the same text as sorting every object's keys of
    // the whole document, written piece by piece.
    let storage = object(&[
        ("ceph", sorted(&site.storage.ceph)),
        ("class", sorted(&site.storage.class)),
        ("nfs", sorted(&site.storage.nfs)),
    ]);
    let text = object(&[
        ("gpu-pool", sorted(&site.pools)),
        ("host", sorted(&site.hosts)),
        ("image", sorted(&site.images)),
        ("network", sorted(&site.networks)),
        ("pack", sorted(&site.packs)),
        ("secret", sorted(&site.secrets)),
        ("site", canonical(&site.settings).1),
        ("storage", storage),
        ("team", sorted(&site.teams)),
        ("user", sorted(&site.users)),
    ]);
    format!("sha256:{}", crate::hash::sha256_hex(text.as_bytes()))
}

/// `{"key":value,…}` from keys given in sorted order and values already JSON.
fn object(fields: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(*key).to_string());
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    out
}

/// An item's `name` and its canonical JSON text.
fn canonical<T: Serialize>(v: &T) -> (Option<String>, String) {
    let value = sort_keys(serde_json::to_value(v).unwrap_or(Value::Null));
    (value["name"].as_str().map(str::to_string), value.to_string())
}

/// The items as a JSON array of canonical JSON, sorted by name; built on
/// every core, since a large site has tens of thousands of them.
fn sorted<T: Serialize + Sync>(items: &[T]) -> String {
    let mut items: Vec<(Option<String>, String)> = items.par_iter().map(canonical).collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::from("[");
    for (i, (_, text)) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(text);
    }
    out.push(']');
    out
}

fn sort_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}
