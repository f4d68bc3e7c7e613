//! Pack folders (`pack NAME source="DIR"`): `DIR/pack.kdl` describes the
//! chart, and `DIR/values.yaml.tera` renders the chart's values with the site
//! as context. The site's `set … value=` and `values` parameters are checked
//! against the JSON Schema in pack.kdl first; errors point at site.kdl.
//! Templates run sandboxed: no includes, no files, no environment, and a
//! budget of time and output (`sandbox.rs`); every file of the folder must
//! be a regular file inside the site's folder.

pub mod lint;
pub mod nauta;
mod sandbox;

use std::path::Path;

use serde_json::{Map, Value, json};

use super::errors::{FOLDER, OUTSIDE_ROOT, PARAMETER, TEMPLATE, TEMPLATE_SIZE, TEMPLATE_TIME};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{Pack, PackFolder, Site};
use crate::source::{SourceMap, Span};

/// Loads every pack folder of the site into its `Pack::folder`.
pub fn load(site_dir: &Path, site: &mut Site, sources: &mut SourceMap, diags: &mut Diagnostics) {
    // Built once: converting the whole site for every pack was most of the
    // time a site with many packs spent here. Each render overwrites the
    // pack's own keys.
    let mut context = match tera::Context::from_value(context(site)) {
        Ok(c) => c,
        Err(e) => {
            diags.push(Diagnostic::new(&crate::model::errors::INTERNAL, format!("template context: {e}")));
            return;
        }
    };
    for i in 0..site.packs.len() {
        let Some(source) = site.packs[i].source.clone() else { continue };
        let at = |ptr: &str| site.index.value(&site.packs[i].at.at(ptr));
        let folder = match describe(site_dir, &site_dir.join(&source)) {
            Ok(f) => f,
            Err(e) if std::ptr::eq(e.code, &lint::CHART) => {
                let dir = site_dir.join(&source);
                let d = lint::chart(&dir, &source, e.chart.as_deref(), e.message, sources);
                diags.push(d.label_opt(at("source"), "this template pack"));
                continue;
            }
            Err(e) => {
                let d = Diagnostic::new(e.code, format!("pack folder `{source}`: {}", e.message))
                    .label_opt(at("source"), "this pack folder");
                diags.push(d);
                continue;
            }
        };
        if folder.is_template() {
            // A template of experiments: rendered once per experiment.
            let mut folder = folder;
            folder.values = json!({});
            site.packs[i].folder = Some(Box::new(folder));
            continue;
        }
        let pack = &site.packs[i];
        let params = pack.parameters();
        if !check_parameters(site, pack, &folder, &params, diags) {
            continue;
        }
        let mut folder = folder;
        let secrets = super::secrets::refs(site, pack);
        match render(&folder.template, &mut context, pack, &params, &secrets) {
            Ok(v) => folder.values = v,
            Err(e) => {
                let file = format!("{source}/{}", folder.template_path);
                let path = site_dir.join(&source).join(&folder.template_path);
                diags.push(template_error(e, &file, path, &folder.template, at("source"), sources));
                continue;
            }
        }
        site.packs[i].folder = Some(Box::new(folder));
    }
    lint::check(site_dir, site, sources, diags);
    nauta::render_all(site, diags);
}

/// What templates see: the validated site, never the disk or the environment.
fn context(site: &Site) -> Value {
    json!({
        "site": site.settings,
        "pools": site.pools,
        "teams": site.teams,
    })
}

/// Why a pack folder could not be read, and under which code.
struct FolderError {
    code: &'static Code,
    message: String,
    /// A template pack's Chart.yaml, when the finding is about it.
    chart: Option<String>,
}

impl From<String> for FolderError {
    fn from(message: String) -> Self {
        FolderError { code: &FOLDER, message, chart: None }
    }
}

