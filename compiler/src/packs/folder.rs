//! Pack folders (`pack NAME source="DIR"`): `DIR/pack.kdl` describes the
//! chart, and `DIR/values.yaml.tera` renders the chart's values with the site
//! as context. The site's `set … value=` and `values` parameters are checked
//! against the JSON Schema in pack.kdl first; errors point at site.kdl.
//! Templates run sandboxed: no includes, no files, no environment.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::errors::{FOLDER, PARAMETER, TEMPLATE};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Pack, PackFolder, Site};

/// Loads every pack folder of the site into its `Pack::folder`.
pub fn load(site_dir: &Path, site: &mut Site, diags: &mut Diagnostics) {
    let context = context(site);
    for i in 0..site.packs.len() {
        let Some(source) = site.packs[i].source.clone() else { continue };
        let at = |ptr: &str| site.index.value(&site.packs[i].at.at(ptr));
        let folder = match describe(&site_dir.join(&source)) {
            Ok(f) => f,
            Err(e) => {
                let d = Diagnostic::new(&FOLDER, format!("pack folder `{source}`: {e}"))
                    .label_opt(at("source"), "this pack folder");
                diags.push(d);
                continue;
            }
        };
        let pack = &site.packs[i];
        let params = parameters(pack);
        if !check_parameters(site, pack, &folder, &params, diags) {
            continue;
        }
        let mut folder = folder;
        let secrets = super::secrets::refs(site, pack);
        match render(&folder.template, &context, pack, &params, &secrets) {
            Ok(v) => folder.values = v,
            Err(e) => {
                diags.push(
                    Diagnostic::new(&TEMPLATE, format!("{source}/values.yaml.tera: {e}"))
                        .label_opt(at("source"), "rendering this pack's values"),
                );
                continue;
            }
        }
        site.packs[i].folder = Some(Box::new(folder));
    }
}

/// What templates see: the validated site, never the disk or the environment.
fn context(site: &Site) -> Value {
    json!({
        "site": site.settings,
        "pools": site.pools,
        "teams": site.teams,
    })
}

/// Reads pack.kdl and the template (not yet rendered).
fn describe(dir: &Path) -> Result<PackFolder, String> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"));
    if !dir.join("pack.kdl").exists() && dir.join("charts/Chart.yaml").is_file() {
        return nauta(dir);
    }
    let text = read("pack.kdl")?;
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
        values: Value::Null,
        local_chart: Vec::new(),
    })
}

/// A Nauta template pack: `charts/` is the chart, and `charts/values.yaml`,
/// with its `NAUTA.*` placeholders, the values template (docs/packs.md).
fn nauta(dir: &Path) -> Result<PackFolder, String> {
    let charts = dir.join("charts");
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let chart_yaml: Value = serde_norway::from_str(&read(&charts.join("Chart.yaml"))?)
        .map_err(|e| format!("charts/Chart.yaml is not YAML: {e}"))?;
    let field = |k: &str| chart_yaml.get(k).and_then(Value::as_str).map(str::to_string);
    let name = field("name").ok_or("charts/Chart.yaml has no name")?;
    let version = field("version").ok_or("charts/Chart.yaml has no version")?;
    let template =
        if charts.join("values.yaml").is_file() { read(&charts.join("values.yaml"))? } else { String::new() };
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&charts).sort_by_file_name() {
        let entry = entry.map_err(|e| format!("cannot read charts/: {e}"))?;
        if !entry.file_type().is_file() {
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
        values: Value::Null,
        local_chart: files,
    })
}

/// The pack's parameters: the `values` block, then every `set … value=`.
pub fn parameters(pack: &Pack) -> Value {
    let mut v = Value::Object(Map::new());
    crate::render::packs_apply_user(&mut v, pack);
    v
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

/// Renders values.yaml.tera and reads the result as YAML.
fn render(
    template: &str,
    site: &Value,
    pack: &Pack,
    params: &Value,
    secrets: &[super::secrets::SecretRef],
) -> Result<Value, String> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    // The one built-in function that reaches outside the site.
    tera.register_function("get_env", |_: &std::collections::HashMap<String, Value>| {
        Err(tera::Error::msg("templates cannot read the environment"))
    });
    tera.add_raw_template("values.yaml.tera", template).map_err(|e| error_chain(&e))?;
    let mut ctx = tera::Context::from_value(site.clone()).map_err(|e| error_chain(&e))?;
    ctx.insert("pack", &json!({"name": pack.name, "namespace": super::namespace(pack)}));
    ctx.insert("values", params);
    // `set PATH from=SECRET`: the Secret's name and key, never its value.
    let refs: Map<String, Value> = secrets
        .iter()
        .map(|r| (r.path.clone(), json!({"name": r.name, "key": r.key, "namespace": r.namespace})))
        .collect();
    ctx.insert("secrets", &refs);
    // Nauta template packs' placeholders, from the pack's parameters.
    ctx.insert(
        "NAUTA",
        &json!({
            "CommandLine": params.get("commandline").cloned().unwrap_or_else(|| json!([])),
            "ExperimentImage": params.get("image").cloned().unwrap_or_else(|| json!("")),
        }),
    );
    let text = tera.render("values.yaml.tera", &ctx).map_err(|e| error_chain(&e))?;
    let v: Value = serde_norway::from_str(&text).map_err(|e| format!("the rendered values are not YAML: {e}"))?;
    match v {
        Value::Object(_) => Ok(v),
        Value::Null => Ok(json!({})),
        _ => Err("the rendered values are not a YAML map".into()),
    }
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
