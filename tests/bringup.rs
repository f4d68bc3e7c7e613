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
use std::process::Command;

use support::command::{ok, require, run};
use support::netns::Link;
use support::*;

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
        let Some(link) = Link::new('d', &format!("{i}"), "bring-up DNS test") else { return };
        for (ns, dev, ip) in [(&link.server, "vsrv", server), (&link.client, "vcli", client)] {
            ok(Command::new("ip").args(["-n", ns, "addr", "add", &format!("{ip}/30"), "dev", dev]));
        }
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

/// A copy of an example in a temp folder, `edit` applied to its site.kdl.
fn copy_example(name: &str, edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = root().join("site-examples").join(name);
    for e in walkdir::WalkDir::new(&src).into_iter().filter_map(Result::ok) {
        let dest = tmp.path().join(e.path().strip_prefix(&src).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
    let site = tmp.path().join("site.kdl");
    let text = fs::read_to_string(&site).unwrap();
    let edited = edit(text.clone());
    assert_ne!(text, edited, "the edit of {name} changed nothing");
    fs::write(&site, edited).unwrap();
    tmp
}

fn yaml_documents(text: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    serde_norway::Deserializer::from_str(text).map(|d| serde_json::Value::deserialize(d).expect("YAML")).collect()
}

/// `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum`.
fn openssl_spki_hash(cert: &Path) -> String {
    let script =
        format!("openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform der | sha256sum", cert.display());
    let out = ok(Command::new("sh").args(["-c", &script]));
    format!("sha256:{}", out.split_whitespace().next().unwrap())
}

/// The site's CA, made here with openssl, pins every join: caCertHashes is
/// openssl's SPKI hash, the documents round-trip through the strict kubeadm
/// types, and no document skips CA verification.
#[test]
fn ca_cert_hashes_are_openssls_spki_hash() {
    require("openssl", "openssl");
    let dir = copy_example("nauta-lab", |t| {
        t.replace(
            "join-credentials \"kubeadm-join\"",
            "join-credentials \"kubeadm-join\"\n        ca-certificate \"pki/ca.crt\"",
        )
    });
    fs::create_dir(dir.path().join("pki")).unwrap();
    let cert = dir.path().join("pki/ca.crt");
    ok(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=test-ca",
        ])
        .args(["-days", "2", "-keyout"])
        .arg(dir.path().join("ca.key"))
        .arg("-out")
        .arg(&cert));
    let want = openssl_spki_hash(&cert);
    let (checked, tree) = bosun::compile(&dir.path().join("site.kdl")).unwrap();
    let tree = tree.unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    let mut joins = 0;
    for (path, bytes) in &tree.files {
        let text = text(bytes);
        assert!(!text.contains("unsafeSkipCAVerification"), "{path} skips CA verification");
        if !path.starts_with("kubeadm/") {
            continue;
        }
        for doc in yaml_documents(&text) {
            let typed = bosun::plan::kubeadm::types::Document::from_value(doc.clone())
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(typed.to_value().unwrap(), doc, "{path}: the document does not round-trip");
            if doc["kind"] == "JoinConfiguration" {
                let hashes = &doc["discovery"]["bootstrapToken"]["caCertHashes"];
                assert_eq!(hashes, &serde_json::json!([want]), "{path}");
                joins += 1;
            }
        }
    }
    assert_eq!(joins, 5, "nauta-lab has five workers, each a join");
    // The control: a certificate that is not the site's gives another hash.
    let other = dir.path().join("other.crt");
    ok(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=test-ca",
        ])
        .args(["-days", "2", "-keyout", "/dev/null", "-out"])
        .arg(&other));
    assert_ne!(openssl_spki_hash(&other), want);
    assert_eq!(bosun::model::ca::spki_sha256(&fs::read_to_string(&other).unwrap()), Ok(openssl_spki_hash(&other)));
}

