//! The payload the image URLs serve: Debian's kernel and an initrd built
//! here (busybox-static, the NIC's modules, an /init that takes an address
//! by DHCP, fetches the NoCloud seed named on the kernel command line and
//! prints it to the serial console).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::sh;

/// Debian's kernel and the test's initrd.
pub struct Payload {
    pub kernel: PathBuf,
    pub initrd: PathBuf,
}

/// The virtio-net driver (with its bus). virtio-net because OVMF drives
/// it itself: UEFI machines then PXE-boot with the firmware's own client,
/// as servers do, not with an iPXE option ROM.
const MODULES: [&str; 2] = ["virtio_pci", "virtio_net"];

/// The newest /boot/vmlinuz-* with its modules, and the module files
/// [`MODULES`] need, in load order (modprobe's; none when built in).
pub fn kernel() -> (PathBuf, Vec<PathBuf>) {
    let mut versions: Vec<String> = fs::read_dir("/boot")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_string_lossy().strip_prefix("vmlinuz-").map(String::from))
        .filter(|v| Path::new("/lib/modules").join(v).is_dir())
        .collect();
    versions.sort();
    let version =
        versions.pop().expect("no /boot/vmlinuz-* with its modules: install the Debian package linux-image-amd64");
    let mut modules: Vec<PathBuf> = Vec::new();
    for m in MODULES {
        for line in sh(&format!("modprobe -S {version} --show-depends {m}")).lines() {
            let Some(path) = line.strip_prefix("insmod ") else { continue };
            let path = PathBuf::from(path.trim());
            if !modules.contains(&path) {
                modules.push(path);
            }
        }
    }
    (PathBuf::from(format!("/boot/vmlinuz-{version}")), modules)
}

/// The init of the test initrd: an address by DHCP, then the seed named on
/// the command line, each file base64-encoded between markers so the serial
/// console cannot alter it.
const INIT: &str = r#"#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec >/dev/ttyS0 2>&1
echo
echo "bosun-initrd: cmdline: $(cat /proc/cmdline)"
for m in /lib/*.ko; do insmod "$m"; done
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -n -q -t 10 -T 2 -s /bin/dhcp.sh
seed=""
for a in $(cat /proc/cmdline); do case "$a" in ds=nocloud\;s=*) seed="${a#ds=nocloud;s=}";; esac; done
for f in meta-data user-data network-config; do
  if wget -q -O "/tmp/$f" "$seed$f"; then
    echo "bosun-initrd: begin $f"; base64 "/tmp/$f"; echo "bosun-initrd: end $f"
  else
    echo "bosun-initrd: cannot fetch $seed$f"
  fi
done
echo "bosun-initrd: done"
poweroff -f
"#;

const DHCP_SCRIPT: &str = r#"#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/${mask:-24}" dev "$interface"
[ -n "$router" ] && ip route add default via "${router%% *}"
echo "bosun-initrd: address $ip"
"#;

/// A gzip'd newc cpio archive: busybox-static, the NIC's modules, /init.
pub fn initrd(modules: &[PathBuf], out: &Path) {
    let busybox = ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| Path::new(p).exists());
    let busybox = busybox.expect("busybox is missing: install the Debian package busybox-static");
    let file = sh(&format!("file -L {busybox} 2>/dev/null || true"));
    assert!(!file.contains("dynamically"), "{busybox} is not static: install busybox-static");
    let mut cpio = Vec::new();
    for dir in ["bin", "lib", "dev", "proc", "sys", "tmp"] {
        newc(&mut cpio, dir, 0o040755, &[], (0, 0));
    }
    newc(&mut cpio, "dev/console", 0o020600, &[], (5, 1));
    newc(&mut cpio, "bin/busybox", 0o100755, &fs::read(busybox).unwrap(), (0, 0));
    newc(&mut cpio, "bin/dhcp.sh", 0o100755, DHCP_SCRIPT.as_bytes(), (0, 0));
    for (i, module) in modules.iter().enumerate() {
        newc(&mut cpio, &format!("lib/{i:02}.ko"), 0o100644, &module_file(module), (0, 0));
    }
    newc(&mut cpio, "init", 0o100755, INIT.as_bytes(), (0, 0));
    newc(&mut cpio, "TRAILER!!!", 0, &[], (0, 0));
    let mut gzip =
        Command::new("gzip").args(["-n", "-c"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdin = gzip.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&cpio));
    let out_bytes = gzip.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out_bytes.status.success(), "gzip failed");
    fs::write(out, out_bytes.stdout).unwrap();
}

/// A module's bytes, decompressed when the kernel package compresses them.
fn module_file(module: &Path) -> Vec<u8> {
    match module.extension().and_then(|e| e.to_str()) {
        Some("ko") => fs::read(module).unwrap(),
        Some(ext) => {
            let tool = if ext == "xz" { "xz" } else { "zstd" };
            let out = Command::new(tool).arg("-dc").arg(module).output().expect("decompressor runs");
            assert!(out.status.success(), "{tool} -dc {} failed", module.display());
            out.stdout
        }
        None => panic!("{} is not a module", module.display()),
    }
}

/// One entry of a newc ("070701") archive, padded to four bytes.
fn newc(out: &mut Vec<u8>, name: &str, mode: u32, data: &[u8], rdev: (u32, u32)) {
    static INO: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let ino = INO.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nlink = if mode & 0o040000 != 0 { 2 } else { 1 };
    let fields = [ino, mode, 0, 0, nlink, 0, data.len() as u32, 0, 0, rdev.0, rdev.1, name.len() as u32 + 1, 0];
    out.extend_from_slice(b"070701");
    for f in fields {
        out.extend_from_slice(format!("{f:08x}").as_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    out.extend_from_slice(data);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}
