//! The bring-up of the first control-plane host (docs/bring-up.md): after
//! `kubeadm init`, install the CNI from its pinned chart with the site's
//! values, wait for every node to be Ready, install the GitOps engine
//! (pinned, with its compiled values) and apply the root object. The engine
//! then adopts both releases through its own Applications or HelmReleases,
//! which use the same release names and namespaces as here.
//!
//! Everything travels in that host's seed, so nothing needs git access
//! before the engine runs. The values are the plan's, serialized as
//! packs/<pack>/values.yaml is (tests/bringup.rs compares the bytes).
//! Not a renderer of its own: the seed renderer delivers these files.
//!
//! A private repository's credentials come from the site's `gitops {
//! credentials }` secret, fetched at bring-up like the join values and
//! turned into the engine's repository Secret; no value is compiled.

use super::gitops::{flux, root_objects};
use super::yaml;
use crate::model::{Engine, Gitops};
use crate::packs::{self, Chart, tools::HELM};
use crate::plan::{HostFacts, Plan};

/// Where the bring-up's files sit on the host.
pub const SCRIPT: &str = "/usr/local/sbin/bosun-bringup";
pub const DIR: &str = "/etc/bosun/bringup";
pub const LOG: &str = "/var/log/bosun-bringup.log";
pub const CNI_VALUES: &str = "/etc/bosun/bringup/cni.values.yaml";
pub const ENGINE_VALUES: &str = "/etc/bosun/bringup/engine.values.yaml";
pub const ROOT: &str = "/etc/bosun/bringup/root.yaml";
/// Where the repository's credentials land when fetched (root only).
pub const GIT_ENV: &str = "/etc/bosun/git-credentials.env";
/// Argo CD's repository Secret; Flux's is [`flux::GIT_SECRET`].
pub const ARGOCD_GIT_SECRET: &str = "bosun-site-repo";

/// One file of the bring-up: path on the host, mode, content.
pub struct BringupFile {
    pub path: &'static str,
    pub permissions: &'static str,
    pub content: String,
}

/// A chart the bring-up installs: release, namespace, chart and values.
struct Release {
    name: &'static str,
    /// The values file's path on the host.
    file: &'static str,
    namespace: String,
    chart: &'static Chart,
    values: Option<String>,
}

/// The bring-up's files when the site has a GitOps engine; none otherwise
/// (the operator then runs the engine of their choice by hand).
pub fn files(plan: &Plan, first: &HostFacts) -> Result<Vec<BringupFile>, String> {
    let Some(gitops) = &plan.settings.gitops else { return Ok(Vec::new()) };
    // A Slurm-only site has no cluster to bring up.
    let Some(k) = &plan.settings.kubernetes else { return Ok(Vec::new()) };
    let cni = release(plan, packs::catalog::cni(k.cni), CNI_VALUES)?;
    let engine_pack = match gitops.engine {
        Engine::Argocd => packs::catalog::ARGOCD,
        Engine::Flux => packs::catalog::FLUX,
    };
    let engine = release(plan, engine_pack, ENGINE_VALUES)?;
    let root = yaml::documents(&root_objects(plan)?);
    let mirror = helm_mirror(plan, first);
    let creds =
        gitops.credentials.as_deref().map(|secret| credentials(gitops, &engine, boot_server(plan, first), secret));
    let content = script(&cni, &engine, &mirror, creds.as_deref());
    let mut out = vec![BringupFile { path: SCRIPT, permissions: "0755", content }];
    for r in [&cni, &engine] {
        if let Some(v) = &r.values {
            out.push(BringupFile { path: r.file, permissions: "0600", content: v.clone() });
        }
    }
    out.push(BringupFile { path: ROOT, permissions: "0600", content: root });
    Ok(out)
}

