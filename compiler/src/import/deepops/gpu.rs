//! GPU nodes as DeepOps treats them: the hosts of a GPU group of any era, or
//! else the Kubernetes workers the GPU Operator settings reach, form one pool.
//! MIG strategy and profile, a preinstalled driver and the driver version are
//! mapped exactly; a custom mig-parted config bosun cannot express is reported.

use std::path::Path;

use super::super::Imported;
use super::super::emit::{V, Writer};
use super::super::values::scalar;
use super::Ctx;
use crate::model::gpu_models;
use crate::packs::catalog;

pub const POOL: &str = "dgx";

/// Settings that make a Kubernetes worker a GPU node in DeepOps's eyes.
const OPERATOR: &[&str] = &["deepops_gpu_operator_enabled", "gpu_operator_enabled"];
const MIG_STRATEGY: &[&str] = &["k8s_gpu_mig_strategy", "gpu_operator_mig_strategy", "mig_strategy"];
const MIG_PROFILE: &[&str] = &["mig_manager_profile", "mig_profile"];

fn truthy(v: Option<&serde_norway::Value>) -> bool {
    v.and_then(scalar).is_some_and(|s| matches!(s.to_lowercase().as_str(), "true" | "yes"))
}

/// Marks the GPU hosts and says why they were taken.
pub fn pick_hosts(cx: &mut Ctx, out: &mut Imported) {
    let by_group = !cx.groups.gpu.is_empty();
    let mut why = Vec::new();
    for h in cx.hosts.iter_mut().filter(|h| h.role == "worker") {
        let gpu_setting = OPERATOR.iter().chain(MIG_STRATEGY).any(|k| cx.vars.for_host(k, &h.name).is_some());
        h.gpu = if by_group {
            cx.groups.gpu.contains(&h.name)
        } else {
            (cx.groups.kube_node.contains(&h.name) && (gpu_setting || cx.opts.gpu_model.is_some()))
                || (h.slurm && truthy(cx.vars.for_host("slurm_manage_gpus", &h.name)))
        };
        if h.gpu && !by_group {
            why.push(h.name.clone());
        }
    }
    if !why.is_empty() {
        out.todo.push(format!(
            "gpu-pool \"{POOL}\": {} are taken as GPU nodes (Kubernetes workers the GPU Operator settings reach, or \
             Slurm nodes with slurm_manage_gpus); remove `gpu-pool` from any that has no GPU",
            why.join(", ")
        ));
    }
}

/// A custom mig-parted config that splits every GPU alike (`devices: all`),
/// as `(size, count)`; `Err` says why another cannot be a pool's layout.
fn custom_layout(file: &Path, name: &str) -> Result<Vec<(String, u32)>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    // The file repeats names, which YAML parsers refuse: the config's own block is read alone.
    let head = format!("  {name}:");
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim_end() != head)
        .skip(1)
        .take_while(|l| l.trim().is_empty() || l.starts_with("   "))
        .map(|l| l.get(4..).unwrap_or(""))
        .collect();
    if block.is_empty() {
        return Err(format!("no config `{name}` in {}", file.display()));
    }
    let v: serde_norway::Value =
        serde_norway::from_str(&block.join("\n")).map_err(|e| format!("`{name}` is not valid YAML: {e}"))?;
    let entries = v.as_sequence().cloned().unwrap_or_default();
    let [entry] = entries.as_slice() else {
        return Err(format!("`{name}` splits GPUs differently by index; a pool's layout applies to all its GPUs"));
    };
    if entry.get("devices").and_then(scalar).as_deref() != Some("all") {
        return Err(format!("`{name}` applies to some GPUs only; a pool's layout applies to all its GPUs"));
    }
    let devices = entry.get("mig-devices").and_then(|d| d.as_mapping()).cloned().unwrap_or_default();
    let mut out: Vec<(String, u32)> = devices
        .iter()
        .filter_map(|(k, v)| Some((scalar(k)?, v.as_u64().and_then(|n| u32::try_from(n).ok())?)))
        .collect();
    out.sort();
    Ok(out)
}

