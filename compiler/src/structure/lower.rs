//! KDL tree → JSON, guided by the schema's `x-kdl-*` annotations.
//!
//! The shape problems only KDL can have (unknown nodes, a property written as
//! a child node, a setting given twice, extra arguments) are found here, with
//! "did you mean" suggestions; everything else is left to the JSON Schema
//! validator. Unknown settings are reported and left out of the JSON, so the
//! validator does not report them a second time.

use std::collections::BTreeSet;

use serde_json::{Map, Number, Value, map};

use super::errors::*;
use super::index::{Loc, NodeId, ROOT, SpanIndex, segment};
use super::schema::{self, Kind, Shape};
use crate::diag::{Diagnostic, Diagnostics};
use crate::parse::{Entry, Node, Scalar};
use crate::source::Span;
use crate::suggest::did_you_mean;

pub struct Lowerer<'d> {
    pub index: SpanIndex,
    /// Settings whose problem lowering already reported (and left out): the
    /// schema's "missing" or "wrong type" about them would say it twice.
    pub reported: BTreeSet<String>,
    diags: &'d mut Diagnostics,
}

impl<'d> Lowerer<'d> {
    pub fn new(diags: &'d mut Diagnostics) -> Self {
        Lowerer { index: SpanIndex::default(), reported: BTreeSet::new(), diags }
    }

    /// Lowers the top-level nodes as the children of the root object.
    pub fn lower_root(&mut self, nodes: &[Node], at: Span) -> Value {
        // About one pointer per node and per entry: sized once, the index
        // never moves hundreds of thousands of nodes.
        self.index.reserve(count(nodes));
        self.index.locate(ROOT, Loc { key: None, value: at });
        let Kind::Object(shape) = schema::kind(schema::schema()) else { unreachable!("root schema is an object") };
        let mut obj = Map::new();
        for node in nodes {
            self.lower_child(shape, What(None), node, ROOT, &mut obj);
        }
        Value::Object(obj)
    }

    fn lower_object(&mut self, schema: &'static Value, node: &Node, at: NodeId) -> Value {
        let Kind::Object(shape) = schema::kind(schema) else {
            return Value::Null;
        };
        let mut obj = Map::with_capacity(node.entries.len() + node.children.as_ref().map_or(0, Vec::len));
        let what = What(Some(&node.name));
        let mut args = node.args();
        for key in &shape.args {
            if let Some(arg) = args.next() {
                self.put_scalar(&mut obj, at, (key, shape.property(key)), arg, None);
            }
        }
        for extra in args {
            self.diags.push(
                Diagnostic::new(&UNEXPECTED_ARGUMENT, format!("{what} takes {} argument(s)", shape.args.len()))
                    .label(extra.span, "unexpected argument"),
            );
        }
        for (key, entry) in node.props() {
            self.lower_prop(shape, what, key, entry, at, &mut obj);
        }
        for child in node.children.iter().flatten() {
            self.lower_child(shape, what, child, at, &mut obj);
        }
        Value::Object(obj)
    }

