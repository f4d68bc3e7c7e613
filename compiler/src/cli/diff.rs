//! `bosun diff OLD NEW` and the printing half of `bosun compile --check`:
//! read the two trees, review them (crate::review), print in the chosen
//! format. Exit 0 when nothing changes, 1 when something does, 2 when a
//! side cannot be read.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::review::{self, Foreign, Review, render::Format};
use crate::write::lock::{Lock, LockError};
use std::io::ErrorKind;

#[derive(clap::Args)]
pub struct Args {
    /// The compiled folder before the change (e.g. the base branch's).
    pub old: PathBuf,
    /// The compiled folder after the change.
    pub new: PathBuf,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(clap::Args)]
pub struct FormatArg {
    /// How to print the review: `terminal` (colour only on a terminal),
    /// `markdown` (a pull-request comment) or `json` (for bots).
    #[arg(long = "format", value_enum, default_value_t = ReviewFormat::Terminal)]
    pub format: ReviewFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReviewFormat {
    Terminal,
    Markdown,
    Json,
}

impl FormatArg {
    fn resolve(&self) -> Format {
        match self.format {
            ReviewFormat::Terminal => {
                let colour =
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
                Format::Terminal { colour }
            }
            ReviewFormat::Markdown => Format::Markdown,
            ReviewFormat::Json => Format::Json,
        }
    }
}

pub fn run(args: &Args) -> u8 {
    let read = |p: &Path| {
        review::read_folder(p).map_err(|e| {
            eprintln!("error[{}]: {e}", e.code());
        })
    };
    let (Ok(old), Ok(new)) = (read(&args.old), read(&args.new)) else {
        return 2;
    };
    let mut review = review::review(&old.files, &new.files);
    // Each side's foreign entries, named by their folder.
    for (dir, folder) in [(&args.old, old), (&args.new, new)] {
        review
            .foreign
            .extend(folder.foreign.into_iter().map(|f| Foreign { path: format!("{}/{}", dir.display(), f.path), ..f }));
    }
    let title = format!("{} → {}", args.old.display(), args.new.display());
    print(&review, &args.format, &title, true);
    u8::from(review.has_changes())
}

/// `compile --check`: prints the review of what compiling would change and
/// returns how many files differ in any byte (layout-only ones included)
/// or are foreign. The output folder is locked meanwhile, so a compile
/// running into it is not seen half done.
pub fn check(output: &Path, tree: &crate::write::Tree, format: &FormatArg) -> Result<usize, u8> {
    let report = |e: review::ReviewError| {
        eprintln!("error[{}]: {e}", e.code());
        2
    };
    let _lock = lock(output)?;
    // An unchanged folder is the tree itself: no copy of it is read.
    let review = match review::unchanged(output, tree).map_err(report)? {
        true => review::review(&tree.files, &tree.files),
        false => {
            let folder = review::read_for_check(output, tree).map_err(report)?;
            let mut review = review::review(&folder.files, &tree.files);
            review.foreign = folder.foreign;
            review
        }
    };
    let changed = review.files.len() + review.layout_only.len() + review.foreign.len();
    print(&review, format, &output.display().to_string(), changed > 0);
    Ok(changed)
}

/// The output folder's lock for reading it; none for a folder that does
/// not exist (nothing to read) or cannot be written (nothing can change it).
fn lock(output: &Path) -> Result<Option<Lock>, u8> {
    if !output.is_dir() {
        return Ok(None);
    }
    match Lock::acquire(output, false) {
        Ok(lock) => Ok(Some(lock)),
        Err(LockError::Io { error, .. })
            if matches!(error.kind(), ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied) =>
        {
            Ok(None)
        }
        Err(e) => {
            let e = crate::write::WriteError::Lock(e);
            eprintln!("error[{}]: {e}", e.code());
            Err(2)
        }
    }
}

/// Prints the review; the terminal format prints nothing when there is
/// nothing to say, the others always print (a bot reads "no changes" too).
fn print(review: &Review, format: &FormatArg, title: &str, changed: bool) {
    let format = format.resolve();
    if matches!(format, Format::Terminal { .. }) && !changed {
        return;
    }
    let text = review::render::render(review, format, title);
    // A closed pipe (`bosun diff … | head`) is not worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
