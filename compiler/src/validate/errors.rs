//! Codes of the semantic rules (site-language.md and docs/language.md).

use crate::diag::codes;

codes! {
    DUPLICATE_NAME = "bosun::name::duplicate", Error,
        "two objects of the same kind share a name",
        "rename one of them; names are unique per kind";
    FQDN_TOO_LONG = "bosun::host::fqdn-too-long", Error,
        "a host's FQDN is longer than 253 characters",
        "shorten the host name, nodes-domain or domain";
    DUPLICATE_MAC = "bosun::host::duplicate-mac", Error,
        "two interfaces share a MAC address",
        "each interface has its own MAC; check for a copy-paste slip";
    DUPLICATE_ADDRESS = "bosun::host::duplicate-address", Error,
        "two interfaces or bonds share an address",
        "give each interface its own address";
    DUPLICATE_BMC_ADDRESS = "bosun::host::duplicate-bmc-address", Error,
        "a BMC address is used twice (by two BMCs, or by a BMC and an interface)",
        "give each BMC its own address";
    DUPLICATE_INTERFACE = "bosun::host::duplicate-interface", Error,
        "a host has two interfaces or bonds of the same name",
        "rename one of them";
    ADDRESS_OUTSIDE_NETWORK = "bosun::address::outside-network", Error,
        "a static address is not inside its network's CIDR",
        "pick an address inside the network, or attach the interface to the right network";
    ADDRESS_RESERVED = "bosun::address::reserved", Error,
        "a static address is the network, broadcast or gateway address",
        "pick another address; these three are taken";
    ADDRESS_IN_DHCP_RANGE = "bosun::address::in-dhcp-range", Error,
        "a static address lies inside the network's dynamic DHCP range",
        "move the address out of the range, or shrink the range";
    ADDRESS_WITHOUT_NETWORK = "bosun::host::address-without-network", Error,
        "an interface or bond has a static address but no network",
        "add network=\"NAME\" so bosun knows the address's subnet";
    ADDRESS_AND_DHCP = "bosun::host::address-and-dhcp", Error,
        "an interface has both a static address and dhcp=#true",
        "keep one: a static address is already handed out by DHCP as a reservation";
    CIDR_HOST_BITS = "bosun::network::cidr-host-bits", Error,
        "a CIDR has host bits set",
        "write the network address of the range";
    GATEWAY_OUTSIDE = "bosun::network::gateway-outside", Error,
        "a gateway is not inside its network",
        "pick a gateway inside the network's CIDR";
    DHCP_RANGE_OUTSIDE = "bosun::network::dhcp-range-outside", Error,
        "a DHCP range is not inside its network, or is reversed",
        "give FIRST-LAST inside the network's CIDR with FIRST <= LAST";
    DHCP_RANGE_GATEWAY = "bosun::network::dhcp-range-gateway", Error,
        "a DHCP range contains the gateway or the network/broadcast address",
        "shrink the range so it leaves these addresses out";
    OVERLAP = "bosun::network::overlap", Error,
        "two of the networks, the pod subnet and the service subnet overlap",
        "give each its own address range";
    CONTROL_PLANE_COUNT = "bosun::cluster::control-plane-count", Error,
        "the number of control-plane hosts is not 1 or an odd number of 3 or more",
        "etcd needs a majority: use 1, 3, 5 or 7 control-plane hosts";
    MISSING_ENDPOINT = "bosun::cluster::missing-endpoint", Error,
        "several control-plane hosts but no control-plane-endpoint",
        "add `control-plane-endpoint \"api.example:6443\"` to `kubernetes`: a name or VIP that reaches every control-plane host";
    NO_NODE_ADDRESS = "bosun::kubernetes::no-node-address", Error,
        "a Kubernetes host has no static address on the node network, or a control-plane host has none at all",
        "give the host an interface or bond with an `address` on the network named by `node-network`";
    UNSUPPORTED_VERSION = "bosun::kubernetes::unsupported-version", Error,
        "the Kubernetes version is outside the supported window",
        "see docs/language.md for the supported versions";
    PXE_INTERFACE = "bosun::host::pxe-interface", Error,
        "a host that boots from the network has no PXE interface, or more than one",
        "mark exactly one interface pxe=#true, on a network with a `pxe` block";
    PXE_WITHOUT_MAC = "bosun::host::pxe-without-mac", Error,
        "the PXE interface has no MAC address",
        "add mac=\"…\": DHCP recognises the host by it";
    PXE_NETWORK = "bosun::host::pxe-network", Error,
        "the PXE interface has no network, or one without a `pxe` block",
        "add `pxe bios=#true uefi=#true …` to the network, or boot from another interface";
    BOND_MEMBER = "bosun::host::bond-member", Error,
        "a bond member is not an interface of the host, is in two bonds, or has its own address",
        "list interfaces of this host, each in one bond, without addresses of their own";
    DISK_MOUNT = "bosun::host::disk-mount", Error,
        "a formatted disk has no mount point, or two disks share one",
        "give every local-data or scratch disk its own mount=\"/path\"";
    UNKNOWN_REFERENCE = "bosun::reference::unknown", Error,
        "a name refers to an object that is not declared",
        "declare the object, or fix the name";
    DEFAULT_CLASS = "bosun::storage::default-class", Error,
        "not exactly one default storage class",
        "mark exactly one `class` with default=#true";
    BACKEND_TYPE = "bosun::storage::backend-type", Error,
        "a storage class's type does not fit its backend",
        "type \"nfs\" needs an nfs backend; \"cephfs\" and \"rbd\" need a ceph backend";
    ACCESS_MODE = "bosun::storage::access-mode", Error,
        "an access mode the class's type cannot provide",
        "RBD volumes are ReadWriteOnce or ReadWriteOncePod; use cephfs or nfs for shared volumes";
    UNKNOWN_GPU_MODEL = "bosun::gpu::unknown-model", Error,
        "MIG is asked for on a GPU model bosun has no MIG table for",
        "use one of the models listed in docs/language.md, or drop `mig`";
    MIG_PROFILE = "bosun::gpu::mig-profile", Error,
        "a MIG profile that the pool's GPU model does not offer (or that the strategy cannot use)",
        "pick a profile from the model's table in docs/language.md";
    MIG_WITH_TIME_SLICING = "bosun::gpu::mig-with-time-slicing", Error,
        "MIG and time-slicing on the same pool",
        "use one of them per pool";
    EMPTY_POOL = "bosun::gpu::empty-pool", Warning,
        "a GPU pool has no hosts",
        "add `gpu-pool \"NAME\"` to the pool's hosts, or remove the pool";
    POOL_HOST_ROLE = "bosun::gpu::pool-host-role", Error,
        "a host that does not run Kubernetes is in a GPU pool",
        "only control-plane and worker hosts join GPU pools";
    TOO_MANY_POOLS = "bosun::gpu::too-many-pools", Error,
        "more GPU pools than a Kueue ClusterQueue can list as flavors (64)",
        "merge pools of the same GPU model (pools are per hardware kind, not per rack), or drop the kueue pack";
    OVERSUBSCRIBED = "bosun::team::gpu-oversubscribed", Warning,
        "teams' GPU quotas add up to more than the pool has",
        "lower the quotas or add hosts to the pool; Kueue lets teams borrow idle GPUs anyway";
    QUOTA_POOL_REQUIRED = "bosun::team::quota-pool-required", Error,
        "a GPU quota does not say which pool, and the site has none or several",
        "add pool=\"NAME\" to the quota";
    DUPLICATE_NAMESPACE = "bosun::team::duplicate-namespace", Error,
        "two teams use the same namespace",
        "give each team its own namespace";
    RESERVED_NAMESPACE = "bosun::team::reserved-namespace", Error,
        "a team namespace is one Kubernetes reserves",
        "pick another namespace; `default` and every `kube-*` namespace belong to Kubernetes";
    RESERVED_TEAM = "bosun::team::reserved-name", Error,
        "a team is named like an object the GitOps engine owns (Argo CD's `default` AppProject)",
        "rename the team; every generated Application belongs to the `default` AppProject, which a team's AppProject would replace";
    ENGINE_NAMESPACE = "bosun::team::engine-namespace", Error,
        "a team namespace is one a pack or the GitOps engine installs into",
        "pick another namespace; a team's quota and access rules would apply to the pack's or engine's own objects";
    UNKNOWN_PACK = "bosun::pack::unknown", Error,
        "a pack without `source` is not a built-in pack",
        "use a built-in pack name (docs/language.md lists them) or give source=\"packs/NAME\"";
    SET_VALUE = "bosun::pack::set-value", Error,
        "a `set` has both value= and from=, or neither",
        "give value=\"…\" for a literal or from=\"SECRET\" for a secret";
    PXE_NEEDS_HTTP_SERVER = "bosun::network::pxe-needs-http-server", Error,
        "hosts are installed from a network whose `pxe` has no http-server",
        "add http-server=\"http://ADDRESS:PORT\" to the network's `pxe`: boot entries point the installer at HTTP-SERVER/cloud-init/HOST/";
    MIG_DEVICE = "bosun::gpu::mig-device", Error,
        "a custom MIG layout names a size the model lacks, splits a GPU into more than it holds, has no name of its own, or mixes sizes under the single strategy",
        "use the model's MIG sizes (docs/language.md, GPU models), at most its compute slices per GPU, and a profile name that is not in the model's table";
    UNRESOLVED_URL = "bosun::boot::unresolved-url", Error,
        "an http-server, kernel or initrd URL still holds a shell variable (`$`) or a template (`{{`)",
        "nothing expands these at boot: write the URL the machines will fetch, such as \"http://192.168.1.1:13370\"";
    ARM64_NEEDS_UEFI = "bosun::host::arm64-needs-uefi", Error,
        "a host installs an arm64 image from a network that does not boot UEFI clients",
        "arm64 machines boot UEFI only: set uefi=#true in the network's `pxe`";
    VERSION_FORMAT = "bosun::kubernetes::version-format", Error,
        "a Kubernetes version has a leading zero, which kubeadm does not read as that release",
        "write the release as kubeadm does, such as \"1.31.4\"";
    ENDPOINT = "bosun::kubernetes::endpoint", Error,
        "the control-plane endpoint's host is not a DNS name or IPv4 address, or its port is not 1-65535",
        "write HOST[:PORT] with dot-separated labels of 1-63 characters and a port from 1 to 65535, such as \"api.lab:6443\"";
    SERVICE_SUBNET_SIZE = "bosun::kubernetes::service-subnet-size", Error,
        "the service subnet is larger than /12 (the API server's limit) or smaller than /28 (no room for the cluster DNS address)",
        "give service-subnet a prefix from /12 to /28, such as 10.96.0.0/12 or 10.4.0.0/16";
    POD_SUBNET_SIZE = "bosun::kubernetes::pod-subnet-size", Error,
        "the pod subnet is smaller than one node's /24, or more than 16 bits larger than it",
        "give pod-subnet a prefix from /8 to /24: every node gets a /24 of it";
    SPECIAL_RANGE = "bosun::network::special-range", Error,
        "a network, the pod subnet or the service subnet overlaps a special-purpose range (0/8, loopback, link-local, multicast or reserved)",
        "use private address space, such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16";
    SPECIAL_ADDRESS = "bosun::address::special", Error,
        "a DNS server or BMC address is unspecified, broadcast, loopback, multicast or reserved, or inside the pod or service subnet",
        "give the address of a real host, outside the cluster's pod and service subnets";
    DNS_NAME = "bosun::name::dns-name-too-long", Error,
        "a domain has a label over 63 characters, or is over 253 characters in all",
        "shorten the domain: each dot-separated label is at most 63 characters, the whole name at most 253";
    SEARCH_TOO_LONG = "bosun::network::search-too-long", Error,
        "the DHCP domain-search list does not fit its option (255 bytes)",
        "drop or shorten `search` domains: the hosts domain, the domain and every search domain go into one DHCP option";
    HTTP_SERVER_TOO_LONG = "bosun::network::http-server-too-long", Error,
        "an http-server URL makes a dnsmasq line longer than dnsmasq reads (1,024 characters)",
        "shorten the URL: serve the compiled provisioning/ folder at a short path";
    MAC_NOT_UNICAST = "bosun::host::mac-not-unicast", Error,
        "a MAC address is all zeros, broadcast or multicast, which no network card has",
        "copy the card's own MAC address (its first byte is even)";
    DISK_PATH = "bosun::host::disk-path", Error,
        "a disk's device or mount point has `.` or `..` components, or the mount point is a system folder",
        "name the device under /dev directly and mount data disks at a folder of their own, such as /data";
    PACK_SHADOWS_BUILTIN = "bosun::pack::shadows-builtin", Error,
        "a pack folder has the name of a built-in pack whose values bosun writes itself (the site's CNI, gpu-operator)",
        "rename the pack folder's pack, or drop `source` to use the built-in pack";
    POOL_NAME_RESERVED = "bosun::gpu::reserved-pool-name", Error,
        "a GPU pool has the name of Kueue's CPU flavor, `default-flavor`",
        "rename the pool: with the kueue pack, each pool is a ResourceFlavor beside `default-flavor`";
    VALUES_KEY_TOO_LONG = "bosun::pack::key-too-long", Error,
        "a `values` key or `set` path segment is longer than a YAML key may be (1,024 characters)",
        "shorten the key; YAML readers stop looking for a key's `:` after 1,024 characters";
    CHART_FILE_NAME = "bosun::pack::chart-file-name", Error,
        "a file of a pack's chart has a name bosun does not write (only letters, digits, `.`, `_` and `-`)",
        "rename the file in the pack folder's charts/";
    HTTPS_WITHOUT_IPXE = "bosun::image::https-without-ipxe", Error,
        "an image fetched over https is installed from a network without iPXE",
        "GRUB and PXELINUX fetch over http and tftp only: serve the kernel and initrd over http://, or set ipxe=#true in the network's `pxe`";
    UNRESOLVED_NAME = "bosun::dns::unresolved-name", Error,
        "a name in the site's domains that the site uses (endpoint, registry, NFS server, boot or git server) is neither a host nor a `record`",
        "add `record \"NAME\" address=\"IP\"` to the site's `dns` block, or use a host's name (HOST.NODES-DOMAIN.DOMAIN)";
    DUPLICATE_RECORD = "bosun::dns::duplicate-record", Error,
        "a `record` names a host, another record, or the control-plane endpoint that has an address already",
        "keep one: a host's name resolves by itself, and `control-plane-address` gives the endpoint's";
    ENDPOINT_ADDRESS = "bosun::kubernetes::endpoint-address", Error,
        "several control-plane hosts and an endpoint given by name, without `control-plane-address`",
        "add `control-plane-address \"IP\"` to `kubernetes`: the VIP kube-vip holds and the compiled dnsmasq answers for the endpoint's name";
}

