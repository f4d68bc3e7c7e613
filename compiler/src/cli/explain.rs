//! `bosun explain SITE host|pool|team|pack NAME`.

use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    pub site: PathBuf,
    /// host, pool, team or pack.
    #[arg(value_enum)]
    pub kind: crate::explain::Kind,
    pub name: String,
}

pub fn run(args: &Args) -> u8 {
    match crate::explain::explain(&args.site, args.kind, &args.name) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(crate::explain::ExplainError::Read(e)) => {
            eprintln!("error: {e}");
            2
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
