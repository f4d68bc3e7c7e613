//! packs/<pack>/values.yaml for every pack the site installs: the values
//! the plan merged for it (`plan::values`), and a Nauta template pack's
//! chart, installed from this tree.

use super::{Outputs, yaml};
use crate::plan::Plan;

pub fn render(plan: &Plan, out: &mut Outputs) -> Result<(), String> {
    for (name, values) in &plan.values {
        let text = yaml::to_string(values);
        let folder =
            plan.site.packs.iter().find(|p| p.name == *name && p.source.is_some()).and_then(|p| p.folder.as_ref());
        if let Some(f) = folder.filter(|f| !f.local_chart.is_empty()) {
            for (parts, chart_file) in &f.local_chart {
                let mut c = vec!["packs", name, "chart"];
                c.extend(parts.iter().map(String::as_str));
                out.text(&c, chart_file.clone())?;
            }
            out.text(&["packs", name, "chart", "values.yaml"], text.clone())?;
        }
        out.text(&["packs", name, "values.yaml"], text)?;
    }
    Ok(())
}
