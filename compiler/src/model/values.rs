//! Value types of the site language that carry their own syntax: IPv4
//! networks, MAC addresses and Kubernetes quantities.

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

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
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

impl<'de> Deserialize<'de> for Mac {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Mac {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
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