/// `bosun init-ca` writes the certificate and the join values and prints
/// neither secret; a site compiled with that CA holds none of them.
#[test]
fn init_ca_secrets_never_reach_output() {
    require("openssl", "openssl");
    let dir =
        copy_example("dgx-pod", |t| t.replace("ca-certificate \"pki/ca.crt\"", "ca-certificate \"fresh/ca.crt\""));
    fs::create_dir(dir.path().join("fresh")).unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let env = secrets.path().join("kubeadm-join.env");
    let out = bosun(dir.path(), &["init-ca", "--cert", "fresh/ca.crt", "--secrets", env.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(fs::metadata(&env).unwrap().permissions().mode() & 0o777, 0o600);
    let values = fs::read_to_string(&env).unwrap();
    let value = |name: &str| {
        values
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name}"))
            .to_string()
    };
    let key_pem = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, value("BOSUN_CA_KEY")).unwrap(),
    )
    .unwrap();
    assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"), "the CA key is a PEM key");
    // The key's body lines, the token's secret half and the certificate key.
    let token = value("BOSUN_JOIN_TOKEN");
    let mut planted: Vec<String> = key_pem.lines().filter(|l| !l.starts_with("-----")).map(str::to_string).collect();
    planted.push(token.split_once('.').unwrap().1.to_string());
    planted.push(value("BOSUN_CERTIFICATE_KEY"));
    planted.push(value("BOSUN_CA_KEY"));
    assert!(planted.len() > 10);
    let hash = openssl_spki_hash(&dir.path().join("fresh/ca.crt"));
    assert_eq!(value("BOSUN_CA_CERT_HASH"), hash);
    let (checked, tree) = bosun::compile(&dir.path().join("site.kdl")).unwrap();
    let tree = tree.unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    let mut seen_hash = false;
    for (path, bytes) in &tree.files {
        let text = text(bytes);
        seen_hash |= text.contains(&hash);
        for p in &planted {
            assert!(!text.contains(p.as_str()), "{path} holds a secret of the join values");
        }
    }
    assert!(seen_hash, "the compiled tree pins the new CA");
    for p in &planted {
        assert!(!printed.contains(p.as_str()), "init-ca printed a secret");
    }
}

/// A fake `kubeadm`, `kubectl` and `helm`: each records its arguments in
/// $CALLS; state (init done, releases, root applied) lives in $STATE.
const FAKE_KUBEADM: &str = r#"#!/bin/sh
echo "kubeadm $*" >>"$CALLS"
if [ "$1" = init ]; then touch "$KUBECONFIG"; fi
"#;
const FAKE_KUBECTL: &str = r#"#!/bin/sh
echo "kubectl $*" >>"$CALLS"
case "$1" in
  wait) exit 0 ;;
  get) if [ "$2" = secret ]; then [ -f "$STATE/secret" ]; else [ -f "$STATE/root" ]; fi ;;
  create)
    echo "kind: Secret"
    for a in "$@"; do
      case "$a" in --from-file=*) f=${a#--from-file=}; echo "${f%%=*}: $(base64 -w0 <"${f#*=}")" ;; esac
    done ;;
  label) cat ;;
  apply) if [ "$3" = - ]; then cat >>"$STATE/applied"; touch "$STATE/secret"; else touch "$STATE/root"; fi ;;
  *) exit 3 ;;
esac
"#;
/// A fake `curl` serving the boot server's `secrets/` from $PUBLISHED.
const FAKE_CURL: &str = r#"#!/bin/sh
echo "curl $*" >>"$CALLS"
while [ $# -gt 0 ]; do
  case "$1" in -o) out=$2; shift ;; http*) url=$1 ;; esac
  shift
done
cp "$PUBLISHED/${url##*/}" "$out" 2>/dev/null || exit 22
"#;
const FAKE_HELM: &str = r#"#!/bin/sh
echo "helm $*" >>"$CALLS"
case "$1" in
  version) echo "$HELM_VERSION+gfake" ;;
  status) [ -f "$STATE/helm-$2" ] ;;
  install)
    if [ "$2" = "${FAKE_FAIL:-}" ]; then echo "fake failure" >&2; exit 1; fi
    touch "$STATE/helm-$2" ;;
  *) exit 3 ;;
esac
"#;

/// Calls that change the cluster; a second run must make none.
fn changing(calls: &[String]) -> Vec<&String> {
    calls
        .iter()
        .filter(|c| ["kubeadm init", "helm install", "kubectl apply"].iter().any(|p| c.starts_with(p)))
        .collect()
}

struct Fakes {
    tmp: tempfile::TempDir,
}

