//! JSON Schema validation of the lowered document, with every error mapped
//! back to the KDL text through the span index.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind as K};
use serde_json::Value;

use super::errors::*;
use super::index::SpanIndex;
use super::schema::{self, Kind};
use crate::diag::{Code, Diagnostic};
use crate::suggest::did_you_mean;

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(schema::schema()).expect("embedded schema compiles"))
}

/// A schema finding: the diagnostic and, for a missing setting, its name.
pub type Finding = (Diagnostic, Option<String>);

/// Validates `doc`; returns one finding per problem with the pointer it concerns.
pub fn check(doc: &Value, index: &SpanIndex) -> Vec<(String, Finding)> {
    // Answering yes or no stops at the first problem and builds no error
    // values: most sites have none, and that answer is several times cheaper.
    if validator().is_valid(doc) {
        return Vec::new();
    }
    validator()
        .iter_errors(doc)
        .map(|e| {
            let ptr = e.instance_path().as_str().to_string();
            let missing = match e.kind() {
                K::Required { property } => property.as_str().map(str::to_string),
                _ => None,
            };
            let d = Mapper { doc, index, ptr: &ptr }.map(e.kind(), e.instance(), &e.to_string());
            (ptr, (d, missing))
        })
        .collect()
}

struct Mapper<'a> {
    doc: &'a Value,
    index: &'a SpanIndex,
    ptr: &'a str,
}

impl Mapper<'_> {
    fn map(&self, kind: &K, instance: &Value, fallback: &str) -> Diagnostic {
        let key = self.key();
        let annotated = schema_at(self.ptr).and_then(|s| {
            let code = s.get("x-code").and_then(Value::as_str).and_then(by_id)?;
            Some((code, s.get("x-help").and_then(Value::as_str)))
        });
        let code_or = |default: &'static Code| annotated.map_or(default, |(c, _)| c);
        let help = annotated.and_then(|(_, h)| h).map(str::to_string);
        let shown = show(instance);
        let d = match kind {
            K::Required { property } => return self.missing(property.as_str().unwrap_or("?")),
            K::Type { kind } => {
                Diagnostic::new(&TYPE, format!("`{key}` must be {}, not {}", expected(kind), kdl_type(instance)))
                    .help(type_help(kind))
            }
            K::Enum { options } => {
                let opts: Vec<&str> = options.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let mut h = format!("`{key}` is one of: {}", opts.join(", "));
                if let Some(s) = instance.as_str().and_then(|v| did_you_mean(v, opts.iter().copied())) {
                    h = format!("did you mean `{s}`? {h}");
                }
                Diagnostic::new(code_or(&INVALID_VALUE), format!("{shown} is not a valid `{key}`")).help(h)
            }
            K::Pattern { .. } => Diagnostic::new(code_or(&PATTERN), format!("{shown} is not a valid `{key}`")),
            K::Minimum { limit } | K::ExclusiveMinimum { limit } => {
                Diagnostic::new(code_or(&RANGE), format!("`{key}` {shown} is below the minimum {limit}"))
            }
            K::Maximum { limit } | K::ExclusiveMaximum { limit } => {
                Diagnostic::new(code_or(&RANGE), format!("`{key}` {shown} is above the maximum {limit}"))
            }
            K::MinLength { limit: 1 } => {
                Diagnostic::new(code_or(&LENGTH), format!("`{key}` is empty")).help("give it a value")
            }
            K::MinLength { limit } => {
                Diagnostic::new(code_or(&LENGTH), format!("`{key}` must have at least {limit} character(s)"))
            }
            K::MaxLength { limit } => {
                Diagnostic::new(code_or(&LENGTH), format!("`{key}` must have at most {limit} characters"))
            }
            K::MaxItems { limit } => {
                let d = Diagnostic::new(code_or(&LENGTH), format!("more than {limit} `{key}` entries"));
                let extra = self.index.value(&format!("{}/{limit}", self.ptr));
                return with_help(d.label_opt(extra, format!("entry {} of at most {limit}", limit + 1)), help);
            }
            K::MinItems { .. } => {
                let d = Diagnostic::new(code_or(&LENGTH), format!("the site has no `{key}`"));
                return with_help(d.label_opt(self.index.nearest(self.ptr).map(|l| l.value), "in this site"), help);
            }
            _ => Diagnostic::new(&INVALID, fallback.to_string()),
        };
        let at = self.index.nearest(self.ptr).map(|l| l.value);
        with_help(d.label_opt(at, "here"), help)
    }

    fn missing(&self, property: &str) -> Diagnostic {
        let owner = describe(self.doc, self.ptr);
        let at = self.index.nearest(self.ptr).map(|l| l.value);
        let help = match schema_at(self.ptr).map(schema::kind) {
            _ if self.ptr.is_empty() => format!("add a top-level `{property}` node"),
            Some(Kind::Object(shape)) if shape.is_prop(property) => {
                format!("add `{property}=…` to {owner}")
            }
            Some(Kind::Object(shape)) if shape.is_arg(property) => {
                format!("give {owner} its {property} as an argument")
            }
            _ => format!("add a `{property} …` child node to {owner}"),
        };
        // A required list can carry its own code (the site has no `host`).
        let own = schema_at(&format!("{}/{property}", self.ptr)).and_then(|s| {
            let code = s.get("x-code").and_then(Value::as_str).and_then(by_id)?;
            Some((code, s.get("x-help").and_then(Value::as_str).unwrap_or(code.help)))
        });
        if let (Some((code, help)), true) = (own, self.ptr.is_empty()) {
            return Diagnostic::new(code, format!("the site has no `{property}`"))
                .label_opt(at, "in this site")
                .help(help);
        }
        if self.ptr.is_empty() {
            let d = Diagnostic::new(&MISSING, format!("the site has no top-level `{property}` node"));
            return d.label_opt(at, "in this file").help(help);
        }
        Diagnostic::new(&MISSING, format!("{owner} is missing `{property}`")).label_opt(at, "declared here").help(help)
    }

    /// The setting's name: the last non-index segment of the pointer; for a
    /// node's argument, with the node's name (`interface name`).
    fn key(&self) -> String {
        let key = last_key(self.ptr);
        let parent = self.ptr.rsplit_once('/').map_or("", |(p, _)| p);
        match schema_at(parent).map(schema::kind) {
            Some(Kind::Object(shape)) if shape.is_arg(&key) && !parent.is_empty() => {
                format!("{} {key}", last_key(parent))
            }
            _ => key,
        }
    }
}

