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
    pub properties: &'static Map<String, Value>,
    pub args: Vec<&'static str>,
    pub props: Vec<&'static str>,
}

impl Shape {
    pub fn property(&self, key: &str) -> Option<&'static Value> {
        self.properties.get(key).map(resolve)
    }

    pub fn is_prop(&self, key: &str) -> bool {
        self.props.contains(&key)
    }

    pub fn is_arg(&self, key: &str) -> bool {
        self.args.contains(&key)
    }

    /// Keys written as child nodes.
    pub fn child_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.properties.keys().map(String::as_str).filter(|k| !self.is_prop(k) && !self.is_arg(k))
    }
}

pub fn kind(s: &'static Value) -> Kind {
    let s = resolve(s);
    if s.get("x-kdl-free").and_then(Value::as_bool) == Some(true) {
        return Kind::Free;
    }
    match s.get("type").and_then(Value::as_str) {
        Some("array") => Kind::Array(resolve(&s["items"])),
        Some("object") => {
            static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
            let strings = |key: &str| -> Vec<&'static str> {
                s.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
            };
            Kind::Object(Shape {
                properties: s
                    .get("properties")
                    .and_then(Value::as_object)
                    .unwrap_or_else(|| EMPTY.get_or_init(Map::new)),
                args: strings("x-kdl-args"),
                props: strings("x-kdl-props"),
            })
        }
        _ => Kind::Scalar,
    }
}
