use super::render::{Format, markdown_within, render};
use super::*;

fn files(entries: &[(&str, &str)]) -> Files {
    entries.iter().map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())).collect()
}

const QUOTA: &str = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n  namespace: speech\nspec:\n  hard:\n    requests.cpu: \"64\"\n    requests.nvidia.com/gpu: \"8\"\n";
const QUOTA_REORDERED: &str = "kind: ResourceQuota\nspec:\n  hard:\n    requests.nvidia.com/gpu: \"8\"\n    requests.cpu: \"64\"\nmetadata:\n  namespace: speech\n  name: quota\napiVersion: v1\n";
const KUBEADM: &str = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\nnodeRegistration:\n  name: w0\n---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n";
const KUBEADM_REORDERED: &str = "kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\ncgroupDriver: systemd\n---\nnodeRegistration:\n  name: w0\nkind: JoinConfiguration\napiVersion: kubeadm.k8s.io/v1beta4\n";

#[test]
fn reordered_keys_and_documents_are_no_change() {
    let old = files(&[("cluster/q.yaml", QUOTA), ("kubeadm/w0.yaml", KUBEADM)]);
    let new = files(&[("cluster/q.yaml", QUOTA_REORDERED), ("kubeadm/w0.yaml", KUBEADM_REORDERED)]);
    let r = review(&old, &new);
    assert!(!r.has_changes(), "{:?}", r.files);
    assert_eq!(r.layout_only, ["cluster/q.yaml", "kubeadm/w0.yaml"]);
    assert!(r.summary.resources.is_empty());
}

#[test]
fn one_changed_field_is_one_path_with_old_and_new() {
    let old = files(&[("cluster/q.yaml", QUOTA)]);
    let new = files(&[("cluster/q.yaml", &QUOTA_REORDERED.replace("gpu: \"8\"", "gpu: \"16\""))]);
    let r = review(&old, &new);
    let [file] = &r.files[..] else { panic!("{:?}", r.files) };
    let Body::Documents(docs) = &file.body else { panic!("{:?}", file.body) };
    let [doc] = &docs[..] else { panic!("{docs:?}") };
    assert_eq!(doc.key.label(), "ResourceQuota speech/quota");
    assert_eq!(
        doc.fields,
        [FieldChange {
            path: "spec.hard[\"requests.nvidia.com/gpu\"]".into(),
            old: Some("8".into()),
            new: Some("16".into())
        }]
    );
    assert_eq!(r.summary.resources.len(), 1);
    assert_eq!(r.summary.resources[0].changed, 1);
    assert_eq!(r.summary.blast.quota, ["speech"]);
}

#[test]
fn a_list_of_named_items_is_matched_by_name() {
    let old = "kind: X\nmetadata:\n  name: x\nsubjects:\n  - name: a\n    kind: User\n  - name: b\n    kind: User\n";
    let new = "kind: X\nmetadata:\n  name: x\nsubjects:\n  - name: new\n    kind: User\n  - name: a\n    kind: User\n  - name: b\n    kind: Group\n";
    let docs = resources::compare(Some(old.as_bytes()), Some(new.as_bytes())).unwrap();
    let paths: Vec<&str> = docs[0].fields.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["subjects[name=\"b\"].kind", "subjects[name=\"new\"]"]);
}

#[test]
fn an_insertion_in_a_plain_list_is_one_path() {
    let old = "resources:\n  - a.yaml\n  - b.yaml\n";
    let new = "resources:\n  - a.yaml\n  - a2.yaml\n  - b.yaml\n";
    let docs = resources::compare(Some(old.as_bytes()), Some(new.as_bytes())).unwrap();
    assert_eq!(docs[0].key.label(), "document 1");
    assert_eq!(docs[0].fields, [FieldChange { path: "resources[1]".into(), old: None, new: Some("a2.yaml".into()) }]);
}

