//! The site digest: SHA-256 of the model as canonical JSON, with every list
//! of named objects sorted by name. Reordering or reformatting the source
//! keeps it; changing any value changes it.

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::Site;

pub fn digest(site: &Site) -> String {
    let doc = json!({
        "site": canonical(&site.settings),
        "network": sorted(&site.networks),
        "image": sorted(&site.images),
        "host": sorted(&site.hosts),
        "gpu-pool": sorted(&site.pools),
        "storage": {
            "nfs": sorted(&site.storage.nfs),
            "ceph": sorted(&site.storage.ceph),
            "class": sorted(&site.storage.class),
        },
        "team": sorted(&site.teams),
        "user": sorted(&site.users),
        "pack": sorted(&site.packs),
        "secret": sorted(&site.secrets),
    });
    // serde_json writes object keys in insertion order; re-sort them all.
    let text = sort_keys(doc).to_string();
    format!("sha256:{}", crate::hash::sha256_hex(text.as_bytes()))
}

fn canonical<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn sorted<T: Serialize>(items: &[T]) -> Value {
    let mut values: Vec<Value> = items.iter().map(canonical).collect();
    values.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Value::Array(values)
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
