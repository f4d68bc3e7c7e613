//! The compiled tree, the site's own folder and every message bosun prints
//! are read by strangers: a pull request writes the output folder CI checks,
//! and CI posts what bosun prints. Each module reproduces one family of
//! attacks from docs/ci.md's "Security" section and shows bosun refusing it.

mod support;

#[path = "security/writer.rs"]
mod writer;

#[path = "security/sandbox.rs"]
mod sandbox;

#[path = "security/secrets.rs"]
mod secrets;
