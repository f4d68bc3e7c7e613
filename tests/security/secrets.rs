//! See tests/security.rs. Secrets planted in a site or in another tool's
//! configuration never reach what bosun prints, in any format, nor a file it
//! writes: CI posts that output where anyone reading the pull request sees it.

use std::path::Path;

use super::support::*;

/// Every value planted below; none may appear anywhere.
const PLANTED: &[&str] = &[
    "73519286",
    "PlantedPass0001",
    "PlantedPw0002",
    "PlantedTok0003",
    "PlantedApi0004",
    "PlantedNgc0005",
    "PlantedPwd0006",
    "PlantedBmc0007",
    "PlantedNear0008",
    "4817.25",
];

/// Secrets in places a site can hold them: numeric and string `set …
/// value=`, names from the wider list, a child node of `values`, a BMC
/// property, and one on the line next to an unrelated mistake (whose
/// snippet shows the lines around it).
const PLANTED_SITE: &str = r#"
pack "kube-prometheus-stack" {
    set "db.password" value=73519286
    set "auth.pass" value="PlantedPass0001"
    set "api.pw" value="PlantedPw0002"
    set "pin.secret" value=4817.25
    values {
        hub tokenValue="PlantedTok0003" apiKeyValue="PlantedApi0004"
        nvidia_ngc_api_key "PlantedNgc0005"
        admin-pwd "PlantedPwd0006"
    }
}
host "bmc-planted" {
    role "worker"
    bmc address="192.168.100.250" credentials="kubeadm-join" password="PlantedBmc0007"
    interface "em1" mac="not-a-mac" network="internal" address="192.168.100.251"
    interface "em2" mac="aa:bb:cc:00:99:02" api_key="PlantedNear0008"
}
"#;

/// Secrets today's scanner let through (a number, `pw`, `tokenValue`,
/// `apiKeyValue` names): on their own they must stop the compile, too.
const UNFLAGGED_BEFORE: &str = r#"
pack "kube-prometheus-stack" {
    set "db.password" value=73519286
    set "api.pw" value="PlantedPw0002"
    values {
        hub tokenValue="PlantedTok0003" apiKeyValue="PlantedApi0004"
    }
}
"#;

/// A copy of the nauta-lab example with `extra` appended to its site.kdl.
fn site_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = root().join("site-examples/nauta-lab");
    for entry in std::fs::read_dir(&example).unwrap().filter_map(Result::ok) {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    let site = dir.path().join("site.kdl");
    let text = std::fs::read_to_string(&site).unwrap() + extra;
    std::fs::write(&site, text).unwrap();
    dir
}

fn leaks(what: &str, output: &str, planted: &[&str]) -> Vec<String> {
    planted.iter().filter(|p| output.contains(*p)).map(|p| format!("{what}: `{p}`")).collect()
}

/// Runs `bosun ARGS` in `dir` and lists the planted values in what it printed.
fn printed_leaks(dir: &Path, args: &[&str], planted: &[&str]) -> Vec<String> {
    let out = bosun(dir, args);
    let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "`bosun {}` must fail on a site with secrets:\n{printed}", args.join(" "));
    leaks(&args.join(" "), &printed, planted)
}

fn tree_leaks(dir: &Path, planted: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, bytes) in read_tree(dir) {
        found.extend(leaks(&format!("compiled file {path}"), &text(&bytes), planted));
    }
    found
}

#[test]
fn planted_secrets_reach_no_message_in_any_format() {
    let dir = site_with(PLANTED_SITE);
    let mut found = Vec::new();
    for format in ["human", "json", "github"] {
        found.extend(printed_leaks(dir.path(), &["check", "site.kdl", "--message-format", format], PLANTED));
        let args = ["compile", "site.kdl", "-o", "out", "--message-format", format];
        found.extend(printed_leaks(dir.path(), &args, PLANTED));
    }
    found.extend(tree_leaks(&dir.path().join("out"), PLANTED));
    assert!(found.is_empty(), "secret values printed or written:\n{}", found.join("\n"));
    // Each planted value is reported, not merely hidden.
    let out = bosun(dir.path(), &["check", "site.kdl", "--message-format", "json"]);
    let inline = text(&out.stdout).lines().filter(|l| l.contains("bosun::secret::inline-value")).count();
    assert_eq!(inline, PLANTED.len(), "{}", text(&out.stdout));
}