fn release(plan: &Plan, name: &'static str, file: &'static str) -> Result<Release, String> {
    let builtin = packs::builtin(name).ok_or_else(|| format!("no built-in pack {name}"))?;
    let declared = plan.site.packs.iter().find(|p| p.name == name);
    Ok(Release {
        name,
        file,
        namespace: declared.map_or(builtin.namespace, packs::namespace).to_string(),
        chart: &builtin.chart,
        values: plan.values.get(name).map(yaml::to_string),
    })
}

/// helm comes from the boot server's tools/ folder when the host boots
/// from one (an air-gapped site's only source), else from its publisher.
fn helm_mirror(plan: &Plan, first: &HostFacts) -> String {
    match boot_server(plan, first) {
        Some(server) => format!("{server}/tools"),
        None => HELM.upstream.to_string(),
    }
}

/// The `http-server` of the host's boot network, without a trailing slash.
fn boot_server<'a>(plan: &'a Plan, first: &HostFacts) -> Option<&'a str> {
    let net = first.pxe.and_then(|i| i.network.as_deref()).and_then(|n| plan.site.network(n))?;
    Some(net.pxe.as_ref()?.http_server.as_deref()?.trim_end_matches('/'))
}

/// The settings and functions of the credential step: where the secret is
/// published (`secrets/<secret>.env` on the boot server, as the join
/// values are; none without one, so the operator places the file), and the
/// engine's Secret: Argo CD's labelled repository Secret beside Argo CD,
/// or the one Flux's GitRepository names in its own namespace.
fn credentials(gitops: &Gitops, engine: &Release, server: Option<&str>, secret: &str) -> String {
    let url = server.map(|s| format!("{s}/secrets/{secret}.env")).unwrap_or_default();
    let (name, namespace, ssh_key, known_hosts, extra, label) = match gitops.engine {
        Engine::Argocd => (
            ARGOCD_GIT_SECRET,
            engine.namespace.as_str(),
            "sshPrivateKey",
            "",
            format!(" --from-literal=type=git --from-literal=url='{}'", gitops.repo),
            "kubectl label --local -f - argocd.argoproj.io/secret-type=repository -o yaml |\n    ",
        ),
        Engine::Flux => (flux::GIT_SECRET, flux::NS, "identity", "known_hosts", String::new(), ""),
    };
    let mut s = format!("git_env=\"${{BOSUN_GIT_ENV:-{GIT_ENV}}}\"\ngit_url='{url}'\n");
    s.push_str(&format!("git_secret={name}\ngit_namespace={namespace}\n"));
    s.push_str(&format!("git_ssh_key={ssh_key}\ngit_known_hosts='{known_hosts}'\n"));
    s.push_str(&format!(
        "make_git_secret() {{\n  kubectl create secret generic \"$git_secret\" --namespace \"$git_namespace\" \"$@\"{extra} \\\n    --dry-run=client -o yaml |\n    {label}kubectl apply -f - >>\"$log\" 2>&1\n}}\n"
    ));
    s.push_str(GIT_FUNCTIONS);
    s
}

/// `helm install` arguments naming the chart: a repository and chart, or
/// an OCI reference.
fn chart_args(chart: &Chart) -> String {
    match chart {
        Chart::Oci { .. } => format!("'{}/{}' --version '{}'", chart.url(), chart.name(), chart.version()),
        _ => format!("'{}' --repo '{}' --version '{}'", chart.name(), chart.url(), chart.version()),
    }
}

fn install_line(r: &Release) -> String {
    let values = match r.values {
        Some(_) => format!(" -f \"$dir/{}\"", r.file.rsplit('/').next().unwrap_or(r.file)),
        None => String::new(),
    };
    format!("install_chart {} {} {}{values}", r.name, r.namespace, chart_args(r.chart))
}

