//! Human-format diagnostics at scale: a synthetic 10,000-host site with a
//! malformed MAC address on every host, checked in-process, then every
//! diagnostic rendered as `bosun check` prints it. Prints one line with the
//! count and the rendering time; the target is under 2 s in release mode
//! (docs/performance.md).
//!
//!     cargo bench --bench diagnostics            # 10,000 hosts
//!     cargo bench --bench diagnostics -- 50000   # another size
//!
//! tests/security/sandbox.rs runs this file's code at 1,000 hosts so it
//! cannot rot.

use std::time::{Duration, Instant};

#[allow(dead_code)]
fn main() {
    let hosts = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let work = tempfile::tempdir().expect("a temporary folder");
    let (count, took) = measure(work.path(), hosts);
    println!(
        "human diagnostics: {count} from a {hosts}-host site rendered in {:.3} s (target: under 2 s in release)",
        took.as_secs_f64()
    );
}

/// Checks a site of `hosts` hosts with one bad MAC each, written into
/// `dir`; returns the number of diagnostics and how long rendering them all
/// in human format took.
pub fn measure(dir: &std::path::Path, hosts: usize) -> (usize, Duration) {
    let text = bosun::synth::site(bosun::synth::Spec::new(hosts));
    let broken = text.replace("interface \"eno1\" mac=\"", "interface \"eno1\" mac=\"zz");
    let path = dir.join("site.kdl");
    std::fs::write(&path, broken).expect("site written");
    let checked = bosun::check(&path).expect("site readable");
    let start = Instant::now();
    let mut bytes = 0;
    for d in &checked.diagnostics {
        bytes += bosun::diag::render_human(d, &checked.sources, false, 100).len();
    }
    let took = start.elapsed();
    assert!(bytes > 0);
    (checked.diagnostics.len(), took)
}
