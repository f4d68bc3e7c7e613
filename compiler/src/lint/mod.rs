//! Stage 1½: checks over the parsed document, before the structure stage.
//!
//! They read the nodes as written — known or unknown, inside free-form
//! `values` too — which the schema would drop or reshape. Nothing here looks
//! at a later stage's data.

pub mod errors;
pub mod secrets;
