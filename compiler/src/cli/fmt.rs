//! `bosun fmt [--check] SITE`: canonical layout of every file of a site.

use std::path::{Path, PathBuf};

use crate::fmt::{Outcome, format_site};

#[derive(clap::Args)]
pub struct Args {
    /// The site's top-level file; every file it includes is formatted too.
    pub site: PathBuf,
    /// Write nothing: list the files that would change and exit 1 if any would.
    #[arg(long)]
    pub check: bool,
}

/// 0 when every file is (now) canonical; 1 under `--check` when a file would
/// change, or when a file could not be formatted; 2 when the site is unreadable.
pub fn run(site: &Path, check: bool) -> u8 {
    let files = match format_site(site) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mut code = 0;
    let mut changed = 0;
    for (name, path, outcome) in files {
        match outcome {
            Outcome::Unchanged => {}
            Outcome::Changed(_) if check => {
                println!("{name}");
                changed += 1;
                code = 1;
            }
            Outcome::Changed(text) => {
                if let Err(e) = std::fs::write(&path, text) {
                    eprintln!("error: cannot write {name}: {e}");
                    return 2;
                }
                eprintln!("formatted {name}");
                changed += 1;
            }
            Outcome::Failed(e) => {
                eprintln!("error: {name}: {e}");
                code = 1;
            }
        }
    }
    if check && changed > 0 {
        eprintln!("{changed} file(s) would be reformatted");
    }
    code
}