fn last_key(ptr: &str) -> String {
    ptr.rsplit('/').find(|s| s.parse::<usize>().is_err()).unwrap_or("site").replace("~1", "/").replace("~0", "~")
}

fn with_help(d: Diagnostic, help: Option<String>) -> Diagnostic {
    match help {
        Some(h) if d.help.is_none() => d.help(h),
        _ => d,
    }
}

/// The schema that governs the value at `ptr`.
pub fn schema_at(ptr: &str) -> Option<&'static Value> {
    let mut s = schema::schema();
    for seg in ptr.split('/').skip(1) {
        s = match schema::kind(s) {
            Kind::Object(shape) => shape.property(seg)?,
            Kind::Array(items) => *items,
            _ => return None,
        };
    }
    Some(schema::resolve(s))
}

/// `host "gpu-01"`, `bmc of host "gpu-01"`, `the site`: how the user would name an object.
pub fn describe(doc: &Value, ptr: &str) -> String {
    if ptr.is_empty() {
        return "the site".to_string();
    }
    let segs: Vec<&str> = ptr.split('/').skip(1).collect();
    let mut parts = Vec::new();
    let mut cur = doc;
    for (i, seg) in segs.iter().enumerate() {
        cur = match cur {
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|n| a.get(n)).unwrap_or(&Value::Null),
            other => other.get(*seg).unwrap_or(&Value::Null),
        };
        if seg.parse::<usize>().is_ok() {
            continue;
        }
        let name = match segs.get(i + 1).and_then(|s| s.parse::<usize>().ok()).and_then(|n| cur.get(n)) {
            Some(item) => item.get("name").and_then(Value::as_str).map(|n| format!(" \"{n}\"")),
            None => cur.get("name").and_then(Value::as_str).map(|n| format!(" \"{n}\"")),
        };
        parts.push(format!("{seg}{}", name.unwrap_or_default()));
    }
    parts.reverse();
    format!("`{}`", parts.join("` in `"))
}

fn expected(kind: &TypeKind) -> String {
    let word = |t: &str| match t {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "#true or #false",
        "object" => "a block of settings",
        "array" => "a list",
        "null" => "#null",
        _ => "another type",
    };
    match kind {
        TypeKind::Single(t) => word(&t.to_string()).to_string(),
        TypeKind::Multiple(ts) => ts.iter().map(|t| word(&t.to_string())).collect::<Vec<_>>().join(" or "),
    }
}

fn type_help(kind: &TypeKind) -> String {
    let e = expected(kind);
    if e.contains("string") {
        format!("write {e}; strings are quoted: \"…\"")
    } else if e.contains("#true") {
        "write #true or #false (KDL 2.0 booleans)".to_string()
    } else {
        format!("write {e} without quotes")
    }
}

fn kdl_type(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a decimal number",
        Value::Bool(_) => "a boolean",
        Value::Null => "#null",
        Value::Array(_) => "a list",
        Value::Object(_) => "a block of settings",
    }
}

fn show(v: &Value) -> String {
    match v {
        // A line break or other control character is shown escaped, so the
        // message stays on one line and says what is wrong.
        Value::String(s) => {
            let shown: String = s
                .chars()
                .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
                .collect();
            format!("\"{shown}\"")
        }
        other => other.to_string(),
    }
}
