//! Codes of the model stage.

use crate::diag::codes;

codes! {
    /// Two `host-defaults` nodes for the same role.
    DUPLICATE_DEFAULTS = "bosun::host::duplicate-defaults", Error,
        "two `host-defaults` nodes for the same role",
        "merge them into one `host-defaults` node";
    /// The schema accepted a value the typed model could not hold: a compiler bug.
    INTERNAL = "bosun::internal", Error,
        "the compiler disagrees with itself (a bug in bosun)",
        "please report this with the site file that triggers it";
}
