//! Storage: exactly one default class, classes that fit their backends.

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::{StorageType, spelled};

pub fn check(cx: &mut Ctx) {
    let classes = &cx.site.storage.class;
    let defaults: Vec<_> = classes.iter().filter(|c| c.default).collect();
    let skipped = cx.site.skipped.iter().any(|(k, _)| k == "class");
    if !classes.is_empty() && defaults.len() != 1 && !(defaults.is_empty() && skipped) {
        let message = if defaults.is_empty() {
            "no storage class is the default".to_string()
        } else {
            format!("{} storage classes are marked default", defaults.len())
        };
        let mut d = Diagnostic::new(&DEFAULT_CLASS, message);
        if defaults.is_empty() {
            for c in classes {
                d = d.label_opt(cx.span(&c.at.at("name")), "could be the default");
            }
        }
        for c in &defaults {
            d = d.label_opt(cx.setting_span(&c.at.at("default")), format!("`{}` is default", c.name));
        }
        cx.push(d);
    }
    for class in classes {
        let nfs = cx.site.storage.nfs.iter().any(|n| n.name == class.backend);
        let ceph = cx.site.storage.ceph.iter().any(|n| n.name == class.backend);
        let fits = match class.type_ {
            StorageType::Nfs => nfs || !ceph,
            StorageType::Cephfs | StorageType::Rbd => ceph || !nfs,
        };
        if !fits {
            let kind = if nfs { "an nfs" } else { "a ceph" };
            let d = Diagnostic::new(
                &BACKEND_TYPE,
                format!(
                    "class `{}` has type \"{}\", but `{}` is {kind} backend",
                    class.name,
                    spelled(&class.type_),
                    class.backend
                )
                .to_string(),
            )
            .label_opt(cx.setting_span(&class.at.at("type")), "type")
            .label_opt(cx.setting_span(&class.at.at("backend")), "backend");
            cx.push(d);
        }
        let shared = matches!(class.access.as_deref(), Some("ReadWriteMany" | "ReadOnlyMany"));
        if class.type_ == StorageType::Rbd && shared {
            let d = Diagnostic::new(
                &ACCESS_MODE,
                format!("RBD class `{}` cannot give {} volumes", class.name, class.access.as_deref().unwrap_or("")),
            )
            .label_opt(cx.setting_span(&class.at.at("access")), "access mode");
            cx.push(d);
        }
    }
}
