//! See tests/security.rs.

#[allow(unused_imports)]
use super::support::*;