impl From<&str> for FolderError {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

impl From<sandbox::Refused> for FolderError {
    fn from(r: sandbox::Refused) -> Self {
        match r {
            sandbox::Refused::Outside(message) => FolderError { code: &OUTSIDE_ROOT, message, chart: None },
            sandbox::Refused::Unreadable(message) => message.into(),
        }
    }
}

/// Reads pack.kdl and the template (not yet rendered) of the folder `dir`
/// of the site whose canonical folder is `root`.
fn describe(root: &Path, dir: &Path) -> Result<PackFolder, FolderError> {
    if dir.exists() {
        sandbox::inside(root, dir, "the folder")?;
    }
    let read = |name: &str| sandbox::read(root, dir, name);
    if !dir.join("pack.kdl").exists() && dir.join("charts").is_dir() {
        return nauta(root, dir);
    }
    let text = read("pack.kdl")?;
    if crate::parse::depth::too_deep(&text).is_some() {
        let nesting = &crate::parse::errors::NESTING;
        return Err(FolderError { code: nesting, message: format!("pack.kdl: {}", nesting.summary), chart: None });
    }
    let doc = kdl::KdlDocument::parse_v2(&text).map_err(|e| format!("pack.kdl is not KDL 2.0: {e}"))?;
    let arg = |node: &str| -> Option<String> {
        doc.get(node).and_then(|n| n.get(0)).and_then(|v| v.as_string()).map(str::to_string)
    };
    let args = |node: &str| -> Vec<String> {
        doc.get(node)
            .map(|n| n.entries().iter().filter(|e| e.name().is_none()).filter_map(|e| e.value().as_string()))
            .into_iter()
            .flatten()
            .map(str::to_string)
            .collect()
    };
    let name = arg("name").ok_or("pack.kdl has no `name \"…\"`")?;
    let version = arg("version").ok_or("pack.kdl has no `version \"…\"`")?;
    let chart = doc.get("chart").ok_or("pack.kdl has no `chart repository=… name=… version=…`")?;
    let prop = |k: &str| chart.get(k).and_then(|v| v.as_string()).map(str::to_string);
    let (repository, oci) = match (prop("repository"), prop("oci")) {
        (Some(r), None) => (r, false),
        (None, Some(o)) if o.starts_with("oci://") => (o, true),
        (None, Some(_)) => return Err("`chart oci=` must start with oci://".into()),
        _ => return Err("`chart` needs exactly one of repository= and oci=".into()),
    };
    let chart_name = prop("name").ok_or("`chart` has no name=")?;
    let chart_version = prop("version").ok_or("`chart` has no version= (chart versions are pinned)")?;
    let schema = match arg("schema") {
        Some(s) => {
            let v: Value = serde_json::from_str(&s).map_err(|e| format!("`schema` is not JSON: {e}"))?;
            jsonschema::validator_for(&v).map_err(|e| format!("`schema` is not a JSON Schema: {e}"))?;
            Some(v)
        }
        None => None,
    };
    Ok(PackFolder {
        name,
        version,
        repository,
        oci,
        chart: chart_name,
        chart_version,
        namespace: arg("namespace"),
        depends_on: args("depends-on"),
        provides_crds: args("provides-crds"),
        uses_crds: args("uses-crds"),
        schema,
        template: read("values.yaml.tera")?,
        template_path: "values.yaml.tera".to_string(),
        values: Value::Null,
        local_chart: Vec::new(),
    })
}

/// A Nauta template pack: `charts/` is the chart, and `charts/values.yaml`,
/// with its `NAUTA.*` placeholders, the values template (docs/packs.md).
fn nauta(root: &Path, dir: &Path) -> Result<PackFolder, FolderError> {
    let charts = dir.join("charts");
    let read = |p: &Path| {
        let shown = p.strip_prefix(dir).unwrap_or(p).to_string_lossy().into_owned();
        sandbox::inside(root, p, &shown).and_then(|real| {
            std::fs::read_to_string(real).map_err(|e| sandbox::Refused::Unreadable(format!("cannot read {shown}: {e}")))
        })
    };
    let chart_file = charts.join("Chart.yaml");
    if !chart_file.is_file() {
        return Err(FolderError {
            code: &lint::CHART,
            message: "charts/Chart.yaml is missing".to_string(),
            chart: None,
        });
    }
    let chart_text = read(&chart_file)?;
    let bad = |message: String| FolderError { code: &lint::CHART, message, chart: Some(chart_text.clone()) };
    let chart_yaml: Value = serde_norway::from_str(&chart_text).map_err(|e| bad(format!("not YAML: {e}")))?;
    let field = |k: &str| chart_yaml.get(k).and_then(Value::as_str).map(str::to_string);
    let name = field("name").ok_or_else(|| bad("no `name`".to_string()))?;
    let version = field("version").ok_or_else(|| bad("no `version`".to_string()))?;
    field("apiVersion").ok_or_else(|| bad("no `apiVersion`".to_string()))?;
    let template =
        if charts.join("values.yaml").is_file() { read(&charts.join("values.yaml"))? } else { String::new() };
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&charts).sort_by_file_name() {
        let entry = entry.map_err(|e| format!("cannot read charts/: {e}"))?;
        // Folders, symlinked ones too, are walked (or not) by walkdir; every
        // other entry, a symlink included, is read through `read`'s checks.
        if entry.file_type().is_dir() || std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        let rel = entry.path().strip_prefix(&charts).map_err(|e| e.to_string())?;
        let parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
        if parts == ["values.yaml"] {
            continue;
        }
        files.push((parts, read(entry.path())?));
    }
    Ok(PackFolder {
        name: name.clone(),
        version: version.clone(),
        repository: String::new(),
        oci: false,
        chart: name,
        chart_version: version,
        namespace: None,
        depends_on: Vec::new(),
        provides_crds: Vec::new(),
        uses_crds: Vec::new(),
        schema: None,
        template,
        template_path: crate::model::experiment::NAUTA_VALUES.to_string(),
        values: Value::Null,
        local_chart: files,
    })
}

