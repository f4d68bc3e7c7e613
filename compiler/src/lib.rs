//! bosun compiles one site description (`site.kdl`) into every artifact an
//! on-prem GPU cluster needs, for review in git and application by Argo CD
//! or Flux.
//!
//! The compiler is a pipeline; data flows one way and no stage reaches back:
//!
//! 1. [`parse`] — KDL files (with `include`s) into nodes with source spans;
//!    [`lint`] then scans those nodes for secrets written inline;
//! 2. [`structure`] — nodes into JSON, checked against the site's JSON Schema;
//! 3. [`model`] — JSON into the typed site (`host-defaults` merged, pack
//!    folders loaded);
//! 4. [`validate`] — the semantic rules of the language;
//! 5. [`plan`] — derived facts the renderers share;
//! 6. [`render`] — one module per artifact family, into an in-memory tree;
//! 7. [`write`] — the only stage that touches the output folder.
//!
//! Every stage reports problems as [`diag::Diagnostic`]s and keeps going, so
//! one run shows every error in the site.

pub mod cli;
pub mod diag;
pub mod explain;
pub mod fmt;
mod hash;
pub mod import;
pub mod lint;
pub mod model;
pub mod packs;
pub mod parse;
pub mod plan;
pub mod render;
pub mod review;
pub mod source;
pub mod structure;
mod suggest;
pub mod support;
pub mod synth;
pub mod timings;
pub mod validate;
pub mod write;

use std::path::Path;

use diag::{Code, Diagnostic, Diagnostics};
use source::SourceMap;

/// The result of checking a site: its sources, its model (as far as it could
/// be built) and every diagnostic, in source order.
pub struct Checked {
    pub sources: SourceMap,
    pub site: model::Site,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity() == diag::Severity::Error)
    }
}

/// Runs every stage but the writer: the site is planned and rendered into
/// memory, and the files are dropped. So `check` and `compile` cannot
/// disagree about a site: a renderer's finding is a finding of `check` too.
pub fn check(path: &Path) -> Result<Checked, parse::ReadError> {
    check_timed(path, &mut timings::Timings::off())
}

/// [`check`], recording how long each stage took.
pub fn check_timed(path: &Path, timings: &mut timings::Timings) -> Result<Checked, parse::ReadError> {
    let (checked, rendered) = render_timed(path, timings)?;
    // A large site's files are hundreds of MB in many pieces: another core
    // frees them meanwhile.
    rayon::spawn(move || drop(rendered));
    Ok(checked)
}

/// Stages 1–4 and the pack folders: the site as far as rules can judge it.
fn analyse(path: &Path, timings: &mut timings::Timings) -> Result<Checked, parse::ReadError> {
    let mut diags = Diagnostics::default();
    let mut parsed = parse::parse(path, &mut diags)?;
    timings.lap("parse");
    if diags.has_errors() {
        // A file that did not parse (or include) would make every later
        // finding about missing settings misleading.
        let spans: Vec<source::Span> =
            parsed.sources.files().flat_map(|(id, f)| lint::secrets::scan_text(id, &f.text)).collect();
        let mut diagnostics = diags.sorted();
        let texts = diag::redact::redact(&mut parsed.sources, &spans);
        diag::redact::scrub(&mut diagnostics, &texts);
        return Ok(Checked { sources: parsed.sources, site: model::Site::default(), diagnostics });
    }
    let mut secrets = Diagnostics::default();
    let ((), structured) =
        rayon::join(|| lint::secrets::scan(&parsed.nodes, &mut secrets), || structure::structure(&parsed, &mut diags));
    // The nodes are in the JSON document now. A large site's tree is tens
    // of MB in millions of pieces: another core frees it meanwhile.
    let nodes = std::mem::take(&mut parsed.nodes);
    rayon::spawn(move || drop(nodes));
    timings.lap("structure (and schema)");
    let mut site = model::build(structured, &mut diags);
    if !diags.has_errors() {
        // Pack folders complete the model, so the rules judge it whole and
        // nothing changes it after them. They are read only for a site
        // whose pack nodes are sound.
        let dir = path.canonicalize().ok().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or_default();
        packs::folder::load(&dir, &mut site, &mut parsed.sources, &mut diags);
        model::ca::load(&dir, &mut site, &mut diags);
    }
    timings.lap("model (and pack folders)");
    let site = site;
    validate::validate(&site, &mut diags);
    if !diags.has_errors() {
        packs::check(&site, &mut diags);
    }
    timings.lap("validate");
    // A pasted secret is the one thing to say about that text: no "unknown
    // property" or "invalid key" beside it (which would print it again).
    let leaked: Vec<source::Span> = secrets.iter().filter_map(Diagnostic::primary).collect();
    let mut all = Diagnostics::default();
    for d in diags.sorted() {
        let covers = |s: source::Span| {
            d.primary().is_some_and(|p| p.file == s.file && p.start() <= s.start() && s.end() <= p.end())
        };
        if !leaked.iter().any(|s| covers(*s)) {
            all.push(d);
        }
    }
    all.extend(secrets);
    // Whatever prints these diagnostics, in any format, sees masked values.
    let mut diagnostics = all.sorted();
    let texts = diag::redact::redact(&mut parsed.sources, &leaked);
    diag::redact::scrub(&mut diagnostics, &texts);
    Ok(Checked { sources: parsed.sources, site, diagnostics })
}

/// Runs stages 1–6: the checked site and, when it has no errors, the tree to write.
/// [`check`] runs the same stages and drops the files.
pub fn compile(path: &Path) -> Result<(Checked, Option<write::Tree>), parse::ReadError> {
    compile_timed(path, &mut timings::Timings::off())
}

/// [`compile`], recording how long each stage took.
pub fn compile_timed(
    path: &Path,
    timings: &mut timings::Timings,
) -> Result<(Checked, Option<write::Tree>), parse::ReadError> {
    let (checked, rendered) = render_timed(path, timings)?;
    let tree = rendered.map(|(outputs, digest)| write::Tree::new(outputs, &digest));
    if tree.is_some() {
        timings.lap("MANIFEST");
    }
    Ok((checked, tree))
}

/// Stages 1–6: the checked site and, when it has no errors, its files and
/// digest. Both [`check`] and [`compile`] go through here.
fn render_timed(
    path: &Path,
    timings: &mut timings::Timings,
) -> Result<(Checked, Option<(render::Outputs, String)>), parse::ReadError> {
    let mut checked = analyse(path, timings)?;
    if checked.has_errors() {
        return Ok((checked, None));
    }
    let Some(plan) = plan::plan(&checked.site) else {
        return Ok((checked, None));
    };
    timings.lap("plan (and site digest)");
    let mut diags = Diagnostics::default();
    let outputs = render::render(&plan, &mut diags, timings);
    let digest = plan.digest.clone();
    drop(plan);
    let failed = diags.has_errors();
    checked.diagnostics.extend(diags.sorted());
    Ok((checked, (!failed).then_some((outputs, digest))))
}

/// Every diagnostic code bosun can emit, for docs and tests.
pub fn all_codes() -> Vec<&'static Code> {
    let stages: [&[&'static Code]; 10] = [
        parse::errors::CODES,
        lint::errors::CODES,
        structure::errors::CODES,
        model::errors::CODES,
        validate::errors::CODES,
        validate::errors::slurm::CODES,
        packs::errors::CODES,
        validate::compat::CODES,
        packs::folder::lint::CODES,
        validate::experiments::CODES,
    ];
    stages.into_iter().flatten().copied().collect()
}
