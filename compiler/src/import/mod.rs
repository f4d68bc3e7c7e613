//! `bosun import`: other tools' cluster configurations into a site.kdl.
//!
//! The contract (docs/migrate-from-deepops.md, docs/migrate-from-nauta.md):
//! every setting of the input is mapped (and recorded in [`Imported::mapped`]),
//! reported unmapped with its `file:line`, or refused with a reason. A value
//! the importer assumes is a fill-in, never applied over a stated one.

mod credentials;
pub mod deepops;
pub mod emit;
pub mod ini;
pub mod jinja;
pub mod nauta;
pub mod report;
mod values;

pub use report::Impact;

/// A setting of the input that landed in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// `file:line` of the setting.
    pub at: String,
    pub key: String,
    /// Text the compiled output holds because of this setting.
    pub shows_as: String,
}

/// A setting of the input that has no place in the site, or was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `file:line` (or the file alone when the whole file is meant).
    pub at: String,
    pub text: String,
    pub impact: Impact,
    /// A setting bosun models but could not take as written (a value that
    /// differs between groups, a run-time expression): it leads the report.
    pub lead: bool,
}

/// What an importer produced.
#[derive(Debug, Default)]
pub struct Imported {
    /// The site, ready to write.
    pub kdl: String,
    /// What the site holds, in a few lines: the report starts with them.
    pub summary: Vec<String>,
    /// Things the user must know (each plaintext password turned into a secret reference).
    pub warnings: Vec<String>,
    /// Source settings that have no place in the site, each with `file:line`.
    pub unmapped: Vec<Note>,
    /// Source settings the importer would not carry over as written, with the reason.
    pub refused: Vec<Note>,
    /// Settings the site needs that the source does not hold.
    pub todo: Vec<String>,
    /// Source settings that landed in the site.
    pub mapped: Vec<Mapped>,
}

impl Imported {
    /// Closes the summary with the counts both importers report, once every
    /// setting has its fate.
    pub fn count(&mut self) {
        let line = format!(
            "{} settings mapped, {} unmapped, {} refused; {} fill-ins",
            self.mapped.len(),
            self.unmapped.len(),
            self.refused.len(),
            self.todo.len()
        );
        self.summary.push(line);
    }

    /// Reports a setting as unmapped; its impact follows from its key.
    pub fn unmapped(&mut self, at: impl Into<String>, key: &str, text: impl Into<String>) {
        self.unmapped.push(Note { at: at.into(), text: text.into(), impact: report::impact_of(key), lead: false });
    }

    /// Reports a setting bosun models but could not take as written.
    pub fn blocked(&mut self, at: impl Into<String>, key: &str, text: impl Into<String>) {
        self.unmapped.push(Note { at: at.into(), text: text.into(), impact: report::impact_of(key), lead: true });
    }

    /// Reports a setting of little consequence, whatever its key says.
    pub fn minor(&mut self, at: impl Into<String>, text: impl Into<String>) {
        self.unmapped.push(Note { at: at.into(), text: text.into(), impact: Impact::Other, lead: false });
    }

    pub fn refuse(&mut self, at: impl Into<String>, key: &str, text: impl Into<String>) {
        self.refused.push(Note { at: at.into(), text: text.into(), impact: report::impact_of(key), lead: true });
    }

    pub fn map(&mut self, at: impl Into<String>, key: &str, shows_as: impl Into<String>) {
        self.mapped.push(Mapped { at: at.into(), key: key.to_string(), shows_as: shows_as.into() });
    }
}