/// Checks the parameters against the pack's schema; false when they fail.
fn check_parameters(site: &Site, pack: &Pack, folder: &PackFolder, params: &Value, diags: &mut Diagnostics) -> bool {
    let Some(schema) = &folder.schema else { return true };
    let Ok(validator) = jsonschema::validator_for(schema) else { return true };
    let mut ok = true;
    for e in validator.iter_errors(params) {
        ok = false;
        let ptr = e.instance_path().as_str().to_string();
        let dotted = ptr.trim_start_matches('/').replace('/', ".");
        // The `set` line that wrote this value, else the place in `values`.
        let set = pack
            .set
            .iter()
            .rposition(|s| s.value.is_some() && (dotted == s.path || dotted.starts_with(&format!("{}.", s.path))));
        let span = match set {
            Some(i) => {
                site.index.get(&pack.at.at(&format!("set/{i}"))).map(|l| l.key.map_or(l.value, |k| k.to(l.value)))
            }
            None => site
                .index
                .value(&pack.at.at(&format!("values{ptr}")))
                .or_else(|| site.index.value(&pack.at.at("values"))),
        };
        let span = span.or_else(|| site.index.value(&pack.at.at("name")));
        let what = if dotted.is_empty() { "the parameters".to_string() } else { format!("`{dotted}`") };
        diags.push(
            Diagnostic::new(&PARAMETER, format!("{what} of pack `{}`: {e}", pack.name))
                .label_opt(span, "does not match the pack's schema"),
        );
    }
    ok
}

/// Why a template gave no values, and where in the template when known.
#[derive(Debug, PartialEq)]
struct TemplateError {
    code: &'static Code,
    message: String,
    /// 1-based template line, and column when known exactly.
    at: Option<(usize, Option<usize>)>,
    /// The rendered line YAML stopped at (1-based) and its text.
    rendered: Option<(usize, String)>,
}

impl TemplateError {
    fn msg(message: impl Into<String>) -> Self {
        TemplateError { code: &TEMPLATE, message: message.into(), at: None, rendered: None }
    }
}

/// The diagnostic of a failed template: at the template line when it is
/// known (the template becomes a source file of the report), and at the
/// pack's `source` in site.kdl.
fn template_error(
    e: TemplateError,
    file: &str,
    path: std::path::PathBuf,
    template: &str,
    site_span: Option<Span>,
    sources: &mut SourceMap,
) -> Diagnostic {
    let mut message = format!("{file}: {}", e.message);
    let mut d = Diagnostic::new(e.code, String::new());
    if let Some((line, col)) = e.at {
        let id = sources.add(file.to_string(), path, template.to_string());
        let starts: Vec<usize> = std::iter::once(0).chain(template.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let start = starts.get(line - 1).copied().unwrap_or(template.len());
        let end = starts.get(line).map_or(template.len(), |n| n - 1);
        let text = &template[start..end];
        // The label covers the line's text (from the column when known).
        let from = col.map_or(text.len() - text.trim_start().len(), |c| {
            text.char_indices().nth(c.saturating_sub(1)).map_or(text.len(), |(i, _)| i)
        });
        let to = text.trim_end().len().max(from);
        let what = match &e.rendered {
            Some((n, _)) => format!("renders line {n} of the values, where they stop being YAML"),
            None => "Tera cannot read this".to_string(),
        };
        message = format!("{file}:{line}: {}", e.message);
        d = d.label(Span::new(id, start + from, start + to), what);
    }
    d.message = message;
    d = d.label_opt(site_span, "rendering this pack's values");
    if let Some((n, text)) = &e.rendered {
        let shown: String = text.chars().take(80).collect();
        let more = if text.chars().count() > 80 { "…" } else { "" };
        let reads = if text.trim().is_empty() {
            format!("rendered line {n} is empty")
        } else {
            format!("rendered line {n} reads `{shown}{more}`")
        };
        d = d.help(format!(
            "{reads}; make the template render YAML there: close what it opens, keep indentation in loops, and quote output that may hold `:` or `#` (`{{{{ x | json_encode() }}}}`)"
        ));
    }
    d
}

/// Tera with nothing reachable outside the template and its context.
fn sandboxed(template: &str) -> Result<tera::Tera, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    // The one built-in function that reaches outside the site.
    tera.register_function("get_env", |_: &std::collections::HashMap<String, Value>| {
        Err(tera::Error::msg("templates cannot read the environment"))
    });
    tera.add_raw_template("values.yaml.tera", template)?;
    Ok(tera)
}

