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
    let value = serde_json::to_value(v).unwrap_or(Value::Null);
    let mut text = Vec::new();
    write_sorted(&mut text, &value);
    // serde_json writes valid UTF-8.
    (value["name"].as_str().map(str::to_string), String::from_utf8(text).unwrap_or_default())
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

/// Compact JSON with every object's keys in sorted order, written straight
/// from the value rather than from a sorted copy of it.
fn write_sorted(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                scalar(out, key);
                out.push(b':');
                write_sorted(out, value);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_sorted(out, item);
            }
            out.push(b']');
        }
        other => scalar(out, other),
    }
}

/// A string or scalar exactly as serde_json writes it.
fn scalar<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    // Writing to a Vec cannot fail, nor can serializing a str or a scalar.
    let _ = serde_json::to_writer(out, v);
}