fn script(cni: &Release, engine: &Release, mirror: &str, credentials: Option<&str>) -> String {
    let sums: String = HELM.sha256.iter().map(|(arch, sum)| format!("    {arch}) sum={sum} ;;\n")).collect();
    let mut s = String::from(PRELUDE);
    s.push_str(&format!("helm_version={}\nhelm_mirror='{mirror}'\n", HELM.version));
    s.push_str(&format!("log={LOG}\ndir={DIR}\n"));
    s.push_str(&format!("helm_sum() {{\n  case \"$1\" in\n{sums}    *) return 1 ;;\n  esac\n  echo \"$sum\"\n}}\n"));
    s.push_str(FUNCTIONS);
    if let Some(defs) = credentials {
        s.push_str(defs);
    }
    // The repository's credentials before the root object, which reads it.
    let git_step = if credentials.is_some() { "step credentials\ngit_credentials\n" } else { "" };
    s.push_str(&format!(
        "\nstep init\ninit_cluster\nstep helm\nensure_helm\nstep cni\n{}\nstep nodes-ready\nwait_nodes\nstep engine\n{}\n{git_step}step root\napply_root\nstep finished\nsay 'the cluster is up; the GitOps engine syncs it from here'\n",
        install_line(cni),
        install_line(engine)
    ));
    s
}

/// Settings the test (or an operator replaying a step) may override.
const PRELUDE: &str = r#"#!/bin/sh
# Written by bosun: brings the first control-plane host from kubeadm init to a
# cluster its GitOps engine keeps in sync (docs/bring-up.md). Idempotent: a
# step whose result is there already is skipped, so running it again changes
# nothing. Every step waits with a timeout and logs to the file below.
set -eu
PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export KUBECONFIG="${KUBECONFIG:-/etc/kubernetes/admin.conf}"
timeout="${BOSUN_BRINGUP_TIMEOUT:-900}"
join_script="${BOSUN_JOIN_SCRIPT:-/usr/local/sbin/bosun-kubeadm-config}"
"#;

const FUNCTIONS: &str = r#"log="${BOSUN_BRINGUP_LOG:-$log}"
dir="${BOSUN_BRINGUP_DIR:-$dir}"
current=start
say() {
  printf '%s bosun-bringup [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$current" "$*" >>"$log"
  printf 'bosun-bringup [%s] %s\n' "$current" "$*" >&2
}
step() { current=$1; say "step $1"; }
fail() { say "FAILED at step '$current': $*; see $log"; exit 1; }
on_exit() {
  status=$?
  if [ "$status" -ne 0 ] && [ "$current" != finished ]; then
    printf 'bosun-bringup: stopped at step %s (exit %s); see %s\n' "$current" "$status" "$log" >&2
  fi
}
trap on_exit EXIT
mkdir -p "$(dirname "$log")"

init_cluster() {
  if [ -f "$KUBECONFIG" ]; then say "kubeadm init done already"; return 0; fi
  "$join_script" || fail "the join values are missing or incomplete"
  kubeadm init --config /run/bosun/kubeadm.yaml --upload-certs >>"$log" 2>&1 || fail "kubeadm init failed"
  [ -f "$KUBECONFIG" ] || fail "kubeadm init wrote no $KUBECONFIG"
}

ensure_helm() {
  if command -v helm >/dev/null 2>&1 && helm version --short 2>/dev/null | grep -q "^$helm_version+"; then
    say "helm $helm_version present"; return 0
  fi
  case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) fail "no pinned helm for $(uname -m)" ;;
  esac
  sum=$(helm_sum "$arch") || fail "no checksum for helm on $arch"
  archive="helm-$helm_version-linux-$arch.tar.gz"
  tmp=$(mktemp -d)
  curl -fsSL --retry 5 -o "$tmp/$archive" "$helm_mirror/$archive" || fail "cannot fetch $helm_mirror/$archive"
  echo "$sum  $tmp/$archive" | sha256sum -c - >>"$log" 2>&1 || fail "$archive does not match its pinned SHA-256"
  tar -xzf "$tmp/$archive" -C "$tmp" || fail "cannot unpack $archive"
  install -m 0755 "$tmp/linux-$arch/helm" /usr/local/bin/helm
  rm -rf "$tmp"
}

