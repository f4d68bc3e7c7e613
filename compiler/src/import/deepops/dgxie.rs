//! DGXie, DeepOps's PXE server: `dhcpd.hosts.conf` leases, the pixiecore
//! `machines.json` (MAC regexes, `$VARS`, Go templates in cmdlines), and its
//! settings in `pxe/env` (docker-compose) or `helm/dgxie.yml` (Helm chart).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::super::Imported;
use super::super::jinja;

/// A static lease: (MAC, host name, address, `file:line`).
pub type Lease = (String, String, Option<Ipv4Addr>, String);

/// (MAC, host name, address, `file:line`) from dhcpd.hosts.conf.
pub fn leases(text: &str, name: &str, out: &mut Imported) -> Vec<Lease> {
    let mut res = Vec::new();
    let mut block: Option<(String, Option<String>, Option<Ipv4Addr>, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        let at = format!("{name}:{}", i + 1);
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(rest) = l.strip_prefix("dhcp-host=") {
            let parts: Vec<&str> = rest.split(',').map(str::trim).collect();
            let mac = parts.iter().find(|p| is_mac(p)).map(|m| m.to_lowercase());
            let ip = parts.iter().find_map(|p| p.parse::<Ipv4Addr>().ok());
            let host = parts.iter().find(|p| !is_mac(p) && p.parse::<Ipv4Addr>().is_err() && !p.contains(['=', ':']));
            match (mac, host) {
                (Some(m), Some(h)) => res.push((m, h.to_string(), ip, at)),
                _ => out.unmapped(at, "dhcp-host", format!("{l} (no MAC and host name)")),
            }
            continue;
        }
        if let Some(rest) = l.strip_prefix("host ") {
            block = Some((rest.trim_end_matches('{').trim().to_string(), None, None, i + 1));
            continue;
        }
        if let Some(b) = block.as_mut() {
            if let Some(m) = l.strip_prefix("hardware ethernet") {
                b.1 = Some(m.trim().trim_end_matches(';').to_lowercase());
                continue;
            }
            if let Some(a) = l.strip_prefix("fixed-address") {
                b.2 = a.trim().trim_end_matches(';').parse().ok();
                continue;
            }
            if l == "}" {
                if let Some((h, Some(m), ip, start)) = block.take() {
                    res.push((m, h, ip, format!("{name}:{start}")));
                }
                continue;
            }
        }
        out.unmapped(at, "dhcp", format!("{l} (dnsmasq option with no site equivalent)"));
    }
    res
}

pub fn is_mac(s: &str) -> bool {
    let p: Vec<&str> = s.split(':').collect();
    p.len() == 6 && p.iter().all(|x| x.len() == 2 && x.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A pixiecore entry that can become an image: URLs resolved, no templates.
pub struct Machine {
    pub name: String,
    pub at: String,
    /// pixiecore matches this regular expression against the client's MAC.
    pub mac: regex::Regex,
    pub kernel: String,
    pub initrd: String,
    pub cmdline: Option<String>,
}

/// `$NAME`/`${NAME}` replaced from DGXie's env; `Err(name)` for one it lacks.
fn resolve(s: &str, env: &BTreeMap<String, (String, String)>) -> Result<String, String> {
    let re = regex::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?").expect("static regex");
    let mut missing = None;
    let text = re.replace_all(s, |c: &regex::Captures| match env.get(&c[1]) {
        Some((v, _)) => v.clone(),
        None => {
            missing.get_or_insert_with(|| c[1].to_string());
            String::new()
        }
    });
    match missing {
        Some(m) => Err(m),
        None => Ok(text.into_owned()),
    }
}

/// Reads machines.json; entries that cannot be booted as written are refused with the reason.
pub fn machines(
    text: &str,
    name: &str,
    env: &BTreeMap<String, (String, String)>,
    out: &mut Imported,
) -> Result<Vec<Machine>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("{name}: not valid JSON: {e}"))?;
    let mut res = Vec::new();
    let Some(m) = v.as_object() else { return Ok(res) };
    for (k, e) in m {
        let line = text.lines().position(|l| l.contains(&format!("\"{k}\""))).map_or(0, |i| i + 1);
        let at = format!("{name}:{line}");
        match machine(k, e, env) {
            Ok(mut m) => {
                m.at = at;
                res.push(m);
            }
            Err(why) => out.refuse(at, "pxe", format!("machine {k}: {why}")),
        }
    }
    Ok(res)
}

