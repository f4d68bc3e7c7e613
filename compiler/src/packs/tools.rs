//! Tools the compiled tree runs on a host, pinned like the charts: helm,
//! which the first control-plane host's bring-up uses to install the CNI
//! and the GitOps engine before the engine can install anything itself.
//! The archive is checked against its published SHA-256 before use, from
//! whichever server it came (the site's boot server, or the upstream one).

/// One pinned release of a tool, as `NAME-VERSION-linux-ARCH.tar.gz`.
pub struct PinnedTool {
    pub name: &'static str,
    pub version: &'static str,
    /// Where the archive is published when the site serves no copy.
    pub upstream: &'static str,
    /// (architecture as the archive names it, SHA-256 of the archive).
    pub sha256: &'static [(&'static str, &'static str)],
}

impl PinnedTool {
    /// The archive's file name for an architecture.
    pub fn archive(&self, arch: &str) -> String {
        format!("{}-{}-linux-{arch}.tar.gz", self.name, self.version)
    }
}

/// helm 3.14.4; the sums are those get.helm.sh publishes beside each archive.
pub const HELM: PinnedTool = PinnedTool {
    name: "helm",
    version: "v3.14.4",
    upstream: "https://get.helm.sh",
    sha256: &[
        ("amd64", "a5844ef2c38ef6ddf3b5a8f7d91e7e0e8ebc39a38bb3fc8013d629c1ef29c259"),
        ("arm64", "113ccc53b7c57c2aba0cd0aa560b5500841b18b5210d78641acfddc53dac8ab2"),
    ],
};
