//! Codes of pack folders and the pack graph (docs/packs.md).

use crate::diag::codes;

codes! {
    FOLDER = "bosun::pack::folder", Error,
        "a pack folder is missing, or its pack.kdl is not a valid pack description",
        "a pack folder holds pack.kdl (name, version, chart, namespace, schema) and values.yaml.tera; see docs/packs.md";
    OUTSIDE_ROOT = "bosun::pack::outside-root", Error,
        "a pack folder, or a file in it, is outside the site's root folder (by its path or through a symlink), or is not a regular file",
        "keep pack folders inside the site's folder, with their files copied in rather than linked from elsewhere";
    PARAMETER = "bosun::pack::parameter", Error,
        "a `set` or `values` parameter does not match the pack's schema",
        "give the parameter the type and form the pack's schema in pack.kdl asks for";
    TEMPLATE = "bosun::pack::template", Error,
        "a pack's values.yaml.tera does not render, or does not render to YAML",
        "templates see only `site`, `pools`, `teams`, `pack`, `values` and `secrets`; they cannot read files or the environment";
    TEMPLATE_TIME = "bosun::pack::template-time", Error,
        "a pack's values template takes longer than 5 seconds to render",
        "a values template should loop over the site's objects, not over large ranges; look for nested loops";
    TEMPLATE_SIZE = "bosun::pack::template-size", Error,
        "a pack's values template renders more than 8 MiB, or asks for a range() of more than 1,000,000 numbers",
        "values are read by Helm and kept in git: render what the chart needs, and loop over the site's objects rather than large ranges";
    CYCLE = "bosun::pack::cycle", Error,
        "packs wait for each other in a cycle (depends-on, or CRDs provided and used)",
        "drop one `depends-on`, or move the CRDs to a pack that depends on nothing in the cycle";
    RESERVED_NAME = "bosun::pack::reserved-name", Error,
        "a pack's name starts with `bosun-`, which bosun keeps for its own GitOps objects",
        "rename the pack";
    SECRET_UNWIRED = "bosun::pack::secret-unwired", Warning,
        "a built-in pack's `set … from=` names a path bosun does not know how to point the chart at",
        "point the chart at the Secret with its existing-secret setting (`set … value=\"<secret>\"`); docs/packs.md lists the paths bosun wires";
    CEPH_CLUSTER = "bosun::pack::ceph-cluster", Error,
        "the `rook-ceph-cluster` pack is installed, but the site does not have exactly one ceph storage backend",
        "give `storage` one `ceph` backend for the chart's CephCluster, or drop the pack (with `rook-ceph` alone, cluster/ holds a CephCluster per backend)";
}
