//! Golden review: ten typical edits to a site example, each compiled with
//! the real binary and reviewed against golden/<example> (`compile --check
//! --format markdown`). The markdown is compared with tests/review/<edit>.md
//! (`BOSUN_BLESS=1 cargo test --test review` rewrites them), must parse as
//! CommonMark and fit a pull-request comment.
//!
//! Adding a case: add an `Edit` to `EDITS`; its `apply` changes the copied
//! example with `replace`, which fails when the text to change is gone, so
//! an edited example cannot silently turn a case into a no-op.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::*;

struct Edit {
    name: &'static str,
    example: &'static str,
    apply: fn(&Path),
}

/// Replaces `from` with `to` in `file` under the copied site; the text must be there.
fn replace(site: &Path, file: &str, from: &str, to: &str) {
    let path = site.join(file);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.contains(from), "{file} no longer contains {from:?}: update this edit");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

const EDITS: &[Edit] = &[
    Edit {
        name: "add-a-host",
        example: "nauta-lab",
        apply: |s| {
            let host = r#"host "worker-5" {
    role "worker"
    interface "em2" mac="24:6e:96:1a:46:02" network="provisioning" address="192.168.10.108"
    interface "p3p1" mac="f4:e9:d4:72:16:01" network="internal" address="192.168.100.108"
    interface "p3p2" mac="f4:e9:d4:72:16:02" network="data" address="172.20.0.108"
    interface "em1" mac="24:6e:96:1a:46:01" network="external" dhcp=#true
}

// Storage ---"#;
            replace(s, "site.kdl", "// Storage ---", host);
        },
    },
    Edit {
        name: "change-a-mac",
        example: "nauta-lab",
        apply: |s| replace(s, "site.kdl", r#"mac="24:6e:96:1a:42:02""#, r#"mac="24:6e:96:1a:42:0f""#),
    },
    Edit {
        name: "add-a-team",
        example: "nauta-lab",
        apply: |s| {
            let team = r#"team "robotics" {
    description "Grasping policies."
    institution "Intel AI Lab"
    admin "lab-admin"
    member "john-doe"
    quota cpu=32 memory="128Gi" storage="500Gi"
}

// Secrets ---"#;
            replace(s, "site.kdl", "// Secrets ---", team);
        },
    },
    Edit {
        name: "change-a-quota",
        example: "nauta-lab",
        apply: |s| replace(s, "site.kdl", "quota cpu=64 memory=\"256Gi\"", "quota cpu=80 memory=\"256Gi\""),
    },
    Edit {
        name: "bump-a-pack-version",
        example: "nauta-lab",
        // Built-in packs are pinned by the compiler, so the site's own pack
        // folder is bumped: see `pack_bump_base`.
        apply: |s| replace(s, "packs/lab-notebooks/pack.kdl", r#"version="4.3.1""#, r#"version="4.3.2""#),
    },
    Edit {
        name: "switch-the-gitops-engine",
        example: "nauta-lab",
        apply: |s| replace(s, "site.kdl", r#"gitops engine="argocd""#, r#"gitops engine="flux""#),
    },
    Edit {
        name: "add-a-gpu-pool",
        example: "dgx-pod",
        apply: |s| {
            let pool = r#"// Storage ---"#;
            let added = r#"gpu-pool "a100-train" {
    vendor "nvidia"
    model "A100-SXM4-40GB"
    gpus-per-host 8
    mig strategy="none"
    taint "nvidia.com/gpu=present:NoSchedule"
}

// Storage ---"#;
            replace(s, "site.kdl", pool, added);
            let dgx = fs::read_to_string(s.join("hosts/dgx.kdl")).unwrap();
            let last = dgx.rfind("gpu-pool \"a100\"").expect("a host in pool a100");
            fs::write(s.join("hosts/dgx.kdl"), format!("{}gpu-pool \"a100-train\"{}", &dgx[..last], &dgx[last + 15..]))
                .unwrap();
        },
    },
    Edit {
        name: "change-the-kubernetes-version",
        example: "nauta-lab",
        apply: |s| replace(s, "site.kdl", r#"kubernetes version="1.31.4""#, r#"kubernetes version="1.32.3""#),
    },
    Edit {
        name: "add-a-storage-class",
        example: "nauta-lab",
        apply: |s| {
            let class = r#"class "nauta-scratch" backend="input" type="nfs" access="ReadWriteMany" reclaim="Delete"
}"#;
            replace(s, "site.kdl", "default=#true\n}", &format!("default=#true\n    {class}"));
        },
    },
    Edit {
        name: "rename-a-user",
        example: "nauta-lab",
        apply: |s| {
            replace(s, "site.kdl", r#"user "intern1""#, r#"user "intern2""#);
            replace(s, "site.kdl", r#"member "intern1""#, r#"member "intern2""#);
        },
    },
];

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The pack-bump case starts from nauta-lab with a pack folder of its own
/// (compiled into `base`), as built-in packs have no version in the site.
fn pack_bump_base(site: &Path, base: &Path) {
    let folder = site.join("packs/lab-notebooks");
    fs::create_dir_all(&folder).unwrap();
    fs::write(
        folder.join("pack.kdl"),
        "name \"lab-notebooks\"\nversion \"1.0.0\"\n\
         chart repository=\"https://hub.jupyter.org/helm-chart\" name=\"jupyterhub\" version=\"4.3.1\"\n\
         namespace \"notebooks\"\n",
    )
    .unwrap();
    fs::write(folder.join("values.yaml.tera"), "hub:\n  baseUrl: /notebooks\n").unwrap();
    replace(
        site,
        "site.kdl",
        "pack \"jupyterhub\" {",
        "pack \"lab-notebooks\" source=\"packs/lab-notebooks\"\npack \"jupyterhub\" {",
    );
    let out = bosun(site, &["compile", "site.kdl", "-o", &base.display().to_string()]);
    assert!(out.status.success(), "base with a pack folder compiles:\n{}", text(&out.stderr));
}

/// Runs one edit; returns the markdown review and the exit code.
fn review_of(edit: &Edit, tmp: &Path) -> (String, Option<i32>) {
    let site = tmp.join(edit.example);
    copy_dir(&root().join("site-examples").join(edit.example), &site);
    let golden: PathBuf = root().join("golden").join(edit.example);
    let base = if edit.name == "bump-a-pack-version" {
        let base = tmp.join("base");
        pack_bump_base(&site, &base);
        base
    } else {
        golden
    };
    (edit.apply)(&site);
    let after = tmp.join("after");
    let out = bosun(&site, &["compile", "site.kdl", "-o", &after.display().to_string()]);
    assert!(out.status.success(), "{}: the edited site compiles:\n{}", edit.name, text(&out.stderr));
    // Relative names keep the heading the same on every machine.
    let name = format!("golden/{}", edit.example);
    let link = tmp.join("golden");
    fs::create_dir_all(&link).unwrap();
    copy_dir(&base, &link.join(edit.example));
    let out = bosun(tmp, &["diff", &name, "after", "--format", "markdown"]);
    (text(&out.stdout), out.status.code())
}

#[test]
fn ten_typical_edits_review_as_their_golden_markdown() {
    let mut failures = Vec::new();
    for edit in EDITS {
        let tmp = tempfile::tempdir().unwrap();
        let (markdown, code) = review_of(edit, tmp.path());
        assert_eq!(code, Some(1), "{}: a change exits 1:\n{markdown}", edit.name);
        check_markdown(edit.name, &markdown);
        let expected = root().join("tests/review").join(format!("{}.md", edit.name));
        if blessing() {
            fs::create_dir_all(expected.parent().unwrap()).unwrap();
            fs::write(&expected, &markdown).unwrap();
            continue;
        }
        let want = fs::read_to_string(&expected).unwrap_or_default();
        if want != markdown {
            failures.push(format!(
                "{} differs from tests/review/{}.md (BOSUN_BLESS=1 to accept):\n{}",
                edit.name,
                edit.name,
                similar::TextDiff::from_lines(&want, &markdown).unified_diff().header("expected", "actual")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// CommonMark, within the budget, every `<details>` closed, a truncation
/// note when cut.
fn check_markdown(name: &str, markdown: &str) {
    use pulldown_cmark::{Event, Parser, Tag};
    let chars = markdown.chars().count();
    assert!(chars < 60_000, "{name}: {chars} characters");
    let mut code_blocks = 0;
    for event in Parser::new(markdown) {
        if let Event::Start(Tag::CodeBlock(_)) = event {
            code_blocks += 1;
        }
    }
    let opened = markdown.matches("<details>").count();
    assert_eq!(opened, markdown.matches("</details>").count(), "{name}: unbalanced <details>");
    assert_eq!(code_blocks, opened, "{name}: one diff block per file section");
    assert!(markdown.starts_with("## bosun review"), "{name}: the summary comes first");
    if markdown.contains("not shown") {
        assert!(markdown.contains("more files /"), "{name}: a cut review says how much it left out");
    }
}

#[test]
fn every_review_golden_file_has_an_edit() {
    let names: Vec<String> = EDITS.iter().map(|e| format!("{}.md", e.name)).collect();
    let dangling = dangling(&root().join("tests/review"), &names);
    assert!(dangling.is_empty(), "tests/review files without an edit: {dangling:?}");
}

/// The acceptance line: every example's golden tree passes `--check`, and a
/// one-line edit fails it naming the changed resource.
#[test]
fn check_passes_on_golden_and_names_the_resource_a_one_line_edit_changes() {
    for (name, site) in examples() {
        let golden = root().join("golden").join(&name);
        let args = |site: &Path| {
            ["compile", &site.display().to_string(), "--check", "-o", &golden.display().to_string()].map(String::from)
        };
        let run = |site: &Path| {
            let a = args(site);
            bosun(&root(), &a.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let clean = run(&site);
        assert_eq!(clean.status.code(), Some(0), "{name}:\n{}{}", text(&clean.stdout), text(&clean.stderr));

        let tmp = tempfile::tempdir().unwrap();
        copy_dir(site.parent().unwrap(), tmp.path());
        // The first team quota in the site's files, one CPU more.
        let file = walkdir::WalkDir::new(tmp.path())
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .find(|p| {
                p.extension().is_some_and(|e| e == "kdl") && fs::read_to_string(p).unwrap().contains("quota cpu=")
            })
            .unwrap_or_else(|| panic!("{name}: no team quota to edit"));
        let body = fs::read_to_string(&file).unwrap();
        let at = body.find("quota cpu=").unwrap() + "quota cpu=".len();
        let digits: String = body[at..].chars().take_while(char::is_ascii_digit).collect();
        let bumped = digits.parse::<u32>().unwrap() + 1;
        fs::write(&file, format!("{}{bumped}{}", &body[..at], &body[at + digits.len()..])).unwrap();
        let edited = run(&tmp.path().join("site.kdl"));
        let out = text(&edited.stdout);
        assert_eq!(edited.status.code(), Some(1), "{name}:\n{out}{}", text(&edited.stderr));
        assert!(
            out.contains("@@ ResourceQuota ") && out.contains("requests.cpu"),
            "{name}: names the resource:\n{out}"
        );
    }
}

#[test]
fn reordered_keys_and_documents_in_a_compiled_tree_are_no_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let golden = root().join("golden/nauta-lab");
    copy_dir(&golden, tmp.path());
    // Reverse the top-level keys of a quota and the documents of a kubeadm file.
    let quota = tmp.path().join("cluster/quotas/resourcequota-speech.quota.yaml");
    let text_of = fs::read_to_string(&quota).unwrap();
    let mut blocks: Vec<String> = Vec::new();
    for line in text_of.lines() {
        if line.starts_with(' ') {
            blocks.last_mut().unwrap().push_str(&format!("\n{line}"));
        } else {
            blocks.push(line.to_string());
        }
    }
    blocks.reverse();
    fs::write(&quota, blocks.join("\n") + "\n").unwrap();
    let kubeadm = tmp.path().join("kubeadm/worker-0.yaml");
    let mut docs: Vec<String> = fs::read_to_string(&kubeadm).unwrap().split("---\n").map(String::from).collect();
    docs.reverse();
    fs::write(&kubeadm, docs.join("---\n")).unwrap();

    let out = bosun(&root(), &["diff", &golden.display().to_string(), &tmp.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("2 more differ in layout only"), "{}", text(&out.stdout));

    // One field changed: exactly one changed path in the JSON review.
    fs::write(&quota, fs::read_to_string(&quota).unwrap().replace("requests.cpu: \"64\"", "requests.cpu: \"65\""))
        .unwrap();
    let out =
        bosun(&root(), &["diff", &golden.display().to_string(), &tmp.path().display().to_string(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{json:#}");
    let fields = &files[0]["documents"][0]["fields"];
    assert_eq!(fields, &serde_json::json!([{ "path": "spec.hard[\"requests.cpu\"]", "old": "64", "new": "65" }]));
}

#[test]
fn diff_of_a_missing_folder_is_a_usage_error() {
    let out = bosun(&root(), &["diff", "golden/nauta-lab", "no-such-folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("bosun::review::not-a-folder"), "{}", text(&out.stderr));
}

/// A change that touches every host of the largest example is cut to fit a
/// pull-request comment, and says so.
#[test]
fn a_review_too_big_for_a_comment_is_cut_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("research-commons");
    copy_dir(&root().join("site-examples/research-commons"), &site);
    replace(&site, "site.kdl", r#"kubernetes version="1.33.2""#, r#"kubernetes version="1.32.3""#);
    replace(&site, "site.kdl", r#"domain "nautilus.example.edu""#, r#"domain "nautilus.example.org""#);
    let golden = root().join("golden/research-commons");
    let out = bosun(
        &root(),
        &[
            "compile",
            &site.join("site.kdl").display().to_string(),
            "--check",
            "-o",
            &golden.display().to_string(),
            "--format",
            "markdown",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let markdown = text(&out.stdout);
    check_markdown("research-commons", &markdown);
    assert!(markdown.contains("**Truncated:** … ") && markdown.contains(" more files / "), "{markdown}");
}
