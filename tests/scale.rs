//! The scale benchmark (compiler/benches/scale.rs) at 1,000 hosts, so CI
//! runs its code and it cannot rot. No timing assertion: CI machines are
//! too noisy for one; docs/performance.md has the measured figures.

#[path = "../compiler/benches/scale.rs"]
mod scale;

#[test]
fn the_benchmark_compiles_a_thousand_host_site_recompiles_and_checks_it() {
    let work = tempfile::tempdir().unwrap();
    let row = scale::measure(work.path(), 1_000, 1);
    println!("{}\n{}", scale::Row::header(), row.line());
    assert_eq!(row.teams, 100);
    // Per host at least its cloud-init seed (3 files) and boot entries.
    assert!(row.files > 4 * 1_000, "{row:?}");
    assert!(row.bytes > 1_000_000, "{row:?}");
    assert!(row.fresh_rss > 0 && row.check_rss > 0, "{row:?}");
}
