//! Codes of pack folders and the pack graph (docs/packs.md).

use crate::diag::{Code, Severity::*};

pub static FOLDER: Code = Code {
    id: "bosun::pack::folder",
    severity: Error,
    summary: "a pack folder is missing, or its pack.kdl is not a valid pack description",
    help: "a pack folder holds pack.kdl (name, version, chart, namespace, schema) and values.yaml.tera; see docs/packs.md",
};
pub static PARAMETER: Code = Code {
    id: "bosun::pack::parameter",
    severity: Error,
    summary: "a `set` or `values` parameter does not match the pack's schema",
    help: "give the parameter the type and form the pack's schema in pack.kdl asks for",
};
pub static TEMPLATE: Code = Code {
    id: "bosun::pack::template",
    severity: Error,
    summary: "a pack's values.yaml.tera does not render, or does not render to YAML",
    help: "templates see only `site`, `pools`, `teams`, `pack`, `values` and `secrets`; they cannot read files or the environment",
};
pub static OUTSIDE_ROOT: Code = Code {
    id: "bosun::pack::outside-root",
    severity: Error,
    summary: "a pack folder, or a file in it, is outside the site's root folder (by its path or through a symlink), or is not a regular file",
    help: "keep pack folders inside the site's folder, with their files copied in rather than linked from elsewhere",
};
pub static TEMPLATE_TIME: Code = Code {
    id: "bosun::pack::template-time",
    severity: Error,
    summary: "a pack's values template takes longer than 5 seconds to render",
    help: "a values template should loop over the site's objects, not over large ranges; look for nested loops",
};
pub static TEMPLATE_SIZE: Code = Code {
    id: "bosun::pack::template-size",
    severity: Error,
    summary: "a pack's values template renders more than 8 MiB, or asks for a range() of more than 1,000,000 numbers",
    help: "values are read by Helm and kept in git: render what the chart needs, and loop over the site's objects rather than large ranges",
};
pub static CYCLE: Code = Code {
    id: "bosun::pack::cycle",
    severity: Error,
    summary: "packs wait for each other in a cycle (depends-on, or CRDs provided and used)",
    help: "drop one `depends-on`, or move the CRDs to a pack that depends on nothing in the cycle",
};

pub static RESERVED_NAME: Code = Code {
    id: "bosun::pack::reserved-name",
    severity: Error,
    summary: "a pack's name starts with `bosun-`, which bosun keeps for its own GitOps objects",
    help: "rename the pack",
};

pub static SECRET_UNWIRED: Code = Code {
    id: "bosun::pack::secret-unwired",
    severity: Warning,
    summary: "a built-in pack's `set … from=` names a path bosun does not know how to point the chart at",
    help: "point the chart at the Secret with its existing-secret setting (`set … value=\"<secret>\"`); docs/packs.md lists the paths bosun wires",
};

pub static CEPH_CLUSTER: Code = Code {
    id: "bosun::pack::ceph-cluster",
    severity: Error,
    summary: "the `rook-ceph-cluster` pack is installed, but the site does not have exactly one ceph storage backend",
    help: "give `storage` one `ceph` backend for the chart's CephCluster, or drop the pack (with `rook-ceph` alone, cluster/ holds a CephCluster per backend)",
};

pub static CODES: &[&Code] = &[
    &FOLDER,
    &OUTSIDE_ROOT,
    &PARAMETER,
    &TEMPLATE,
    &TEMPLATE_TIME,
    &TEMPLATE_SIZE,
    &CYCLE,
    &RESERVED_NAME,
    &SECRET_UNWIRED,
    &CEPH_CLUSTER,
];
