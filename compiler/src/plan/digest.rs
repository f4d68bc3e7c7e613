//! The site digest: SHA-256 of the model as canonical JSON, with every list
//! of named objects sorted by name. Reordering or reformatting the source
//! keeps it; changing any value changes it.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use crate::model::Site;

pub fn digest(site: &Site) -> String {
    // Keys in sorted order and every item already canonical: the text is
    // the same as sorting every object's keys of the whole document.
    let doc = json!({
        "gpu-pool": sorted(&site.pools),
        "host": sorted(&site.hosts),
        "image": sorted(&site.images),
        "network": sorted(&site.networks),
        "pack": sorted(&site.packs),
        "secret": sorted(&site.secrets),
        "site": canonical(&site.settings),
        "storage": {
            "ceph": sorted(&site.storage.ceph),
            "class": sorted(&site.storage.class),
            "nfs": sorted(&site.storage.nfs),
        },
        "team": sorted(&site.teams),
        "user": sorted(&site.users),
    });
    let text = doc.to_string();
    format!("sha256:{}", crate::hash::sha256_hex(text.as_bytes()))
}

fn canonical<T: Serialize>(v: &T) -> Value {
    sort_keys(serde_json::to_value(v).unwrap_or(Value::Null))
}

/// The items as canonical JSON, sorted by name; built on every core, since
/// a large site has tens of thousands of them.
fn sorted<T: Serialize + Sync>(items: &[T]) -> Value {
    let mut values: Vec<Value> = items.par_iter().map(canonical).collect();
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
