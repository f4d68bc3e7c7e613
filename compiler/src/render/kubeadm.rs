//! kubeadm configuration: `kubeadm/<host>.yaml` for every control-plane and
//! worker host, from the documents the plan built (`plan::kubeadm`). The
//! seeds deliver the same bytes: [`texts`] serializes each file once and
//! `render/mod.rs` hands the texts to both writers.

use rayon::prelude::*;

use super::outputs::LfText;
use super::{Outputs, yaml};
use crate::plan::Plan;
use crate::plan::kubeadm::types::Document;

/// Every host's kubeadm file, indexed like the plan's hosts; `None` for a
/// host that runs no Kubernetes. Hosts in parallel.
pub fn texts(plan: &Plan) -> Result<Vec<Option<String>>, String> {
    let k = &plan.kubeadm;
    if k.own.iter().all(Option::is_none) {
        return Ok(vec![None; k.own.len()]);
    }
    // The shared documents end every file: rendered once, copied in.
    let shared = yaml::built(|out| {
        for doc in k.shared.as_ref().map_err(String::clone)? {
            out.push_str("---\n");
            yaml::write(out, &doc.to_value()?);
        }
        Ok::<(), String>(())
    })?;
    k.own
        .par_iter()
        .map(|own| own.as_ref().map(|docs| text(docs.as_ref().map_err(String::clone)?, &shared)).transpose())
        .collect()
}

fn text(own: &[Document], shared: &str) -> Result<String, String> {
    yaml::built(|out| {
        for (i, doc) in own.iter().enumerate() {
            if i > 0 {
                out.push_str("---\n");
            }
            yaml::write(out, &doc.to_value()?);
        }
        out.push_str(shared);
        Ok(())
    })
}

/// Writes `kubeadm/<host>.yaml` from [`texts`].
pub fn render(plan: &Plan, texts: &[Option<String>], out: &mut Outputs) -> Result<(), String> {
    for (facts, text) in plan.hosts.iter().zip(texts) {
        if let Some(text) = text {
            out.lf_text(&["kubeadm", &format!("{}.yaml", facts.host.name)], LfText::new(text.clone()))?;
        }
    }
    Ok(())
}