fn machine(k: &str, e: &serde_json::Value, env: &BTreeMap<String, (String, String)>) -> Result<Machine, String> {
    let s = |f: &str| e.get(f).and_then(|x| x.as_str()).map(str::to_string);
    let initrd = match e.get("initrd") {
        Some(serde_json::Value::Array(a)) if a.len() > 1 => return Err("more than one initrd; bosun boots one".into()),
        Some(serde_json::Value::Array(a)) => a.first().and_then(|x| x.as_str()).map(str::to_string),
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let (Some(mac), Some(kernel), Some(initrd)) = (s("mac"), s("kernel"), initrd) else {
        return Err("needs mac, kernel and initrd".into());
    };
    let mac =
        regex::Regex::new(&format!("^(?i:{mac})$")).map_err(|_| format!("mac `{mac}` is not a regular expression"))?;
    let mut urls = Vec::new();
    for (what, u) in [("kernel", Some(kernel)), ("initrd", Some(initrd)), ("cmdline", s("cmdline"))] {
        let Some(u) = u else {
            urls.push(None);
            continue;
        };
        if jinja::in_text(&u) {
            return Err(format!(
                "its {what} holds a Go template (`{{{{ URL … }}}}`), which pixiecore expands and bosun does not: \
                 write the plain URL the installer fetches (served from bosun's http-server) in the image's {what}"
            ));
        }
        let r = resolve(&u, env).map_err(|v| {
            format!("its {what} uses `${v}`, which DGXie's env does not set: write the value in the image's {what}")
        })?;
        if ["//localhost", "//127.0.0.1"].iter().any(|l| r.contains(l)) {
            return Err(format!(
                "its {what} `{r}` is on localhost, DGXie's own view; the machines need the server's address: \
                 write it in the image's {what}"
            ));
        }
        urls.push(Some(r));
    }
    let cmdline = urls.pop().flatten();
    let initrd = urls.pop().flatten().unwrap_or_default();
    let kernel = urls.pop().flatten().unwrap_or_default();
    Ok(Machine { name: k.to_string(), at: String::new(), mac, kernel, initrd, cmdline })
}

/// DGXie's `KEY=VALUE` env file: key → (value, `file:line`).
pub fn env(text: &str, name: &str) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = l.split_once('=') {
            let v = v.trim().trim_matches('"').to_string();
            out.insert(k.trim().to_string(), (v, format!("{name}:{}", i + 1)));
        }
    }
    out
}

/// The PXE network DGXie served, from either of its configurations.
#[derive(Default)]
pub struct Net {
    pub cidr: Option<(String, Vec<String>)>,
    pub gateway: Option<(String, String)>,
    pub range: Option<(String, Vec<String>)>,
    pub lease: Option<(String, String)>,
    pub dns: Vec<(String, String)>,
    pub domain: Option<(String, String)>,
    pub ntp: Option<(String, String)>,
    pub disk: Option<(String, String)>,
    pub nic: Option<(String, String)>,
}

/// A dotted netmask as a prefix length.
fn prefix(mask: &str) -> Option<u32> {
    let m: Ipv4Addr = mask.parse().ok()?;
    let bits = u32::from(m);
    (bits.leading_ones() + bits.trailing_zeros() == 32).then(|| bits.leading_ones())
}