impl Fakes {
    fn new(files: &[bosun::render::bringup::BringupFile]) -> Fakes {
        let tmp = tempfile::tempdir().unwrap();
        for d in ["bin", "state", "bringup", "kube", "published"] {
            fs::create_dir(tmp.path().join(d)).unwrap();
        }
        let fakes = [("kubeadm", FAKE_KUBEADM), ("kubectl", FAKE_KUBECTL), ("helm", FAKE_HELM), ("curl", FAKE_CURL)];
        for (name, text) in fakes {
            let p = tmp.path().join("bin").join(name);
            fs::write(&p, text).unwrap();
            ok(Command::new("chmod").arg("+x").arg(&p));
        }
        for f in files {
            let name = f.path.rsplit('/').next().unwrap();
            let dest = if f.path == bosun::render::bringup::SCRIPT {
                tmp.path().join("bringup.sh")
            } else {
                tmp.path().join("bringup").join(name)
            };
            fs::write(dest, &f.content).unwrap();
        }
        Fakes { tmp }
    }

    fn path(&self, p: &str) -> std::path::PathBuf {
        self.tmp.path().join(p)
    }

    /// Runs the script; (success, stderr, every call so far).
    fn run(&self, fail: &str) -> (bool, String, Vec<String>) {
        let out = run(Command::new("sh")
            .arg(self.path("bringup.sh"))
            .env("PATH", format!("{}:/usr/bin:/bin", self.path("bin").display()))
            .env("CALLS", self.path("calls"))
            .env("STATE", self.path("state"))
            .env("FAKE_FAIL", fail)
            .env("HELM_VERSION", bosun::packs::tools::HELM.version)
            .env("KUBECONFIG", self.path("kube/admin.conf"))
            .env("BOSUN_JOIN_SCRIPT", "true")
            .env("BOSUN_BRINGUP_DIR", self.path("bringup"))
            .env("BOSUN_BRINGUP_LOG", self.path("bringup.log"))
            .env("BOSUN_BRINGUP_TIMEOUT", "5")
            .env("BOSUN_GIT_ENV", self.path("git-credentials.env"))
            .env("PUBLISHED", self.path("published")));
        let calls = fs::read_to_string(self.path("calls")).unwrap_or_default().lines().map(str::to_string).collect();
        (out.status.success(), text(&out.stderr), calls)
    }
}

/// The release name and namespace the engine's own object for `pack` uses,
/// from the compiled gitops/ tree.
fn adopted_as(files: &std::collections::BTreeMap<String, Vec<u8>>, pack: &str) -> (String, String) {
    let find = |suffix: &str| {
        let (_, bytes) = files
            .iter()
            .find(|(p, _)| p.starts_with("gitops/") && p.ends_with(suffix))
            .unwrap_or_else(|| panic!("no {suffix}"));
        yaml_documents(&text(bytes)).remove(0)
    };
    if files.contains_key("gitops/root.yaml") {
        let app = find(&format!("application-{pack}.yaml"));
        let source = &app["spec"]["sources"][0];
        (
            source["helm"]["releaseName"].as_str().unwrap().into(),
            app["spec"]["destination"]["namespace"].as_str().unwrap().into(),
        )
    } else {
        let hr = find(&format!("helmrelease-{pack}.yaml"));
        (hr["spec"]["releaseName"].as_str().unwrap().into(), hr["spec"]["targetNamespace"].as_str().unwrap().into())
    }
}

