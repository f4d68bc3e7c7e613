//! YAML files compared as documents, not as lines.
//!
//! Each document gets a key: a Kubernetes object is keyed by its API group
//! (not its version, so `v1beta3` → `v1beta4` shows as a changed
//! `apiVersion`), kind, namespace and name. A document with a kind but no
//! `metadata.name` (kubeadm's configurations, a kustomization) is keyed by its
//! kind; one with no kind at all (Helm values, cloud-init user-data) by its
//! position among such documents. Documents are then matched by key, so
//! reordering documents is not a change, and compared as mappings, so
//! reordering keys is not a change either. A change inside a document is a
//! list of field paths with their old and new values.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Status;

/// What a document is, for matching it across the two sides.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocKey {
    /// The API group: `apps`, `argoproj.io`, `` for the core group and for
    /// documents without an `apiVersion`.
    pub group: String,
    /// `kind`, empty when the document has none.
    pub kind: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// Which of the documents with otherwise equal keys in one file this is,
    /// from 0 (documents without a kind are told apart by this alone).
    pub index: usize,
}

impl DocKey {
    /// A named object of a kind: counted as a resource in the summary.
    pub fn is_resource(&self) -> bool {
        !self.kind.is_empty() && self.name.is_some()
    }

    /// `ResourceQuota speech/quota`, `StorageClass shared`,
    /// `KubeletConfiguration`, `document 2`.
    pub fn label(&self) -> String {
        let mut out = if self.kind.is_empty() { format!("document {}", self.index + 1) } else { self.kind.clone() };
        match (&self.namespace, &self.name) {
            (Some(ns), Some(name)) => out.push_str(&format!(" {ns}/{name}")),
            (None, Some(name)) => out.push_str(&format!(" {name}")),
            _ => {}
        }
        if !self.kind.is_empty() && self.index > 0 {
            out.push_str(&format!(" #{}", self.index + 1));
        }
        out
    }
}

/// One changed leaf (or subtree) of a document. `old` is `None` for an added
/// field, `new` for a removed one.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// One document that differs between the two sides.
#[derive(Clone, Debug, PartialEq)]
pub struct DocChange {
    pub key: DocKey,
    pub status: Status,
    /// The changed fields of a modified document; empty for added and
    /// removed ones.
    pub fields: Vec<FieldChange>,
    /// The whole document of an added or removed one: its source text and
    /// its value.
    pub text: Option<String>,
    pub value: Option<Value>,
}

/// Files compared as documents: `.yaml`, `.yml`, `.json` and cloud-init's
/// NoCloud seeds, which are YAML without an extension.
pub fn is_structured(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    [".yaml", ".yml", ".json"].iter().any(|ext| name.ends_with(ext))
        || (path.contains("cloud-init/") && ["user-data", "meta-data", "network-config", "vendor-data"].contains(&name))
}

/// A file's documents with their keys and source text. `None` when the file
/// is not UTF-8 or a document does not parse: it is then diffed as text.
pub fn documents(bytes: &[u8]) -> Option<BTreeMap<DocKey, (Value, String)>> {
    let text = std::str::from_utf8(bytes).ok()?.replace("\r\n", "\n");
    let mut out = BTreeMap::new();
    for chunk in split_documents(&text) {
        let value: Value = serde_norway::from_str(&chunk).ok()?;
        if value.is_null() {
            continue; // an empty document: a leading `---` or a comment block
        }
        let mut key = key_of(&value);
        while out.contains_key(&key) {
            key.index += 1;
        }
        out.insert(key, (value, chunk.trim_end().to_string()));
    }
    Some(out)
}

/// Splits at `---` lines. A block scalar's content is indented, so a `---`
/// at the start of a line is always a document marker; the few YAML shapes
/// where this is wrong fail to parse and fall back to a text diff.
fn split_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.lines() {
        let marker = line.strip_prefix("---").filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
        if let Some(rest) = marker {
            docs.push(String::new());
            let rest = rest.trim();
            if !rest.is_empty() {
                docs.last_mut().unwrap().push_str(rest);
                docs.last_mut().unwrap().push('\n');
            }
            continue;
        }
        if line == "..." {
            continue;
        }
        let doc = docs.last_mut().unwrap();
        doc.push_str(line);
        doc.push('\n');
    }
    docs
}

fn key_of(value: &Value) -> DocKey {
    let str_at = |ptr: &str| value.pointer(ptr).and_then(Value::as_str).map(str::to_string);
    let api = str_at("/apiVersion").unwrap_or_default();
    let group = api.rsplit_once('/').map(|(g, _)| g.to_string()).unwrap_or_default();
    let kind = str_at("/kind").unwrap_or_default();
    let name = if kind.is_empty() { None } else { str_at("/metadata/name") };
    let namespace = name.as_ref().and(str_at("/metadata/namespace"));
    DocKey { group, kind, namespace, name, index: 0 }
}

