//! Facts derived from the model that both the rules and the renderers use.

use std::net::Ipv4Addr;

use super::{GpuPool, Host, Interface, Mig, MigStrategy, Network, Site, Team, gpu_models};

impl Site {
    /// `HOST.NODES-DOMAIN.DOMAIN` (or `HOST.DOMAIN` without a nodes-domain).
    pub fn fqdn(&self, host: &Host) -> Option<String> {
        let s = self.settings.as_ref()?;
        Some(match &s.nodes_domain {
            Some(nodes) => format!("{}.{nodes}.{}", host.name, s.domain),
            None => format!("{}.{}", host.name, s.domain),
        })
    }

    pub fn network(&self, name: &str) -> Option<&Network> {
        self.networks.iter().find(|n| n.name == name)
    }

    /// The interface a host boots from: the one marked `pxe=#true`, else the
    /// first interface on a network that has a `pxe` block. `None` when the
    /// host has neither, or marks several (a rule reports that).
    pub fn pxe_interface<'h>(&self, host: &'h Host) -> Option<(usize, &'h Interface)> {
        let mut marked = host.interface.iter().enumerate().filter(|(_, i)| i.pxe == Some(true));
        match (marked.next(), marked.next()) {
            (Some(one), None) => Some(one),
            (None, _) => host.interface.iter().enumerate().find(|(_, i)| {
                i.pxe != Some(false)
                    && i.network.as_deref().and_then(|n| self.network(n)).is_some_and(|n| n.pxe.is_some())
            }),
            _ => None,
        }
    }
}

impl Site {
    pub fn pool(&self, name: &str) -> Option<&GpuPool> {
        self.pools.iter().find(|p| p.name == name)
    }

    pub fn pool_hosts<'a>(&'a self, pool: &'a GpuPool) -> impl Iterator<Item = &'a Host> + 'a {
        self.hosts.iter().filter(move |h| h.gpu_pool.as_deref() == Some(pool.name.as_str()))
    }

    /// What one GPU of the pool counts as in quotas: time-sliced GPUs are
    /// advertised `replicas` times, a GPU under a uniform MIG profile with the
    /// single strategy as its number of MIG devices; otherwise one.
    pub fn units_per_gpu(pool: &GpuPool) -> u32 {
        if let Some(ts) = &pool.time_slicing {
            return ts.replicas;
        }
        match (&pool.mig, gpu_models::find(&pool.model)) {
            (Some(mig @ Mig { strategy: MigStrategy::Single, .. }), Some(model)) => mig.per_gpu(model).unwrap_or(1),
            _ => 1,
        }
    }

    /// The pool's capacity in quota units.
    pub fn pool_capacity(&self, pool: &GpuPool) -> u64 {
        Self::capacity(pool, self.pool_hosts(pool).count() as u64)
    }

    /// The capacity of the pool with `hosts` hosts.
    pub fn capacity(pool: &GpuPool, hosts: u64) -> u64 {
        hosts * u64::from(pool.gpus_per_host) * u64::from(Self::units_per_gpu(pool))
    }

    /// The pool a team's GPU quota draws from: the one it names, else the
    /// site's only pool.
    pub fn quota_pool(&self, team: &Team) -> Option<&GpuPool> {
        match team.quota.as_ref().and_then(|q| q.pool.as_deref()) {
            Some(name) => self.pool(name),
            None if self.pools.len() == 1 => self.pools.first(),
            None => None,
        }
    }
}

/// A host's static address on the named network: its first interface there,
/// else its first bond there.
pub fn node_address(host: &Host, network: &str) -> Option<Ipv4Addr> {
    let on = |n: &Option<String>| n.as_deref() == Some(network);
    let iface = host.interface.iter().filter(|i| on(&i.network)).find_map(|i| i.address);
    iface.or_else(|| host.bond.iter().filter(|b| on(&b.network)).find_map(|b| b.address))
}