#[test]
fn yaml_that_does_not_parse_and_other_files_are_text_diffs() {
    let old = files(&[("a.yaml", "a: [\n"), ("b.conf", "x=1\r\ny=2\r\n"), ("c.conf", "same\r\n")]);
    let new = files(&[("a.yaml", "a: [1\n"), ("b.conf", "x=1\ny=3\n"), ("c.conf", "same\n")]);
    let r = review(&old, &new);
    assert_eq!(r.files.len(), 2);
    assert!(matches!(&r.files[0].body, Body::Text(d) if d.contains("+a: [1")));
    assert_eq!(r.files[1].body, Body::Text("@@ -1,2 +1,2 @@\n x=1\n-y=2\n+y=3\n".into()));
    assert_eq!(r.layout_only, ["c.conf"]);
}

#[test]
fn hosts_and_their_boot_files_are_found_by_path_and_mac() {
    let dnsmasq = |mac: &str| format!("dhcp-host={mac},10.0.0.5,w0,12h\nhost-record=w0-em2.lab,10.1.0.5\n");
    let old = files(&[
        ("provisioning/dnsmasq/dnsmasq.conf", &dnsmasq("aa:bb:cc:00:00:01")),
        ("provisioning/tftp/ipxe/aa-bb-cc-00-00-01.ipxe", "#!ipxe\n"),
        ("provisioning/tftp/boot.ipxe", "#!ipxe\nchain a\n"),
        ("provisioning/cloud-init/w0/user-data", "#cloud-config\nhostname: w0\n"),
        ("kubeadm/w0.yaml", "kind: JoinConfiguration\n"),
    ]);
    let new = files(&[
        ("provisioning/dnsmasq/dnsmasq.conf", &dnsmasq("aa:bb:cc:00:00:02")),
        ("provisioning/tftp/ipxe/aa-bb-cc-00-00-02.ipxe", "#!ipxe\n"),
        ("provisioning/tftp/boot.ipxe", "#!ipxe\nchain b\n"),
        ("provisioning/cloud-init/w0/user-data", "#cloud-config\nhostname: w0\n"),
        ("provisioning/cloud-init/w1/user-data", "#cloud-config\nhostname: w1\n"),
        ("kubeadm/w0.yaml", "kind: JoinConfiguration\n"),
    ]);
    let s = review(&old, &new).summary;
    assert_eq!(s.hosts.added, ["w1"]);
    assert_eq!(s.hosts.changed.keys().collect::<Vec<_>>(), ["w0"]);
    assert_eq!(s.blast.reprovisioned, ["w0"]);
    assert_eq!(s.blast.shared_boot, ["provisioning/tftp/boot.ipxe"]);
}

#[test]
fn an_application_syncs_when_a_file_it_reads_changes() {
    let app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: hub\n  namespace: argocd\nspec:\n  sources:\n    - chart: hub\n      helm:\n        valueFiles:\n          - $values/sites/lab/packs/hub/values.yaml\n";
    let old = files(&[("gitops/apps/hub.yaml", app), ("packs/hub/values.yaml", "a: 1\n")]);
    let new = files(&[("gitops/apps/hub.yaml", app), ("packs/hub/values.yaml", "a: 2\n")]);
    assert_eq!(review(&old, &new).summary.blast.syncs, ["Application argocd/hub"]);
}

#[test]
fn markdown_is_cut_to_its_budget_with_a_note() {
    let old = Files::new();
    let new: Files = (0..40)
        .map(|i| (format!("f{i:02}.txt"), (0..50).map(|l| format!("line {l}\n")).collect::<String>().into_bytes()))
        .collect();
    let r = review(&old, &new);
    let md = markdown_within(&r, "t", 4_000);
    assert!(md.chars().count() <= 4_000, "{}", md.chars().count());
    assert!(md.contains("more files /") && md.contains("lines not shown"), "{md}");
    let whole = render(&r, Format::Markdown, "t");
    assert!(!whole.contains("not shown"), "40 small files fit the real budget");
}

#[test]
fn a_fence_is_longer_than_any_backtick_run_in_the_diff() {
    let new = files(&[("a.md", "````\ncode\n````\n")]);
    let md = render(&review(&Files::new(), &new), Format::Markdown, "t");
    assert!(md.contains("`````diff\n"), "{md}");
}

#[test]
fn terminal_colour_only_when_asked() {
    let r = review(&Files::new(), &files(&[("a.txt", "x\n")]));
    assert!(!render(&r, Format::Terminal { colour: false }, "t").contains('\x1b'));
    assert!(render(&r, Format::Terminal { colour: true }, "t").contains("\x1b[32m+x"));
}

