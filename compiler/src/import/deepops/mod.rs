//! NVIDIA DeepOps: a `config/` folder — the Ansible inventory (Kubespray
//! group names of every era), `group_vars/` and `host_vars/` applied as
//! Ansible applies them, `nvidia-mig-config.yml`, and DGXie's PXE files
//! (`dhcpd.hosts.conf`, `pxe/env`, `pxe/machines/machines.json`,
//! `helm/dgxie.yml`). Each concern has its own module; this one reads the
//! inputs and writes the site in order.

mod dgxie;
mod gpu;
mod hosts;
mod inventory;
mod network;
mod settings;
mod slurm;
mod vars;

use std::path::{Path, PathBuf};

use super::emit::Writer;
use super::{Imported, ini};

/// What DeepOps does not record and the user may pass on the command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// The DGX GPU model (`A100-SXM4-40GB`): needed for MIG.
    pub gpu_model: Option<String>,
    pub gpus_per_host: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { gpu_model: None, gpus_per_host: 8 }
    }
}

/// The files of one DeepOps configuration; all but the inventory optional.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    pub inventory: PathBuf,
    pub group_vars: Option<PathBuf>,
    pub host_vars: Option<PathBuf>,
    pub dhcp_hosts: Option<PathBuf>,
    pub machines: Option<PathBuf>,
    pub pxe_env: Option<PathBuf>,
    pub dgxie_values: Option<PathBuf>,
    pub mig_config: Option<PathBuf>,
    /// Files of the folder the importer does not read, each reported once.
    pub other: Vec<PathBuf>,
}

impl Paths {
    /// Where DeepOps keeps each file in `config/` (releases 19.x to today).
    pub fn of_config(dir: &Path) -> Paths {
        let opt = |rel: &str| Some(dir.join(rel)).filter(|p| p.exists());
        let mut p = Paths {
            inventory: dir.join("inventory"),
            group_vars: opt("group_vars"),
            host_vars: opt("host_vars"),
            dhcp_hosts: opt("dhcpd.hosts.conf").or_else(|| opt("pxe/dhcpd.hosts.conf")),
            machines: opt("pxe/machines/machines.json").or_else(|| opt("machines.json")),
            pxe_env: opt("pxe/env"),
            dgxie_values: opt("helm/dgxie.yml"),
            mig_config: opt("nvidia-mig-config.yml"),
            other: Vec::new(),
        };
        let read: Vec<PathBuf> = [
            Some(p.inventory.clone()),
            p.dhcp_hosts.clone(),
            p.machines.clone(),
            p.pxe_env.clone(),
            p.dgxie_values.clone(),
            p.mig_config.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let dirs: Vec<PathBuf> = [p.group_vars.clone(), p.host_vars.clone()].into_iter().flatten().collect();
        let mut files = Vec::new();
        walk(dir, &mut files);
        files.retain(|f| !read.contains(f) && !dirs.iter().any(|d| f.starts_with(d)));
        p.other = files;
        p
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            walk(&e, out);
        } else if !e.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            out.push(e);
        }
    }
}

pub(super) fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

/// What every concern reads and marks: the variables, the hosts and their scopes.
pub struct Ctx<'a> {
    pub opts: &'a Options,
    pub groups: inventory::Groups,
    pub hosts: Vec<inventory::Host>,
    pub vars: vars::Vars,
    /// Every host; the hosts that run Kubernetes.
    pub all: Vec<String>,
    pub kube: Vec<String>,
    /// DNS servers and NTP server DGXie handed out (value, `file:line`), for
    /// the site when group_vars give none; those taken land in `dgxie_used`.
    pub dgxie_dns: Vec<(String, String)>,
    pub dgxie_ntp: Vec<(String, String)>,
    pub dgxie_used: Vec<(String, String)>,
    /// `nvidia-mig-config.yml`, and the custom config of it the pool took.
    pub mig_file: Option<PathBuf>,
    pub mig_custom: Option<String>,
}

