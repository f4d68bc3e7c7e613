//! `compile --timings`: how long each stage took, printed to stderr, to
//! find where a large site spends its time (docs/performance.md).

use std::time::{Duration, Instant};

/// Stage durations in the order they ran; records nothing when off, so the
/// pipeline can always carry one.
pub struct Timings {
    on: bool,
    last: Instant,
    laps: Vec<(&'static str, Duration, Option<u64>)>,
}

impl Timings {
    pub fn new(on: bool) -> Timings {
        Timings { on, last: Instant::now(), laps: Vec::new() }
    }

    pub fn off() -> Timings {
        Timings::new(false)
    }

    /// Ends the stage that began at the previous lap (or at creation).
    pub fn lap(&mut self, stage: &'static str) {
        if self.on {
            let now = Instant::now();
            self.laps.push((stage, now - self.last, peak_rss_kib()));
            self.last = now;
        }
    }

    /// One line per stage and the total: milliseconds, and the peak memory
    /// so far where the system tells it; empty when off.
    pub fn report(&self) -> String {
        let mut out = String::new();
        if !self.on {
            return out;
        }
        let total: Duration = self.laps.iter().map(|(_, d, _)| *d).sum();
        let peak = self.laps.last().and_then(|l| l.2);
        for (stage, d, rss) in self.laps.iter().chain([&("total", total, peak)]) {
            let rss = rss.map(|k| format!("{:>8.1} MiB", k as f64 / 1024.0)).unwrap_or_default();
            out.push_str(&format!("{:>10.1} ms{rss}  {stage}\n", d.as_secs_f64() * 1000.0));
        }
        out
    }
}

/// The process's peak resident memory (Linux: VmHWM), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::Timings;

    #[test]
    fn records_laps_only_when_on() {
        let mut off = Timings::off();
        off.lap("parse");
        assert!(off.laps.is_empty());
        let mut on = Timings::new(true);
        on.lap("parse");
        on.lap("render");
        let report = on.report();
        assert_eq!(report.lines().count(), 3);
        assert!(report.contains("  parse\n") && report.ends_with("  total\n"));
    }
}
