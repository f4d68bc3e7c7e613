//! Writes the collected objects, a kustomization.yaml per folder and one at
//! the top listing the folders, so `kubectl kustomize cluster/` builds.

use serde_json::json;

use super::{FOLDERS, Objects};
use crate::render::Outputs;
use crate::render::yaml;

fn kustomization(resources: Vec<String>) -> String {
    yaml::to_string(&json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    }))
}

pub fn write(mut objs: Objects, out: &mut Outputs) -> Result<(), String> {
    let mut listed = Vec::new();
    for folder in FOLDERS {
        let Some(files) = objs.folders.remove(folder).filter(|f| !f.is_empty()) else { continue };
        let names: Vec<String> = files.keys().cloned().collect();
        for (file, text) in files {
            out.text(&["cluster", folder, &file], text)?;
        }
        out.text(&["cluster", folder, "kustomization.yaml"], kustomization(names))?;
        listed.push(folder.to_string());
    }
    if !listed.is_empty() {
        out.text(&["cluster", "kustomization.yaml"], kustomization(listed))?;
    }
    Ok(())
}
