use serde_json::json;

use super::*;
use crate::diag::Diagnostics;

fn lower(text: &str) -> (Structured, Vec<&'static str>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.kdl");
    std::fs::write(&path, text).unwrap();
    let mut diags = Diagnostics::default();
    let parsed = crate::parse::parse(&path, &mut diags).unwrap();
    let s = structure(&parsed, &mut diags);
    let codes = diags.sorted().iter().map(|d| d.code.id).collect();
    (s, codes)
}

const SITE: &str = r#"site "s" { domain "d"; kubernetes version="1.31.4" { pod-subnet "10.0.0.0/16"; service-subnet "10.1.0.0/16"; cert-san "a" "b"; cert-san "c"; } }
network "n" { cidr "10.2.0.0/24"; }
host "h" { role "worker"; interface "e0" mac="aa:bb:cc:dd:ee:ff" network="n"; label "a=b"; }
"#;

#[test]
fn nodes_map_to_json_by_the_schema() {
    let (s, codes) = lower(SITE);
    assert!(codes.is_empty(), "{codes:?}");
    assert_eq!(s.doc["site"]["kubernetes"]["cert-san"], json!(["a", "b", "c"]));
    assert_eq!(s.doc["host"][0]["interface"][0], json!({"name": "e0", "mac": "aa:bb:cc:dd:ee:ff", "network": "n"}));
    assert_eq!(s.doc["host"][0]["label"], json!(["a=b"]));
    assert!(s.broken.is_empty());
}

#[test]
fn every_value_keeps_its_span() {
    let (s, _) = lower(SITE);
    let span = s.index.value("/host/0/interface/0/mac").unwrap();
    assert_eq!(&SITE[span.range()], "\"aa:bb:cc:dd:ee:ff\"");
    let key = s.index.get("/site/kubernetes/version").unwrap().key.unwrap();
    assert_eq!(&SITE[key.range()], "version");
    let third = s.index.value("/site/kubernetes/cert-san/2").unwrap();
    assert_eq!(&SITE[third.range()], "\"c\"");
}

#[test]
fn shape_errors_are_found_while_lowering() {
    let text = SITE
        .replace("role \"worker\";", "role \"worker\"; role \"worker\"; mac \"x\"; imag \"u\";")
        .replace("network \"n\" { cidr \"10.2.0.0/24\"; }", "network \"n\" cidr=\"10.2.0.0/24\"");
    let (_, codes) = lower(&text);
    assert_eq!(
        codes,
        [
            "bosun::schema::wrong-form",
            "bosun::schema::duplicate-setting",
            "bosun::schema::unknown-node",
            "bosun::schema::unknown-node"
        ]
    );
}

#[test]
fn schema_errors_point_at_the_value_and_mark_it_broken() {
    let (s, codes) = lower(&SITE.replace("role \"worker\"", "role \"wrker\""));
    assert_eq!(codes, ["bosun::schema::invalid-value"]);
    assert_eq!(s.broken, ["/host/0/role"]);
}

#[test]
fn describe_names_objects_as_users_write_them() {
    let (s, _) = lower(SITE);
    assert_eq!(describe(&s.doc, "/host/0/interface/0"), "`interface \"e0\"` in `host \"h\"`");
    assert_eq!(describe(&s.doc, "/site/kubernetes"), "`kubernetes` in `site \"s\"`");
    assert_eq!(describe(&s.doc, ""), "the site");
}

fn loc(n: usize) -> Loc {
    let s = Span::new(FileId(0), n, n + 1);
    Loc { key: None, value: s }
}

#[test]
fn the_index_answers_by_pointer() {
    let mut index = SpanIndex::default();
    index.insert("", loc(0));
    index.insert("/host/0/a~1b", loc(1));
    index.insert("/host/0/a~1b", loc(2));
    index.insert("/host/10", loc(3));
    assert_eq!(index.get("/host/0/a~1b"), Some(loc(1)), "the first location is kept");
    assert_eq!(index.get("/host/0"), None);
    assert_eq!(index.get("host/10"), None);
    assert_eq!(index.nearest("/host/0/a~1b/x/y"), Some(loc(1)));
    assert_eq!(index.nearest("/host/0/c"), Some(loc(0)));
    assert_eq!(index.nearest("/host/01"), Some(loc(0)), "`01` is not the index 1");
    assert_eq!(index.nearest("x"), None);
}

#[test]
fn index_subtrees_are_listed_copied_and_removed() {
    let mut index = SpanIndex::default();
    index.insert("/d/0", loc(1));
    index.insert("/d/0/name", loc(2));
    index.insert("/d/0/x/10", loc(3));
    index.insert("/d/0/x/9", loc(4));
    index.insert("/d/00", loc(5));
    let rest: Vec<String> = index.subtree("/d/0").into_iter().map(|(r, _)| r).collect();
    assert_eq!(rest, ["", "/name", "/x/10", "/x/9"]);
    index.insert("/h/3/name", loc(6));
    index.copy("/d/0", "/h/3");
    assert_eq!(index.get("/h/3"), Some(loc(1)));
    assert_eq!(index.get("/h/3/name"), Some(loc(2)), "a copy overwrites");
    assert_eq!(index.get("/h/3/x/9"), Some(loc(4)));
    index.copy("/d/0", "/d/0/x/1");
    assert_eq!(index.get("/d/0/x/1/x/10"), Some(loc(3)));
    assert_eq!(index.get("/d/0/x/1/x/1"), None, "a copy into itself copies what was there");
    index.remove_subtree("/h/3");
    assert!(index.subtree("/h/3").is_empty());
    assert_eq!(index.nearest("/h/3/name"), None);
}
