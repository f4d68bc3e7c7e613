use super::*;
use crate::diag::Diagnostics;

fn build_site(text: &str) -> (Site, Vec<&'static str>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.kdl");
    std::fs::write(&path, text).unwrap();
    let mut diags = Diagnostics::default();
    let parsed = crate::parse::parse(&path, &mut diags).unwrap();
    let structured = crate::structure::structure(&parsed, &mut diags);
    let site = build(structured, &mut diags);
    (site, diags.sorted().iter().map(|d| d.code.id).collect(), text.to_string())
}

const BASE: &str = r#"site "s" { domain "d"; kubernetes version="1.31.4" { pod-subnet "10.0.0.0/16"; service-subnet "10.1.0.0/16"; } }
network "n" { cidr "10.2.0.0/24"; }
host-defaults "worker" { image "u"; label "tier=gpu"; label "zone=a"; disk "/dev/sdb" use="local-data" mount="/data"; }
host "w1" { role "worker"; label "zone=b"; disk "/dev/sdc" use="scratch" mount="/scratch"; }
host "w2" { role "worker"; image "v"; }
host "c1" { role "control-plane"; }
"#;

#[test]
fn host_defaults_merge_with_host_settings_winning() {
    let (site, codes, _) = build_site(BASE);
    assert!(codes.is_empty(), "{codes:?}");
    let w1 = &site.hosts[0];
    assert_eq!(w1.image.as_deref(), Some("u"));
    assert_eq!(w1.label, ["tier=gpu", "zone=b"], "same key: the host's entry replaces the default");
    assert_eq!(w1.disk.iter().map(|d| d.device.as_str()).collect::<Vec<_>>(), ["/dev/sdb", "/dev/sdc"]);
    assert_eq!(site.hosts[1].image.as_deref(), Some("v"));
    assert!(site.hosts[2].image.is_none() && site.hosts[2].label.is_empty());
}

#[test]
fn merged_values_point_at_their_source_lines() {
    let (site, _, text) = build_site(BASE);
    let span = |p: &str| site.index.value(p).map(|s| &text[s.range()]).unwrap();
    // w1's own disk moved to index 1; the inherited one sits at 0 and points into host-defaults.
    assert_eq!(span("/host/0/disk/0/device"), "\"/dev/sdb\"");
    assert_eq!(span("/host/0/disk/1/device"), "\"/dev/sdc\"");
    assert_eq!(span("/host/0/label/1"), "\"zone=b\"");
    assert_eq!(span("/host/1/image"), "\"v\"");
    let inherited = site.index.value("/host/0/image").unwrap();
    assert!(inherited.start() < text.find("host \"w1\"").unwrap(), "the inherited image points into host-defaults");
}

#[test]
fn a_broken_value_is_cut_out_narrowly() {
    // vlan out of range still fits the model; an unparseable gateway is cut; a bad role drops the host.
    let text = BASE
        .replace("cidr \"10.2.0.0/24\";", "cidr \"10.2.0.0/24\"; vlan 5000; gateway \"10.2.0.300\";")
        .replace("host \"w2\" { role \"worker\";", "host \"w2\" { role \"wrker\";");
    let (site, codes, _) = build_site(&text);
    assert_eq!(codes.len(), 3, "{codes:?}");
    let n = &site.networks[0];
    assert_eq!((n.vlan, n.gateway), (Some(5000), None));
    assert!(site.is_partial(&n.at));
    assert_eq!(site.hosts.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["w1", "c1"]);
    assert!(site.is_skipped("host", "w2"));
}

#[test]
fn cut_points_never_renumber_list_items() {
    assert_eq!(cut_points("/host/3", "/host/3/interface/0/mac"), ["/host/3/interface"]);
    assert_eq!(cut_points("/site", "/site/kubernetes/version"), ["/site/kubernetes/version", "/site/kubernetes"]);
    assert_eq!(entity_of("/storage/class/2/type").as_deref(), Some("/storage/class/2"));
    assert_eq!(entity_of(""), None);
}