    fn lower_prop(
        &mut self,
        shape: &Shape,
        what: What,
        key: &str,
        entry: &Entry,
        at: NodeId,
        obj: &mut Map<String, Value>,
    ) {
        let key_span = entry.key.as_ref().map(|(_, s)| *s);
        // The intent of a setting in the wrong form is clear: report the
        // form, keep the value, so no "missing" error follows.
        let misspelled_form = !shape.is_prop(key) && shape.has(key) && !shape.is_arg(key);
        if shape.is_arg(key) {
            let d = Diagnostic::new(&WRONG_FORM, format!("`{key}` of {what} is its argument, not a property"))
                .help(format!("write it right after the node name: `{} \"…\"`", what.bare()))
                .label(entry.span, "written as a property");
            self.diags.push(d);
            if !obj.contains_key(key) {
                self.put_scalar(obj, at, (key, shape.property(key)), entry, key_span);
            }
            return;
        }
        if misspelled_form {
            let d = Diagnostic::new(&WRONG_FORM, format!("`{key}` is not a property of {what}"))
                .help(format!("write it as a child node: `{key} …` inside {what}'s braces"))
                .label(entry.span, "written as a property");
            self.diags.push(d);
            let scalar = shape.property(key).is_some_and(|s| matches!(schema::kind(s), Kind::Scalar));
            if !scalar || obj.contains_key(key) {
                self.report(at, key);
                return;
            }
        } else if !shape.is_prop(key) {
            let mut d = Diagnostic::new(&UNKNOWN_PROPERTY, format!("{what} has no property `{key}`"));
            if let Some(s) = did_you_mean(key, shape.props.iter().copied()) {
                d = d.help(format!("did you mean `{s}`?"));
            } else if !shape.props.is_empty() {
                d = d.help(format!("its properties are: {}", shape.props.join(", ")));
            }
            self.diags.push(d.label(entry.span, "unknown here"));
            return;
        }
        // One lookup for the common case: a new setting.
        let map::Entry::Vacant(slot) = obj.entry(key) else {
            return self.duplicate(key, entry.span, at);
        };
        if let Some(v) = self.scalar_at(at, (key, shape.property(key)), entry, key_span) {
            slot.insert(v);
        }
    }

    fn lower_child(&mut self, shape: &Shape, what: What, child: &Node, at: NodeId, obj: &mut Map<String, Value>) {
        let key = child.name.as_str();
        let Some(sub) = shape.property(key).filter(|_| !shape.is_arg(key)) else {
            let mut d = Diagnostic::new(&UNKNOWN_NODE, format!("unknown node `{key}` in {what}"));
            if let Some(s) = did_you_mean(key, shape.child_keys()) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            self.diags.push(d.label(child.name_span, "unknown node"));
            return;
        };
        if shape.is_prop(key) {
            let d = Diagnostic::new(&WRONG_FORM, format!("`{key}` is a property of {what}, not a child node"))
                .help(format!("write it on the {what} line: `{key}=…`"));
            self.diags.push(d.label(child.name_span, "written as a node"));
            let simple = child.children.is_none() && child.props().next().is_none() && child.args().count() == 1;
            match (simple, schema::kind(sub), child.args().next()) {
                (true, Kind::Scalar, Some(arg)) if !obj.contains_key(key) => {
                    self.put_scalar(obj, at, (key, Some(sub)), arg, Some(child.name_span))
                }
                _ => self.report(at, key),
            }
            return;
        }
        let loc = Loc { key: Some(child.name_span), value: child.head };
        match schema::kind(sub) {
            Kind::Array(items) => {
                let here = self.index.key(at, key);
                self.index.locate(here, loc);
                if !obj.contains_key(key) {
                    obj.insert(key.to_string(), Value::Array(Vec::new()));
                }
                let out = obj.get_mut(key).and_then(Value::as_array_mut).expect("array");
                self.lower_items(items, child, here, out);
            }
            _ if obj.contains_key(key) => self.duplicate(key, child.head, at),
            Kind::Object(_) => {
                let here = self.index.key(at, key);
                self.index.locate(here, loc);
                let v = self.lower_object(sub, child, here);
                obj.insert(key.to_string(), v);
            }
            Kind::Free => {
                let here = self.index.key(at, key);
                self.index.locate(here, loc);
                let v = self.lower_free(child, here);
                obj.insert(key.to_string(), v);
            }
            Kind::Scalar => match self.single_arg(child) {
                Some(arg) => self.put_scalar(obj, at, (key, Some(sub)), arg, Some(child.name_span)),
                None => self.report(at, key),
            },
        }
    }

