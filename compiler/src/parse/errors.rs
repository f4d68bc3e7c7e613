//! Codes of the parse stage: KDL syntax and `include` resolution.

use crate::diag::{Code, Severity::*};

/// The file is not valid KDL 2.0.
pub static SYNTAX: Code = Code {
    id: "bosun::syntax::kdl",
    severity: Error,
    summary: "the file is not valid KDL 2.0",
    help: "site files use KDL 2.0 syntax: strings in double quotes, #true/#false/#null, `key=value` properties",
};

/// The file is not UTF-8.
pub static ENCODING: Code = Code {
    id: "bosun::syntax::encoding",
    severity: Error,
    summary: "the file is not valid UTF-8",
    help: "save the file as UTF-8 (KDL documents are always UTF-8)",
};

/// A type annotation such as `(u8)1` or `(ip)"10.0.0.1"`.
pub static TYPE_ANNOTATION: Code = Code {
    id: "bosun::syntax::type-annotation",
    severity: Error,
    summary: "KDL type annotations are not part of the site language",
    help: "remove the `(type)` prefix; bosun knows the type of every setting",
};

/// Children blocks nest deeper than the parser allows.
pub static NESTING: Code = Code {
    id: "bosun::syntax::nesting",
    severity: Error,
    summary: "blocks nest deeper than 32 levels",
    help: "flatten the file: sites need a handful of levels, and no setting is more than a few blocks deep",
};

/// An include points outside the folder that holds the top-level site file.
pub static INCLUDE_OUTSIDE_ROOT: Code = Code {
    id: "bosun::include::outside-root",
    severity: Error,
    summary: "an include resolves to a file outside the site's root folder",
    help: "keep every site file inside the folder of the top-level site file (or below it)",
};

/// A file includes itself, directly or through other files.
pub static INCLUDE_CYCLE: Code = Code {
    id: "bosun::include::cycle",
    severity: Error,
    summary: "include files form a cycle",
    help: "remove one of the includes in the cycle",
};

/// The same file is included twice.
pub static INCLUDE_REPEATED: Code = Code {
    id: "bosun::include::repeated",
    severity: Error,
    summary: "a file is included more than once",
    help: "include each file once; overlapping globs are the usual cause",
};

/// A literal include path names no file.
pub static INCLUDE_NOT_FOUND: Code = Code {
    id: "bosun::include::not-found",
    severity: Error,
    summary: "an include names a file that does not exist or cannot be read",
    help: "paths are relative to the file that holds the include",
};

/// An include names something that is not a regular file.
pub static INCLUDE_NOT_A_FILE: Code = Code {
    id: "bosun::include::not-a-file",
    severity: Error,
    summary: "an include names a FIFO, device or socket, not a regular file",
    help: "include only regular files; a pipe or device would block or never end",
};

/// A glob reaches too many files and folders.
pub static INCLUDE_TOO_MANY: Code = Code {
    id: "bosun::include::too-many",
    severity: Error,
    summary: "an include glob reaches more than 100,000 files and folders, or `**` reaches more than 16 folders down",
    help: "narrow the pattern to the folder that holds the site's files (`hosts/*.kdl`, not `**/*.kdl`)",
};

/// A glob include matches no file.
pub static INCLUDE_NO_MATCH: Code = Code {
    id: "bosun::include::no-match",
    severity: Warning,
    summary: "an include glob matches no file",
    help: "check the pattern; paths are relative to the file that holds the include",
};

/// An include node is malformed.
pub static INCLUDE_FORM: Code = Code {
    id: "bosun::include::form",
    severity: Error,
    summary: "`include` takes exactly one string: a path or glob",
    help: "write it as `include \"hosts/*.kdl\"`",
};

pub static CODES: &[&Code] = &[
    &SYNTAX,
    &ENCODING,
    &TYPE_ANNOTATION,
    &NESTING,
    &INCLUDE_OUTSIDE_ROOT,
    &INCLUDE_CYCLE,
    &INCLUDE_REPEATED,
    &INCLUDE_NOT_FOUND,
    &INCLUDE_NOT_A_FILE,
    &INCLUDE_TOO_MANY,
    &INCLUDE_NO_MATCH,
    &INCLUDE_FORM,
];
