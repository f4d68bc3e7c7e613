//! Codes of the structure stage: the site's shape, checked against
//! schema/site.schema.json. Codes named by an `x-code` annotation in the
//! schema are declared here too, so every code the schema can raise is known.

use crate::diag::{Code, codes};

codes! {
    UNKNOWN_NODE = "bosun::schema::unknown-node", Error,
        "a node the site language does not have at this place",
        "check the spelling; docs/language.md lists every node";
    UNKNOWN_PROPERTY = "bosun::schema::unknown-property", Error,
        "a property this node does not have",
        "check the spelling; docs/language.md lists every property";
    WRONG_FORM = "bosun::schema::wrong-form", Error,
        "a setting written in the wrong form (property, child node, argument)",
        "docs/language.md shows how each setting is written";
    UNEXPECTED_ARGUMENT = "bosun::schema::unexpected-argument", Error,
        "a node has more arguments than it takes",
        "remove the extra argument";
    DUPLICATE_SETTING = "bosun::schema::duplicate-setting", Error,
        "a setting that may appear once appears twice",
        "keep one of them";
    MISSING = "bosun::schema::missing", Error,
        "a required setting is missing",
        "add the setting";
    TYPE = "bosun::schema::type", Error,
        "a value has the wrong type",
        "strings are quoted, numbers are not, booleans are #true and #false";
    INVALID_VALUE = "bosun::schema::invalid-value", Error,
        "a value is not one of the allowed choices",
        "use one of the listed values";
    PATTERN = "bosun::schema::pattern", Error,
        "a value does not have the required form",
        "see docs/language.md for the form of this setting";
    RANGE = "bosun::schema::range", Error,
        "a number is out of its allowed range",
        "use a number inside the range";
    LENGTH = "bosun::schema::length", Error,
        "a value is too long or too short",
        "shorten or lengthen the value";
    INVALID = "bosun::schema::invalid", Error,
        "a value breaks a rule of the site schema",
        "see docs/language.md";
    NAME_INVALID = "bosun::name::invalid", Error,
        "a name is not an RFC 1123 label",
        "names are 1-63 characters of lowercase a-z, 0-9 and '-', starting and ending with a letter or digit";
    DOMAIN_INVALID = "bosun::name::invalid-domain", Error,
        "a DNS domain is malformed",
        "write lowercase labels separated by dots";
    USER_NAME_INVALID = "bosun::user::invalid-name", Error,
        "a user name breaks Nauta's rule",
        "1-32 characters: a lowercase letter first, then lowercase letters, digits and '-'";
    EMAIL_INVALID = "bosun::user::invalid-email", Error,
        "an e-mail address is malformed",
        "write an address such as someone@example.edu";
    ADDRESS_INVALID = "bosun::address::invalid", Error,
        "an IPv4 address is malformed",
        "write an address such as 192.168.100.10";
    CIDR_INVALID = "bosun::address::invalid-cidr", Error,
        "a network is not in CIDR notation",
        "write ADDRESS/PREFIX such as 10.3.0.0/16";
    MAC_INVALID = "bosun::host::invalid-mac", Error,
        "a MAC address is malformed",
        "write six hex pairs separated by ':'";
    LABEL_INVALID = "bosun::host::invalid-label", Error,
        "a node label is not KEY=VALUE",
        "write KEY=VALUE such as scheduler=k8s";
    TAINT_INVALID = "bosun::host::invalid-taint", Error,
        "a taint is not KEY[=VALUE]:EFFECT",
        "EFFECT is NoSchedule, PreferNoSchedule or NoExecute";
    DEVICE_INVALID = "bosun::host::invalid-device", Error,
        "a device path does not start with /dev/",
        "write a device path such as /dev/sdb";
    MOUNT_INVALID = "bosun::host::invalid-mount", Error,
        "a mount point is not an absolute path",
        "write an absolute path such as /data";
    INTERFACE_NAME_INVALID = "bosun::host::invalid-interface-name", Error,
        "an interface name is not one Linux accepts",
        "1-15 characters of letters, digits, '.', '_' and '-'";
    VLAN_RANGE = "bosun::network::vlan-range", Error,
        "a VLAN ID is outside 1-4094",
        "VLAN IDs run from 1 to 4094";
    MTU_RANGE = "bosun::network::mtu-range", Error,
        "an MTU is outside 576-9216",
        "use an MTU between 576 and 9216";
    DHCP_RANGE_FORM = "bosun::network::invalid-dhcp-range", Error,
        "a DHCP range is not FIRST-LAST",
        "write FIRST-LAST such as 192.168.100.100-192.168.100.199";
    LEASE_INVALID = "bosun::network::invalid-lease", Error,
        "a DHCP lease time is malformed",
        "write 45m, 12h, 1d or infinite";
    TOO_MANY_DNS = "bosun::dns::too-many-servers", Error,
        "more than 3 DNS servers",
        "resolv.conf uses at most 3 name servers";
    VERSION_INVALID = "bosun::kubernetes::invalid-version", Error,
        "a Kubernetes version is not X.Y.Z",
        "write a full release version such as 1.31.4";
    ENDPOINT_INVALID = "bosun::kubernetes::invalid-endpoint", Error,
        "the control-plane endpoint is not HOST[:PORT]",
        "write HOST[:PORT] such as api.infra.nauta:6443";
    ADMISSION_INVALID = "bosun::kubernetes::invalid-admission", Error,
        "an admission plugin name is malformed",
        "write the plugin name as the API server knows it, such as PodNodeSelector";
    LOG_SIZE_INVALID = "bosun::kubernetes::invalid-log-size", Error,
        "a container log size is malformed",
        "write a size with a Ki, Mi or Gi suffix";
    LOG_FILES_RANGE = "bosun::kubernetes::log-files-range", Error,
        "fewer than 2 container log files",
        "the kubelet needs at least 2 log files per container";
    MAX_TIME_INVALID = "bosun::slurm::invalid-max-time", Error,
        "a Slurm partition's max-time is malformed",
        "write UNLIMITED, a number of minutes, or D-HH:MM:SS such as 7-00:00:00";
    GRES_INVALID = "bosun::slurm::invalid-gres", Error,
        "a Slurm partition's gres is not gpu[:TYPE]:COUNT",
        "write gpu:TYPE:COUNT such as gpu:a100:8";
    URL_INVALID = "bosun::site::invalid-url", Error,
        "a URL is malformed",
        "write a full URL such as http://proxy.example.com:911";
    REGISTRY_INVALID = "bosun::site::invalid-registry", Error,
        "a registry address is not HOST[:PORT]",
        "write HOST[:PORT] such as registry.local:5000";
    SSH_KEY_INVALID = "bosun::site::invalid-ssh-key", Error,
        "an SSH key is not a public key line",
        "paste TYPE BASE64 [COMMENT] from the .pub file";
    NO_NETWORK = "bosun::site::no-network", Error,
        "the site has no network",
        "add a `network NAME { cidr \"...\" }` node";
    NO_HOST = "bosun::site::no-host", Error,
        "the site has no host",
        "add a `host NAME { role \"...\" }` node";
    GPUS_PER_HOST_RANGE = "bosun::gpu::gpus-per-host-range", Error,
        "gpus-per-host outside 1-16",
        "a host has between 1 and 16 GPUs";
    REPLICAS_RANGE = "bosun::gpu::replicas-range", Error,
        "time-slicing replicas outside 2-64",
        "use between 2 and 64 replicas";
    QUANTITY_INVALID = "bosun::team::invalid-quantity", Error,
        "a resource quantity is malformed",
        "write a number with an optional suffix such as m, Mi, Gi, Ti";
    NODE_SELECTOR_INVALID = "bosun::team::invalid-node-selector", Error,
        "a node selector is not KEY=VALUE[,KEY=VALUE]",
        "write KEY=VALUE pairs separated by commas";
    STORAGE_PATH_INVALID = "bosun::storage::invalid-path", Error,
        "an NFS export path is not absolute",
        "write an absolute path such as /exports/input";
    PACK_SOURCE_INVALID = "bosun::pack::invalid-source", Error,
        "a pack source is not a relative folder path",
        "write a folder path such as packs/jupyterhub";
    PACK_PATH_INVALID = "bosun::pack::invalid-path", Error,
        "a Helm value path is malformed",
        "write a dotted path such as grafana.adminPassword";
    CMDLINE_INVALID = "bosun::image::invalid-cmdline", Error,
        "an image's kernel arguments are not printable ASCII on one line",
        "remove the line break or control character: boot entries write the arguments on the kernel's command line";
}

/// Looks up a code named by an `x-code` annotation in the schema.
pub fn by_id(id: &str) -> Option<&'static Code> {
    CODES.iter().copied().find(|c| c.id == id)
}
