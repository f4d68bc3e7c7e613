//! The site digest: SHA-256 of the model as canonical JSON, with every list
//! of named objects sorted by name. Reordering or reformatting the source
//! keeps it; changing any value changes it.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::Site;

/// A part of the canonical text, written into the hash when its turn comes.
type Part<'a> = &'a dyn Fn(&mut Sha256);

pub fn digest(site: &Site) -> String {
    // The compact JSON of an object whose keys are in sorted order and whose
    // items are canonical: the same text as sorting every object's keys of
    // the whole document, hashed piece by piece rather than held whole.
    let s = &site.storage;
    let storage: Part = &|h| {
        object(
            h,
            &[("ceph", &|h| sorted(h, &s.ceph)), ("class", &|h| sorted(h, &s.class)), ("nfs", &|h| sorted(h, &s.nfs))],
        )
    };
    let mut h = Sha256::new();
    object(
        &mut h,
        &[
            ("gpu-pool", &|h| sorted(h, &site.pools)),
            ("host", &|h| sorted(h, &site.hosts)),
            ("image", &|h| sorted(h, &site.images)),
            ("network", &|h| sorted(h, &site.networks)),
            ("pack", &|h| sorted(h, &site.packs)),
            ("secret", &|h| sorted(h, &site.secrets)),
            ("site", &|h| h.update(canonical(&site.settings).1)),
            ("storage", storage),
            ("team", &|h| sorted(h, &site.teams)),
            ("user", &|h| sorted(h, &site.users)),
        ],
    );
    format!("sha256:{:x}", h.finalize())
}

/// `{"key":value,…}` from keys given in sorted order and their values.
fn object(h: &mut Sha256, fields: &[(&str, Part)]) {
    h.update("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            h.update(",");
        }
        h.update(Value::from(*key).to_string());
        h.update(":");
        value(h);
    }
    h.update("}");
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
fn sorted<T: Serialize + Sync>(h: &mut Sha256, items: &[T]) {
    let mut items: Vec<(Option<String>, String)> = items.par_iter().map(canonical).collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    h.update("[");
    for (i, (_, text)) in items.iter().enumerate() {
        if i > 0 {
            h.update(",");
        }
        h.update(text);
    }
    h.update("]");
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
