//! Value types of the site language that carry their own syntax: IPv4
//! networks, MAC addresses, Kubernetes quantities, DHCP ranges, endpoints,
//! taints and lists written as one string. Renderers read these parsed
//! values; none of them parses a string of the site again.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Kubernetes quantity as written (`64`, `"500m"`, `"256Gi"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Quantity {
    Integer(u64),
    Text(String),
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quantity::Integer(i) => write!(f, "{i}"),
            Quantity::Text(s) => f.write_str(s),
        }
    }
}

/// An IPv4 network as written: the address may have host bits set (a rule
/// reports that), so both parts are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Cidr {
    pub fn mask(&self) -> u32 {
        if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) }
    }

    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) & self.mask())
    }

    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !self.mask())
    }

    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask() == u32::from(self.network())
    }

    /// First and last address, as integers.
    pub fn bounds(&self) -> (u32, u32) {
        (u32::from(self.network()), u32::from(self.broadcast()))
    }
}

/// `HOST[:PORT]` (the API server endpoint). The schema limits the port to
/// five digits; a rule judges its range, so it is kept wider than a `u16`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: Option<u32>,
}

impl FromStr for HostPort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.rsplit_once(':') {
            Some((host, port)) => {
                let port = port.parse().map_err(|_| format!("{s:?} has no numeric port"))?;
                Ok(HostPort { host: host.to_string(), port: Some(port) })
            }
            None => Ok(HostPort { host: s.to_string(), port: None }),
        }
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host)?;
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => Ok(()),
        }
    }
}

/// A list written as one string, kept as written (the site digest hashes
/// it) beside its items: bond members are separated by spaces
/// (`Split<false>`), mount options by commas (`Split<true>`, each trimmed,
/// empty ones dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<const COMMA: bool> {
    pub text: String,
    pub items: Vec<String>,
}

pub type Members = Split<false>;
pub type MountOptions = Split<true>;

impl<const COMMA: bool> From<String> for Split<COMMA> {
    fn from(text: String) -> Self {
        let items = if COMMA {
            text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
        } else {
            text.split_whitespace().map(str::to_string).collect()
        };
        Split { text, items }
    }
}

impl<'de, const COMMA: bool> Deserialize<'de> for Split<COMMA> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(String::deserialize(d)?.into())
    }
}

impl<const COMMA: bool> Serialize for Split<COMMA> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// A Kubernetes taint, `KEY[=VALUE]:EFFECT`. The effect is always written:
/// the Taint API and kubelet's `--register-with-taints` have no default for
/// it, so neither has the site language. `KEY=` keeps an empty value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: Option<String>,
    pub effect: TaintEffect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

impl TaintEffect {
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

impl FromStr for Taint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kv, effect) = s.rsplit_once(':').ok_or_else(|| format!("taint {s:?} has no :EFFECT"))?;
        let effect = match effect {
            "NoSchedule" => TaintEffect::NoSchedule,
            "PreferNoSchedule" => TaintEffect::PreferNoSchedule,
            "NoExecute" => TaintEffect::NoExecute,
            _ => return Err(format!("taint {s:?} has no known effect")),
        };
        let (key, value) = match kv.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (kv, None),
        };
        Ok(Taint { key: key.to_string(), value, effect })
    }
}

impl fmt::Display for Taint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)?;
        if let Some(v) = &self.value {
            write!(f, "={v}")?;
        }
        write!(f, ":{}", self.effect.as_str())
    }
}

/// A network's dynamic pool, `FIRST-LAST`. The schema checks only its shape,
/// so the text is kept beside the parsed bounds: a rule reports a range
/// whose parts are not IPv4 addresses (`bounds` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpRange {
    pub text: String,
    pub bounds: Option<(Ipv4Addr, Ipv4Addr)>,
}

impl FromStr for DhcpRange {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bounds = s.split_once('-').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
        Ok(DhcpRange { text: s.to_string(), bounds })
    }
}

impl fmt::Display for DhcpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Values written as one string in the site: read with `FromStr`, written
/// back (for the site digest) with `Display`.
macro_rules! as_text {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}

as_text!(Cidr, Mac, HostPort, Taint, DhcpRange);

