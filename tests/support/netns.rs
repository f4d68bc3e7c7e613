//! Two network namespaces joined by a veth pair (`vsrv` in the server's,
//! `vcli` in the client's): a boot server and one machine on a wire of
//! their own, for the suites that run real DHCP, TFTP and DNS exchanges.

use std::process::Command;

use super::command::{ok, run};
use super::{skip, text};

/// Removed, with every process still running in it, on drop.
pub struct Link {
    pub server: String,
    pub client: String,
}

impl Link {
    /// `prefix` keeps namespaces of different suites apart, `tag` those of
    /// one suite's cases; `suite` names the test in the skip message when
    /// this machine cannot make namespaces (it needs root and CAP_SYS_ADMIN).
    pub fn new(prefix: char, tag: &str, suite: &str) -> Option<Link> {
        let id = format!("{tag}{}", std::process::id() % 100_000);
        let link = Link { server: format!("{prefix}s{id}"), client: format!("{prefix}c{id}") };
        let made = run(Command::new("ip").args(["netns", "add", &link.server]));
        if !made.status.success() {
            skip(&format!(
                "{suite}: cannot create network namespaces here ({}); it needs root and CAP_SYS_ADMIN",
                text(&made.stderr).trim()
            ));
            return None;
        }
        ok(Command::new("ip").args(["netns", "add", &link.client]));
        let (s, c) = (link.server.as_str(), link.client.as_str());
        ok(Command::new("ip")
            .args(["link", "add", "vsrv", "netns", s, "type", "veth", "peer", "name", "vcli", "netns", c]));
        for (ns, dev) in [(s, "vsrv"), (c, "vcli")] {
            ok(Command::new("ip").args(["-n", ns, "link", "set", "lo", "up"]));
            ok(Command::new("ip").args(["-n", ns, "link", "set", dev, "up"]));
        }
        Some(link)
    }

    /// A command run inside namespace `ns`.
    pub fn exec(&self, ns: &str, args: &[&str]) -> Command {
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
