//! Codes of the lint step (docs/language.md, "Inline secrets").

use crate::diag::codes;

codes! {
    /// A value under a credential-like name, or shaped like a credential.
    INLINE_SECRET = "bosun::secret::inline-value", Error,
        "a value looks like a password, token or private key",
        "keep secrets in your secret store: declare `secret \"NAME\" store=\"…\" path=\"…\"` and refer to it by name";
}
