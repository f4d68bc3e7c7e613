//! Intel Nauta (Enterprise 1.0): Ansible inventory + YAML configuration.

use std::path::Path;

use super::Imported;

pub fn import_files(_inventory: &Path, _config: &Path) -> Result<Imported, String> {
    Err("not implemented yet".into())
}