/// Renders values.yaml.tera and reads the result as YAML.
fn render(
    template: &str,
    ctx: &mut tera::Context,
    pack: &Pack,
    params: &Value,
    secrets: &[super::secrets::SecretRef],
) -> Result<Value, TemplateError> {
    let tera = sandboxed(template).map_err(|e| {
        let message = error_chain(&e);
        // Tera's parse errors say where: ` --> LINE:COLUMN`.
        let at = message.split(" --> ").nth(1).and_then(|rest| {
            let pos: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
            let (l, c) = pos.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()))
        });
        TemplateError { code: &TEMPLATE, message, at, rendered: None }
    })?;
    ctx.insert("pack", &json!({"name": pack.name, "namespace": super::namespace(pack)}));
    ctx.insert("values", params);
    // `set PATH from=SECRET`: the Secret's name and key, never its value.
    let refs: Map<String, Value> = secrets
        .iter()
        .map(|r| (r.path.clone(), json!({"name": r.name, "key": r.key, "namespace": r.namespace})))
        .collect();
    ctx.insert("secrets", &refs);
    let text = sandbox::render(tera, "values.yaml.tera", ctx.clone()).map_err(|e| match e {
        sandbox::RenderError::Tera(e) => TemplateError::msg(error_chain(&e)),
        sandbox::RenderError::Exceeded(what) => over_budget(what),
    })?;
    let v: Value = serde_norway::from_str(&text).map_err(|e| {
        let rendered = e.location().map(|l| l.line()).unwrap_or(1);
        TemplateError {
            code: &TEMPLATE,
            message: format!("the rendered values are not YAML: {e}"),
            at: origin(template, ctx, &text, rendered).map(|l| (l, None)),
            rendered: Some((rendered, text.lines().nth(rendered - 1).unwrap_or("").to_string())),
        }
    })?;
    match v {
        Value::Object(_) => Ok(v),
        Value::Null => Ok(json!({})),
        _ => Err(TemplateError::msg("the rendered values are not a YAML map")),
    }
}

fn over_budget(what: sandbox::Exceeded) -> TemplateError {
    let (code, message) = match what {
        sandbox::Exceeded::Time => {
            (&TEMPLATE_TIME, format!("rendering took longer than {} seconds", sandbox::MAX_TIME.as_secs()))
        }
        sandbox::Exceeded::Size => (
            &TEMPLATE_SIZE,
            format!(
                "rendering wrote more than {} MiB, or its range() calls made more than {} numbers",
                sandbox::MAX_BYTES >> 20,
                sandbox::MAX_RANGE
            ),
        ),
    };
    TemplateError { code, message, at: None, rendered: None }
}

/// Markers around a template line number in the marked rendering; private
/// use characters, which YAML values have no reason to hold.
const MARK: (char, char) = ('\u{F8F0}', '\u{F8F1}');