/// The bring-up script of every example (Argo CD and Flux): shellcheck
/// passes; with fake tools the calls come in order (init → CNI → nodes
/// Ready → engine → root) with the pinned charts, the seed's values files
/// and the release names the engine adopts; a second run changes nothing;
/// a failing step stops the script with a message naming it.
#[test]
fn bringup_script_runs_in_order_once_and_stops_on_failure() {
    require("shellcheck", "shellcheck");
    let mut engines = std::collections::BTreeSet::new();
    for (example, site) in examples() {
        let checked = bosun::check(&site).unwrap();
        let plan = bosun::plan::plan(&checked.site).unwrap();
        let first = &plan.hosts[plan.kube.control_planes[0]];
        let files = bosun::render::bringup::files(&plan, first).unwrap();
        let (_, tree) = bosun::compile(&site).unwrap();
        let tree = tree.unwrap().files;
        let seed = text(&tree[&format!("provisioning/cloud-init/{}/user-data", first.host.name)]);
        for f in &files {
            assert!(seed.contains(f.path), "{example}: the seed of {} lacks {}", first.host.name, f.path);
        }
        let gitops = checked.site.settings.as_ref().unwrap().gitops.as_ref().unwrap();
        let engine = bosun::model::spelled(&gitops.engine);
        engines.insert(engine.clone());
        let cni = bosun::packs::catalog::cni(checked.site.settings.as_ref().unwrap().kubernetes.as_ref().unwrap().cni);
        let content =
            |p: &str| &files.iter().find(|f| f.path == p).unwrap_or_else(|| panic!("{example}: no {p}")).content;
        use bosun::render::bringup::{CNI_VALUES, ENGINE_VALUES, ROOT, SCRIPT};
        assert_eq!(content(CNI_VALUES).as_bytes(), &tree[&format!("packs/{cni}/values.yaml")][..], "{example}");
        assert_eq!(content(ENGINE_VALUES).as_bytes(), &tree[&format!("packs/{engine}/values.yaml")][..], "{example}");
        let root = yaml_documents(content(ROOT));
        let in_tree = if engine == "argocd" { "gitops/root.yaml" } else { "gitops/gitrepository.yaml" };
        assert_eq!(root[0], yaml_documents(&text(&tree[in_tree]))[0], "{example}: root object");

        let fakes = Fakes::new(&files);
        let sc = run(Command::new("shellcheck").arg(fakes.path("bringup.sh")));
        assert!(sc.status.success(), "{example}: shellcheck:\n{}", text(&sc.stdout));
        let (ok1, err, calls) = fakes.run("");
        assert!(ok1, "{example}: first run failed: {err}\n{calls:?}");
        let steps: Vec<&String> = calls
            .iter()
            .filter(|c| changing(std::slice::from_ref(c)).len() == 1 || c.starts_with("kubectl wait"))
            .collect();
        let chart = |pack: &str| bosun::packs::builtin(pack).unwrap().chart.version();
        let (cni_release, cni_ns) = adopted_as(&tree, cni);
        let (engine_release, engine_ns) = adopted_as(&tree, &engine);
        assert_eq!(steps.len(), 5, "{example}: {steps:?}");
        assert!(steps[0].starts_with("kubeadm init"), "{example}: {steps:?}");
        let cni_line = format!("helm install {cni_release} ");
        assert!(steps[1].starts_with(&cni_line), "{example}: {steps:?}");
        assert!(steps[1].contains(&format!("--version {}", chart(cni))), "{example}: {}", steps[1]);
        assert!(steps[1].contains(&format!("-f {}/cni.values.yaml", fakes.path("bringup").display())), "{}", steps[1]);
        assert!(steps[1].contains(&format!("--namespace {cni_ns} ")), "{example}: {}", steps[1]);
        assert!(steps[2].starts_with("kubectl wait --for=condition=Ready nodes --all"), "{example}: {steps:?}");
        assert!(steps[3].starts_with(&format!("helm install {engine_release} ")), "{example}: {steps:?}");
        assert!(steps[3].contains(&format!("--version {}", chart(&engine))), "{example}: {}", steps[3]);
        assert!(
            steps[3].contains(&format!("-f {}/engine.values.yaml", fakes.path("bringup").display())),
            "{}",
            steps[3]
        );
        assert!(steps[3].contains(&format!("--namespace {engine_ns} ")), "{example}: {}", steps[3]);
        assert_eq!(steps[4], &format!("kubectl apply -f {}/root.yaml", fakes.path("bringup").display()), "{example}");
        let log = fs::read_to_string(fakes.path("bringup.log")).unwrap();
        assert!(log.contains("step engine") && log.contains("step finished"), "{example}: {log}");

        let (ok2, err2, again) = fakes.run("");
        assert!(ok2, "{example}: second run failed: {err2}");
        assert_eq!(
            changing(&again[calls.len()..]),
            Vec::<&String>::new(),
            "{example}: the second run changed something"
        );

        let failing = Fakes::new(&files);
        let (ok3, err3, calls3) = failing.run(&engine_release);
        assert!(!ok3, "{example}: a failing engine install must stop the script");
        assert!(
            err3.contains(&format!("FAILED at step 'engine': helm install {engine_release} failed")),
            "{example}: {err3}"
        );
        assert!(!calls3.iter().any(|c| c.starts_with("kubectl apply")), "{example}: went on after the failure");
        let log3 = fs::read_to_string(failing.path("bringup.log")).unwrap();
        assert!(log3.contains("FAILED at step 'engine'"), "{example}: {log3}");
        let _ = SCRIPT;
    }
    assert_eq!(engines.into_iter().collect::<Vec<_>>(), ["argocd", "flux"], "both engines are covered");
}

