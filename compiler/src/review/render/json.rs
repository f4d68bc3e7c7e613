//! The review as JSON for bots. The schema (version 1) is documented in
//! docs/ci.md; fields are only ever added to it.

use serde_json::{Value, json};

use super::super::{Body, DocChange, Review};

pub fn render(review: &Review) -> String {
    let s = &review.summary;
    let changed_hosts: Vec<Value> = s
        .hosts
        .changed
        .iter()
        .map(|(host, why)| json!({ "host": host, "reasons": why.iter().collect::<Vec<_>>() }))
        .collect();
    let resources: Vec<Value> = s
        .resources
        .iter()
        .map(|k| json!({ "kind": k.kind, "added": k.added, "removed": k.removed, "changed": k.changed }))
        .collect();
    let b = &s.blast;
    let doc = json!({
        "version": 1,
        "changed": review.has_changes(),
        "summary": {
            "files": {
                "added": s.files.added,
                "modified": s.files.modified,
                "removed": s.files.removed,
                "layout_only": review.layout_only,
            },
            "hosts": { "added": s.hosts.added, "removed": s.hosts.removed, "changed": changed_hosts },
            "resources": resources,
            "blast_radius": {
                "reprovisioned": b.reprovisioned,
                "shared_boot_files": b.shared_boot,
                "syncs": b.syncs,
                "pruned": b.pruned,
                "quota": b.quota,
                "access": b.access,
                "leave_kubernetes": b.leave_kubernetes,
                "leave_slurm": b.leave_slurm,
            },
        },
        "foreign": review.foreign.iter().map(|f| json!({ "path": f.path, "why": f.why })).collect::<Vec<_>>(),
        "files": review.files.iter().map(|f| {
            let mut entry = json!({ "path": f.path, "status": f.status.as_str() });
            let body = match &f.body {
                Body::Documents(docs) => json!({ "format": "documents", "documents": docs.iter().map(document).collect::<Vec<_>>() }),
                Body::Text(diff) => json!({ "format": "text", "diff": diff }),
                Body::Binary { old, new } => json!({ "format": "binary", "old_bytes": old, "new_bytes": new }),
                Body::Manifest { lines } => json!({ "format": "manifest", "changed_lines": lines }),
            };
            entry.as_object_mut().expect("an object").extend(body.as_object().expect("an object").clone());
            entry
        }).collect::<Vec<_>>(),
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    out.push('\n');
    out
}

fn document(d: &DocChange) -> Value {
    json!({
        "status": d.status.as_str(),
        "label": d.key.label(),
        "group": d.key.group,
        "kind": d.key.kind,
        "namespace": d.key.namespace,
        "name": d.key.name,
        "fields": d.fields.iter().map(|f| json!({ "path": f.path, "old": f.old, "new": f.new })).collect::<Vec<_>>(),
        "content": d.value,
    })
}
