//! The lint of Nauta template packs, with spans into the pack's own files:
//! what Nauta needs to track an experiment (`podCount`, the image
//! placeholder, pods labelled `runName: {{ .Release.Name }}`) and what the
//! cluster needs to accept the chart (CRDs some pack of the site provides,
//! API versions the site's Kubernetes still serves). docs/packs.md.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::model::{PackFolder, Site};
use crate::source::{SourceMap, Span};

codes! {
    CHART = "bosun::template-pack::chart", Error,
        "a template pack's charts/Chart.yaml is missing, not YAML, or lacks apiVersion, name or version",
        "give charts/ a Chart.yaml with `apiVersion: v1`, `name:` and `version:`, as `helm create` writes it";
    POD_COUNT = "bosun::template-pack::pod-count", Warning,
        "a template pack's values.yaml defines neither `podCount` nor `workersCount`",
        "add `podCount: N` (the pods one experiment runs) to charts/values.yaml: Nauta counts an experiment's pods with it";
    IMAGE = "bosun::template-pack::image", Warning,
        "a template pack's values.yaml never uses `{{ NAUTA.ExperimentImage }}` (or `{{ NAUTA.ImageRepository }}`)",
        "point the image value the templates read at `{{ NAUTA.ExperimentImage }}`: it is the image built for the experiment";
    RUN_NAME = "bosun::template-pack::run-name", Warning,
        "a pod template of a template pack is not labelled `runName: {{ .Release.Name }}`",
        "add `runName: {{ .Release.Name }}` to the pod template's metadata.labels: Nauta finds an experiment's pods by it";
    CRD = "bosun::template-pack::crd", Error,
        "a template pack creates a custom resource whose CRD no pack of the site provides",
        "add the pack that provides the CRD to the site, or a pack folder whose pack.kdl says `provides-crds \"GROUP\"`";
    REMOVED_API = "bosun::template-pack::removed-api", Error,
        "a template pack uses an API version the site's Kubernetes no longer serves",
        "move the object to the API version that replaced it (apps/v1, batch/v1, networking.k8s.io/v1, …)";
    VALUES = "bosun::experiment::values", Error,
        "an experiment's values cannot be rendered from its template pack",
        "check the experiment's parameters against the pack's charts/values.yaml: a `[…]`/`{…}` value must be a literal list or map, and a path must not run through a value that is not a map";
}

/// API groups Kubernetes serves itself.
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
];

/// Who provides the CRDs of groups template packs use, when no built-in
/// pack does.
const KNOWN_PROVIDERS: &[(&str, &str)] = &[
    ("kubeflow.org", "the Kubeflow training operator (tf-operator)"),
    ("scheduling.incubator.k8s.io", "kube-batch"),
    ("scheduling.sigs.k8s.io", "the scheduler-plugins (coscheduling) chart"),
    ("scheduling.volcano.sh", "volcano"),
    ("batch.volcano.sh", "volcano"),
    ("ray.io", "kuberay-operator"),
];

/// API versions and the Kubernetes minor release that stopped serving them.
const REMOVED: &[(&str, u32)] = &[
    ("extensions/v1beta1", 16),
    ("apps/v1beta1", 16),
    ("apps/v1beta2", 16),
    ("networking.k8s.io/v1beta1", 22),
    ("rbac.authorization.k8s.io/v1beta1", 22),
    ("apiextensions.k8s.io/v1beta1", 22),
    ("admissionregistration.k8s.io/v1beta1", 22),
    ("scheduling.k8s.io/v1beta1", 22),
    ("storage.k8s.io/v1beta1", 22),
    ("coordination.k8s.io/v1beta1", 22),
    ("certificates.k8s.io/v1beta1", 22),
    ("batch/v1beta1", 25),
    ("policy/v1beta1", 25),
    ("discovery.k8s.io/v1beta1", 25),
    ("events.k8s.io/v1beta1", 25),
    ("autoscaling/v2beta1", 25),
    ("autoscaling/v2beta2", 26),
    ("flowcontrol.apiserver.k8s.io/v1beta1", 26),
    ("flowcontrol.apiserver.k8s.io/v1beta2", 29),
    ("flowcontrol.apiserver.k8s.io/v1beta3", 32),
];

