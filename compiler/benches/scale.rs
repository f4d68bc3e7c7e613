//! Scale benchmark: synthetic sites of 100, 1,000 and 10,000 hosts (one team
//! per ten hosts), each compiled by the real `bosun` binary into a fresh
//! folder, re-compiled into the unchanged folder, and checked against it
//! with `--check`. Prints wall time, files, bytes and peak RSS per size.
//!
//!     cargo bench --bench scale                 # 100, 1000, 10000 hosts
//!     cargo bench --bench scale -- 10000        # chosen sizes
//!     BOSUN_BENCH_RUNS=9 cargo bench --bench scale
//!     BOSUN_BENCH_DIR=/dev/shm cargo bench --bench scale   # write to tmpfs
//!     BOSUN_BENCH_BASELINE=/path/to/old/bosun cargo bench --bench scale
//!
//! With `BOSUN_BENCH_BASELINE`, every run of the built binary is followed by
//! one of that binary on the same site, and each size gets a second row
//! (`base`): two versions compared under the same load, in one run.
//!
//! Each run is its own child process, so each has its own peak RSS (from
//! wait4's rusage). Wall times are the median of the runs (5 by default).
//! tests/scale.rs runs this file's code at 1,000 hosts so it cannot rot.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code)]
fn main() {
    let mut sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![100, 1_000, 10_000];
    }
    let runs = std::env::var("BOSUN_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    // BOSUN_BENCH_DIR picks the file system the trees are written to.
    let work = match std::env::var_os("BOSUN_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("a temporary folder");
    println!("bosun {} scale benchmark, median of {runs} runs per phase", env!("CARGO_PKG_VERSION"));
    println!("{}", Row::header());
    let mut previous: Option<Row> = None;
    let baseline = std::env::var_os("BOSUN_BENCH_BASELINE").map(PathBuf::from);
    let mut binaries = vec![bosun_binary()];
    binaries.extend(baseline);
    for hosts in sizes {
        let rows = measure_all(work.path(), hosts, runs, &binaries);
        for (i, row) in rows.iter().enumerate() {
            println!("{}{}", row.line(), if i > 0 { "   base" } else { "" });
        }
        let row = rows.into_iter().next().expect("one row per binary");
        if let Some(p) = &previous {
            let growth = row.fresh.as_secs_f64() / p.fresh.as_secs_f64();
            println!("    {}× the hosts of the previous size: {growth:.2}× the fresh-compile time", hosts / p.hosts);
        }
        previous = Some(row);
    }
}

/// One size's figures.
#[derive(Debug)]
pub struct Row {
    pub hosts: usize,
    pub teams: usize,
    pub site_bytes: usize,
    pub files: usize,
    pub bytes: u64,
    pub fresh: Duration,
    pub recompile: Duration,
    pub check: Duration,
    /// Peak RSS of each phase, in KiB: the largest of its runs.
    pub fresh_rss: u64,
    pub recompile_rss: u64,
    pub check_rss: u64,
}

impl Row {
    pub fn header() -> String {
        format!(
            "{:>6} {:>5} {:>9} {:>7} {:>10} | {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9}",
            "hosts",
            "teams",
            "site",
            "files",
            "bytes",
            "fresh",
            "recompile",
            "check",
            "rss fresh",
            "recompile",
            "check"
        )
    }

    pub fn line(&self) -> String {
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        let mib = |k: u64| format!("{:.1} MiB", k as f64 / 1024.0);
        format!(
            "{:>6} {:>5} {:>9} {:>7} {:>10} | {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9}",
            self.hosts,
            self.teams,
            self.site_bytes,
            self.files,
            self.bytes,
            ms(self.fresh),
            ms(self.recompile),
            ms(self.check),
            mib(self.fresh_rss),
            mib(self.recompile_rss),
            mib(self.check_rss)
        )
    }
}

/// Generates a site of `hosts` hosts under `work` and measures each phase
/// `runs` times. Panics when a phase does not exit as it should.
pub fn measure(work: &Path, hosts: usize, runs: usize) -> Row {
    measure_all(work, hosts, runs, &[bosun_binary()]).remove(0)
}

/// [`measure`] for each binary, their runs interleaved; a row per binary.
fn measure_all(work: &Path, hosts: usize, runs: usize, binaries: &[PathBuf]) -> Vec<Row> {
    let spec = bosun::synth::Spec::new(hosts);
    let text = bosun::synth::site(spec);
    let dir = work.join(format!("site-{hosts}"));
    std::fs::create_dir_all(&dir).expect("site folder");
    let site = dir.join("site.kdl");
    std::fs::write(&site, &text).expect("site written");
    bosun::synth::write_pack_folders(&dir).expect("pack folder written");
    let outs: Vec<PathBuf> = (0..binaries.len()).map(|i| dir.join(format!("out-{i}"))).collect();
    let phase = |extra: &[&str], fresh: bool| -> Vec<Vec<(Duration, u64)>> {
        let mut times = vec![Vec::new(); binaries.len()];
        for _ in 0..runs.max(1) {
            for (i, bin) in binaries.iter().enumerate() {
                if fresh {
                    let _ = std::fs::remove_dir_all(&outs[i]);
                }
                times[i].push(run(bin, &site, &outs[i], extra, 0));
            }
        }
        times
    };
    let fresh = phase(&[], true);
    let recompile = phase(&[], false);
    let check = phase(&["--check"], false);
    (0..binaries.len())
        .map(|i| {
            let (files, bytes) = tree_size(&outs[i]);
            Row {
                hosts,
                teams: spec.teams(),
                site_bytes: text.len(),
                files,
                bytes,
                fresh: median(&fresh[i]),
                recompile: median(&recompile[i]),
                check: median(&check[i]),
                fresh_rss: peak(&fresh[i]),
                recompile_rss: peak(&recompile[i]),
                check_rss: peak(&check[i]),
            }
        })
        .collect()
}

fn median(runs: &[(Duration, u64)]) -> Duration {
    let mut t: Vec<Duration> = runs.iter().map(|r| r.0).collect();
    t.sort();
    t[t.len() / 2]
}

fn peak(runs: &[(Duration, u64)]) -> u64 {
    runs.iter().map(|r| r.1).max().unwrap_or(0)
}

/// Runs `bosun compile SITE -o OUT [extra]`; returns its wall time and peak
/// RSS in KiB.
// The child is reaped by wait4, which also gives its peak memory.
#[allow(clippy::zombie_processes)]
fn run(binary: &Path, site: &Path, out: &Path, extra: &[&str], expect: i32) -> (Duration, u64) {
    let start = Instant::now();
    let child = Command::new(binary)
        .arg("compile")
        .arg(site)
        .arg("-o")
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bosun runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 reaps the child we just spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(reaped, pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    assert_eq!(code, expect, "bosun compile {} {extra:?} exited {code}", site.display());
    (elapsed, usage.ru_maxrss as u64)
}

fn bosun_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bosun"))
}

/// Files and bytes of a compiled tree.
fn tree_size(dir: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if entry.file_type().is_file() {
            files += 1;
            bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    (files, bytes)
}
