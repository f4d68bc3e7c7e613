//! GPU models bosun knows, with the MIG configurations of NVIDIA's
//! mig-parted default config (the names the GPU Operator's MIG manager
//! accepts in the `nvidia.com/mig.config` label).

pub struct GpuModel {
    /// Canonical name, used in messages and docs.
    pub name: &'static str,
    /// Spellings users write (nvidia-smi product names, GFD labels).
    pub aliases: &'static [&'static str],
    /// `(profile, MIG devices per GPU)`; `all-balanced` mixes sizes.
    pub mig: &'static [(&'static str, u32)],
}

/// A100 80GB and H100 80GB partition the same way.
const MIG_80GB: &[(&str, u32)] = &[
    ("all-1g.10gb", 7),
    ("all-1g.20gb", 4),
    ("all-2g.20gb", 3),
    ("all-3g.40gb", 2),
    ("all-4g.40gb", 1),
    ("all-7g.80gb", 1),
    ("all-balanced", 4),
];

pub static MODELS: &[GpuModel] = &[
    GpuModel {
        name: "A100-40GB",
        aliases: &["A100-SXM4-40GB", "A100-PCIE-40GB", "A100-40GB"],
        mig: &[
            ("all-1g.5gb", 7),
            ("all-2g.10gb", 3),
            ("all-3g.20gb", 2),
            ("all-4g.20gb", 1),
            ("all-7g.40gb", 1),
            ("all-balanced", 4),
        ],
    },
    GpuModel {
        name: "A100-80GB",
        aliases: &["A100-SXM4-80GB", "A100-PCIE-80GB", "A100-80GB-PCIE", "A100-80GB"],
        mig: MIG_80GB,
    },
    GpuModel {
        name: "H100-80GB",
        aliases: &["H100-SXM5-80GB", "H100-80GB-HBM3", "H100-PCIE-80GB", "H100-PCIE", "H100-80GB"],
        mig: MIG_80GB,
    },
    GpuModel {
        name: "H200",
        aliases: &["H200", "H200-141GB", "H200-SXM-141GB", "H200-NVL"],
        mig: &[
            ("all-1g.18gb", 7),
            ("all-1g.35gb", 4),
            ("all-2g.35gb", 3),
            ("all-3g.71gb", 2),
            ("all-4g.71gb", 1),
            ("all-7g.141gb", 1),
            ("all-balanced", 4),
        ],
    },
    GpuModel {
        name: "A30",
        aliases: &["A30", "A30-24GB", "A30-PCIE-24GB"],
        mig: &[("all-1g.6gb", 4), ("all-2g.12gb", 2), ("all-4g.24gb", 1), ("all-balanced", 3)],
    },
];

/// Profiles every MIG-capable model accepts.
pub const ALWAYS: &[&str] = &["all-disabled", "all-enabled"];

/// Finds a model by any of its spellings (case, `NVIDIA-` prefix, spaces and
/// underscores do not matter).
pub fn find(model: &str) -> Option<&'static GpuModel> {
    let norm = model.trim().to_ascii_uppercase().replace([' ', '_'], "-");
    let norm = norm.strip_prefix("NVIDIA-").unwrap_or(&norm);
    MODELS.iter().find(|m| m.aliases.contains(&norm))
}

impl GpuModel {
    pub fn profile(&self, name: &str) -> Option<u32> {
        self.mig.iter().find(|(p, _)| *p == name).map(|(_, n)| *n)
    }
}

impl GpuModel {
    /// The MIG devices one GPU is split into under a profile, as
    /// `(size, count)` sorted by size (`1g.10gb` …): what the device plugin
    /// advertises as `nvidia.com/mig-<size>` with the mixed strategy. Empty
    /// for `all-disabled` and `all-enabled`; `None` for an unknown profile.
    pub fn devices(&self, profile: &str) -> Option<Vec<(String, u32)>> {
        if ALWAYS.contains(&profile) {
            return Some(Vec::new());
        }
        let count = self.profile(profile)?;
        if profile == "all-balanced" {
            // mig-parted's default config for each model.
            let picks: &[(&str, u32)] = match self.name {
                "A100-40GB" => &[("1g.5gb", 2), ("2g.10gb", 1), ("3g.20gb", 1)],
                "A100-80GB" | "H100-80GB" => &[("1g.10gb", 2), ("2g.20gb", 1), ("3g.40gb", 1)],
                "H200" => &[("1g.18gb", 2), ("2g.35gb", 1), ("3g.71gb", 1)],
                "A30" => &[("1g.6gb", 2), ("2g.12gb", 1)],
                _ => return None,
            };
            debug_assert_eq!(picks.iter().map(|(_, n)| n).sum::<u32>(), count);
            return Some(picks.iter().map(|(s, n)| (s.to_string(), *n)).collect());
        }
        let size = profile.strip_prefix("all-")?;
        Some(vec![(size.to_string(), count)])
    }
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn balanced_profiles_match_mig_parted() {
        let d = |m: &str| find(m).unwrap().devices("all-balanced").unwrap();
        let s = |v: &[(&str, u32)]| v.iter().map(|(a, b)| (a.to_string(), *b)).collect::<Vec<_>>();
        assert_eq!(d("A100-40GB"), s(&[("1g.5gb", 2), ("2g.10gb", 1), ("3g.20gb", 1)]));
        assert_eq!(d("A100-80GB"), s(&[("1g.10gb", 2), ("2g.20gb", 1), ("3g.40gb", 1)]));
        assert_eq!(d("H200"), s(&[("1g.18gb", 2), ("2g.35gb", 1), ("3g.71gb", 1)]));
        assert_eq!(d("A30"), s(&[("1g.6gb", 2), ("2g.12gb", 1)]));
        assert_eq!(find("A30").unwrap().devices("all-1g.6gb").unwrap(), s(&[("1g.6gb", 4)]));
        assert!(find("A30").unwrap().devices("all-disabled").unwrap().is_empty());
    }
}