    fn lower_items(&mut self, items: &'static Value, child: &Node, here: NodeId, out: &mut Vec<Value>) {
        if let Kind::Object(_) = schema::kind(items) {
            let p = self.index.item(here, out.len());
            self.index.locate(p, Loc { key: Some(child.name_span), value: child.head });
            out.push(self.lower_object(items, child, p));
            return;
        }
        // A repeatable scalar: `cert-san "a" "b"` is two items, like two nodes.
        if !self.bare_args(child) {
            return;
        }
        if child.args().next().is_none() {
            self.push_form_error(child, "takes at least one value");
        }
        for arg in child.args() {
            if self.integral_float(arg, (&child.name, Some(items))) {
                continue;
            }
            let Some(v) = self.scalar(arg) else { continue };
            let p = self.index.item(here, out.len());
            self.index.locate(p, Loc { key: Some(child.name_span), value: arg.value_span });
            out.push(v);
        }
    }

    /// Free-form values: `key v` is a scalar, `key a b` a list, `key k=v {…}`
    /// an object, a repeated key a list.
    fn lower_free(&mut self, node: &Node, at: NodeId) -> Value {
        let has_body = node.props().next().is_some() || node.children.is_some();
        if !has_body {
            let args: Vec<Value> = node.args().filter_map(|a| self.scalar(a)).collect();
            return match args.len() {
                0 => Value::Bool(true),
                1 => args.into_iter().next().expect("one"),
                _ => Value::Array(args),
            };
        }
        if let Some(arg) = node.args().next() {
            self.diags.push(
                Diagnostic::new(&WRONG_FORM, format!("`{}` mixes a value with properties or children", node.name))
                    .label(arg.span, "value here")
                    .help("give either values (`key 1 2`) or properties and children (`key a=1 { b 2 }`)"),
            );
        }
        let mut obj = Map::new();
        for (key, entry) in node.props() {
            let p = self.index.key(at, key);
            self.index.locate(p, Loc { key: entry.key.as_ref().map(|k| k.1), value: entry.value_span });
            if let Some(v) = self.scalar(entry) {
                obj.insert(key.to_string(), v);
            }
        }
        for child in node.children.iter().flatten() {
            let p = self.index.key(at, &child.name);
            self.index.locate(p, Loc { key: Some(child.name_span), value: child.head });
            let v = self.lower_free(child, p);
            match obj.get_mut(&child.name) {
                Some(Value::Array(a)) => a.push(v),
                Some(prev) => *prev = Value::Array(vec![prev.take(), v]),
                None => {
                    obj.insert(child.name.clone(), v);
                }
            }
        }
        Value::Object(obj)
    }

    fn put_scalar(
        &mut self,
        obj: &mut Map<String, Value>,
        at: NodeId,
        setting: Setting,
        entry: &Entry,
        key_span: Option<Span>,
    ) {
        let key = setting.0;
        if let Some(v) = self.scalar_at(at, setting, entry, key_span) {
            obj.insert(key.to_string(), v);
        }
    }

    /// The value of setting `key` of the object at `at`, indexed; `None` (reported) if it has none.
    fn scalar_at(&mut self, at: NodeId, setting: Setting, entry: &Entry, key_span: Option<Span>) -> Option<Value> {
        let key = setting.0;
        let p = self.index.key(at, key);
        self.index.locate(p, Loc { key: key_span, value: entry.value_span });
        let v = if self.integral_float(entry, setting) { None } else { self.scalar(entry) };
        if v.is_none() {
            self.reported.insert(self.index.pointer(p));
        }
        v
    }

    /// Notes that the setting `key` of the object at `at` was reported.
    fn report(&mut self, at: NodeId, key: &str) {
        self.reported.insert(format!("{}/{}", self.index.pointer(at), segment(key)));
    }