/// The documents that differ between two versions of a file (either side
/// may be absent), in key order. `None` when a side does not parse.
pub fn compare(old: Option<&[u8]>, new: Option<&[u8]>) -> Option<Vec<DocChange>> {
    let old = old.map(documents).unwrap_or(Some(BTreeMap::new()))?;
    let new = new.map(documents).unwrap_or(Some(BTreeMap::new()))?;
    let mut changes = Vec::new();
    for (key, (value, text)) in &old {
        match new.get(key) {
            Some((now, _)) if now == value => {}
            Some((now, _)) => {
                let mut fields = Vec::new();
                diff_value(&mut Vec::new(), value, now, &mut fields);
                changes.push(DocChange { key: key.clone(), status: Status::Modified, fields, text: None, value: None });
            }
            None => changes.push(DocChange {
                key: key.clone(),
                status: Status::Removed,
                fields: Vec::new(),
                text: Some(text.clone()),
                value: Some(value.clone()),
            }),
        }
    }
    for (key, (value, text)) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
        changes.push(DocChange {
            key: key.clone(),
            status: Status::Added,
            fields: Vec::new(),
            text: Some(text.clone()),
            value: Some(value.clone()),
        });
    }
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    Some(changes)
}

/// One step of a field path.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
    /// An element of a list of mappings told apart by a `name` (or `host`)
    /// field: `subjects[name="alice"]`. Matching by name keeps an insertion
    /// from showing as a change of every later element.
    Named(&'static str, String),
}

/// `spec.hard["requests.nvidia.com/gpu"]`, `subjects[name="alice"].kind`,
/// `resources[3]`.
fn path_string(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(k) if is_identifier(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Key(k) => out.push_str(&format!("[{}]", Value::String(k.clone()))),
            Step::Index(i) => out.push_str(&format!("[{i}]")),
            Step::Named(field, v) => out.push_str(&format!("[{field}={}]", Value::String(v.clone()))),
        }
    }
    if out.is_empty() { "(document)".to_string() } else { out }
}

fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn diff_value(path: &mut Vec<Step>, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    let change = |path: &[Step], old: Option<&Value>, new: Option<&Value>| FieldChange {
        path: path_string(path),
        old: old.cloned(),
        new: new.cloned(),
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                path.push(Step::Key(k.clone()));
                match b.get(k) {
                    Some(w) => diff_value(path, v, w, out),
                    None => out.push(change(path, Some(v), None)),
                }
                path.pop();
            }
            for (k, w) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                path.push(Step::Key(k.clone()));
                out.push(change(path, None, Some(w)));
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) => match naming_field(a, b) {
            Some(field) => diff_named(path, field, a, b, out),
            None => diff_list(path, a, b, out),
        },
        _ => out.push(change(path, Some(old), Some(new))),
    }
}

/// The field that names every element of both lists uniquely, if any.
fn naming_field(a: &[Value], b: &[Value]) -> Option<&'static str> {
    ["name", "host"].into_iter().find(|field| {
        [a, b].iter().all(|list| {
            let names: Vec<&str> = list.iter().filter_map(|v| v.get(*field).and_then(Value::as_str)).collect();
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            names.len() == list.len() && unique.len() == names.len()
        }) && !(a.is_empty() && b.is_empty())
    })
}

fn diff_named(path: &mut Vec<Step>, field: &'static str, a: &[Value], b: &[Value], out: &mut Vec<FieldChange>) {
    let name = |v: &Value| v[field].as_str().unwrap_or_default().to_string();
    for v in a {
        path.push(Step::Named(field, name(v)));
        match b.iter().find(|w| name(w) == name(v)) {
            Some(w) => diff_value(path, v, w, out),
            None => out.push(FieldChange { path: path_string(path), old: Some(v.clone()), new: None }),
        }
        path.pop();
    }
    for w in b.iter().filter(|w| !a.iter().any(|v| name(v) == name(w))) {
        path.push(Step::Named(field, name(w)));
        out.push(FieldChange { path: path_string(path), old: None, new: Some(w.clone()) });
        path.pop();
    }
}

/// Other lists: the longest common subsequence of their elements; a run of
/// replaced elements is compared pairwise, so one changed field deep in a
/// list is one path.
fn diff_list(path: &mut Vec<Step>, a: &[Value], b: &[Value], out: &mut Vec<FieldChange>) {
    // Elements compare by a key-order-free text, like documents do.
    let (ta, tb): (Vec<String>, Vec<String>) = (a.iter().map(canonical).collect(), b.iter().map(canonical).collect());
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &ta, &tb);
    for op in ops {
        let (tag, old, new) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        let paired = old.len().min(new.len());
        for (i, j) in old.clone().zip(new.clone()).take(paired) {
            path.push(Step::Index(j));
            diff_value(path, &a[i], &b[j], out);
            path.pop();
        }
        for i in old.skip(paired) {
            path.push(Step::Index(i));
            out.push(FieldChange { path: path_string(path), old: Some(a[i].clone()), new: None });
            path.pop();
        }
        for j in new.skip(paired) {
            path.push(Step::Index(j));
            out.push(FieldChange { path: path_string(path), old: None, new: Some(b[j].clone()) });
            path.pop();
        }
    }
}

/// JSON text with every mapping's keys sorted.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// A value on one line: scalars as JSON (so `"64"` and `64` stay apart),
/// mappings and lists as compact JSON cut at `max` characters.
pub fn inline(value: &Value, max: usize) -> String {
    let text = value.to_string();
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}… ({} characters)", text.chars().count())
}
