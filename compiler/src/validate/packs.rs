//! Packs whose files bosun could not write or a reader could not read back:
//! a pack folder named like a built-in pack whose values bosun writes, a
//! GPU pool named like Kueue's CPU flavor, a values key over YAML's limit,
//! a chart file whose name is no safe output path.

use serde_json::Value;

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::Pack;
use crate::packs::catalog::{self, CPU_FLAVOR};

/// Besides the site's CNI, the built-in pack whose values bosun derives
/// from the site.
const DERIVED_VALUES: &str = catalog::GPU_OPERATOR;

/// YAML readers look for an implicit key's `:` within 1,024 characters.
const YAML_KEY: usize = 1024;

pub fn check(cx: &mut Ctx) {
    let site = cx.site;
    let cni = site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()).map(|k| catalog::cni(k.cni));
    for p in site.packs.iter().filter(|p| p.source.is_some()) {
        if Some(p.name.as_str()) == cni || p.name == DERIVED_VALUES {
            let d = Diagnostic::new(
                &PACK_SHADOWS_BUILTIN,
                format!("pack folder `{}` has the name of a built-in pack whose values bosun writes", p.name),
            )
            .label_opt(cx.span(&p.at.at("name")), "a built-in pack's name")
            .label_opt(cx.span(&p.at.at("source")), "a pack folder");
            cx.push(d);
        }
    }
    if site.packs.iter().any(|p| p.name == catalog::KUEUE) {
        for pool in site.pools.iter().filter(|p| p.name == CPU_FLAVOR) {
            let d =
                Diagnostic::new(&POOL_NAME_RESERVED, format!("GPU pool `{CPU_FLAVOR}` would be Kueue's CPU flavor"))
                    .label_opt(cx.span(&pool.at.at("name")), "both are ResourceFlavors of this name");
            cx.push(d);
        }
    }
    for p in &site.packs {
        yaml_keys(cx, p);
    }
    chart_files(cx);
}

/// A key's length as the YAML emitter writes it at worst: double-quoted,
/// with escapes.
fn yaml_length(key: &str) -> usize {
    2 + key
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\t' | '\r' => 2,
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}') => 6,
            _ => 1,
        })
        .sum::<usize>()
}

fn yaml_keys(cx: &mut Ctx, pack: &Pack) {
    let mut long: Vec<(String, usize)> = Vec::new();
    if let Some(values) = &pack.values {
        long_keys(values, &pack.at.at("values"), &mut long);
    }
    for (i, set) in pack.set.iter().enumerate() {
        if let Some(seg) = set.path.split('.').find(|s| yaml_length(s) > YAML_KEY) {
            long.push((pack.at.at(&format!("set/{i}/path")), yaml_length(seg)));
        }
    }
    for (ptr, len) in long {
        let d =
            Diagnostic::new(&VALUES_KEY_TOO_LONG, format!("a key of pack `{}` is {len} characters as YAML", pack.name))
                .label_opt(cx.span(&ptr), format!("at most {YAML_KEY}"));
        cx.push(d);
    }
}

fn long_keys(v: &Value, ptr: &str, out: &mut Vec<(String, usize)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let at = format!("{ptr}/{}", k.replace('~', "~0").replace('/', "~1"));
                if yaml_length(k) > YAML_KEY {
                    out.push((at.clone(), yaml_length(k)));
                }
                long_keys(child, &at, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                long_keys(item, &format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Every file of a Nauta template pack's chart
/// becomes a file of the compiled tree, so its name must be one bosun writes.
fn chart_files(cx: &mut Ctx) {
    let site = cx.site;
    let safe = |c: &str| {
        !c.is_empty() && c != "." && c != ".." && c.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b))
    };
    for p in &site.packs {
        let Some(folder) = &p.folder else { continue };
        for (parts, _) in &folder.local_chart {
            if let Some(bad) = parts.iter().find(|c| !safe(c)) {
                let d = Diagnostic::new(
                    &CHART_FILE_NAME,
                    format!("chart file `{}` of pack `{}` has the name `{bad}`", parts.join("/"), p.name),
                )
                .label_opt(cx.span(&p.at.at("source")), "in this pack folder's charts/");
                cx.push(d);
            }
        }
    }
}