/// A `mig` node's properties, and the `device` children of a custom layout.
type MigNode = (Vec<(&'static str, V)>, Vec<(String, u32)>);

/// MIG `strategy=` and `profile=` for the pool, and a custom layout's devices.
fn mig(cx: &mut Ctx, out: &mut Imported, gpu_hosts: &[String]) -> MigNode {
    let props = mig_props(cx, out, gpu_hosts);
    let custom = cx.mig_custom.clone().zip(cx.mig_file.clone());
    let devices = match custom {
        Some((name, file)) => custom_layout(&file, &name).unwrap_or_default(),
        None => Vec::new(),
    };
    (props, devices)
}

fn mig_props(cx: &mut Ctx, out: &mut Imported, gpu_hosts: &[String]) -> Vec<(&'static str, V)> {
    let hint = "write `mig strategy=… profile=…` in the gpu-pool";
    let strategy = MIG_STRATEGY.iter().find_map(|k| cx.vars.site_wide(k, gpu_hosts, hint));
    let profile = MIG_PROFILE.iter().find_map(|k| cx.vars.site_wide(k, gpu_hosts, hint));
    let Some((s, s_at)) = strategy else {
        if let Some((_, at)) = profile {
            cx.vars.report(&at, "MIG profile without a MIG strategy (k8s_gpu_mig_strategy): bosun needs both".into());
        }
        return Vec::new();
    };
    let s = scalar(&s).unwrap_or_default();
    if !["none", "single", "mixed"].contains(&s.as_str()) {
        cx.vars.report(&s_at, format!("k8s_gpu_mig_strategy: `{s}` is not none, single or mixed: refused"));
        return Vec::new();
    }
    let Some(model) = cx.opts.gpu_model.clone() else {
        cx.vars.report(&s_at, format!("MIG strategy `{s}`: bosun needs the GPU model for MIG (--gpu-model)"));
        out.todo.push(format!(
            "MIG strategy `{s}` from group_vars needs the GPU model: re-run with --gpu-model, or add `mig strategy=\"{s}\"` to gpu-pool \"{POOL}\" after setting its model"
        ));
        return Vec::new();
    };
    let mut props: Vec<(&'static str, V)> = vec![("strategy", s.as_str().into())];
    cx.vars.mapped(&s_at, &s);
    let p = profile.and_then(|(p, at)| Some((scalar(&p)?, at)));
    match p {
        Some((p, at)) if s != "none" => {
            let known = gpu_models::ALWAYS.contains(&p.as_str())
                || gpu_models::find(&model).is_some_and(|m| m.profile(&p).is_some());
            let custom = match (&cx.mig_file, known) {
                (Some(f), false) => Some(custom_layout(f, &p)),
                _ => None,
            };
            if known {
                cx.vars.mapped(&at, &p);
                props.push(("profile", p.into()));
            } else if let Some(Ok(devices)) = &custom
                && !devices.is_empty()
            {
                cx.vars.mapped(&at, &p);
                cx.mig_custom = Some(p.clone());
                props.push(("profile", p.into()));
            } else if let Some(Err(why)) = custom {
                cx.vars.report(&at, format!("{p}: {why}: refused"));
                out.todo.push(format!("gpu-pool \"{POOL}\": MIG profile `{p}` refused; give a profile of {model}'s table or `device` children"));
            } else {
                cx.vars.report(&at, format!("{p}: {model} has no MIG profile of that name (a custom mig-parted config?): refused; bosun's profiles are the model's table"));
                out.todo
                    .push(format!("gpu-pool \"{POOL}\": MIG profile `{p}` refused; give a profile of {model}'s table"));
            }
        }
        Some((_, at)) => cx.vars.report(&at, "MIG profile with strategy none: not used".into()),
        None if s != "none" => {
            // DeepOps's own default: the MIG manager leaves the GPUs whole.
            props.push(("profile", "all-disabled".into()));
            out.todo.push(format!(
                "gpu-pool \"{POOL}\": MIG strategy {s} without mig_manager_profile: profile `all-disabled` (DeepOps's \
                 default, GPUs not partitioned) was written; change it to partition them"
            ));
        }
        None => {}
    }
    props
}

/// The pool block.
pub fn pool(cx: &mut Ctx, w: &mut Writer, out: &mut Imported) {
    let gpu_hosts: Vec<String> = cx.hosts.iter().filter(|h| h.gpu).map(|h| h.name.clone()).collect();
    if gpu_hosts.is_empty() {
        return;
    }
    // MIG is the GPU Operator's: only the pool's Kubernetes hosts read it.
    let kube_gpu: Vec<String> = gpu_hosts.iter().filter(|h| cx.kube.contains(h)).cloned().collect();
    let (mig, devices) = mig(cx, out, &kube_gpu);
    w.blank();
    w.comment("The GPU nodes. DeepOps records neither the GPU model nor the count.");
    w.open("gpu-pool", &[POOL.into()], &[]);
    w.node("vendor", &["nvidia".into()], &[]);
    w.node("model", &[cx.opts.gpu_model.clone().unwrap_or_else(|| "DGX".into()).into()], &[]);
    w.node("gpus-per-host", &[i64::from(cx.opts.gpus_per_host).into()], &[]);
    let mig_text: Vec<String> = mig.iter().map(|(k, v)| format!("{k} {}", v.text())).collect();
    out.summary.push(format!(
        "gpu-pool \"{POOL}\": {} ({}); MIG {}",
        gpu_hosts.join(", "),
        cx.opts.gpu_model.as_deref().unwrap_or("model unknown"),
        if mig_text.is_empty() { "not set".to_string() } else { mig_text.join(", ") }
    ));
    if !devices.is_empty() {
        w.comment(&format!("nvidia-mig-config.yml `{}`", cx.mig_custom.as_deref().unwrap_or("")));
        w.open("mig", &[], &mig);
        for (size, n) in &devices {
            w.node("device", &[size.into()], &[("count", i64::from(*n).into())]);
        }
        w.close();
    } else if !mig.is_empty() {
        w.node("mig", &[], &mig);
    }
    w.node("taint", &["nvidia.com/gpu=present:NoSchedule".into()], &[]);
    w.close();
    if cx.opts.gpu_model.is_none() {
        out.todo.push(format!("gpu-pool \"{POOL}\": model is `DGX`; set the real model (or pass --gpu-model)"));
    }
    out.todo.push(format!(
        "gpu-pool \"{POOL}\": {} GPUs per host (--gpus-per-host); DeepOps does not record it",
        cx.opts.gpus_per_host
    ));
}

/// The GPU Operator pack, with the driver off where DGX OS brings its own.
pub fn operator(cx: &mut Ctx, w: &mut Writer, out: &mut Imported) {
    let kube = cx.kube.clone();
    let hint = "write `pack \"gpu-operator\"`";
    let on = OPERATOR.iter().find_map(|k| cx.vars.site_wide(k, &kube, hint));
    let Some((v, at)) = on else { return };
    if !truthy(Some(&v)) {
        cx.vars.mapped(&at, "");
        return;
    }
    cx.vars.mapped(&at, catalog::GPU_OPERATOR);
    let pre = cx.vars.site_wide(
        "gpu_operator_preinstalled_nvidia_software",
        &kube,
        "write `set \"driver.enabled\" value=#false`",
    );
    let version = cx.vars.site_wide("gpu_operator_driver_version", &kube, "write `set \"driver.version\" value=\"…\"`");
    let mut sets: Vec<(&str, V)> = Vec::new();
    if let Some((p, at)) = pre {
        let off = truthy(Some(&p));
        cx.vars.mapped(&at, if off { "enabled: false" } else { "enabled: true" });
        if off {
            sets.push(("driver.enabled", false.into()));
            sets.push(("toolkit.enabled", false.into()));
        }
    }
    if let Some((v, at)) = version.and_then(|(v, at)| Some((scalar(&v)?, at))) {
        cx.vars.mapped(&at, &v);
        sets.push(("driver.version", v.into()));
    }
    let driver = if sets.iter().any(|(p, _)| *p == "driver.enabled") {
        "driver and toolkit off (preinstalled)"
    } else {
        "driver installed by the operator"
    };
    out.summary.push(format!("pack gpu-operator: {driver}"));
    w.blank();
    if sets.is_empty() {
        w.node("pack", &[catalog::GPU_OPERATOR.into()], &[]);
        return;
    }
    w.comment("gpu_operator_preinstalled_nvidia_software: DGX OS brings the driver and toolkit");
    w.open("pack", &[catalog::GPU_OPERATOR.into()], &[]);
    for (path, value) in sets {
        w.node("set", &[path.into()], &[("value", value)]);
    }
    w.close();
}

/// `nvidia-mig-config.yml`: custom mig-parted configs, which bosun's
/// profile table cannot hold; each is reported on its own line. Read line by
/// line: DeepOps's own file repeats a config name, which YAML parsers refuse.
pub fn mig_parted(path: &Path, used: Option<&str>, out: &mut Imported) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut in_configs = false;
    let mut seen: Vec<String> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let at = format!("{}:{}", path.display(), i + 1);
        let key = |l: &str| l.split_once(':').map(|(k, _)| k.trim().trim_matches('"').to_string());
        if !l.starts_with([' ', '#', '-']) && !l.trim().is_empty() {
            let Some(k) = key(l) else { continue };
            in_configs = k == "mig-configs";
            let what = if in_configs {
                "mig-parted's configs, each reported on its own line"
            } else {
                "mig-parted file format"
            };
            out.minor(at, format!("{}: {what}", l.trim()));
        } else if in_configs && l.starts_with("  ") && !l.starts_with("   ") && !l.trim_start().starts_with(['#', '-'])
        {
            let Some(name) = key(l) else { continue };
            let again = if seen.contains(&name) { " (named twice in this file)" } else { "" };
            if used == Some(name.as_str()) && again.is_empty() {
                out.map(at, "mig", name.clone());
                seen.push(name);
                continue;
            }
            out.minor(
                at,
                format!(
                    "mig-parted config {name}{again}: not the pool's (mig_manager_profile names another); a pool \
                     takes it as `mig … {{ device SIZE count=N }}` when it splits every GPU alike"
                ),
            );
            seen.push(name);
        }
    }
    Ok(())
}