    /// A scalar setting written as a child node: exactly one argument.
    fn single_arg<'n>(&mut self, node: &'n Node) -> Option<&'n Entry> {
        if !self.bare_args(node) {
            return None;
        }
        let mut args = node.args();
        let first = args.next();
        if first.is_none() {
            self.push_form_error(node, "takes one value");
        }
        for extra in args {
            self.diags.push(
                Diagnostic::new(&UNEXPECTED_ARGUMENT, format!("`{}` takes one value", node.name))
                    .label(extra.span, "unexpected argument"),
            );
        }
        first
    }

    /// Checks that a value-only node has no properties and no children.
    fn bare_args(&mut self, node: &Node) -> bool {
        let mut ok = true;
        for (key, entry) in node.props() {
            let d = Diagnostic::new(&UNKNOWN_PROPERTY, format!("`{}` has no property `{key}`", node.name))
                .label(entry.span, "unknown here")
                .help(format!("`{}` takes only a value: `{} \"…\"`", node.name, node.name));
            self.diags.push(d);
            ok = false;
        }
        if node.children.is_some() {
            self.push_form_error(node, "takes a value, not a block of children");
            ok = false;
        }
        ok
    }

    fn push_form_error(&mut self, node: &Node, what: &str) {
        let d = Diagnostic::new(&WRONG_FORM, format!("`{}` {what}", node.name))
            .label(node.head, "here")
            .help(format!("write it as `{} VALUE`", node.name));
        self.diags.push(d);
    }

    /// `key` of the object at `owner` given again at `at`.
    fn duplicate(&mut self, key: &str, at: Span, owner: NodeId) {
        let first = self.index.find_key(owner, key).and_then(|n| self.index.loc(n));
        let first = first.map(|l| l.key.map_or(l.value, |k| k.to(l.value)));
        let d = Diagnostic::new(&DUPLICATE_SETTING, format!("`{key}` is given twice"))
            .label(at, "given again here")
            .label_opt(first, "first given here");
        self.diags.push(d);
    }

    /// The JSON value of an entry; `None` (reported) for a number JSON cannot hold.
    fn scalar(&mut self, entry: &Entry) -> Option<Value> {
        let number = match &entry.value {
            Scalar::String(s) => return Some(Value::String(s.clone())),
            Scalar::Bool(b) => return Some(Value::Bool(*b)),
            Scalar::Null => return Some(Value::Null),
            Scalar::Integer(i) => i64::try_from(*i).ok().map(Number::from),
            Scalar::Float(f) => Number::from_f64(*f),
        };
        if number.is_none() {
            self.bad_number(entry);
        }
        number.map(Value::Number)
    }

    /// JSON Schema counts 1500.0 as an integer and the typed model does not:
    /// a float where only integers are allowed is reported here, at its span,
    /// even when it has no fraction (docs/language.md, "Numbers").
    fn integral_float(&mut self, entry: &Entry, (key, schema): Setting) -> bool {
        let Scalar::Float(f) = entry.value else { return false };
        let types = schema.and_then(|s| s.get("type"));
        let allows = |t: &str| match types {
            Some(Value::String(s)) => s == t,
            Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(t)),
            _ => false,
        };
        if !allows("integer") || allows("number") {
            return false;
        }
        let shown = if f.fract() == 0.0 && f.abs() < 1e15 { format!("{f:.0}") } else { "an integer".to_string() };
        let d = Diagnostic::new(&TYPE, format!("`{key}` must be an integer, not the decimal number {f:?}"))
            .label(entry.value_span, "a decimal number")
            .help(format!("write {shown}: integer settings take no decimal point and no exponent"));
        self.diags.push(d);
        true
    }

    fn bad_number(&mut self, entry: &Entry) {
        let d = Diagnostic::new(&RANGE, "this number cannot be represented").label(entry.value_span, "here");
        self.diags.push(d.help("use a finite number between -2^63 and 2^63-1"));
    }
}

/// A setting's key and its schema (`$ref` followed), when the schema has it.
type Setting<'k> = (&'k str, Option<&'static Value>);

/// How a diagnostic names the node whose settings are lowered.
#[derive(Clone, Copy)]
struct What<'a>(Option<&'a str>);

impl What<'_> {
    /// The name alone, as it is written in KDL.
    fn bare(self) -> String {
        self.0.map_or_else(|| self.to_string(), |name| name.trim_matches('`').to_string())
    }
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(name) => write!(f, "`{name}`"),
            None => f.write_str("top level"),
        }
    }
}

/// Nodes and entries in a tree.
fn count(nodes: &[Node]) -> usize {
    nodes.iter().map(|n| 1 + n.entries.len() + n.children.as_deref().map_or(0, count)).sum()
}
