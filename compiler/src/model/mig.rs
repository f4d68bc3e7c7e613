//! Custom MIG layouts. NVIDIA's mig-parted takes any split of a GPU, and
//! operators name their own (DeepOps ships several in nvidia-mig-config.yml);
//! a pool gives one as `device` children of `mig`, under the name in
//! `profile`. Without them the profile comes from the model's table.

use serde::{Deserialize, Serialize};

use super::Mig;
use super::gpu_models::GpuModel;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MigDevice {
    /// `1g.10gb`: compute slices and memory, as mig-parted names them.
    pub size: String,
    pub count: u32,
}

impl MigDevice {
    /// Compute slices of one device (`3g.40gb` → 3).
    pub fn slices(&self) -> u32 {
        self.size.split('g').next().and_then(|n| n.parse().ok()).unwrap_or(0)
    }
}

impl Mig {
    /// The MIG devices one GPU is split into, as `(size, count)` sorted by
    /// size: the pool's own layout, else the model's table (`None` for a
    /// profile the table lacks).
    pub fn devices(&self, model: &GpuModel) -> Option<Vec<(String, u32)>> {
        if self.device.is_empty() {
            return model.devices(self.profile.as_deref()?);
        }
        let mut out: Vec<(String, u32)> = self.device.iter().map(|d| (d.size.clone(), d.count)).collect();
        out.sort();
        Some(out)
    }

    /// Devices per GPU: what one GPU counts as under the single strategy.
    pub fn per_gpu(&self, model: &GpuModel) -> Option<u32> {
        match self.device.is_empty() {
            true => model.profile(self.profile.as_deref()?),
            false => Some(self.device.iter().map(|d| d.count).sum()),
        }
    }
}

impl GpuModel {
    /// The MIG device sizes the model offers (`1g.10gb`, … from its `all-SIZE` profiles).
    pub fn sizes(&self) -> Vec<&'static str> {
        self.mig.iter().filter_map(|(p, _)| p.strip_prefix("all-")).filter(|s| *s != "balanced").collect()
    }

    /// Compute slices of one GPU: the largest size's.
    pub fn slices(&self) -> u32 {
        self.sizes().iter().filter_map(|s| s.split('g').next()?.parse().ok()).max().unwrap_or(0)
    }
}
