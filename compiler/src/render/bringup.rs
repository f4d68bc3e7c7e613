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

use super::gitops::root_objects;
use super::yaml;
use crate::model::Engine;
use crate::packs::{self, Chart, tools::HELM};
use crate::plan::{HostFacts, Plan};

/// Where the bring-up's files sit on the host.
pub const SCRIPT: &str = "/usr/local/sbin/bosun-bringup";
pub const DIR: &str = "/etc/bosun/bringup";
pub const LOG: &str = "/var/log/bosun-bringup.log";
pub const CNI_VALUES: &str = "/etc/bosun/bringup/cni.values.yaml";
pub const ENGINE_VALUES: &str = "/etc/bosun/bringup/engine.values.yaml";
pub const ROOT: &str = "/etc/bosun/bringup/root.yaml";

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
    let mut out = vec![BringupFile { path: SCRIPT, permissions: "0755", content: script(&cni, &engine, &mirror) }];
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
    let net = first.pxe.and_then(|i| i.network.as_deref()).and_then(|n| plan.site.network(n));
    match net.and_then(|n| n.pxe.as_ref()?.http_server.as_deref()) {
        Some(server) => format!("{}/tools", server.trim_end_matches('/')),
        None => HELM.upstream.to_string(),
    }
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

fn script(cni: &Release, engine: &Release, mirror: &str) -> String {
    let sums: String = HELM.sha256.iter().map(|(arch, sum)| format!("    {arch}) sum={sum} ;;\n")).collect();
    let mut s = String::from(PRELUDE);
    s.push_str(&format!("helm_version={}\nhelm_mirror='{mirror}'\n", HELM.version));
    s.push_str(&format!("log={LOG}\ndir={DIR}\n"));
    s.push_str(&format!("helm_sum() {{\n  case \"$1\" in\n{sums}    *) return 1 ;;\n  esac\n  echo \"$sum\"\n}}\n"));
    s.push_str(FUNCTIONS);
    s.push_str(&format!(
        "\nstep init\ninit_cluster\nstep helm\nensure_helm\nstep cni\n{}\nstep nodes-ready\nwait_nodes\nstep engine\n{}\nstep root\napply_root\nstep finished\nsay 'the cluster is up; the GitOps engine syncs it from here'\n",
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
