//! packs/<pack>/values.yaml for every pack the site installs: the values
//! bosun derives from the site (some written earlier by the kubeadm and
//! cluster renderers), then the site's `values` block, then its `set … value=`
//! entries, deepest last. `set … from=` is not a value: the values name the
//! Kubernetes Secret that holds it where the chart reads it
//! (`packs::secrets`, docs/packs.md).

use serde_json::{Map, Value, json};

use super::{Outputs, yaml};
use crate::model::Pack;
use crate::packs::secrets::{self, merge};
use crate::plan::Plan;

pub fn render(plan: &Plan, out: &mut Outputs) -> Result<(), String> {
    let cni = plan.settings.kubernetes.cni.pack();
    let mut names: Vec<&str> = vec![cni];
    names.extend(plan.site.packs.iter().filter(|p| p.name != cni).map(|p| p.name.as_str()));
    for name in names {
        let pack = plan.site.packs.iter().find(|p| p.name == name);
        let path = ["packs", name, "values.yaml"];
        if let Some(p) = pack.filter(|p| p.source.is_some()) {
            // A pack folder: its template already saw the parameters.
            let values = p.folder.as_ref().map(|f| f.values.clone()).unwrap_or_else(|| json!({}));
            if let Some(f) = p.folder.as_ref().filter(|f| !f.local_chart.is_empty()) {
                // A Nauta template pack's chart, installed from this tree.
                for (parts, text) in &f.local_chart {
                    let mut c = vec!["packs", name, "chart"];
                    c.extend(parts.iter().map(String::as_str));
                    out.text(&c, text.clone())?;
                }
                out.text(&["packs", name, "chart", "values.yaml"], yaml::to_string(&values))?;
            }
            out.text(&path, yaml::to_string(&values))?;
            continue;
        }
        let refs = pack.map(|p| secrets::refs(plan.site, p)).unwrap_or_default();
        let user =
            !refs.is_empty() || pack.is_some_and(|p| p.values.is_some() || p.set.iter().any(|s| s.value.is_some()));
        let mut values = match out.get(&path) {
            Some(_) if !user => continue,
            Some(_) => {
                let text = out.take(&path).unwrap_or_default();
                serde_norway::from_slice::<Value>(&text).map_err(|e| format!("{}: {e}", path.join("/")))?
            }
            None => super::pack_values::derived(plan, name),
        };
        // The Secrets of `set … from=`, by name, where the chart reads them.
        merge(&mut values, &secrets::wire(name, &refs).0);
        if let Some(pack) = pack {
            apply_user(&mut values, pack);
        }
        out.text(&path, yaml::to_string(&values))?;
    }
    Ok(())
}

/// Adds the site's `values` block and `set … value=` entries to `values`.
pub fn apply_user(values: &mut Value, pack: &Pack) {
    if let Some(v) = &pack.values {
        merge(values, v);
    }
    for set in &pack.set {
        if let Some(v) = &set.value {
            let mut cur = &mut *values;
            for seg in set.path.split('.') {
                if !cur.is_object() {
                    *cur = Value::Object(Map::new());
                }
                let Value::Object(m) = cur else { break };
                cur = m.entry(seg.to_string()).or_insert(Value::Null);
            }
            *cur = v.clone();
        }
    }
}
