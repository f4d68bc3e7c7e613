//! `bosun import nauta|deepops`: write a site.kdl from another tool's configuration.

use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum Args {
    /// An Intel Nauta Ansible inventory and its YAML configuration.
    Nauta {
        /// The Ansible INI inventory ([master] and [worker]).
        #[arg(long)]
        inventory: PathBuf,
        /// The Nauta YAML configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Where to write the site.
        #[arg(short, long, default_value = "site.kdl")]
        output: PathBuf,
    },
    /// A DeepOps config folder (inventory, group_vars, host_vars, DGXie's PXE files).
    Deepops {
        /// The whole `config/` folder: every file in it is read or reported.
        #[arg(long, conflicts_with_all = ["inventory", "group_vars"])]
        config: Option<PathBuf>,
        #[arg(long, required_unless_present = "config")]
        inventory: Option<PathBuf>,
        #[arg(long, required_unless_present = "config")]
        group_vars: Option<PathBuf>,
        #[arg(long)]
        dhcp_hosts: Option<PathBuf>,
        #[arg(long)]
        machines: Option<PathBuf>,
        /// The DGX GPU model (DeepOps does not record it; MIG needs it).
        #[arg(long)]
        gpu_model: Option<String>,
        /// GPUs per DGX.
        #[arg(long, default_value_t = 8)]
        gpus_per_host: u32,
        #[arg(short, long, default_value = "site.kdl")]
        output: PathBuf,
    },
}

pub fn run(args: Args) -> u8 {
    let (result, output) = match args {
        Args::Nauta { inventory, config, output } => (crate::import::nauta::import_files(&inventory, &config), output),
        Args::Deepops { config, inventory, group_vars, dhcp_hosts, machines, gpu_model, gpus_per_host, output } => {
            use crate::import::deepops::{Options, Paths, import};
            let opts = Options { gpu_model, gpus_per_host };
            let mut paths = match (&config, inventory) {
                (Some(dir), _) => Paths::of_config(dir),
                (None, inventory) => Paths { inventory: inventory.unwrap_or_default(), group_vars, ..Paths::default() },
            };
            if dhcp_hosts.is_some() {
                paths.dhcp_hosts = dhcp_hosts;
            }
            if machines.is_some() {
                paths.machines = machines;
            }
            (import(&paths, &opts), output)
        }
    };
    let imported = match result {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Err(e) = std::fs::write(&output, &imported.kdl) {
        eprintln!("error: cannot write {}: {e}", output.display());
        return 2;
    }
    for line in crate::import::report::lines(&imported) {
        eprintln!("{line}");
    }
    // The imported site is checked at once, so the user sees what is left to do.
    match crate::check(&output) {
        Ok(checked) if checked.has_errors() => {
            crate::cli::print_diagnostics(&checked, crate::cli::Format::human_for_terminal());
            eprintln!("wrote {}; it does not pass `bosun check` yet: fix the errors above", output.display());
            1
        }
        Ok(_) => {
            eprintln!("wrote {}; it passes `bosun check`", output.display());
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
