//! Codes of the model stage.

use crate::diag::{Code, Severity::*};

/// Two `host-defaults` nodes for the same role.
pub static DUPLICATE_DEFAULTS: Code = Code {
    id: "bosun::host::duplicate-defaults",
    severity: Error,
    summary: "two `host-defaults` nodes for the same role",
    help: "merge them into one `host-defaults` node",
};

/// The schema accepted a value the typed model could not hold: a compiler bug.
pub static INTERNAL: Code = Code {
    id: "bosun::internal",
    severity: Error,
    summary: "the compiler disagrees with itself (a bug in bosun)",
    help: "please report this with the site file that triggers it",
};

pub static CODES: &[&Code] = &[&DUPLICATE_DEFAULTS, &INTERNAL];