#[test]
fn numeric_and_newly_named_secrets_stop_the_compile() {
    let dir = site_with(UNFLAGGED_BEFORE);
    let planted = ["73519286", "PlantedPw0002", "PlantedTok0003", "PlantedApi0004"];
    let mut found = printed_leaks(dir.path(), &["compile", "site.kdl", "-o", "out"], &planted);
    found.extend(tree_leaks(&dir.path().join("out"), &planted));
    assert!(found.is_empty(), "secret values printed or written:\n{}", found.join("\n"));
}

#[test]
fn a_syntax_error_snippet_masks_the_secrets_around_it() {
    let dir = site_with("host \"broken\" {\n    password \"PlantedNear0008\"\n    role \"worker\" {\n");
    let found = printed_leaks(dir.path(), &["check", "site.kdl"], &["PlantedNear0008"]);
    assert!(found.is_empty(), "secret values printed:\n{}", found.join("\n"));
}

/// Runs an import in `dir` and lists the planted values it printed or wrote;
/// the imported site must pass `bosun check` but for the Slurm node facts
/// the report asks the user to fill in, with each secret named once.
fn import_leaks(dir: &Path, args: &[&str], planted: &[&str]) -> Vec<String> {
    let out = bosun(dir, args);
    let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{printed}");
    let kdl = std::fs::read_to_string(dir.join("site.kdl")).unwrap();
    let mut found = leaks("printed", &printed, planted);
    found.extend(leaks("site.kdl", &kdl, planted));
    let checked = bosun::check(&dir.join("site.kdl")).unwrap();
    let errors: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity() == bosun::diag::Severity::Error)
        .map(|d| d.code.id)
        .filter(|id| *id != "bosun::slurm::missing-facts" || !printed.contains("runs slurmd: write `cpu"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{printed}");
    let mut names: Vec<&str> = checked.site.secrets.iter().map(|s| s.name.as_str()).collect();
    let all = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all, "two secrets share a name:\n{kdl}");
    found
}

const NAUTA_PLANTED: &[&str] = &[
    "YourPassword",
    "S3cretValue1",
    "BecomePlanted2",
    "hvs.PlantedVaultToken000000000000",
    "MistypedPlanted3",
    "FeaturePlanted5",
    "ProxyPlanted6",
];

#[test]
fn nauta_import_never_prints_or_writes_a_credential() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("tests/fixtures/import/nauta");
    let inventory = std::fs::read_to_string(src.join("inventory")).unwrap().replace(
        "worker-3 ansible_ssh_host=192.168.100.106",
        "worker-3 ansible_ssh_host=192.168.100.106 ansible_password=S3cretValue1 ansible_ssh_pass=YourPassword \
         ansible_become_pass=BecomePlanted2 vault_token=hvs.PlantedVaultToken000000000000 pass=MistypedPlanted3",
    );
    std::fs::write(dir.path().join("inventory"), inventory).unwrap();
    let config = std::fs::read_to_string(src.join("config.yaml")).unwrap()
        + "\nfeatures_extra:\n  redsocks: true\nvault_token: hvs.PlantedVaultToken000000000000\n";
    let config = config
        .replace("http://proxy.example.com:911", "http://nauta:ProxyPlanted6@proxy.example.com:911")
        .replace("features_config:", "features_config:\n  password: FeaturePlanted5");
    std::fs::write(dir.path().join("config.yaml"), config).unwrap();
    let args = ["import", "nauta", "--inventory", "inventory", "--config", "config.yaml", "-o", "site.kdl"];
    let found = import_leaks(dir.path(), &args, NAUTA_PLANTED);
    assert!(found.is_empty(), "credential values printed or written:\n{}", found.join("\n"));

    // The real Nauta VirtualBox inventory, with passwords planted.
    let real = root().join("../shared/fixtures/realworld/nauta-virtualbox");
    if !real.is_dir() {
        return skip("../shared/fixtures/realworld/nauta-virtualbox is absent");
    }
    let inventory = std::fs::read_to_string(real.join("inventory")).unwrap().replace(
        "ansible_ssh_user=nauta",
        "ansible_ssh_user=nauta ansible_ssh_pass=S3cretValue1 ansible_password=S3cretValue1 pass=MistypedPlanted3",
    );
    std::fs::write(dir.path().join("inventory"), inventory).unwrap();
    std::fs::copy(real.join("config.yml"), dir.path().join("config.yaml")).unwrap();
    let found = import_leaks(dir.path(), &args, NAUTA_PLANTED);
    assert!(found.is_empty(), "credential values printed or written:\n{}", found.join("\n"));
}

