//! The Slurm part of a host's cloud-config: the packages of the daemons it
//! runs, `/etc/slurm/` (the bytes of `slurm/`), the munge key and the
//! slurmdbd password fetched at boot from the secret store's published
//! file, and the services started in order: munge, then slurmdbd,
//! slurmctld and slurmd. A host given to Slurm alone never reaches the
//! Kubernetes steps. docs/slurm.md describes the boot.

use serde_json::Value;

use super::{Shared, sh};
use crate::model::Host;
use crate::plan::HostFacts;
use crate::plan::slurm::SlurmPlan;
use crate::render::slurm::{CONF_DIR, DBD_PASSWORD, LOG_DIR, SPOOL_DIR, STATE_DIR};
use crate::render::yaml;

/// Fills the secrets in at boot.
pub const SECRETS_SCRIPT: &str = "/etc/bosun/slurm-secrets.sh";
/// slurmdbd.conf with the password as a placeholder; the filled copy is
/// `/etc/slurm/slurmdbd.conf`, readable by the slurm user only.
pub const DBD_TEMPLATE: &str = "/etc/bosun/slurmdbd.conf";
const MUNGE_KEY: &str = "/etc/munge/munge.key";

/// The `write_files` entries and the `runcmd` steps of one Slurm host.
pub struct HostPart {
    /// `(path, permissions, content)`.
    pub files: Vec<(String, &'static str, String)>,
    pub runcmd: Vec<String>,
}

/// What a host needs of the Slurm cluster; `None` when it takes no part.
pub fn host_part(shared: &Shared, facts: &HostFacts, texts: &[(&str, String)]) -> Option<HostPart> {
    let s = shared.plan.slurm.as_ref()?;
    let host = facts.host;
    if !s.member(host) {
        return None;
    }
    let services = s.services(host);
    let dbd = services.contains(&"slurmdbd");
    let mut files: Vec<(String, &'static str, String)> = Vec::new();
    for (name, text) in texts {
        match *name {
            "slurmdbd.conf" if dbd => files.push((DBD_TEMPLATE.to_string(), "0600", text.clone())),
            "slurmdbd.conf" => {}
            "gres.conf" | "cgroup.conf" if !host.runs_slurmd() => {}
            _ => files.push((format!("{CONF_DIR}/{name}"), "0644", text.clone())),
        }
    }
    files.push((SECRETS_SCRIPT.to_string(), "0755", secrets_script(shared, facts, s, dbd)));
    files.sort();
    Some(HostPart { files, runcmd: runcmd(host, &services) })
}

fn runcmd(host: &Host, services: &[&str]) -> Vec<String> {
    let apt_get = "DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=3";
    let mut packages = vec!["munge", "slurm-client"];
    if services.contains(&"slurmdbd") {
        packages.extend(["mariadb-server", "slurmdbd"]);
    }
    packages.extend(services.iter().filter(|s| **s != "slurmdbd"));
    let mut cmds = vec![
        "set -e".to_string(),
        format!("{apt_get} update"),
        format!("{apt_get} install -y --no-upgrade {}", packages.join(" ")),
    ];
    if services.contains(&"slurmdbd") {
        cmds.push("systemctl enable mariadb && systemctl restart mariadb".to_string());
    }
    let mut dirs = vec![LOG_DIR];
    if services.contains(&"slurmctld") {
        dirs.push(STATE_DIR);
    }
    if host.runs_slurmd() {
        dirs.push(SPOOL_DIR);
    }
    cmds.push(format!("install -d -o slurm -g slurm -m 0755 {}", dirs.join(" ")));
    cmds.push(SECRETS_SCRIPT.to_string());
    // munge first: every Slurm daemon authenticates through it.
    for unit in std::iter::once("munge").chain(services.iter().copied()) {
        cmds.push(format!("systemctl enable {unit} && systemctl restart {unit}"));
    }
    cmds
}

/// The URL a host fetches a secret from: `secrets/<secret>.env` under its
/// boot network's `http-server`, where the operator publishes it, as with
/// the kubeadm join values (docs/slurm.md).
fn secret_url(shared: &Shared, facts: &HostFacts, secret: &str) -> Option<String> {
    let network = facts.pxe?.network.as_deref().and_then(|n| shared.network(n))?;
    let server = network.pxe.as_ref()?.http_server.as_deref()?;
    Some(format!("{}/secrets/{secret}.env", server.trim_end_matches('/')))
}

/// Fetches the published secrets (retrying while the store has not
/// published them yet), checks their shape and installs them: the munge
/// key (base64 in `BOSUN_MUNGE_KEY`), and on the accounting host the
/// database password (`BOSUN_SLURMDBD_PASSWORD`) into the database and
/// slurmdbd.conf. No value is ever part of the seed.
fn secrets_script(shared: &Shared, facts: &HostFacts, s: &SlurmPlan, dbd: bool) -> String {
    let mut out = String::from(
        "#!/bin/sh\n# Written by bosun: installs the Slurm secrets published by the secret store.\nset -eu\numask 077\nmkdir -p /etc/bosun\n",
    );
    out.push_str("value() { sed -n \"s/^$1=//p\" \"$2\" 2>/dev/null | head -n 1; }\n");
    out.push_str("fetch() {\n  # fetch FILE URL NAME: until FILE holds NAME\n  tries=0\n  until [ -n \"$(value \"$3\" \"$1\")\" ]; do\n    tries=$((tries + 1))\n    if [ -z \"$2\" ] || [ \"$tries\" -gt 120 ]; then echo \"bosun: $1 lacks $3; place it there (docs/slurm.md)\" >&2; exit 1; fi\n    curl -fsS --noproxy '*' -o \"$1.new\" \"$2\" && mv \"$1.new\" \"$1\" || sleep 30\n  done\n}\n");
    let munge = s.slurm.munge_key.as_deref().unwrap_or_default();
    let url = secret_url(shared, facts, munge).unwrap_or_default();
    out.push_str(&format!("fetch /etc/bosun/{munge}.env {} BOSUN_MUNGE_KEY\n", sh(&url)));
    out.push_str(&format!(
        "value BOSUN_MUNGE_KEY /etc/bosun/{munge}.env | base64 -d > {MUNGE_KEY}.new\n\
         [ \"$(wc -c < {MUNGE_KEY}.new)\" -ge 32 ] || {{ echo 'bosun: the munge key is shorter than 32 bytes' >&2; exit 1; }}\n\
         chown munge:munge {MUNGE_KEY}.new && chmod 0400 {MUNGE_KEY}.new && mv {MUNGE_KEY}.new {MUNGE_KEY}\n"
    ));
    if let Some(a) = s.slurm.accounting.as_ref().filter(|_| dbd) {
        let secret = &a.password_from;
        let url = secret_url(shared, facts, secret).unwrap_or_default();
        out.push_str(&format!("fetch /etc/bosun/{secret}.env {} BOSUN_SLURMDBD_PASSWORD\n", sh(&url)));
        let fill = format!("sed \"s|{DBD_PASSWORD}|$pw|\" {DBD_TEMPLATE} > {CONF_DIR}/slurmdbd.conf.new\n");
        out.push_str(&format!("pw=$(value BOSUN_SLURMDBD_PASSWORD /etc/bosun/{secret}.env)\n"));
        // The value goes into SQL and a sed expression: only characters
        // neither treats specially (base64 and the like).
        out.push_str(concat!(
            "case \"$pw\" in *[!A-Za-z0-9._~+=/-]*) echo 'bosun: the slurmdbd password may hold only A-Z a-z 0-9 . _ ~ + = / -' >&2; exit 1;; esac\n",
            "mysql -u root <<SQL\nCREATE DATABASE IF NOT EXISTS slurm_acct_db;\nCREATE USER IF NOT EXISTS 'slurm'@'localhost';\n",
            "ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$pw';\nGRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';\nSQL\n",
        ));
        out.push_str(&fill);
        out.push_str(&format!(
            "chown slurm:slurm {CONF_DIR}/slurmdbd.conf.new && chmod 0600 {CONF_DIR}/slurmdbd.conf.new && mv {CONF_DIR}/slurmdbd.conf.new {CONF_DIR}/slurmdbd.conf\n"
        ));
    }
    out
}

/// `write_files` and `runcmd` of a host that runs no Kubernetes.
pub fn write(out: &mut String, level: usize, part: &HostPart) {
    yaml::block_key(out, level, "write_files");
    write_entries(out, level, part);
    append_runcmd(out, level, part, true);
}

/// The files as `write_files` items, after any others at `level`.
pub fn write_entries(out: &mut String, level: usize, part: &HostPart) {
    for (path, permissions, content) in &part.files {
        let fields =
            [("path", path.as_str()), ("owner", "root:root"), ("permissions", permissions), ("content", content)];
        yaml::str_map_item(out, level + 2, &fields);
    }
}

/// The steps as `runcmd` items; `own` starts the key (else they continue
/// the Kubernetes steps, whose `set -e` already holds).
pub fn append_runcmd(out: &mut String, level: usize, part: &HostPart, own: bool) {
    if own {
        yaml::block_key(out, level, "runcmd");
    }
    for cmd in part.runcmd.iter().filter(|c| own || *c != "set -e") {
        yaml::seq_item(out, level + 2, &Value::String(cmd.clone()));
    }
}
