//! Stage 2: the site's structure. The parsed nodes are lowered to JSON and
//! validated against schema/site.schema.json; every problem points at the KDL
//! text through a JSON pointer → span index that later stages keep using.

mod check;
pub mod errors;
mod index;
mod lower;
pub mod schema;

pub use check::describe;
pub use index::{Loc, SpanIndex, segment};

use serde_json::Value;

use crate::diag::Diagnostics;
use crate::parse::Parsed;
use crate::source::{FileId, Span};

/// The stage's own maps hold short keys and integers, for which the
/// standard SipHash costs more than the rest of a lookup.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// The site as JSON, where each value came from, and which values broke a rule.
#[derive(Debug)]
pub struct Structured {
    pub doc: Value,
    pub index: SpanIndex,
    /// Pointers of values that failed the schema: the model leaves out the
    /// objects that hold them, so later stages do not pile errors on top.
    pub broken: Vec<String>,
}

pub fn structure(parsed: &Parsed, diags: &mut Diagnostics) -> Structured {
    let start = parsed.nodes.first().map_or(Span::new(FileId(0), 0, 0), |n| n.head);
    let mut lowerer = lower::Lowerer::new(diags);
    let doc = lowerer.lower_root(&parsed.nodes, start);
    let (index, reported) = (lowerer.index, lowerer.reported);
    let mut broken = Vec::new();
    for (ptr, d) in check::check(&doc, &index) {
        let about = match &d.1 {
            Some(property) => format!("{ptr}/{}", segment(property)),
            None => ptr.clone(),
        };
        if !reported.contains(&about) {
            diags.push(d.0);
        }
        broken.push(ptr);
    }
    Structured { doc, index, broken }
}

#[cfg(test)]
mod tests;
