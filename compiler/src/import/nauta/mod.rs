//! Intel Nauta (Enterprise 1.0): the Ansible inventory ([master] with exactly
//! one row, [worker] rows) and the YAML configuration, as the "Nauta
//! Installation, Configuration and Administration Guide" (April 2019)
//! documents them. Settings Nauta leaves out get the guide's defaults, each
//! said as a fill-in. Hosts are read and written in hosts.rs, the
//! configuration in config.rs.

mod config;
mod hosts;

use std::path::Path;

use serde_norway::Value;

use super::Imported;
use super::emit::Writer;
use super::ini;
use super::values::scalar;

/// The Kubernetes release an imported site starts on: Nauta shipped 1.10,
/// which bosun does not support (docs/language.md, supported versions).
pub const KUBERNETES_VERSION: &str = "1.31.4";

pub fn import_files(inventory: &Path, config: &Path) -> Result<Imported, String> {
    let inv = std::fs::read_to_string(inventory).map_err(|e| format!("cannot read {}: {e}", inventory.display()))?;
    let cfg = std::fs::read_to_string(config).map_err(|e| format!("cannot read {}: {e}", config.display()))?;
    import(&inv, &inventory.display().to_string(), &cfg, &config.display().to_string())
}

/// The configuration, with each key's line for the report.
pub(super) struct Cfg<'a> {
    text: &'a str,
    name: &'a str,
    map: serde_norway::Mapping,
}

impl Cfg<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(Value::String(key.to_string())).filter(|v| !v.is_null())
    }

    fn str(&self, key: &str) -> Option<String> {
        self.get(key).and_then(scalar)
    }

    /// `file:line` of a key (the first line that starts with `key:` at any indentation).
    fn at(&self, key: &str) -> String {
        match line_of(self.text, key) {
            0 => format!("{} (not set, Nauta's default)", self.name),
            n => format!("{}:{n}", self.name),
        }
    }

    /// Whether the configuration states `key` (else the importer uses Nauta's default).
    fn states(&self, key: &str) -> bool {
        self.get(key).is_some() && line_of(self.text, key) > 0
    }
}

fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map_or(0, |i| i + 1)
}

/// The configuration as one mapping: the guide nests the NFS settings under
/// `nauta_configuration:` and its later editions under
/// `nauta_extra_configuration:`; both are read as if written at the top.
fn parse_config(cfg_text: &str, cfg_name: &str) -> Result<serde_norway::Mapping, String> {
    let value: Value = if cfg_text.trim().is_empty() {
        Value::Mapping(Default::default())
    } else {
        serde_norway::from_str(cfg_text).map_err(|e| format!("{cfg_name}: not valid YAML: {e}"))?
    };
    let mut map = match value {
        Value::Mapping(m) => m,
        Value::Null => Default::default(),
        _ => return Err(format!("{cfg_name}: the configuration must be a YAML mapping")),
    };
    for nest in ["nauta_configuration", "nauta_extra_configuration"] {
        if let Some(Value::Mapping(inner)) = map.remove(Value::String(nest.into())) {
            for (k, v) in inner {
                map.insert(k, v);
            }
        }
    }
    Ok(map)
}

/// Imports a Nauta inventory and configuration (their texts, with the names
/// used in messages).
pub fn import(inv_text: &str, inv_name: &str, cfg_text: &str, cfg_name: &str) -> Result<Imported, String> {
    let mut out = Imported::default();
    let inv = ini::parse(inv_text);
    let cfg = Cfg { text: cfg_text, name: cfg_name, map: parse_config(cfg_text, cfg_name)? };
    let hosts = hosts::read(&inv, inv_name, &mut out)?;
    let settings = config::read(&cfg, &mut out);
    let mut w = Writer::default();
    w.comment(&format!(
        "Imported from Nauta by `bosun import nauta`.\nInventory: {inv_name}\nConfiguration: {cfg_name}"
    ));
    w.blank();
    let site_name = sanitize(&settings.nodes_domain);
    let internal = super::values::covering(&hosts.iter().filter_map(|h| h.address).collect::<Vec<_>>());
    config::write_site(&cfg, &settings, &site_name, internal.is_some(), &mut w, &mut out);
    hosts::write_network(internal.as_deref(), &mut w, &mut out);
    hosts::write(&hosts, internal.is_some(), &settings.data_path(&hosts), &mut w, &mut out);
    config::write_storage(&cfg, &hosts, &mut w, &mut out);
    hosts::secrets(&hosts, inv_name, &site_name, &mut w, &mut out);
    w.blank();
    w.node("pack", &[crate::packs::catalog::CSI_DRIVER_NFS.into()], &[]);
    out.summary.push(format!("{} hosts: 1 control-plane, {} worker", hosts.len(), hosts.len() - 1));
    out.count();
    out.kdl = w.finish();
    Ok(out)
}

/// `5g` → `5Gi`, `100m` → `100Mi`, `10k` → `10Ki`; anything else as is.
fn log_quantity(s: &str) -> String {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    match unit.to_ascii_lowercase().as_str() {
        "g" | "gb" | "gi" => format!("{digits}Gi"),
        "m" | "mb" | "mi" => format!("{digits}Mi"),
        "k" | "kb" | "ki" => format!("{digits}Ki"),
        _ => s.to_string(),
    }
}

/// A site name: lowercase letters, digits and hyphens.
pub(crate) fn sanitize(s: &str) -> String {
    let t: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    if t.is_empty() { "imported".into() } else { t }
}
