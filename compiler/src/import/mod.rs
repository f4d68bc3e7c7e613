//! `bosun import`: other tools' cluster configurations into a site.kdl.

mod credentials;
pub mod deepops;
pub mod emit;
pub mod ini;
pub mod nauta;
mod values;

/// What an importer produced.
#[derive(Debug, Default)]
pub struct Imported {
    /// The site, ready to write.
    pub kdl: String,
    /// Things the user must know (each plaintext password turned into a secret reference).
    pub warnings: Vec<String>,
    /// Source settings that have no place in the site, each with `file:line`.
    pub unmapped: Vec<String>,
    /// Settings the site needs that the source does not hold.
    pub todo: Vec<String>,
}