/// The template line a rendered line comes from. The template is rendered
/// again with a marker `⟨n⟩` before each newline of line n that reaches the
/// output (newlines inside tags, or trimmed by `-%}` / `{%-`, get none); a
/// rendered line belongs to the first marker at or after its start. `None`
/// when the marked rendering, markers removed, is not the rendering itself.
fn origin(template: &str, ctx: &tera::Context, rendered: &str, line: usize) -> Option<usize> {
    let marked = sandbox::render(sandboxed(&mark(template)).ok()?, "values.yaml.tera", ctx.clone()).ok()?;
    if unmark(&marked) != rendered {
        return None;
    }
    let last = template.lines().count().max(1);
    let start = match line {
        0 | 1 => 0,
        n => match marked.match_indices('\n').nth(n - 2) {
            Some((i, _)) => i + 1,
            None => return Some(last),
        },
    };
    let Some(open) = marked[start..].find(MARK.0) else { return Some(last) };
    let digits: String = marked[start + open + MARK.0.len_utf8()..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The template with a line marker before every newline that is output.
fn mark(template: &str) -> String {
    let bytes = template.as_bytes();
    let mut out = String::with_capacity(template.len() * 2);
    let mut line = 1;
    // Inside a tag: the closer looked for. Raw blocks are text.
    let mut closer: Option<&str> = None;
    let mut raw = false;
    // Whitespace since a `-}}`/`-%}`/`-#}` is trimmed.
    let mut trimming = false;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &template[i..];
        if let Some(c) = closer {
            if rest.starts_with(c) {
                trimming = template[..i].ends_with('-');
                closer = None;
                out.push_str(c);
                i += c.len();
                continue;
            }
        } else if let Some(open) = ["{{", "{%", "{#"].iter().find(|o| rest.starts_with(**o)) {
            let tag_end = rest.find(open_closer(open)).map(|e| &rest[2..e]);
            let word = tag_end.map(|t| t.trim_matches(|c: char| c == '-' || c.is_whitespace()));
            if raw && word != Some("endraw") {
                // Literal text inside {% raw %}.
            } else {
                raw = if word == Some("raw") {
                    true
                } else if word == Some("endraw") {
                    false
                } else {
                    raw
                };
                closer = Some(open_closer(open));
                out.push_str(open);
                i += 2;
                continue;
            }
        }
        let ch = rest.chars().next().unwrap_or(' ');
        if ch == '\n' {
            if closer.is_none() && !trimming && !trimmed_before_next_tag(rest) {
                out.push(MARK.0);
                out.push_str(&line.to_string());
                out.push(MARK.1);
            }
            line += 1;
        } else if closer.is_none() && !ch.is_whitespace() {
            trimming = false;
        }
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn open_closer(open: &str) -> &'static str {
    match open {
        "{{" => "}}",
        "{%" => "%}",
        _ => "#}",
    }
}

/// Whether only whitespace lies between here and a `{{-`/`{%-`/`{#-`.
fn trimmed_before_next_tag(rest: &str) -> bool {
    let next = rest.trim_start();
    ["{{-", "{%-", "{#-"].iter().any(|o| next.starts_with(o))
}

/// The marked rendering without its markers.
fn unmark(marked: &str) -> String {
    let mut out = String::with_capacity(marked.len());
    let mut inside = false;
    for c in marked.chars() {
        match c {
            c if c == MARK.0 => inside = true,
            c if c == MARK.1 => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

fn error_chain(e: &tera::Error) -> String {
    let mut out = e.to_string();
    let mut cur = std::error::Error::source(e);
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template line of the rendered line where YAML fails.
    fn failing_line(template: &str, vars: Value) -> (usize, Option<usize>) {
        let ctx = tera::Context::from_value(vars).unwrap();
        let text = sandboxed(template).unwrap().render("values.yaml.tera", &ctx).unwrap();
        let e = serde_norway::from_str::<Value>(&text).expect_err("not YAML");
        let line = e.location().unwrap().line();
        (line, origin(template, &ctx, &text, line))
    }

    #[test]
    fn a_rendered_line_maps_back_to_its_template_line() {
        // A value that breaks the line it is on.
        let t = "a: 1\nb: {{ v }}\nc: 3\n";
        assert_eq!(failing_line(t, json!({"v": "x: y"})), (2, Some(2)));
        // Loops repeat lines, and `-` trims newlines: later lines still map.
        let t = "list:\n{%- for x in xs %}\n  - {{ x }}\n{%- endfor %}\nok: 1\n{# note\nmore #}\nbad: [\n";
        let (rendered, line) = failing_line(t, json!({"xs": [1, 2, 3]}));
        assert!(rendered > 4, "{rendered}");
        assert_eq!(line, Some(8));
        // A value with a newline in it: its lines belong to the template line.
        let t = "a: 1\nb: {{ v }}\nc: 3\n";
        assert_eq!(failing_line(t, json!({"v": "1\n- z"})), (3, Some(2)));
        // Raw blocks are text; their lines map one to one.
        let t = "{% raw %}a: 1\nb: {{ x\n{% endraw %}c: 1\n";
        assert_eq!(failing_line(t, json!({})).1, Some(2));
    }

    #[test]
    fn markers_leave_the_rendering_unchanged() {
        let t = "x:\n{% for i in xs -%}\n  - {{ i }}\n{% endfor -%}\n{%- if true %}\ny: 1{% endif %}\n";
        let ctx = tera::Context::from_value(json!({"xs": [1, 2]})).unwrap();
        let plain = sandboxed(t).unwrap().render("values.yaml.tera", &ctx).unwrap();
        let marked = sandboxed(&mark(t)).unwrap().render("values.yaml.tera", &ctx).unwrap();
        assert_eq!(unmark(&marked), plain);
    }
}