/// A copy of `example` whose gitops block names the secret `git-site`.
fn with_git_credentials(example: &str) -> tempfile::TempDir {
    copy_example(example, |t| {
        let lines: Vec<String> = t
            .lines()
            .map(|l| match l.trim_start().starts_with("gitops ") {
                true => format!("{l} {{\n        credentials \"git-site\"\n    }}"),
                false => l.to_string(),
            })
            .collect();
        format!("{}\nsecret \"git-site\" store=\"vault\" path=\"kv/site/git\"\n", lines.join("\n"))
    })
}

fn b64(s: &str) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s)
}

/// A private repository (`gitops { credentials }`), for both engines: the
/// script fetches the secret from the boot server and makes the engine's
/// repository Secret before the root object, through files (no value on a
/// command line, in the log or in the compiled tree), once; Flux's
/// GitRepository names that Secret. Without the published file the step
/// stops the script before the root.
#[test]
fn git_credentials_come_from_the_secret_before_the_root() {
    require("shellcheck", "shellcheck");
    let password = "pw-Zq81vXk3-private";
    let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAfakekeymaterial\n-----END OPENSSH PRIVATE KEY-----\n";
    let hosts = "git.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIhostkey\n";
    for (example, engine) in [("nauta-lab", "argocd"), ("research-commons", "flux")] {
        let dir = with_git_credentials(example);
        let site = dir.path().join("site.kdl");
        let checked = bosun::check(&site).unwrap();
        assert!(!checked.has_errors(), "{example}: {:?}", checked.diagnostics);
        let plan = bosun::plan::plan(&checked.site).unwrap();
        let files = bosun::render::bringup::files(&plan, &plan.hosts[plan.kube.control_planes[0]]).unwrap();
        let (_, tree) = bosun::compile(&site).unwrap();
        let tree = tree.unwrap().files;
        let (env, secret, ns, keys) = match engine {
            "argocd" => (
                format!("BOSUN_GIT_USERNAME=ci-Hq72-reader\nBOSUN_GIT_PASSWORD={password}\n"),
                bosun::render::bringup::ARGOCD_GIT_SECRET,
                "argocd",
                vec![("username", "ci-Hq72-reader".to_string()), ("password", password.to_string())],
            ),
            _ => (
                format!("BOSUN_GIT_SSH_KEY={}\nBOSUN_GIT_KNOWN_HOSTS={}\n", b64(key), b64(hosts)),
                "bosun-site-git",
                "flux-system",
                vec![("identity", key.to_string()), ("known_hosts", hosts.to_string())],
            ),
        };
        if engine == "flux" {
            let repo = &yaml_documents(&text(&tree["gitops/gitrepository.yaml"]))[0];
            assert_eq!(repo["spec"]["secretRef"]["name"], secret, "{example}: the GitRepository names the Secret");
            let plain = text(
                &bosun::compile(&root().join("site-examples").join(example).join("site.kdl")).unwrap().1.unwrap().files
                    ["gitops/gitrepository.yaml"],
            );
            assert!(!plain.contains("secretRef"), "{example}: secretRef without credentials");
        }
        let fakes = Fakes::new(&files);
        let sc = run(Command::new("shellcheck").arg(fakes.path("bringup.sh")));
        assert!(sc.status.success(), "{example}: shellcheck:\n{}", text(&sc.stdout));
        // The control: nothing published, so the step stops the script.
        let (ok0, err0, calls0) = fakes.run("");
        assert!(!ok0 && err0.contains("FAILED at step 'credentials'"), "{example}: {err0}");
        assert!(!calls0.iter().any(|c| c.contains("root.yaml")), "{example}: went on without credentials");
        fs::write(fakes.path("published/git-site.env"), &env).unwrap();
        let (ok1, err1, calls) = fakes.run("");
        assert!(ok1, "{example}: {err1}\n{calls:?}");
        let at = |p: &str| calls.iter().position(|c| c.starts_with(p)).unwrap_or_else(|| panic!("{example}: no {p}"));
        assert!(calls[at("curl ")].ends_with("/secrets/git-site.env"), "{example}: {calls:?}");
        let create = &calls[at("kubectl create secret generic")];
        assert!(create.contains(&format!("{secret} --namespace {ns} ")), "{example}: {create}");
        assert!(
            at("kubectl apply -f -") < at(&format!("kubectl apply -f {}", fakes.path("bringup/root.yaml").display()))
        );
        if engine == "argocd" {
            assert!(
                calls.contains(&"kubectl label --local -f - argocd.argoproj.io/secret-type=repository -o yaml".into())
            );
            assert!(create.contains("--from-literal=type=git --from-literal=url="), "{example}: {create}");
        }
        let applied = fs::read_to_string(fakes.path("state/applied")).unwrap();
        let log = fs::read_to_string(fakes.path("bringup.log")).unwrap();
        let said = format!("{}\n{log}\n{err1}", calls.join("\n"));
        for (name, value) in &keys {
            assert!(applied.contains(&format!("{name}: {}", b64(value))), "{example}: {name} not delivered: {applied}");
            for line in value.lines().filter(|l| !l.starts_with("-----")) {
                assert!(!said.contains(line) && !said.contains(&b64(value)), "{example}: {name} leaked");
                assert!(!tree.values().any(|b| text(b).contains(line)), "{example}: {name} compiled");
            }
        }
        let (ok2, err2, again) = fakes.run("");
        assert!(ok2, "{example}: second run: {err2}");
        let new = &again[calls.len()..];
        assert_eq!(changing(new), Vec::<&String>::new(), "{example}: the second run changed something");
        assert!(!new.iter().any(|c| c.starts_with("curl")), "{example}: fetched again: {new:?}");
    }
}

