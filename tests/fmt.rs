//! `bosun fmt`: canonical, idempotent, comment-preserving, meaning-preserving.

mod support;

use support::{bosun, examples, text};

const MESSY: &str = r##"

// top comment
site   "s"   {
  domain "d"      // aligned trailing comment
      kubernetes version="1.31.4" {


pod-subnet "10.0.0.0/16"
  service-subnet "10.1.0.0/16" /* block
   keep   this */
      }

}
/* multi
     line */
network "n" { cidr "10.2.0.0/24"; }
host "a" { role "control-plane"; interface "e" network="n" address="10.2.0.10"; label #"x=y"#; }
team "t" { description "k  with  spaces"; }



host "b"    {
        role "worker"   // a worker
    label "k=spaced"
}
"##;

fn digest(path: &std::path::Path) -> String {
    let checked = bosun::check(path).unwrap();
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>());
    bosun::plan::plan(&checked.site).unwrap().digest
}

#[test]
fn every_example_is_already_formatted() {
    for (name, site) in examples() {
        let out = bosun(site.parent().unwrap(), &["fmt", "--check", "site.kdl"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}{}", text(&out.stdout), text(&out.stderr));
    }
}

#[test]
fn fmt_is_idempotent_keeps_comments_and_the_digest() {
    let formatted = bosun::fmt::format_text(MESSY).unwrap();
    assert_eq!(bosun::fmt::format_text(&formatted).unwrap(), formatted, "second pass changed the text");
    for comment in [
        "// top comment",
        "// aligned trailing comment",
        "/* block\n   keep   this */",
        "// a worker",
        "/* multi\n     line */",
    ] {
        assert!(formatted.contains(comment), "lost {comment:?}:\n{formatted}");
    }
    assert!(formatted.contains("description \"k  with  spaces\""), "string contents changed");
    assert!(formatted.starts_with("// top comment\nsite \"s\" {\n    domain \"d\"      // aligned"), "{formatted}");
    assert!(!formatted.contains("\n\n\n"), "{formatted}");

    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.kdl");
    std::fs::write(&site, MESSY).unwrap();
    let before = digest(&site);
    let check = bosun(dir.path(), &["fmt", "--check", "site.kdl"]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(text(&check.stdout), "site.kdl\n");
    assert_eq!(std::fs::read_to_string(&site).unwrap(), MESSY, "--check wrote");
    let run = bosun(dir.path(), &["fmt", "site.kdl"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(std::fs::read_to_string(&site).unwrap(), formatted);
    assert_eq!(digest(&site), before, "formatting changed the site's meaning");
    assert_eq!(bosun(dir.path(), &["fmt", "--check", "site.kdl"]).status.code(), Some(0));
}

#[test]
fn included_files_are_formatted_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("hosts")).unwrap();
    std::fs::write(dir.path().join("site.kdl"), "include \"hosts/*.kdl\"\n").unwrap();
    std::fs::write(dir.path().join("hosts/a.kdl"), "host \"a\" {\nrole \"worker\"\n}\n").unwrap();
    let out = bosun(dir.path(), &["fmt", "--check", "site.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "hosts/a.kdl\n");
    bosun(dir.path(), &["fmt", "site.kdl"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hosts/a.kdl")).unwrap(),
        "host \"a\" {\n    role \"worker\"\n}\n"
    );
}

#[test]
fn invalid_kdl_is_reported_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.kdl"), "site \"s\" {\n").unwrap();
    let out = bosun(dir.path(), &["fmt", "site.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not valid KDL"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("site.kdl")).unwrap(), "site \"s\" {\n");
}