/// The fewest CIDR blocks covering exactly the addresses of `cidrs`, in
/// address order: contained networks disappear and aligned neighbours
/// merge (10.0.0.0/24 and 10.0.1.0/24 are 10.0.0.0/23). Lists such as
/// NO_PROXY stay short on sites with hundreds of networks.
pub fn aggregate(cidrs: impl IntoIterator<Item = Cidr>) -> Vec<Cidr> {
    let mut ranges: Vec<(u64, u64)> =
        cidrs.into_iter().map(|c| c.bounds()).map(|(a, b)| (u64::from(a), u64::from(b))).collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = Vec::new();
    for (mut start, end) in merged {
        while start <= end {
            // The largest block that starts here (aligned) and ends in range.
            let mut size = if start == 0 { 1u64 << 32 } else { 1u64 << start.trailing_zeros().min(32) };
            while start + size - 1 > end {
                size >>= 1;
            }
            let prefix = 32 - size.trailing_zeros() as u8;
            out.push(Cidr { addr: Ipv4Addr::from(start as u32), prefix });
            start += size;
        }
    }
    out
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = s.split_once('/').ok_or("missing /PREFIX")?;
        let addr = addr.parse::<Ipv4Addr>().map_err(|e| e.to_string())?;
        let prefix = prefix.parse::<u8>().ok().filter(|p| *p <= 32).ok_or("prefix must be 0-32")?;
        Ok(Cidr { addr, prefix })
    }
}

/// A MAC address; compared and printed in lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mac(pub [u8; 6]);

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl FromStr for Mac {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 6];
        let mut parts = s.split(':');
        for byte in &mut out {
            let part = parts.next().filter(|p| p.len() == 2).ok_or("expected six hex pairs")?;
            *byte = u8::from_str_radix(part, 16).map_err(|e| e.to_string())?;
        }
        if parts.next().is_some() {
            return Err("expected six hex pairs".into());
        }
        Ok(Mac(out))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn aggregate_keeps_exactly_the_same_addresses() {
        let c = |s: &str| s.parse::<Cidr>().unwrap();
        let shown = |v: Vec<Cidr>| v.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        assert_eq!(shown(aggregate([c("10.0.1.0/24"), c("10.0.0.0/24")])), "10.0.0.0/23");
        assert_eq!(shown(aggregate([c("10.0.1.0/24"), c("10.0.2.0/24")])), "10.0.1.0/24,10.0.2.0/24");
        assert_eq!(shown(aggregate([c("10.0.0.0/16"), c("10.0.3.7/24")])), "10.0.0.0/16");
        assert_eq!(shown(aggregate([c("10.0.0.0/23"), c("10.0.2.0/23"), c("10.0.4.0/23")])), "10.0.0.0/22,10.0.4.0/23");
        assert_eq!(shown(aggregate([c("0.0.0.0/1"), c("128.0.0.0/1")])), "0.0.0.0/0");
        assert_eq!(shown(aggregate([c("255.255.255.255/32")])), "255.255.255.255/32");
        assert!(aggregate([]).is_empty());
        // Every address of the inputs, and no other, is in the output.
        let inputs = [c("192.168.0.0/23"), c("192.168.2.0/24"), c("192.168.4.0/22"), c("192.168.3.128/25")];
        let out = aggregate(inputs);
        for ip in 0xC0A8_0000u32..0xC0A8_0A00 {
            let ip = Ipv4Addr::from(ip);
            assert_eq!(inputs.iter().any(|n| n.contains(ip)), out.iter().any(|n| n.contains(ip)), "{ip}");
        }
    }

    use super::*;

    #[test]
    fn cidr_arithmetic() {
        let c: Cidr = "192.168.100.0/24".parse().unwrap();
        assert_eq!(c.network(), Ipv4Addr::new(192, 168, 100, 0));
        assert_eq!(c.broadcast(), Ipv4Addr::new(192, 168, 100, 255));
        assert!(c.contains(Ipv4Addr::new(192, 168, 100, 7)) && !c.contains(Ipv4Addr::new(192, 168, 101, 7)));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(Ipv4Addr::new(8, 8, 8, 8)));
        let host: Cidr = "10.0.0.5/8".parse().unwrap();
        assert_eq!(host.network(), Ipv4Addr::new(10, 0, 0, 0));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
    }

    #[test]
    fn macs_compare_case_insensitively_and_print_lowercase() {
        let a: Mac = "AA:bb:CC:00:00:01".parse().unwrap();
        let b: Mac = "aa:BB:cc:00:00:01".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "aa:bb:cc:00:00:01");
        assert!("aa:bb:cc:00:00".parse::<Mac>().is_err());
        assert!("aa:bb:cc:00:00:01:02".parse::<Mac>().is_err());
    }
}
