//! Codes of the model stage.

use crate::diag::codes;

codes! {
    /// Two `host-defaults` nodes for the same role.
    DUPLICATE_DEFAULTS = "bosun::host::duplicate-defaults", Error,
        "two `host-defaults` nodes for the same role",
        "merge them into one `host-defaults` node";
    /// The cluster CA certificate cannot be read or is no certificate.
    CA_CERTIFICATE = "bosun::kubernetes::ca-certificate", Error,
        "`ca-certificate` names no readable PEM certificate inside the site's folder",
        "give the path, relative to site.kdl, of the CA certificate `bosun init-ca` wrote (ca.crt: public, committed beside the site)";
    /// The schema accepted a value the typed model could not hold: a compiler bug.
    INTERNAL = "bosun::internal", Error,
        "the compiler disagrees with itself (a bug in bosun)",
        "please report this with the site file that triggers it";
}
