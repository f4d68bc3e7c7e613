//! The Slurm half of a site: the `slurm` block of `site` and the host facts
//! slurmd reports (`slurmd -C`), which bosun cannot learn by itself.

use serde::{Deserialize, Serialize};

use super::{Host, Role, Scheduler};

/// `slurm "CLUSTER" { controller …; munge-key …; accounting …; partition … }`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Slurm {
    /// `ClusterName`; the site's name when left out.
    pub cluster_name: Option<String>,
    pub controller: String,
    pub backup_controller: Option<String>,
    /// The `secret` holding the munge key; fetched at boot, never compiled in.
    pub munge_key: Option<String>,
    pub accounting: Option<Accounting>,
    #[serde(default)]
    pub partition: Vec<Partition>,
}

/// `accounting host="…" password-from="SECRET"`: slurmdbd and its database.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Accounting {
    pub host: String,
    /// The `secret` holding the database password.
    pub password_from: String,
}

/// `partition "NAME" hosts="a b" default=#true max-time="…" gres="…"`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Partition {
    pub name: String,
    pub hosts: Option<String>,
    #[serde(default)]
    pub default: bool,
    pub max_time: Option<String>,
    /// The GRES of every host of the partition, instead of its pool's.
    pub gres: Option<String>,
}

impl Partition {
    pub fn hosts(&self) -> impl Iterator<Item = &str> {
        self.hosts.iter().flat_map(|h| h.split_whitespace())
    }
}

/// `cpu sockets=2 cores=64 threads=2`: the layout `slurmd -C` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Cpu {
    pub sockets: u32,
    /// Cores per socket.
    pub cores: u32,
    /// Threads per core.
    pub threads: u32,
}

impl Cpu {
    pub fn cpus(&self) -> u64 {
        u64::from(self.sockets) * u64::from(self.cores) * u64::from(self.threads)
    }
}

impl Host {
    /// Control-plane hosts always join Kubernetes; a worker joins unless it
    /// is given to Slurm alone.
    pub fn runs_kubernetes(&self) -> bool {
        match self.role {
            Role::ControlPlane => true,
            Role::Worker => self.scheduler != Scheduler::Slurm,
            Role::Login | Role::Management => false,
        }
    }

    /// Workers given to Slurm (alone or with Kubernetes) run slurmd.
    pub fn runs_slurmd(&self) -> bool {
        self.role == Role::Worker && matches!(self.scheduler, Scheduler::Slurm | Scheduler::Both)
    }
}