pub use slurm::{
    KUBERNETES_MISSING, SLURM_CONTROLLER, SLURM_EMPTY_PARTITION, SLURM_GRES_WITHOUT_GPUS, SLURM_MISSING_FACTS,
    SLURM_MISSING_SECRET, SLURM_NO_CLUSTER, SLURM_SCHEDULER_CONFLICT, SLURM_UNKNOWN_HOST,
};

/// The Slurm cluster (validate/slurm.rs, docs/slurm.md).
pub mod slurm {
    use crate::diag::codes;

    codes! {
        SLURM_CONTROLLER = "bosun::slurm::controller", Error,
            "the Slurm controller (or backup, or accounting host) is not a host of the site, or is a Slurm compute node",
            "name a login or management host of the site; a host running slurmd cannot also be the controller";
        SLURM_UNKNOWN_HOST = "bosun::slurm::unknown-host", Error,
            "a Slurm partition names a host the site does not have",
            "list hosts declared with `host \"NAME\"`, separated by spaces";
        SLURM_MISSING_FACTS = "bosun::slurm::missing-facts", Error,
            "a host that runs slurmd has no CPU layout or memory",
            "add `cpu sockets=… cores=… threads=…` and `memory-mib …` as `slurmd -C` prints them (on the host or its host-defaults)";
        SLURM_GRES_WITHOUT_GPUS = "bosun::slurm::gres-without-gpus", Error,
            "a Slurm partition gives GRES to a host that is in no GPU pool",
            "put the host in a `gpu-pool`, or leave `gres` out of the partition";
        SLURM_SCHEDULER_CONFLICT = "bosun::slurm::scheduler-conflict", Error,
            "a host in a Slurm partition does not run slurmd (a Kubernetes GPU worker needs scheduler \"both\")",
            "give the host `scheduler \"slurm\"` or `scheduler \"both\"`, or take it out of the partition";
        SLURM_MISSING_SECRET = "bosun::slurm::missing-secret", Error,
            "the Slurm munge key or accounting password is not a declared `secret`",
            "declare `secret \"munge-key\" store=\"…\" path=\"…\"` and name it with `munge-key \"munge-key\"` in `slurm`";
        SLURM_EMPTY_PARTITION = "bosun::slurm::empty-partition", Error,
            "a Slurm partition has no hosts",
            "give it hosts=\"…\", or name it after a GPU pool with Slurm hosts";
        SLURM_NO_CLUSTER = "bosun::slurm::no-slurm-block", Warning,
            "a worker is given to Slurm but the site has no `slurm` block: it runs neither scheduler",
            "add `slurm { controller \"HOST\"; munge-key \"SECRET\" }` to `site`, or give the host scheduler \"k8s\"";
        KUBERNETES_MISSING = "bosun::kubernetes::missing", Error,
            "the site has Kubernetes hosts or objects but no `kubernetes` block",
            "add `kubernetes version=\"…\" { pod-subnet \"…\"; service-subnet \"…\" }` to `site`";
    }
}
