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
//!
//! Scalars are read as Helm, kubectl and PyYAML read them: YAML 1.1, where a
//! plain `off` is a boolean and `0755` an octal number (`yaml11`). Read as
//! YAML 1.2, `"off"` → `off` would be no change at all.

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
        let value = yaml11::read(&chunk)?;
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

mod yaml11 {
    //! A YAML document as YAML 1.1 readers see it. serde_norway resolves
    //! plain scalars by YAML 1.2's rules and hands the rest over as strings;
    //! those plain strings that YAML 1.1 reads as booleans or numbers are
    //! resolved again here. serde_norway lends a plain scalar as its own text
    //! in the input and a quoted one as the text inside its quotes, so the
    //! byte before a borrowed string tells the two apart.

    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Number, Value};

    /// The document, or `None` when it does not parse.
    pub fn read(text: &str) -> Option<Value> {
        Reader { input: text }.deserialize(serde_norway::Deserializer::from_str(text)).ok()
    }

    #[derive(Clone, Copy)]
    struct Reader<'de> {
        input: &'de str,
    }

    impl<'de> Reader<'de> {
        fn is_plain(&self, v: &str) -> bool {
            let (base, at) = (self.input.as_ptr() as usize, v.as_ptr() as usize);
            match at.checked_sub(base) {
                Some(0) => true,
                Some(offset) if offset <= self.input.len() => {
                    !matches!(self.input.as_bytes()[offset - 1], b'"' | b'\'')
                }
                _ => false,
            }
        }
    }

    impl<'de> DeserializeSeed<'de> for Reader<'de> {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Reader<'de> {
        type Value = Value;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a YAML value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Value, E> {
            Ok(if self.is_plain(v) { resolve(v) } else { Value::String(v.to_string()) })
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element_seed(self)? {
                out.push(v);
            }
            Ok(Value::Array(out))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key_seed(self)? {
                // A YAML 1.1 reader's `on:` key is the boolean true.
                let key = match key {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(key, map.next_value_seed(self)?);
            }
            Ok(Value::Object(out))
        }
    }

    /// A plain scalar that YAML 1.2 leaves a string, as YAML 1.1 types it.
    pub fn resolve(v: &str) -> Value {
        if let Some(b) = boolean(v) {
            return Value::Bool(b);
        }
        number(v).unwrap_or_else(|| Value::String(v.to_string()))
    }

    fn boolean(v: &str) -> Option<bool> {
        match v {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
            _ => None,
        }
    }

    /// YAML 1.1's integers and floats: octal `0755`, `_` between digits,
    /// sexagesimal `1:20` and `1:20.5`, and `0x`/`0b` with underscores.
    fn number(v: &str) -> Option<Value> {
        let (negative, body) = match v.as_bytes().first()? {
            b'-' => (true, &v[1..]),
            b'+' => (false, &v[1..]),
            _ => (false, v),
        };
        let digits: String = body.chars().filter(|&c| c != '_').collect();
        let int = |radix: u32, s: &str| -> Option<Value> {
            let n = i64::from_str_radix(s, radix).ok()?;
            Some(Value::from(if negative { -n } else { n }))
        };
        if body.starts_with('_') || digits.is_empty() {
            return None;
        }
        if let Some(hex) = digits.strip_prefix("0x") {
            return int(16, hex);
        }
        if let Some(bin) = digits.strip_prefix("0b") {
            return int(2, bin);
        }
        if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return int(8, &digits);
        }
        if digits.contains(':') {
            return sexagesimal(&digits, negative);
        }
        if digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0') {
            return int(10, &digits);
        }
        let float = digits.contains('.') && digits.bytes().all(|b| b.is_ascii_digit() || b".eE+-".contains(&b));
        let f: f64 = if float { digits.parse().ok()? } else { return None };
        Number::from_f64(if negative { -f } else { f }).map(Value::Number)
    }

    /// `190:20:30` is 190·3600 + 20·60 + 30; the last part may have a fraction.
    fn sexagesimal(digits: &str, negative: bool) -> Option<Value> {
        let parts: Vec<&str> = digits.split(':').collect();
        let (last, whole) = parts.split_last()?;
        let first_ok = whole
            .first()
            .is_some_and(|p| !p.is_empty() && !p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()));
        let sixty = |p: &str| {
            (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u8>().is_ok_and(|n| n < 60)
        };
        if !first_ok || !whole[1..].iter().all(|p| sixty(p)) {
            return None;
        }
        let (last_int, fraction) = last.split_once('.').map_or((*last, None), |(i, f)| (i, Some(f)));
        if !sixty(last_int) || fraction.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        let mut total: i64 = 0;
        for p in whole.iter().chain(std::iter::once(&last_int)) {
            total = total.checked_mul(60)?.checked_add(p.parse().ok()?)?;
        }
        let sign = if negative { -1 } else { 1 };
        match fraction {
            None => Some(Value::from(sign * total)),
            Some(f) => {
                let frac: f64 = format!("0.{f}").parse().ok()?;
                Number::from_f64(sign as f64 * (total as f64 + frac)).map(Value::Number)
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use serde_json::json;

        #[test]
        fn plain_scalars_are_typed_as_yaml_1_1_and_quoted_ones_stay_strings() {
            let doc = read("a: off\nb: \"off\"\nc: 'yes'\nd: Yes\ne: 0755\nf: '0755'\ng: 1:20\nh: 1_000\ni: 08\nj: 1:20.5\nk: [on, \"on\"]\non: 1\nl: -0x_1F\nm: 1.5\np: 190:20:30\nn: 1\n").unwrap();
            assert_eq!(
                doc,
                json!({"a": false, "b": "off", "c": "yes", "d": true, "e": 493, "f": "0755", "g": 80, "h": 1000,
                       "i": "08", "j": 80.5, "k": [true, "on"], "true": 1, "l": -31, "m": 1.5, "p": 685230, "false": 1})
            );
        }

        #[test]
        fn strings_that_only_look_like_numbers_stay_strings() {
            for s in ["1.2.3", "0x", "_1", "1:60", "01:20", "10.0.0.0/24", "v1", "1e", "+", "-"] {
                assert_eq!(resolve(s), Value::String(s.to_string()), "{s}");
            }
        }
    }
}
