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
        "a Kubernetes host has no static address on the node network",
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
    ARM64_NEEDS_UEFI = "bosun::host::arm64-needs-uefi", Error,
        "a host installs an arm64 image from a network that does not boot UEFI clients",
        "arm64 machines boot UEFI only: set uefi=#true in the network's `pxe`";
    HTTPS_WITHOUT_IPXE = "bosun::image::https-without-ipxe", Error,
        "an image fetched over https is installed from a network without iPXE",
        "GRUB and PXELINUX fetch over http and tftp only: serve the kernel and initrd over http://, or set ipxe=#true in the network's `pxe`";
}
