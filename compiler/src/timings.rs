//! `compile --timings`: how long each stage took, printed to stderr, to
//! find where a large site spends its time (docs/performance.md).

use std::time::{Duration, Instant};

/// Stage durations in the order they ran; records nothing when off, so the
/// pipeline can always carry one.
pub struct Timings {
    on: bool,
    last: Instant,
    laps: Vec<Lap>,
}

struct Lap {
    stage: &'static str,
    took: Duration,
    peak_kib: Option<u64>,
    /// Ran beside other stages inside the lap before it: shown indented,
    /// not counted in the total.
    nested: bool,
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
            self.laps.push(Lap { stage, took: now - self.last, peak_kib: peak_rss_kib(), nested: false });
            self.last = now;
        }
    }

    /// A clock for one of several stages that run at the same time,
    /// starting now.
    pub fn fork(&self) -> Timings {
        Timings::new(self.on)
    }

    /// Ends a group of stages that ran at the same time: one lap for the
    /// group, then each branch's laps beneath it.
    pub fn join(&mut self, stage: &'static str, branches: Vec<Timings>) {
        self.lap(stage);
        let nested = branches.into_iter().flat_map(|b| b.laps).map(|l| Lap { nested: true, ..l });
        self.laps.extend(nested);
    }

    /// One line per stage and the total: milliseconds, and the peak memory
    /// so far where the system tells it; empty when off.
    pub fn report(&self) -> String {
        let mut out = String::new();
        if !self.on {
            return out;
        }
        let total: Duration = self.laps.iter().filter(|l| !l.nested).map(|l| l.took).sum();
        let peak = self.laps.iter().filter_map(|l| l.peak_kib).max();
        let end = Lap { stage: "total", took: total, peak_kib: peak, nested: false };
        for lap in self.laps.iter().chain([&end]) {
            let rss = lap.peak_kib.map(|k| format!("{:>8.1} MiB", k as f64 / 1024.0)).unwrap_or_default();
            let indent = if lap.nested { "  ‖ " } else { "" };
            out.push_str(&format!("{:>10.1} ms{rss}  {indent}{}\n", lap.took.as_secs_f64() * 1000.0, lap.stage));
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

    #[test]
    fn stages_that_ran_together_are_not_counted_twice() {
        let mut on = Timings::new(true);
        let mut a = on.fork();
        let mut b = on.fork();
        std::thread::sleep(std::time::Duration::from_millis(20));
        a.lap("a");
        b.lap("b");
        on.join("a and b", vec![a, b]);
        let ms = |line: &str| line.split_whitespace().next().unwrap().parse::<f64>().unwrap();
        let report = on.report();
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines.len(), 4, "{report}");
        assert!(lines[1].ends_with("  ‖ a") && lines[2].ends_with("  ‖ b"), "{report}");
        // The total is the group's time, not the group's plus its branches'.
        assert!(ms(lines[3]) < ms(lines[0]) + ms(lines[1]), "{report}");
    }
}
