//! Stage 4: the semantic rules of the site language, over the typed model.
//!
//! Each rule family has its own module; all of them run on every site and
//! report everything they find. Lookups are hash maps and sorted interval
//! lists, never pairwise scans, so a 10,000-host site validates in linear time.

mod boot;
mod cluster;
pub mod compat;
mod dns;
pub mod errors;
pub mod experiments;
mod gpu;
mod hosts;
mod kubernetes;
mod mig;
mod names;
pub(crate) mod network;
pub mod packs;
mod refs;
mod slurm;
mod storage;
mod teams;

use std::collections::HashSet;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::source::Span;

pub fn validate(site: &Site, diags: &mut Diagnostics) {
    let rejected = site.broken.iter().filter_map(|p| site.index.value(p)).collect();
    let incomplete = diags.has_errors();
    let mut cx = Ctx { site, diags, rejected, incomplete };
    names::check(&mut cx);
    network::check(&mut cx);
    hosts::check(&mut cx);
    cluster::check(&mut cx);
    gpu::check(&mut cx);
    storage::check(&mut cx);
    teams::check(&mut cx);
    refs::check(&mut cx);
    boot::check(&mut cx);
    boot::unresolved_urls(&mut cx);
    mig::check(&mut cx);
    kubernetes::check(&mut cx);
    dns::check(&mut cx);
    packs::check(&mut cx);
    compat::check(&mut cx);
    slurm::check(&mut cx);
    experiments::check(&mut cx);
}

/// What every rule needs: the site, and somewhere to report.
pub struct Ctx<'a> {
    pub site: &'a Site,
    diags: &'a mut Diagnostics,
    /// Spans of values the schema already rejected.
    rejected: HashSet<Span>,
    /// Earlier stages reported errors: settings may be missing from the
    /// model for them, so a rule about an absence would repeat them.
    pub incomplete: bool,
}

impl Ctx<'_> {
    /// Reports a finding, unless it is about a value the schema already
    /// rejected: one error per mistake.
    pub fn push(&mut self, d: Diagnostic) {
        if d.primary().is_some_and(|s| self.rejected.contains(&s)) {
            return;
        }
        self.diags.push(d);
    }

    /// The span of the value at a JSON pointer.
    pub fn span(&self, ptr: &str) -> Option<Span> {
        self.site.index.value(ptr)
    }

    /// `key=value` or `key value` as a whole.
    pub fn setting_span(&self, ptr: &str) -> Option<Span> {
        self.site.index.get(ptr).map(|l| l.key.map_or(l.value, |k| k.to(l.value)))
    }
}
