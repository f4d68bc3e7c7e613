//! The site language's JSON Schema, embedded from schema/site.schema.json:
//! the file in the repository is the one the compiler validates with and the
//! one `bosun schema` prints.
//!
//! Besides standard keywords it carries annotations that say how KDL maps to
//! JSON (validators ignore unknown keywords):
//! - `x-kdl-args`: object keys filled by a node's arguments, in order;
//! - `x-kdl-props`: object keys written as `key=value` properties (every other
//!   key is a child node);
//! - `x-kdl-free`: a free-form object (pack values), mapped generically;
//! - `x-code`, `x-help`: the diagnostic code and help for a value that fails
//!   its `pattern`, `enum` or range.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::FastMap;

pub const SCHEMA_TEXT: &str = include_str!("../../../schema/site.schema.json");

pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    // The schema is part of the binary; a parse failure is caught by every test run.
    SCHEMA.get_or_init(|| serde_json::from_str(SCHEMA_TEXT).expect("embedded schema is valid JSON"))
}

/// Follows a local `$ref` (`#/$defs/NAME`), once.
pub fn resolve(s: &'static Value) -> &'static Value {
    match s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => &schema()["$defs"][name],
        None => s,
    }
}

/// What kind of KDL a schema maps from.
pub enum Kind {
    Object(Shape),
    Free,
    Array(&'static Value),
    Scalar,
}

/// The KDL shape of an object schema.
pub struct Shape {
    pub args: Vec<&'static str>,
    pub props: Vec<&'static str>,
    /// Every key, with its schema (`$ref` followed).
    properties: FastMap<&'static str, &'static Value>,
    /// The object schema itself.
    all: &'static Value,
}

impl Shape {
    pub fn property(&self, key: &str) -> Option<&'static Value> {
        self.properties.get(key).copied()
    }

    pub fn has(&self, key: &str) -> bool {
        self.properties.contains_key(key)
    }

    pub fn is_prop(&self, key: &str) -> bool {
        self.props.contains(&key)
    }

    pub fn is_arg(&self, key: &str) -> bool {
        self.args.contains(&key)
    }

    /// Keys written as child nodes, in the schema's order.
    pub fn child_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        let all = self.all.get("properties").and_then(Value::as_object);
        all.into_iter().flatten().map(|(k, _)| k.as_str()).filter(|k| !self.is_prop(k) && !self.is_arg(k))
    }
}

/// The kind of a schema. Lowering asks for every value of the site, so each
/// schema of the file is read once, on first use.
pub fn kind(s: &'static Value) -> &'static Kind {
    static KINDS: OnceLock<FastMap<usize, Kind>> = OnceLock::new();
    let kinds = KINDS.get_or_init(|| {
        let mut kinds = FastMap::default();
        compile(schema(), &mut kinds);
        for def in schema()["$defs"].as_object().into_iter().flat_map(Map::values) {
            compile(def, &mut kinds);
        }
        kinds
    });
    kinds.get(&address(resolve(s))).expect("every schema in the file is compiled")
}

fn address(s: &'static Value) -> usize {
    std::ptr::from_ref(s) as usize
}

/// Reads `s` and every schema below it.
fn compile(s: &'static Value, kinds: &mut FastMap<usize, Kind>) {
    let s = resolve(s);
    if kinds.contains_key(&address(s)) {
        return;
    }
    let kind = read(s);
    let below: Vec<&'static Value> = match &kind {
        Kind::Object(shape) => shape.properties.values().copied().collect(),
        Kind::Array(items) => vec![*items],
        Kind::Free | Kind::Scalar => Vec::new(),
    };
    kinds.insert(address(s), kind);
    for b in below {
        compile(b, kinds);
    }
}

fn read(s: &'static Value) -> Kind {
    if s.get("x-kdl-free").and_then(Value::as_bool) == Some(true) {
        return Kind::Free;
    }
    match s.get("type").and_then(Value::as_str) {
        Some("array") => Kind::Array(resolve(&s["items"])),
        Some("object") => {
            let strings = |key: &str| -> Vec<&'static str> {
                s.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
            };
            let properties = s.get("properties").and_then(Value::as_object).into_iter().flatten();
            Kind::Object(Shape {
                args: strings("x-kdl-args"),
                props: strings("x-kdl-props"),
                properties: properties.map(|(k, v)| (k.as_str(), resolve(v))).collect(),
                all: s,
            })
        }
        _ => Kind::Scalar,
    }
}
