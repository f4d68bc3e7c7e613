//! `host-defaults ROLE { … }` merged into every host of that role, in JSON,
//! before the typed model is built, so a merged value keeps the span of the
//! line it came from.
//!
//! Single settings: the host's own wins. Repeatable settings (interface, bond,
//! disk, label, taint): the defaults' entries come first, then the host's; a
//! host entry with the same key (interface/bond name, disk device, label key,
//! taint key and effect) replaces the default one.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Taint;
use super::errors::DUPLICATE_DEFAULTS;
use crate::diag::{Diagnostic, Diagnostics};
use crate::structure::SpanIndex;

pub fn merge(doc: &mut Value, index: &mut SpanIndex, broken_roles: &[String], diags: &mut Diagnostics) {
    let defaults = by_role(doc, index, diags);
    let Some(hosts) = doc.get_mut("host").and_then(Value::as_array_mut) else {
        return;
    };
    for (i, host) in hosts.iter_mut().enumerate() {
        let Some(role) = host.get("role").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        let Some((d, settings)) = defaults.get(&role) else {
            continue;
        };
        if broken_roles.contains(&role) {
            continue;
        }
        for (key, value) in settings.as_object().into_iter().flatten().filter(|(k, _)| *k != "role") {
            merge_setting(host, key, value, &format!("/host-defaults/{d}/{key}"), &format!("/host/{i}/{key}"), index);
        }
    }
}

fn by_role(doc: &Value, index: &SpanIndex, diags: &mut Diagnostics) -> BTreeMap<String, (usize, Value)> {
    let mut out: BTreeMap<String, (usize, Value)> = BTreeMap::new();
    for (d, entry) in doc.get("host-defaults").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let Some(role) = entry.get("role").and_then(Value::as_str) else {
            continue;
        };
        if let Some((first, _)) = out.get(role) {
            let diag = Diagnostic::new(&DUPLICATE_DEFAULTS, format!("a second `host-defaults \"{role}\"`"))
                .label_opt(index.value(&format!("/host-defaults/{d}")), "given again here")
                .label_opt(index.value(&format!("/host-defaults/{first}")), "first given here");
            diags.push(diag);
            continue;
        }
        out.insert(role.to_string(), (d, entry.clone()));
    }
    out
}

fn merge_setting(host: &mut Value, key: &str, value: &Value, from: &str, to: &str, index: &mut SpanIndex) {
    let Some(obj) = host.as_object_mut() else {
        return;
    };
    match (obj.get_mut(key), value) {
        (None, _) => {
            obj.insert(key.to_string(), value.clone());
            index.copy(from, to);
        }
        (Some(Value::Array(own)), Value::Array(inherited)) => {
            let own_keys: Vec<String> = own.iter().map(entry_key).collect();
            let kept: Vec<(usize, &Value)> =
                inherited.iter().enumerate().filter(|(_, v)| !own_keys.contains(&entry_key(v))).collect();
            let shift = kept.len();
            // Re-index the host's own entries first: they move right by `shift`.
            let own_locs: Vec<_> = (0..own.len()).map(|j| index.subtree(&format!("{to}/{j}"))).collect();
            for j in 0..own.len() {
                index.remove_subtree(&format!("{to}/{j}"));
            }
            for (j, locs) in own_locs.into_iter().enumerate() {
                for (rest, loc) in locs {
                    index.insert(&format!("{to}/{}{rest}", j + shift), loc);
                }
            }
            for (new, (old, _)) in kept.iter().enumerate() {
                index.copy(&format!("{from}/{old}"), &format!("{to}/{new}"));
            }
            let mut merged: Vec<Value> = kept.into_iter().map(|(_, v)| v.clone()).collect();
            merged.append(own);
            *own = merged;
        }
        // A single setting the host gives itself wins.
        _ => {}
    }
}

/// What makes two entries of a repeatable setting "the same".
fn entry_key(v: &Value) -> String {
    match v {
        Value::Object(o) => ["name", "device"].iter().find_map(|k| o.get(*k)).map(Value::to_string).unwrap_or_default(),
        Value::String(s) => match s.parse::<Taint>() {
            // taint: same key and effect
            Ok(t) => format!("{}:{}", t.key, t.effect.as_str()),
            // label: same key
            Err(_) => s.split('=').next().unwrap_or(s).to_string(),
        },
        other => other.to_string(),
    }
}
