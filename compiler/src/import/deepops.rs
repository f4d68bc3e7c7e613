//! NVIDIA DeepOps: config/inventory, group_vars, DHCP hosts and PXE machines.

use std::path::Path;

use super::Imported;

pub fn import_files(
    _inventory: &Path,
    _group_vars: &Path,
    _dhcp_hosts: Option<&Path>,
    _machines: Option<&Path>,
) -> Result<Imported, String> {
    Err("not implemented yet".into())
}
