//! bosun's own syntax tree: KDL nodes with a [`Span`] on every name and value.
//!
//! Converting away from the kdl crate's types right after parsing keeps the
//! rest of the compiler independent of that crate's API and of formatting
//! details it preserves for round-tripping.

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};

use super::errors::TYPE_ANNOTATION;
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    String(String),
    Integer(i128),
    Float(f64),
    Bool(bool),
    Null,
}

impl Scalar {
    pub fn type_name(&self) -> &'static str {
        match self {
            Scalar::String(_) => "a string",
            Scalar::Integer(_) => "an integer",
            Scalar::Float(_) => "a number",
            Scalar::Bool(_) => "a boolean",
            Scalar::Null => "#null",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::String(s) => Some(s),
            _ => None,
        }
    }
}

/// An argument or a property.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The property name and its span; `None` for an argument.
    pub key: Option<(String, Span)>,
    pub value: Scalar,
    /// The value alone.
    pub value_span: Span,
    /// `key=value` for a property, the value for an argument.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub name_span: Span,
    /// From the name to the last entry: what a diagnostic about the whole
    /// node underlines (the children block would be too much).
    pub head: Span,
    pub entries: Vec<Entry>,
    pub children: Option<Vec<Node>>,
}

impl Node {
    pub fn args(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.key.is_none())
    }

    pub fn props(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().filter_map(|e| e.key.as_ref().map(|(k, _)| (k.as_str(), e)))
    }
}

pub fn convert(doc: &KdlDocument, file: FileId, text: &str, diags: &mut Diagnostics) -> Vec<Node> {
    doc.nodes().iter().map(|n| convert_node(n, file, text, diags)).collect()
}

fn span(file: FileId, s: miette::SourceSpan) -> Span {
    Span::new(file, s.offset(), s.offset() + s.len())
}

fn convert_node(node: &KdlNode, file: FileId, text: &str, diags: &mut Diagnostics) -> Node {
    if let Some(ty) = node.ty() {
        diags.push(Diagnostic::new(&TYPE_ANNOTATION, "type annotation on a node").label(span(file, ty.span()), "here"));
    }
    let name_span = span(file, node.name().span());
    let entries: Vec<Entry> = node.entries().iter().map(|e| convert_entry(e, file, text, diags)).collect();
    let head = entries.iter().fold(name_span, |acc, e| acc.to(e.span));
    let children = node.children().map(|c| c.nodes().iter().map(|n| convert_node(n, file, text, diags)).collect());
    Node { name: node.name().value().to_string(), name_span, head, entries, children }
}

fn convert_entry(entry: &KdlEntry, file: FileId, text: &str, diags: &mut Diagnostics) -> Entry {
    let whole = span(file, entry.span());
    if let Some(ty) = entry.ty() {
        diags
            .push(Diagnostic::new(&TYPE_ANNOTATION, "type annotation on a value").label(span(file, ty.span()), "here"));
    }
    let value = match entry.value() {
        KdlValue::String(s) => Scalar::String(s.clone()),
        KdlValue::Integer(i) => Scalar::Integer(*i),
        KdlValue::Float(f) => Scalar::Float(*f),
        KdlValue::Bool(b) => Scalar::Bool(*b),
        KdlValue::Null => Scalar::Null,
    };
    let key = entry.name().map(|k| (k.value().to_string(), span(file, k.span())));
    let value_span = match &key {
        Some((_, key_span)) => value_span_after_key(whole, key_span.end(), text),
        None => whole,
    };
    Entry { key, value, value_span, span: whole }
}

/// The value of `key = value` starts after the `=` and any blanks around it.
fn value_span_after_key(whole: Span, key_end: usize, text: &str) -> Span {
    let rest = text.get(key_end..whole.end()).unwrap_or("");
    let skip = rest.char_indices().find(|&(_, c)| c != '=' && !c.is_whitespace()).map_or(rest.len(), |(i, _)| i);
    Span::new(whole.file, key_end + skip, whole.end())
}