/// `systemd-analyze verify` of the units; (success, what it said).
fn verify_units(units: &[std::path::PathBuf]) -> (bool, String) {
    let out = run(Command::new("systemd-analyze").arg("verify").args(units));
    (out.status.success(), format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

/// The boot server's units of every example pass `systemd-analyze verify`
/// with nothing to say, and dnsmasq's runs the compiled configuration.
#[test]
fn boot_server_units_verify() {
    require("systemd-analyze", "systemd");
    for (example, site) in examples() {
        let (_, tree) = bosun::compile(&site).unwrap();
        let tree = tree.unwrap().files;
        let tmp = tempfile::tempdir().unwrap();
        let mut units = Vec::new();
        for (path, bytes) in tree.iter().filter(|(p, _)| p.starts_with("provisioning/bootserver/")) {
            let p = tmp.path().join(path.rsplit('/').next().unwrap());
            fs::write(&p, bytes).unwrap();
            units.push(p);
        }
        let names: Vec<String> = units.iter().map(|u| u.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert!(names.contains(&"bosun-dnsmasq.service".to_string()), "{example}: {names:?}");
        assert!(names.iter().any(|n| n.starts_with("bosun-http-")), "{example}: {names:?}");
        let dnsmasq = fs::read_to_string(tmp.path().join("bosun-dnsmasq.service")).unwrap();
        assert!(dnsmasq.contains("--conf-file=/srv/bosun/provisioning/dnsmasq/dnsmasq.conf"), "{example}");
        let (ok, said) = verify_units(&units);
        assert!(ok && said.trim().is_empty(), "{example}: systemd-analyze verify:\n{said}");
        // The control: a setting systemd does not know is reported.
        let bad = tmp.path().join("bosun-bad.service");
        fs::write(&bad, dnsmasq.replace("Restart=on-failure", "Restart=sometimes")).unwrap();
        let (_, said) = verify_units(&[bad]);
        assert!(said.contains("sometimes"), "{example}: verify missed a bad setting: {said}");
    }
}