/// One file of the pack, added to the report's sources when a finding
/// points into it.
struct Files<'a> {
    dir: &'a Path,
    shown: &'a str,
    sources: &'a mut SourceMap,
}

impl Files<'_> {
    /// The span of `text[from..to]` of the pack file `rel`.
    fn span(&mut self, rel: &str, text: &str, from: usize, to: usize) -> Span {
        let id = self.sources.add(format!("{}/{rel}", self.shown), self.dir.join(rel), text.to_string());
        Span::new(id, from, to)
    }
}

/// Lints every Nauta template pack of the site.
pub fn check(site_dir: &Path, site: &Site, sources: &mut SourceMap, diags: &mut Diagnostics) {
    let provided: Vec<String> = super::super::nodes(site).into_iter().flat_map(|n| n.provides_crds).collect();
    let minor = site
        .settings
        .as_ref()
        .and_then(|s| s.kubernetes.as_ref())
        .and_then(|k| crate::support::kubernetes_minor(&k.version));
    for pack in &site.packs {
        let (Some(folder), Some(source)) = (pack.folder.as_deref(), pack.source.as_deref()) else { continue };
        if !folder.is_template() {
            continue;
        }
        let dir = site_dir.join(source);
        let mut files = Files { dir: &dir, shown: source, sources };
        values(folder, &mut files, diags);
        for (parts, text) in &folder.local_chart {
            if parts.first().map(String::as_str) != Some("templates") {
                continue;
            }
            let rel = format!("charts/{}", parts.join("/"));
            api_versions(&rel, text, (&provided, minor, &pack.name), &mut files, diags);
            run_names(&rel, text, &mut files, diags);
        }
    }
}

fn whole_line(text: &str, at: usize) -> (usize, usize) {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    (start + (text[start..end].len() - text[start..end].trim_start().len()), end)
}

fn values(folder: &PackFolder, files: &mut Files, diags: &mut Diagnostics) {
    let t = &folder.template;
    let rel = crate::model::experiment::NAUTA_VALUES;
    let first = whole_line(t, 0);
    let has_key = |k: &str| t.lines().any(|l| l.strip_prefix(k).is_some_and(|r| r.trim_start().starts_with(':')));
    if !has_key("podCount") && !has_key("workersCount") {
        let span = files.span(rel, t, first.0, first.1);
        diags.push(
            Diagnostic::new(&POD_COUNT, format!("{}/{rel} defines no `podCount`", files.shown))
                .label(span, "no top-level `podCount:` (nor `workersCount:`, which bosun turns into one)"),
        );
    }
    let uses =
        |name: &str| t.match_indices("{{").any(|(i, _)| t[i + 2..].trim_start().starts_with(&format!("NAUTA.{name}")));
    if !uses("ExperimentImage") && !uses("ImageRepository") {
        let span = files.span(rel, t, first.0, first.1);
        diags.push(
            Diagnostic::new(&IMAGE, format!("{}/{rel} never uses the experiment's image", files.shown))
                .label(span, "no `{{ NAUTA.ExperimentImage }}` in this file"),
        );
    }
}