# The release names and namespaces are those of the engine's own objects
# for these packs, so the engine adopts the releases instead of fighting.
install_chart() {
  release=$1; namespace=$2; shift 2
  if helm status "$release" --namespace "$namespace" >/dev/null 2>&1; then
    say "release $release is installed already"; return 0
  fi
  helm install "$release" "$@" --namespace "$namespace" --create-namespace --wait \
    --timeout "${timeout}s" >>"$log" 2>&1 || fail "helm install $release failed"
}

wait_nodes() {
  kubectl wait --for=condition=Ready nodes --all --timeout="${timeout}s" >>"$log" 2>&1 \
    || fail "nodes not Ready within ${timeout}s"
}

apply_root() {
  if kubectl get -f "$dir/root.yaml" >/dev/null 2>&1; then say "root object applied already"; return 0; fi
  kubectl apply -f "$dir/root.yaml" >>"$log" 2>&1 || fail "kubectl apply of the root object failed"
}
"#;

/// The credential step. The values go from the env file into files of a
/// private folder that kubectl reads, so none is ever on a command line or
/// in the log. A username and password, or one line of base64 PEM for an
/// SSH key (and, for Flux, base64 known_hosts lines).
const GIT_FUNCTIONS: &str = r#"git_value() { sed -n "s/^$1=//p" "$git_env" 2>/dev/null | head -n 1; }
git_complete() {
  if [ -n "$(git_value BOSUN_GIT_SSH_KEY)" ]; then
    [ -z "$git_known_hosts" ] || [ -n "$(git_value BOSUN_GIT_KNOWN_HOSTS)" ]
  else
    [ -n "$(git_value BOSUN_GIT_USERNAME)" ] && [ -n "$(git_value BOSUN_GIT_PASSWORD)" ]
  fi
}
fetch_git_env() {
  tries=0
  until git_complete; do
    tries=$((tries + 1))
    if [ -n "$git_url" ]; then
      (umask 077; mkdir -p "$(dirname "$git_env")"
        curl -fsS --noproxy '*' -o "$git_env.new" "$git_url" && mv "$git_env.new" "$git_env") || true
      git_complete && break
    fi
    if [ -z "$git_url" ] || [ "$tries" -gt $((timeout / 30)) ]; then
      fail "no usable git credentials in $git_env${git_url:+ or at $git_url} (docs/bring-up.md)"
    fi
    sleep 30
  done
}
git_credentials() {
  if kubectl get secret "$git_secret" --namespace "$git_namespace" >/dev/null 2>&1; then
    say "git credentials given already"; return 0
  fi
  fetch_git_env
  tmp=$(umask 077; mktemp -d)
  if [ -n "$(git_value BOSUN_GIT_SSH_KEY)" ]; then
    git_value BOSUN_GIT_SSH_KEY | base64 -d >"$tmp/key" || { rm -rf "$tmp"; fail "BOSUN_GIT_SSH_KEY is not base64"; }
    set -- "--from-file=$git_ssh_key=$tmp/key"
    if [ -n "$git_known_hosts" ]; then
      git_value BOSUN_GIT_KNOWN_HOSTS | base64 -d >"$tmp/hosts" || { rm -rf "$tmp"; fail "BOSUN_GIT_KNOWN_HOSTS is not base64"; }
      set -- "$@" "--from-file=$git_known_hosts=$tmp/hosts"
    fi
  else
    printf '%s' "$(git_value BOSUN_GIT_USERNAME)" >"$tmp/username"
    printf '%s' "$(git_value BOSUN_GIT_PASSWORD)" >"$tmp/password"
    set -- "--from-file=username=$tmp/username" "--from-file=password=$tmp/password"
  fi
  make_git_secret "$@" || { rm -rf "$tmp"; fail "cannot create the Secret $git_namespace/$git_secret"; }
  rm -rf "$tmp"
}
"#;
