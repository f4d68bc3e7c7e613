//! What a pack folder may reach and spend. A pack folder comes with the
//! site's pull request, so its files are read only when they are regular
//! files inside the site's folder (a symlinked `values.yaml.tera` could
//! otherwise pull any file of the CI runner into the compiled tree), and its
//! template renders within a time and size budget.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one rendering of a values template may take.
pub const MAX_TIME: Duration = Duration::from_secs(5);
/// How much one rendering may write.
pub const MAX_BYTES: usize = 8 << 20;
/// How many numbers all of one rendering's `range()` calls may make: each
/// is a value in memory before the loop starts.
pub const MAX_RANGE: usize = 1_000_000;

/// A read refused or failed.
pub enum Refused {
    /// Outside the site's folder, or not a regular file.
    Outside(String),
    Unreadable(String),
}

/// `dir/name`, read when it is a regular file inside `root` (both canonical).
pub fn read(root: &Path, dir: &Path, name: &str) -> Result<String, Refused> {
    let path = dir.join(name);
    let real = inside(root, &path, name)?;
    std::fs::read_to_string(real).map_err(|e| Refused::Unreadable(format!("cannot read {name}: {e}")))
}

/// The canonical form of `path` when it lies inside `root` and is a regular
/// file or a folder; `shown` names it in the refusal.
pub fn inside(root: &Path, path: &Path, shown: &str) -> Result<PathBuf, Refused> {
    let real = path.canonicalize().map_err(|e| Refused::Unreadable(format!("cannot read {shown}: {e}")))?;
    if !real.starts_with(root) {
        return Err(Refused::Outside(format!("{shown} is outside the site's root folder")));
    }
    let meta = std::fs::metadata(&real).map_err(|e| Refused::Unreadable(format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(Refused::Outside(format!("{shown} is not a regular file")));
    }
    Ok(real)
}

/// Which budget a rendering ran out of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Exceeded {
    Time,
    Size,
}

pub enum RenderError {
    Tera(tera::Error),
    Exceeded(Exceeded),
}

/// What one rendering has spent, shared by its output and its `range()`.
struct Budget {
    deadline: Instant,
    range: AtomicUsize,
    /// 0 while within budget, else 1 + the `Exceeded` index.
    exceeded: AtomicU8,
}

impl Budget {
    fn exceed(&self, what: Exceeded) -> std::io::Error {
        let code = match what {
            Exceeded::Time => 1,
            Exceeded::Size => 2,
        };
        let _ = self.exceeded.compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
        std::io::Error::other("over budget")
    }

    fn exceeded(&self) -> Option<Exceeded> {
        match self.exceeded.load(Ordering::SeqCst) {
            1 => Some(Exceeded::Time),
            2 => Some(Exceeded::Size),
            _ => None,
        }
    }

    fn check_time(&self) -> std::io::Result<()> {
        if Instant::now() > self.deadline { Err(self.exceed(Exceeded::Time)) } else { Ok(()) }
    }
}

/// The rendering's output, cut off at the budget.
struct Capped {
    out: Vec<u8>,
    budget: Arc<Budget>,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.budget.check_time()?;
        if self.out.len() + buf.len() > MAX_BYTES {
            return Err(self.budget.exceed(Exceeded::Size));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders `name` of `tera` within the budget. The rendering runs on a
/// thread of its own so that a loop which never writes cannot hold the run
/// past [`MAX_TIME`]; such a thread stops at its next write or `range()`.
pub fn render(mut tera: tera::Tera, name: &'static str, ctx: tera::Context) -> Result<String, RenderError> {
    let budget = Arc::new(Budget {
        deadline: Instant::now() + MAX_TIME,
        range: AtomicUsize::new(0),
        exceeded: AtomicU8::new(0),
    });
    let in_range = Arc::clone(&budget);
    tera.register_function("range", move |args: &HashMap<String, Value>| bounded_range(args, &in_range));
    let (send, receive) = std::sync::mpsc::channel();
    let mine = Arc::clone(&budget);
    let spawned = std::thread::Builder::new().name("values-template".into()).spawn(move || {
        let mut out = Capped { out: Vec::new(), budget: Arc::clone(&mine) };
        let result = tera.render_to(name, &ctx, &mut out).map(|()| out.out);
        let _ = send.send(result);
    });
    if let Err(e) = spawned {
        return Err(RenderError::Tera(tera::Error::msg(format!("cannot start the template's thread: {e}"))));
    }
    let result = match receive.recv_timeout(MAX_TIME + Duration::from_millis(100)) {
        Ok(r) => r,
        Err(_) => {
            budget.exceed(Exceeded::Time);
            return Err(RenderError::Exceeded(Exceeded::Time));
        }
    };
    if let Some(what) = budget.exceeded() {
        return Err(RenderError::Exceeded(what));
    }
    let bytes = result.map_err(RenderError::Tera)?;
    String::from_utf8(bytes).map_err(|_| RenderError::Tera(tera::Error::msg("the rendering is not UTF-8")))
}

/// Tera's `range(start=, end=, step_by=)`, counted against the budget.
fn bounded_range(args: &HashMap<String, Value>, budget: &Budget) -> tera::Result<Value> {
    let number = |key: &str, default: Option<usize>| -> tera::Result<usize> {
        match args.get(key) {
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| tera::Error::msg(format!("range(): `{key}` must be a non-negative integer, not {v}"))),
            None => default.ok_or_else(|| tera::Error::msg(format!("range(): `{key}` is required"))),
        }
    };
    let (start, end, step) = (number("start", Some(0))?, number("end", None)?, number("step_by", Some(1))?);
    if step == 0 {
        return Err(tera::Error::msg("range(): `step_by` must not be 0"));
    }
    if start > end {
        return Err(tera::Error::msg("range(): `start` is greater than `end`"));
    }
    let count = (end - start).div_ceil(step);
    let over = budget.range.fetch_add(count, Ordering::SeqCst).saturating_add(count) > MAX_RANGE;
    if over {
        return Err(tera::Error::call_function("range", budget.exceed(Exceeded::Size)));
    }
    budget.check_time().map_err(|e| tera::Error::call_function("range", e))?;
    Ok(Value::Array((start..end).step_by(step).map(Value::from).collect()))
}
