//! Zero-touch bring-up (docs/bring-up.md), checked with the real tools.
//!
//! `every_name_resolves`: the compiled dnsmasq runs in a network namespace
//! and `dig`, from another namespace, asks it for every name each example
//! uses (endpoint, registries and mirrors, NFS, boot and git servers, every
//! host) and compares the answer with the address the site gives. The same
//! dnsmasq without the site's `record`s must then fail those names, so the
//! check can fail.
//!
//! Needs root (network namespaces), dnsmasq-base, dnsutils (dig) and
//! iproute2. Skips, saying so, only when namespaces cannot be created.

mod support;

use std::fs;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::*;

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(out.status.success(), "{cmd:?} failed: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

fn require(tool: &str, package: &str) {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success());
    assert!(found, "`{tool}` is missing: install the Debian package {package} (.ci/run does)");
}

/// Two namespaces joined by a veth pair, removed (with what runs in them)
/// on drop.
struct Link {
    server: String,
    client: String,
}

impl Link {
    fn new(tag: &str, server: Ipv4Addr, client: Ipv4Addr) -> Option<Link> {
        let id = format!("{tag}{}", std::process::id() % 100_000);
        let link = Link { server: format!("ds{id}"), client: format!("dc{id}") };
        let made = run(Command::new("ip").args(["netns", "add", &link.server]));
        if !made.status.success() {
            skip(&format!("bring-up DNS test: cannot create network namespaces here ({})", text(&made.stderr).trim()));
            return None;
        }
        ok(Command::new("ip").args(["netns", "add", &link.client]));
        let (s, c) = (link.server.as_str(), link.client.as_str());
        ok(Command::new("ip")
            .args(["link", "add", "vsrv", "netns", s, "type", "veth", "peer", "name", "vcli", "netns", c]));
        for (ns, dev, ip) in [(s, "vsrv", server), (c, "vcli", client)] {
            ok(Command::new("ip").args(["-n", ns, "link", "set", "lo", "up"]));
            ok(Command::new("ip").args(["-n", ns, "link", "set", dev, "up"]));
            ok(Command::new("ip").args(["-n", ns, "addr", "add", &format!("{ip}/30"), "dev", dev]));
        }
        Some(link)
    }

    fn exec(&self, ns: &str, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns]).args(args);
        c
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        for ns in [&self.server, &self.client] {
            let _ = Command::new("ip").args(["netns", "pids", ns]).output().map(|o| {
                for pid in text(&o.stdout).split_whitespace() {
                    let _ = Command::new("kill").arg(pid).status();
                }
            });
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// The compiled dnsmasq.conf for a DNS-only run on the test link: DHCP and
/// TFTP left out (they need the site's interfaces), everything that makes
/// an answer kept. `records` false also drops the names that are not hosts.
fn dns_conf(conf: &str, dir: &Path, port: u16, records: bool) -> String {
    let mut out = String::new();
    let mut in_names = false;
    for line in conf.lines() {
        in_names |= line.starts_with("# Names on the site's networks that are not hosts.");
        // No upstream server either: nothing this test asks may leave the
        // namespace.
        let dropped = ["dhcp-", "enable-tftp", "tftp-root=", "log-dhcp", "server="];
        let boot = dropped.iter().any(|p| line.starts_with(p));
        if boot || (in_names && !records && line.starts_with("host-record=")) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!(
        "interface=vsrv\nbind-interfaces\nuser=root\nport={port}\npid-file={}/dnsmasq-{port}.pid\n",
        dir.display()
    ));
    out
}

/// `dig`'s A answers for `name`, empty when there are none.
fn ask(link: &Link, server: Ipv4Addr, port: u16, name: &str) -> Vec<String> {
    let at = format!("@{server}");
    let port = port.to_string();
    let out = run(&mut link
        .exec(&link.client, &["dig", &at, "-p", &port, "+short", "+time=2", "+tries=2", "+norecurse", name, "A"]));
    text(&out.stdout).lines().map(str::to_string).filter(|l| !l.is_empty()).collect()
}

/// (name, what uses it, the address the site gives it) for every name the
/// site looks up that its own dnsmasq answers, and every host.
fn expected(site: &Path) -> Vec<(String, String, Ipv4Addr)> {
    let checked = bosun::check(site).unwrap();
    assert!(!checked.has_errors(), "{} checks clean", site.display());
    let site = &checked.site;
    let mut out = Vec::new();
    for u in site.used_names() {
        match site.resolve(&u.name) {
            Some(ip) => out.push((u.name, u.what.to_string(), ip)),
            // Outside the site's domains and without a record: forwarded to
            // the upstream servers, which this test does not have.
            None => assert!(!site.in_site_domains(&u.name), "{}: {} has no answer", u.name, u.what),
        }
    }
    let plan = bosun::plan::plan(site).expect("example plans");
    for h in &plan.hosts {
        if let Some(ip) = h.address {
            out.push((h.fqdn.clone(), format!("host {}", h.host.name), ip));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_name_resolves() {
    require("dnsmasq", "dnsmasq-base");
    require("dig", "dnsutils");
    let (server, client) = (Ipv4Addr::new(198, 18, 0, 1), Ipv4Addr::new(198, 18, 0, 2));
    for (i, (example, site)) in examples().iter().enumerate() {
        let names = expected(site);
        let records: Vec<&(String, String, Ipv4Addr)> =
            names.iter().filter(|(_, what, _)| !what.starts_with("host ")).collect();
        assert!(!records.is_empty(), "{example}: uses no name that is not a host");
        let Some(link) = Link::new(&format!("{i}"), server, client) else { return };
        let tmp = tempfile::tempdir().unwrap();
        let (_, tree) = bosun::compile(site).unwrap();
        let tree = tree.expect("example compiles");
        let conf = text(&tree.files["provisioning/dnsmasq/dnsmasq.conf"]);
        for (port, with_records) in [(53, true), (5353, false)] {
            let path = tmp.path().join(format!("dns-{port}.conf"));
            fs::write(&path, dns_conf(&conf, tmp.path(), port, with_records)).unwrap();
            ok(&mut link.exec(&link.server, &["dnsmasq", "-C", path.to_str().unwrap()]));
        }
        for (name, what, ip) in &names {
            let got = ask(&link, server, 53, name);
            assert_eq!(got, vec![ip.to_string()], "{example}: {name} ({what})");
        }
        // The control: without the site's records those names get no answer.
        for (name, what, _) in
            records.iter().filter(|(n, ..)| !names.iter().any(|(m, w, _)| m == n && w.starts_with("host ")))
        {
            let got = ask(&link, server, 5353, name);
            assert!(got.is_empty(), "{example}: {name} ({what}) answered without its record: {got:?}");
        }
    }
}