/// Each document's `apiVersion:` line: its group must be served by
/// Kubernetes or provided by a pack, and its version still served.
fn api_versions(
    rel: &str,
    text: &str,
    site: (&[String], Option<u32>, &str),
    files: &mut Files,
    diags: &mut Diagnostics,
) {
    let (provided, minor, pack) = site;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let Some(v) = line.strip_prefix("apiVersion:").map(|v| v.trim().trim_matches('"')) else { continue };
        if v.contains("{{") {
            continue;
        }
        let group = v.rsplit_once('/').map_or("", |(g, _)| g);
        let end = start + line.trim_end().len();
        let kind = kind_near(text, start).unwrap_or("an object");
        if !BUILT_IN_GROUPS.contains(&group) && !provided.iter().any(|p| p == group) {
            let could = KNOWN_PROVIDERS.iter().find(|(g, _)| *g == group).map(|(_, p)| *p);
            let help = match could {
                Some(p) => format!(
                    "{p} provides the `{group}` CRDs: add it to the site as a pack (a pack folder whose pack.kdl says `provides-crds \"{group}\"`)"
                ),
                None => format!(
                    "add a pack folder whose pack.kdl says `provides-crds \"{group}\"` for the chart that defines {kind}"
                ),
            };
            let span = files.span(rel, text, start, end);
            diags.push(
                Diagnostic::new(
                    &CRD,
                    format!("template pack `{pack}` creates {kind} ({v}), and no pack of the site provides the `{group}` CRDs"),
                )
                .label(span, format!("{kind} of `{group}`"))
                .help(help),
            );
        }
        let removed = REMOVED.iter().find(|(api, _)| *api == v).map(|(_, m)| *m);
        if let (Some(gone), Some(minor)) = (removed, minor.filter(|m| removed.is_some_and(|g| *m >= g))) {
            let span = files.span(rel, text, start, end);
            diags.push(
                Diagnostic::new(
                    &REMOVED_API,
                    format!("template pack `{pack}` creates {kind} as {v}, which Kubernetes 1.{gone} stopped serving (the site runs 1.{minor})"),
                )
                .label(span, "no longer served"),
            );
        }
    }
}

/// The `kind:` of the document around byte `at`.
fn kind_near(text: &str, at: usize) -> Option<&str> {
    let doc_start = text[..at].rfind("\n---").map_or(0, |i| i + 4);
    let doc_end = text[at..].find("\n---").map_or(text.len(), |i| at + i);
    text[doc_start..doc_end].lines().find_map(|l| l.strip_prefix("kind:")).map(str::trim)
}

/// Every pod template (a `template:` whose block holds `containers:`, or a
/// `kind: Pod`) must carry the `runName` label.
fn run_names(rel: &str, text: &str, files: &mut Files, diags: &mut Diagnostics) {
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |at, l| {
            let s = *at;
            *at += l.len();
            Some((s, l))
        })
        .collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    for (i, (start, line)) in lines.iter().enumerate() {
        let pod = line.trim_end() == "kind: Pod";
        if line.trim() != "template:" && !pod {
            continue;
        }
        let depth = if pod { 0 } else { indent(line) };
        let block: Vec<&str> = lines[i + 1..]
            .iter()
            .map(|(_, l)| *l)
            .take_while(|l| {
                l.trim().is_empty()
                    || l.trim_start().starts_with("{{")
                    || indent(l) > depth
                    || pod && !l.starts_with("---")
            })
            .collect();
        if !block.iter().any(|l| l.trim_start().starts_with("containers:")) {
            continue;
        }
        let labelled = block.iter().any(|l| {
            l.trim().strip_prefix("runName:").is_some_and(|v| v.trim().replace(' ', "") == "{{.Release.Name}}")
        });
        if !labelled {
            let end = start + line.trim_end().len();
            let span = files.span(rel, text, start + indent(line), end);
            diags.push(
                Diagnostic::new(&RUN_NAME, format!("a pod template in {}/{rel} has no `runName` label", files.shown))
                    .label(span, "these pods are not labelled `runName: {{ .Release.Name }}`"),
            );
        }
    }
}

/// A Chart.yaml finding, pointing into the file when it exists.
pub fn chart(dir: &Path, shown: &str, text: Option<&str>, message: String, sources: &mut SourceMap) -> Diagnostic {
    let mut d = Diagnostic::new(&CHART, format!("{shown}/charts/Chart.yaml: {message}"));
    if let Some(t) = text {
        let id = sources.add(format!("{shown}/charts/Chart.yaml"), dir.join("charts/Chart.yaml"), t.to_string());
        let (from, to) = whole_line(t, 0);
        d = d.label(Span::new(id, from, to), "this chart description");
    }
    d
}
