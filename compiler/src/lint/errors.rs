//! Codes of the lint step (docs/language.md, "Inline secrets").

use crate::diag::{Code, Severity::*};

pub static INLINE_SECRET: Code = Code {
    id: "bosun::secret::inline-value",
    severity: Error,
    summary: "a value looks like a password, token or private key",
    help: "keep secrets in your secret store: declare `secret \"NAME\" store=\"…\" path=\"…\"` and refer to it by name",
};

pub static CODES: &[&Code] = &[&INLINE_SECRET];
