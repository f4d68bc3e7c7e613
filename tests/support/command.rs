//! Running the real tools the oracle suites hold bosun's output against.

use std::process::{Command, Output, Stdio};

use super::text;

/// Runs a command with no input; a command that cannot start is a broken
/// test machine, not a finding.
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs a command that must succeed and returns what it printed.
pub fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(out.status.success(), "{cmd:?} failed: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// Fails naming the Debian package when a tool is missing: `.ci/run`
/// installs every one, so a missing tool is never a silent skip in CI.
pub fn require(tool: &str, package: &str) {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success());
    assert!(found, "`{tool}` is missing: install the Debian package {package} (.ci/run does)");
}
