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
    /// A DeepOps config folder (inventory, group_vars, DHCP hosts, machines).
    Deepops {
        #[arg(long)]
        inventory: PathBuf,
        #[arg(long)]
        group_vars: PathBuf,
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
        Args::Deepops { inventory, group_vars, dhcp_hosts, machines, gpu_model, gpus_per_host, output } => {
            let opts = crate::import::deepops::Options { gpu_model, gpus_per_host };
            let r = crate::import::deepops::import_with(
                &inventory,
                &group_vars,
                dhcp_hosts.as_deref(),
                machines.as_deref(),
                &opts,
            );
            (r, output)
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
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    for u in &imported.unmapped {
        eprintln!("unmapped: {u}");
    }
    for t in &imported.todo {
        eprintln!("fill in: {t}");
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
