//! Mutators of site documents: bytes (truncated, flipped, lines duplicated,
//! dropped or swapped, tokens spliced in) and values (one string or number
//! replaced by a value of the same shape that is wrong in a way a user can
//! write: a port out of range, a /31 subnet, a broadcast MAC, a float where
//! an integer goes, a name that collides with another).

use bosun::synth::Rng;

const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"\"",
    b"=",
    b"#true",
    b"#null",
    b"host",
    b"-1",
    b"/*",
    b"\\",
    b"\n",
    b";",
    b"(t)",
    b"include \"*\"",
    b"\xff",
    b"\xc3",
];

/// One byte-level change: what a bad edit or a broken file does.
pub fn bytes(doc: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = doc.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    match rng.below(6) {
        0 => {
            let mut d = doc.to_vec();
            d.truncate(rng.below(doc.len() + 1));
            return d;
        }
        1 => {
            let mut d = doc.to_vec();
            for _ in 0..=rng.below(4) {
                let i = rng.below(d.len());
                if let Some(b) = d.get_mut(i) {
                    *b = (rng.next_u64() % 256) as u8;
                }
            }
            return d;
        }
        2 => {
            let i = rng.below(lines.len());
            let line = lines[i].clone();
            lines.insert(rng.below(lines.len() + 1), line);
        }
        3 => {
            if !lines.is_empty() {
                lines.remove(rng.below(lines.len()));
            }
        }
        4 => {
            let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(a, b);
        }
        _ => {
            let mut d = doc.to_vec();
            let at = rng.below(d.len() + 1);
            let token = TOKENS[rng.below(TOKENS.len())];
            d.splice(at..at, token.iter().copied());
            return d;
        }
    }
    lines.join(&b'\n')
}

/// A value of the document: a quoted string (without its quotes) or a bare
/// number, or a node name, as a byte range.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Text,
    Number,
    Name,
}

/// Every value and node name of `doc`, comments left out.
pub fn values(doc: &str) -> Vec<(Token, std::ops::Range<usize>)> {
    let b = doc.as_bytes();
    let (mut out, mut i, mut line_start) = (Vec::new(), 0, true);
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push((Token::Text, start..i.min(b.len())));
            }
            c if (c.is_ascii_digit() || c == b'-') && i > 0 && matches!(b[i - 1], b' ' | b'=') => {
                let start = i;
                while i < b.len() && !matches!(b[i], b' ' | b'\n' | b';' | b'}' | b'\t') {
                    i += 1;
                }
                out.push((Token::Number, start..i));
                continue;
            }
            c if line_start && (c.is_ascii_lowercase()) => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
                    i += 1;
                }
                out.push((Token::Name, start..i));
                line_start = false;
                continue;
            }
            _ => {}
        }
        if i >= b.len() {
            break;
        }
        line_start = b[i] == b'\n' || (line_start && matches!(b[i], b' ' | b'\t' | b'{' | b';'));
        i += 1;
    }
    out
}

/// One value changed for another of its shape (or another value of the
/// document, or a long or odd one); `None` for a document without values.
pub fn value(doc: &str, rng: &mut Rng) -> Option<String> {
    if rng.below(8) == 0
        && let Some(dropped) = drop_property(doc, rng)
    {
        return Some(dropped);
    }
    let found = values(doc);
    if found.is_empty() {
        return None;
    }
    let (kind, range) = found[rng.below(found.len())].clone();
    let old = &doc[range.clone()];
    let new = match kind {
        Token::Name => name_for(old, rng),
        Token::Number => pick(rng, NUMBERS).to_string(),
        Token::Text => {
            let texts: Vec<&str> =
                found.iter().filter(|(k, _)| *k == Token::Text).map(|(_, r)| &doc[r.clone()]).collect();
            text_for(old, &texts, rng)
        }
    };
    // A number may become a string and back: both are values a user writes.
    let new = match (kind, rng.below(8)) {
        (Token::Number, 0) => format!("\"{new}\""),
        _ => new,
    };
    Some(format!("{}{new}{}", &doc[..range.start], &doc[range.end..]))
}

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len())]
}

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "7",
    "1500.0",
    "1e3",
    "1.5",
    "64",
    "65535",
    "65536",
    "4095",
    "4096",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551616",
    "0x10",
];

const NAMES: &[&str] = &[
    "default-flavor",
    "default",
    "kube-system",
    "flannel",
    "calico",
    "cilium",
    "gpu-operator",
    "kueue",
    "argocd",
    "flux",
    "ingress-nginx",
    "rook-ceph",
    "a",
    "A",
    "x y",
    "x/y",
    "..",
    "",
];

const ADDRESSES: &[&str] = &[
    "0.0.0.0",
    "255.255.255.255",
    "127.0.0.1",
    "127.0.0.53",
    "224.0.0.1",
    "240.0.0.1",
    "169.254.0.1",
    "10.3.0.10",
    "10.4.0.10",
    "10.96.0.10",
    "10.244.0.5",
    "192.168.10.1",
    "192.168.100.10",
    "192.168.100.255",
];

const MACS: &[&str] = &[
    "ff:ff:ff:ff:ff:ff",
    "00:00:00:00:00:00",
    "01:00:5e:00:00:01",
    "33:33:00:00:00:01",
    "03:00:00:00:00:01",
    "aa:bb:cc:00:00:01",
    "AA:BB:CC:00:00:02",
];

