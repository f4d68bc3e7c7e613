//! Nauta's renderer, as `nctl experiment submit` runs it on a template
//! pack's `charts/values.yaml` (Nauta's `modify_values_yaml`): the `NAUTA.*`
//! placeholders filled, the result read as YAML, then the `-p` parameters,
//! `podCount` and the environment variables applied. docs/packs.md has
//! the rules; tests/experiments.rs holds them against Jinja2 itself.

use serde_json::{Map, Value, json};

use super::sandbox;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::model::experiment::{Experiment, Parameter};

/// What one submission fills in.
pub struct Submission<'a> {
    pub experiment: &'a Experiment,
    /// `HOST:PORT` of the registry the image is pushed to.
    pub registry: &'a str,
}

impl Submission<'_> {
    /// Nauta's image name: `<registry>/<user>/<experiment>:latest`.
    pub fn image(&self) -> String {
        format!("{}/{}/{}:latest", self.registry, self.experiment.owner, self.experiment.name)
    }

    /// The registry's port as text (Nauta passes it as a string).
    pub fn port(&self) -> &str {
        self.registry.rsplit_once(':').map_or("", |(_, p)| p)
    }
}

/// Renders every experiment's values from its template pack. Experiments
/// whose pack or registry is not there are left to the rules to report.
pub fn render_all(site: &mut Site, diags: &mut Diagnostics) {
    let mut done = Vec::new();
    for (t, team) in site.teams.iter().enumerate() {
        for (e, exp) in team.experiment.iter().enumerate() {
            let (Some(folder), Some(registry)) = (site.template_pack(&exp.pack), site.experiment_registry(exp)) else {
                continue;
            };
            let submission = Submission { experiment: exp, registry };
            match render(&folder.template, &submission) {
                Ok(v) => done.push((t, e, v)),
                Err(m) => diags.push(
                    Diagnostic::new(&super::lint::VALUES, format!("experiment `{}`: {m}", exp.name))
                        .label_opt(site.index.value(&exp.at.at("name")), "rendering this experiment's values"),
                ),
            }
        }
    }
    for (t, e, v) in done {
        site.teams[t].experiment[e].values = Some(v);
    }
}

/// The variables the template sees. Each CommandLine item is written as
/// a double-quoted YAML scalar: Jinja2 prints a string as it is, so an
/// argument such as `#1`, `a: b` or `1e-3` would otherwise be read back as
/// null, a map or a number. A JSON string is a YAML double-quoted scalar.
pub fn placeholders(s: &Submission) -> Value {
    let quoted: Vec<Value> =
        s.experiment.command.iter().map(|a| Value::String(Value::String(a.clone()).to_string())).collect();
    let image = s.image();
    json!({
        "ExperimentName": s.experiment.name,
        "CommandLine": quoted,
        "RegistryPort": s.port(),
        "ExperimentImage": image,
        "ImageRepository": image,
    })
}

/// The experiment's values: the template rendered, then Nauta's rules.
pub fn render(template: &str, s: &Submission) -> Result<Value, String> {
    let mut ctx = tera::Context::new();
    ctx.insert("NAUTA", &placeholders(s));
    let tera = super::sandboxed(template).map_err(|e| super::error_chain(&e))?;
    let text = sandbox::render(tera, "values.yaml.tera", ctx).map_err(|e| match e {
        sandbox::RenderError::Tera(e) => super::error_chain(&e),
        sandbox::RenderError::Exceeded(what) => super::over_budget(what).message,
    })?;
    let mut v: Value = serde_norway::from_str(&text).map_err(|e| format!("the rendered values are not YAML: {e}"))?;
    if v.is_null() {
        v = json!({});
    }
    if !v.is_object() {
        return Err("the rendered values are not a YAML map".to_string());
    }
    for p in &s.experiment.parameter {
        set(&mut v, &p.path, typed(p)?)?;
    }
    pod_count(&mut v)?;
    add_env(&mut v, &s.experiment.env);
    Ok(v)
}