#[test]
fn markdown_escapes_paths_for_html_and_names_for_markdown() {
    let new = files(&[("packs/a_b/<x>.txt", "1\n")]);
    let md = render(&review(&Files::new(), &new), Format::Markdown, "t");
    assert!(md.contains("<summary><code>packs/a_b/&lt;x&gt;.txt</code> — added</summary>"), "{md}");
}

#[test]
fn a_changed_multi_line_string_shows_its_changed_lines() {
    let old =
        files(&[("provisioning/cloud-init/h/user-data", "write_files:\n  - content: |\n      a\n      b\n      c\n")]);
    let new =
        files(&[("provisioning/cloud-init/h/user-data", "write_files:\n  - content: |\n      a\n      B\n      c\n")]);
    let text = render(&review(&old, &new), Format::Terminal { colour: false }, "t");
    assert!(text.contains("   write_files[0].content: (text)\n"), "{text}");
    assert!(text.contains("\n  -   b\n  +   B\n"), "{text}");
}

/// A compiled tree of these files and its MANIFEST.
fn tree(entries: &[(&str, &str)]) -> crate::write::Tree {
    let mut files = files(entries);
    let manifest = crate::write::manifest::render(&files, "sha256:test");
    files.insert(crate::write::manifest::NAME.to_string(), manifest.into_bytes());
    crate::write::Tree { files }
}

/// What `compile --check` compares: the files the tree writes and those the
/// folder's MANIFEST says bosun wrote; other files are left out, nothing is
/// written, and a missing folder is empty.
#[test]
fn check_reads_what_a_commit_would_touch_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let old = tree(&[("a/b.txt", "1"), ("c.txt", "2"), ("gone.txt", "3")]);
    assert!(read_for_check(&dir.path().join("missing"), &old).unwrap().files.is_empty(), "a missing folder is empty");
    crate::write::commit(dir.path(), &old, false).unwrap();
    assert!(review(&read_for_check(dir.path(), &old).unwrap().files, &old.files).files.is_empty());
    std::fs::write(dir.path().join("foreign.txt"), "not bosun's").unwrap();
    let new = tree(&[("a/b.txt", "1"), ("c.txt", "changed"), ("d.txt", "4")]);
    let r = review(&read_for_check(dir.path(), &new).unwrap().files, &new.files);
    let changes: Vec<(&str, Status)> = r.files.iter().map(|f| (f.path.as_str(), f.status)).collect();
    assert_eq!(
        changes,
        [
            ("c.txt", Status::Modified),
            ("d.txt", Status::Added),
            ("gone.txt", Status::Removed),
            ("MANIFEST", Status::Modified)
        ]
    );
    assert!(!dir.path().join("d.txt").exists() && dir.path().join("gone.txt").exists());
}

/// `unchanged` answers yes exactly when reading the folder would find no change.
#[test]
fn unchanged_agrees_with_reading_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let old = tree(&[("a/b.txt", "1"), ("c.txt", "2"), ("gone.txt", "3")]);
    crate::write::commit(dir.path(), &old, false).unwrap();
    std::fs::write(dir.path().join("foreign.txt"), "not bosun's").unwrap();
    let same = |t: &crate::write::Tree| {
        let answer = unchanged(dir.path(), t).unwrap();
        let found = review(&read_for_check(dir.path(), t).unwrap().files, &t.files);
        assert_eq!(answer, found.files.is_empty() && found.layout_only.is_empty());
        answer
    };
    assert!(same(&old), "a folder just written, beside a foreign file");
    assert!(!same(&tree(&[("a/b.txt", "1"), ("c.txt", "changed"), ("gone.txt", "3")])), "a changed file");
    assert!(!same(&tree(&[("a/b.txt", "1"), ("c.txt", "2")])), "a file the MANIFEST lists, to be removed");
    assert!(!same(&tree(&[("a/b.txt", "1"), ("c.txt", "2"), ("gone.txt", "3"), ("new", "4")])), "a new file");
    std::fs::remove_file(dir.path().join("c.txt")).unwrap();
    assert!(!same(&old), "a file deleted by hand");
    assert!(!unchanged(&dir.path().join("missing"), &old).unwrap(), "a missing folder");
}