pub fn import_files(
    inventory: &Path,
    group_vars: &Path,
    dhcp_hosts: Option<&Path>,
    machines: Option<&Path>,
) -> Result<Imported, String> {
    import_with(inventory, group_vars, dhcp_hosts, machines, &Options::default())
}

pub fn import_with(
    inventory: &Path,
    group_vars: &Path,
    dhcp_hosts: Option<&Path>,
    machines: Option<&Path>,
    opts: &Options,
) -> Result<Imported, String> {
    let paths = Paths {
        inventory: inventory.to_path_buf(),
        group_vars: Some(group_vars.to_path_buf()),
        dhcp_hosts: dhcp_hosts.map(Path::to_path_buf),
        machines: machines.map(Path::to_path_buf),
        ..Paths::default()
    };
    import(&paths, opts)
}

/// Imports one DeepOps configuration.
pub fn import(paths: &Paths, opts: &Options) -> Result<Imported, String> {
    let mut out = Imported::default();
    let inv_name = paths.inventory.display().to_string();
    let inv = ini::parse(&read(&paths.inventory)?);
    let groups = inventory::Groups::of(&inv);
    let mut hosts = inventory::hosts(&inv, &inv_name, &groups, &mut out);
    if hosts.is_empty() {
        return Err(format!(
            "{inv_name}: the inventory names no hosts (as shipped, DeepOps's host lines are commented out: uncomment \
             and edit them, then run the import again)"
        ));
    }
    inventory::unknown_groups(&inv, &inv_name, &mut out);
    let all: Vec<String> = hosts.iter().map(|h| h.name.clone()).collect();
    let vars = vars::Vars::read(&inv, &inv_name, &all, paths.group_vars.as_deref(), paths.host_vars.as_deref())?;
    let mut boot = network::read_boot(paths, &mut hosts, &mut out)?;
    let kube: Vec<String> = hosts.iter().filter(|h| groups.kube(&h.name)).map(|h| h.name.clone()).collect();
    let mut cx = Ctx {
        opts,
        groups,
        hosts,
        vars,
        all,
        kube,
        dgxie_dns: Vec::new(),
        dgxie_ntp: Vec::new(),
        dgxie_used: Vec::new(),
        mig_file: paths.mig_config.clone(),
        mig_custom: None,
    };
    gpu::pick_hosts(&mut cx, &mut out);
    let slurm = slurm::plan(&mut cx, &inv, &inv_name, &mut out);
    let mut w = Writer::default();
    w.comment(&format!("Imported from DeepOps by `bosun import deepops`.\nInventory: {inv_name}"));
    w.blank();
    let nets = network::plan(&mut cx, &boot, &mut out);
    w.open("site", &["deepops".into()], &[]);
    network::domain(&mut boot, &mut w, &mut out);
    settings::kubernetes(&mut cx, &mut w, &mut out);
    settings::services(&mut cx, &mut w, &mut out);
    slurm::block(slurm.as_ref(), &mut w);
    w.close();
    for (at, v) in std::mem::take(&mut cx.dgxie_used) {
        boot.used(&at, &v);
    }
    network::write(&nets, &mut boot, &mut w, &mut out);
    gpu::pool(&mut cx, &mut w, &mut out);
    hosts::write(&mut cx, &inv, &inv_name, &nets, &mut boot, &mut w, &mut out);
    hosts::storage(&mut cx, &mut w, &mut out);
    gpu::operator(&mut cx, &mut w, &mut out);
    hosts::secrets(&mut cx, &inv, &inv_name, &mut w, &mut out);
    slurm::secrets(slurm.as_ref(), &mut w);
    if let Some(p) = &paths.mig_config {
        gpu::mig_parted(p, cx.mig_custom.as_deref(), &mut out)?;
    }
    for f in &paths.other {
        out.unmapped(f.display().to_string(), &f.display().to_string(), "file not read: bosun has no equivalent of it (Helm values of DeepOps's optional deployments, playbooks, scripts)");
    }
    cx.vars.finish(&mut out);
    network::finish(boot, &mut out);
    out.count();
    out.kdl = w.finish();
    Ok(out)
}