const DEEPOPS_PLANTED: &[&str] = &[
    "DgxUser123",
    "ChangeMe123",
    "DgxBecome9",
    "AllVarsPlanted",
    "abcNgcPlanted0123456789",
    "abcdef.0123456789abcdef",
    "hvs.PlantedVaultToken000000000000",
    "ProxyPlanted7",
    "ReplaceWithASecurePasswordInTheVault",
    "NetApp!23",
];

#[test]
fn deepops_import_never_prints_or_writes_a_credential() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("tests/fixtures/import/deepops/config");
    let inventory = std::fs::read_to_string(src.join("inventory"))
        .unwrap()
        .replace("ansible_ssh_pass=DgxUser123", "ansible_ssh_pass=DgxUser123 ansible_become_pass=DgxBecome9")
        .replace("[all:vars]", "[all:vars]\nansible_password=AllVarsPlanted");
    std::fs::write(dir.path().join("inventory"), inventory).unwrap();
    let gv = dir.path().join("group_vars");
    std::fs::create_dir(&gv).unwrap();
    for f in ["all.yml", "k8s-cluster.yml", "slurm-cluster.yml"] {
        std::fs::copy(src.join("group_vars").join(f), gv.join(f)).unwrap();
    }
    let extra = "\nnvidia_ngc_api_key: abcNgcPlanted0123456789\nk8s_join_token: abcdef.0123456789abcdef\n\
                 vault_token: hvs.PlantedVaultToken000000000000\n";
    let all = std::fs::read_to_string(gv.join("all.yml")).unwrap() + extra;
    let all = all.replace("http_proxy: \"\"", "http_proxy: http://ops:ProxyPlanted7@proxy:3128");
    std::fs::write(gv.join("all.yml"), all).unwrap();
    // The real DeepOps group_vars hold passwords of their own (Slurm, NetApp).
    let real = root().join("../shared/fixtures/realworld/deepops-23.08/group_vars");
    if real.is_dir() {
        std::fs::copy(real.join("netapp-trident.yml"), gv.join("netapp-trident.yml")).unwrap();
        // Its Slurm file's other settings do not import; its passwords do.
        let slurm = std::fs::read_to_string(real.join("slurm-cluster.yml")).unwrap();
        let passwords: String =
            slurm.lines().filter(|l| l.starts_with("slurm_") && l.contains("password:")).collect::<Vec<_>>().join("\n");
        assert!(passwords.contains("ReplaceWithASecurePasswordInTheVault"), "{passwords}");
        let ours = std::fs::read_to_string(gv.join("slurm-cluster.yml")).unwrap();
        std::fs::write(gv.join("slurm-cluster.yml"), format!("{ours}\n{passwords}\n")).unwrap();
    } else {
        skip("../shared/fixtures/realworld/deepops-23.08 is absent");
    }
    let args = ["import", "deepops", "--inventory", "inventory", "--group-vars", "group_vars", "-o", "site.kdl"];
    let found = import_leaks(dir.path(), &args, DEEPOPS_PLANTED);
    assert!(found.is_empty(), "credential values printed or written:\n{}", found.join("\n"));
}
