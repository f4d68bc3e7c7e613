//! `bosun explain`: one object's derived facts and the output files it
//! contributes to.

use std::path::Path;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Kind {
    Host,
    Pool,
    Team,
    Pack,
}

#[derive(Debug)]
pub enum ExplainError {
    Read(crate::parse::ReadError),
    /// The site has errors: explain needs a site that compiles.
    Invalid(usize),
    NotFound(String),
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::Read(e) => write!(f, "{e}"),
            ExplainError::Invalid(n) => write!(f, "the site has {n} error(s); run `bosun check` first"),
            ExplainError::NotFound(m) => write!(f, "{m}"),
        }
    }
}

pub fn explain(_site: &Path, _kind: Kind, _name: &str) -> Result<String, ExplainError> {
    Err(ExplainError::NotFound("not implemented yet".into()))
}
