//! Codes of the parse stage: KDL syntax and `include` resolution.

use crate::diag::codes;

codes! {
    /// The file is not valid KDL 2.0.
    SYNTAX = "bosun::syntax::kdl", Error,
        "the file is not valid KDL 2.0",
        "site files use KDL 2.0 syntax: strings in double quotes, #true/#false/#null, `key=value` properties";
    /// The file is not UTF-8.
    ENCODING = "bosun::syntax::encoding", Error,
        "the file is not valid UTF-8",
        "save the file as UTF-8 (KDL documents are always UTF-8)";
    /// A type annotation such as `(u8)1` or `(ip)"10.0.0.1"`.
    TYPE_ANNOTATION = "bosun::syntax::type-annotation", Error,
        "KDL type annotations are not part of the site language",
        "remove the `(type)` prefix; bosun knows the type of every setting";
    /// Children blocks nest deeper than the parser allows.
    NESTING = "bosun::syntax::nesting", Error,
        "blocks nest deeper than 32 levels",
        "flatten the file: sites need a handful of levels, and no setting is more than a few blocks deep";
    /// An include points outside the folder that holds the top-level site file.
    INCLUDE_OUTSIDE_ROOT = "bosun::include::outside-root", Error,
        "an include resolves to a file outside the site's root folder",
        "keep every site file inside the folder of the top-level site file (or below it)";
    /// A file includes itself, directly or through other files.
    INCLUDE_CYCLE = "bosun::include::cycle", Error,
        "include files form a cycle",
        "remove one of the includes in the cycle";
    /// The same file is included twice.
    INCLUDE_REPEATED = "bosun::include::repeated", Error,
        "a file is included more than once",
        "include each file once; overlapping globs are the usual cause";
    /// A literal include path names no file.
    INCLUDE_NOT_FOUND = "bosun::include::not-found", Error,
        "an include names a file that does not exist or cannot be read",
        "paths are relative to the file that holds the include";
    /// An include names something that is not a regular file.
    INCLUDE_NOT_A_FILE = "bosun::include::not-a-file", Error,
        "an include names a FIFO, device or socket, not a regular file",
        "include only regular files; a pipe or device would block or never end";
    /// A glob reaches too many files and folders.
    INCLUDE_TOO_MANY = "bosun::include::too-many", Error,
        "an include glob reaches more than 100,000 files and folders, or `**` reaches more than 16 folders down",
        "narrow the pattern to the folder that holds the site's files (`hosts/*.kdl`, not `**/*.kdl`)";
    /// A glob include matches no file.
    INCLUDE_NO_MATCH = "bosun::include::no-match", Warning,
        "an include glob matches no file",
        "check the pattern; paths are relative to the file that holds the include";
    /// An include node is malformed.
    INCLUDE_FORM = "bosun::include::form", Error,
        "`include` takes exactly one string: a path or glob",
        "write it as `include \"hosts/*.kdl\"`";
}