const VERSIONS: &[&str] =
    &["1.031.04", "1.31.04", "01.31.4", "1.29.9", "1.30.0", "1.37.99", "1.38.0", "1.31.4-rc.1", "1.31", "2.0.0"];

const PATHS: &[&str] =
    &["/", "/dev/../etc/passwd", "/dev/sda/..", "/dev/./sda", "//", "/etc", "/boot", "/var/lib/x y", "/dev/sd b"];

fn long(rng: &mut Rng) -> String {
    let n = pick(rng, &["63", "64", "200", "254", "300", "1024", "1025", "1100"]).parse().unwrap_or(64);
    "a".repeat(n)
}

fn label(rng: &mut Rng) -> String {
    "l".repeat(pick(rng, &["63", "64", "100"]).parse().unwrap_or(64))
}

fn name_for(_old: &str, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => long(rng),
        _ => pick(rng, &["x", "host", "pack", "values", "set", "k", "a.b"]).to_string(),
    }
}

/// A replacement for a string, by what it looks like.
fn text_for(old: &str, texts: &[&str], rng: &mut Rng) -> String {
    let octets = |s: &str| s.split('.').count() == 4 && s.split('.').all(|o| o.parse::<u8>().is_ok());
    if rng.below(5) == 0 {
        return match rng.below(4) {
            0 => texts[rng.below(texts.len())].to_string(),
            1 => long(rng),
            2 => pick(rng, NAMES).to_string(),
            _ => format!("{old}.{}", label(rng)),
        };
    }
    if octets(old) {
        return pick(rng, ADDRESSES).to_string();
    }
    if let Some((addr, _)) = old.split_once('/').filter(|(a, _)| octets(a)) {
        let prefix = pick(rng, &["0", "1", "8", "11", "12", "16", "23", "24", "25", "28", "29", "30", "31", "32"]);
        let addr = if rng.below(4) == 0 { pick(rng, &["127.0.0.0", "224.0.0.0", "0.0.0.0"]) } else { addr };
        return format!("{addr}/{prefix}");
    }
    if old.len() == 17 && old.matches(':').count() == 5 {
        return pick(rng, MACS).to_string();
    }
    if let Some((a, b)) = old.split_once('-').filter(|(a, b)| octets(a) && octets(b)) {
        return match rng.below(3) {
            0 => format!("{b}-{a}"),
            1 => format!("{a}-{}", pick(rng, ADDRESSES)),
            _ => format!("{}-{b}", pick(rng, ADDRESSES)),
        };
    }
    if old.starts_with("1.") && old.matches('.').count() == 2 {
        return pick(rng, VERSIONS).to_string();
    }
    if old.starts_with("http") {
        return match rng.below(3) {
            0 => format!("{old}/{}", long(rng)),
            1 => format!("http://{}:{}", pick(rng, ADDRESSES), pick(rng, &["0", "80", "65535", "99999"])),
            _ => format!("https://{}", old.split_once("://").map_or(old, |(_, r)| r)),
        };
    }
    if let Some((host, port)) = old.rsplit_once(':').filter(|(_, p)| p.parse::<u32>().is_ok()) {
        return match rng.below(3) {
            0 => format!("{host}:{}", pick(rng, &["0", "1", "65535", "65536", "99999"])),
            1 => format!("{}:{port}", pick(rng, &["api..lab", "-api.lab", "api.lab-", "127.0.0.1", "0.0.0.0"])),
            _ => host.to_string(),
        };
    }
    if old.starts_with('/') {
        return pick(rng, PATHS).to_string();
    }
    let quantity = old.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if !quantity.is_empty() && quantity.len() < old.len() && quantity.parse::<f64>().is_ok() {
        return pick(rng, &["1e3", "0", "-1", "1.5Gi", "0.5", "99999999999999999999Gi", "1Ei", "64"]).to_string();
    }
    if old.contains('=') || old.contains(':') {
        // Labels and taints: KEY=VALUE:EFFECT.
        return match rng.below(3) {
            0 => old.replacen('=', &format!("={}", label(rng)), 1),
            1 => format!("{}{old}", label(rng)),
            _ => old.split(':').next().unwrap_or(old).to_string(),
        };
    }
    match rng.below(3) {
        0 => texts[rng.below(texts.len())].to_string(),
        1 => pick(rng, NAMES).to_string(),
        _ => format!("{old}-{}", label(rng)),
    }
}

/// One `key=value` property left out: a setting a site forgot.
fn drop_property(doc: &str, rng: &mut Rng) -> Option<String> {
    let b = doc.as_bytes();
    let mut props = Vec::new();
    for (i, _) in doc.match_indices('=') {
        let start = doc[..i].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))?;
        if start + 1 == i || b[start] != b' ' {
            continue;
        }
        let end = if b.get(i + 1) == Some(&b'"') {
            doc[i + 2..].find('"').map(|e| i + 3 + e)
        } else {
            doc[i..].find([' ', '\n', ';', '}']).map(|e| i + e)
        };
        if let Some(end) = end {
            props.push(start..end);
        }
    }
    let r = props.get(rng.below(props.len().max(1)))?.clone();
    Some(format!("{}{}", &doc[..r.start], &doc[r.end..]))
}
