//! Reading the values both importers meet in Ansible-style YAML, and the
//! network their host addresses share.

use std::net::Ipv4Addr;

use serde_norway::Value;

/// A scalar as text (trimmed); `None` for lists, maps and null.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A YAML list, or a comma-separated string, as texts.
pub fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(s)) => s.iter().filter_map(scalar).collect(),
        Some(Value::String(s)) => s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect(),
        _ => Vec::new(),
    }
}

/// The smallest /24, /16 or /8 holding every address.
pub fn covering(addrs: &[Ipv4Addr]) -> Option<String> {
    let first = addrs.first()?.octets();
    for (prefix, n) in [(24, 3), (16, 2), (8, 1)] {
        if addrs.iter().all(|a| a.octets()[..n] == first[..n]) {
            let mut o = [0u8; 4];
            o[..n].copy_from_slice(&first[..n]);
            return Some(format!("{}/{prefix}", Ipv4Addr::from(o)));
        }
    }
    None
}