/// Reads the network from `pxe/env` keys (`NETWORK`, `NETMASK`, …) or
/// helm/dgxie.yml keys (`netPrvNet`, `netPrvNetmask`, …): `k` maps a concern to its key.
pub fn net(get: &dyn Fn(&str) -> Option<(String, String)>, keys: &[&str; 12]) -> Net {
    let [network, mask, gw, start, end, lease, dns1, dns2, domain, ntp, disk, nic] = *keys;
    let mut n = Net::default();
    if let (Some((a, a_at)), Some((m, m_at))) = (get(network), get(mask))
        && let Some(p) = prefix(&m)
    {
        n.cidr = Some((format!("{a}/{p}"), vec![a_at, m_at]));
    }
    n.gateway = get(gw);
    if let (Some((s, s_at)), Some((e, e_at))) = (get(start), get(end)) {
        n.range = Some((format!("{s}-{e}"), vec![s_at, e_at]));
    }
    n.lease = get(lease).map(|(v, at)| (if v.chars().all(|c| c.is_ascii_digit()) { format!("{v}s") } else { v }, at));
    n.dns = [dns1, dns2].iter().filter_map(|k| get(k)).filter(|(v, _)| !v.is_empty()).collect();
    n.domain = get(domain);
    n.ntp = get(ntp);
    n.disk = get(disk).map(|(d, at)| (if d.starts_with("/dev/") { d } else { format!("/dev/{d}") }, at));
    n.nic = get(nic);
    n
}

pub const ENV_KEYS: [&str; 12] = [
    "NETWORK",
    "NETMASK",
    "GATEWAY",
    "DHCP_START",
    "DHCP_END",
    "LEASETIME",
    "DNS1",
    "DNS2",
    "DOMAIN",
    "NTP",
    "DGX_DISK",
    "DGX_INT",
];
pub const HELM_KEYS: [&str; 12] = [
    "netPrvNet",
    "netPrvNetmask",
    "netPrvGateway",
    "netPrvDhcpStart",
    "netPrvDhcpEnd",
    "netPrvDhcpLease",
    "netPrvDns1",
    "netPrvDns2",
    "netDomain",
    "ntp",
    "dgxDisk",
    "dgxNetInt",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    #[test]
    fn leases_read_dnsmasq_lines_and_isc_blocks_and_list_the_rest() {
        let mut out = super::Imported::default();
        let text = "dhcp-host=AA:bb:cc:dd:ee:01,dgx01,10.0.0.1\nhost dgx02 {\n  hardware ethernet aa:bb:cc:dd:ee:02;\n  fixed-address 10.0.0.2;\n}\ndhcp-range=10.0.0.100,10.0.0.200\n";
        let l = super::leases(text, "d.conf", &mut out);
        assert_eq!(l.len(), 2);
        assert_eq!((l[0].0.as_str(), l[0].1.as_str(), l[0].3.as_str()), ("aa:bb:cc:dd:ee:01", "dgx01", "d.conf:1"));
        assert_eq!(l[1].2.map(|a| a.to_string()), Some("10.0.0.2".into()));
        assert_eq!(out.unmapped.len(), 1);
        assert_eq!(out.unmapped[0].at, "d.conf:6");
    }

    #[test]
    fn machines_resolve_env_and_refuse_templates_localhost_and_unknown_variables() {
        let env: BTreeMap<String, (String, String)> =
            [("HTTP_PORT".to_string(), ("13370".to_string(), "env:1".to_string()))].into();
        let text = r#"{
  "a": {"mac": "d8:c4:97.*", "kernel": "http://10.0.0.1:$HTTP_PORT/linux", "initrd": ["http://10.0.0.1:$HTTP_PORT/i"]},
  "b": {"mac": "aa.*", "kernel": "http://10.0.0.1/linux", "initrd": "http://10.0.0.1/i", "cmdline": "url={{ URL \"x\" }}"},
  "c": {"mac": "bb.*", "kernel": "http://localhost:$HTTP_PORT/linux", "initrd": "http://10.0.0.1/i"},
  "d": {"mac": "cc.*", "kernel": "http://10.0.0.1:$NOPE/linux", "initrd": "http://10.0.0.1/i"}
}"#;
        let mut out = super::Imported::default();
        let m = super::machines(text, "m.json", &env, &mut out).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].kernel, "http://10.0.0.1:13370/linux");
        assert!(m[0].mac.is_match("D8:C4:97:00:00:01"));
        let why: Vec<&str> = out.refused.iter().map(|n| n.text.as_str()).collect();
        assert!(why[0].contains("machine b") && why[0].contains("Go template"), "{why:?}");
        assert!(why[1].contains("machine c") && why[1].contains("localhost"), "{why:?}");
        assert!(why[2].contains("machine d") && why[2].contains("$NOPE"), "{why:?}");
    }
}