/// A `-p` value as Nauta types it: `[…]`/`{…}` a literal list or map,
/// `true`/`false` a boolean, anything else the string as typed.
fn typed(p: &Parameter) -> Result<Value, String> {
    let v = p.value.as_str();
    if v.starts_with('[') || v.starts_with('{') {
        // Python literals in the forms parameters use ([1, 'a'], {'k': 2})
        // read the same as YAML flow collections.
        return serde_norway::from_str(v)
            .map_err(|e| format!("parameter `{}`: `{v}` is not a literal list or map: {e}", p.path));
    }
    Ok(match v {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(v.to_string()),
    })
}

/// Sets a dotted path, making the maps on the way (dpath's `new`).
fn set(v: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let mut cur = v;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let Some(map) = cur.as_object_mut() else {
            return Err(format!("parameter `{path}`: `{}` is not a map in the values", segs[..i].join(".")));
        };
        if i + 1 == segs.len() {
            map.insert(seg.to_string(), value);
            return Ok(());
        }
        cur = map.entry(seg.to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
    Ok(())
}

/// `podCount`: `workersCount + pServersCount`, or `workersCount + 1`
/// without parameter servers; left as it is without `workersCount`.
fn pod_count(v: &mut Value) -> Result<(), String> {
    let int = |key: &str| -> Result<Option<i64>, String> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
            Some(other) => Err(format!("`{key}` is {other}, not a whole number")),
        }
    };
    let Some(workers) = int("workersCount")? else { return Ok(()) };
    let servers = int("pServersCount")?.unwrap_or(1);
    if let Some(m) = v.as_object_mut() {
        m.insert("podCount".to_string(), json!(workers + servers));
    }
    Ok(())
}

/// The CPU limit `OMP_NUM_THREADS` follows: the `cpu` (multi-node packs:
/// `worker_cpu`) override, else the limit of `resources` (`worker_resources`).
fn cpu_limit(v: &Value) -> Option<String> {
    let limit = |r: &str| v.get(r).and_then(|r| r.get("limits")).and_then(|l| l.get("cpu"));
    let set = |k: &str| v.get(k).filter(|c| !c.is_null());
    let cpu = set("cpu")
        .or_else(|| set("worker_cpu"))
        .or_else(|| limit("resources"))
        .or_else(|| limit("worker_resources"))?;
    match cpu {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Appends `NAME=VALUE` variables (and `OMP_NUM_THREADS` from the CPU
/// limit unless given) to each of `env`, `worker.env`, `master.env` that
/// exists; to `env` when none does, which is what the packs' templates read.
fn add_env(v: &mut Value, env: &[String]) {
    let mut list: Vec<Value> = env
        .iter()
        .map(|e| {
            let (name, value) = e.split_once('=').unwrap_or((e, ""));
            json!({"name": name, "value": value})
        })
        .collect();
    let given = |n: &str| list.iter().any(|e| e["name"] == n);
    let omp = if given("OMP_NUM_THREADS") { None } else { cpu_limit(v) };
    if let Some(cpu) = omp {
        list.push(json!({"name": "OMP_NUM_THREADS", "value": cpu}));
    }
    if list.is_empty() {
        return;
    }
    let targets: Vec<&str> = ["env", "worker.env", "master.env"]
        .into_iter()
        .filter(|t| lookup(v, t).is_some_and(|x| x.is_array() || x.is_null()))
        .collect();
    let targets = if targets.is_empty() { vec!["env"] } else { targets };
    for t in targets {
        let mut cur = &mut *v;
        for seg in t.split('.') {
            cur = &mut cur[seg];
        }
        if !cur.is_array() {
            *cur = Value::Array(Vec::new());
        }
        if let Value::Array(items) = cur {
            items.extend(list.iter().cloned());
        }
    }
}

fn lookup<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |cur, seg| cur.get(seg))
}
