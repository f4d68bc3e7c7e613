//! `local-data` and `scratch` disks: partitioned (whole disks only),
//! formatted when they hold no file system yet, and mounted. `ceph` disks
//! are left alone for Rook.
//!
//! These modules run again whenever the instance-id changes, that is after
//! any change to the host's seed, so nothing here may destroy data: the
//! partition table is written only on a disk without one, and a file system
//! only where none exists (`overwrite: false`, `partition: any`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock, PoisonError};

use regex::Regex;
use serde_json::{Map, Value, json};

use crate::model::{Disk, DiskUse, Fs, Host};
use crate::render::yaml;

/// What a host's formatted disks render from: the device, mount point and
/// file system of each, in the host's order.
type Layout<'a> = Vec<(&'a str, &'a str, &'static str)>;

/// `disk_setup`, `fs_setup` and `mounts` by depth and layout. Hosts mostly
/// share a handful of layouts, and rendering one (regexes, label hashes,
/// JSON values) costs more than looking it up.
#[derive(Default)]
pub struct Rendered<'a>(Mutex<HashMap<(usize, Layout<'a>), String>>);

impl<'a> Rendered<'a> {
    /// Writes the host's disk keys of a cloud-config at `level`.
    pub fn write(&self, out: &mut String, level: usize, host: &'a Host) {
        let layout: Layout = formatted(host).iter().map(|(d, m)| (d.device.as_str(), *m, fs_name(d.fs))).collect();
        if layout.is_empty() {
            return;
        }
        let mut rendered = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let text = rendered.entry((level, layout)).or_insert_with(|| {
            let mut config = Map::new();
            add(host, &mut config);
            let mut text = String::new();
            for (k, v) in &config {
                yaml::entry(&mut text, level, k, v);
            }
            text
        });
        out.push_str(text);
    }
}

/// The `local-data` and `scratch` disks with a mount point.
fn formatted(host: &Host) -> Vec<(&Disk, &str)> {
    host.disk
        .iter()
        .filter(|d| matches!(d.use_, DiskUse::LocalData | DiskUse::Scratch))
        .filter_map(|d| d.mount.as_deref().map(|m| (d, m)))
        .collect()
}

/// Adds `disk_setup`, `fs_setup` and `mounts` for the host's formatted disks.
fn add(host: &Host, config: &mut Map<String, Value>) {
    let mut disks = formatted(host);
    if disks.is_empty() {
        return;
    }
    // Parents before children (/data before /data/x); no two disks share a mount.
    disks.sort_by(|a, b| a.1.cmp(b.1));
    let labels = labels(&disks);
    let mut disk_setup = Map::new();
    let mut fs_setup = Vec::new();
    let mut mounts = Vec::new();
    for ((disk, mount), label) in disks.iter().zip(labels) {
        if is_whole_disk(&disk.device) {
            disk_setup.insert(disk.device.clone(), json!({"table_type": "gpt", "layout": true, "overwrite": false}));
        }
        fs_setup.push(json!({
            "label": label,
            "filesystem": fs_name(disk.fs),
            "device": disk.device,
            "partition": "any",
            "overwrite": false,
        }));
        mounts.push(json!([mount_device(&disk.device), mount, fs_name(disk.fs), "defaults,nofail", "0", "2"]));
    }
    if !disk_setup.is_empty() {
        config.insert("disk_setup".into(), Value::Object(disk_setup));
    }
    config.insert("fs_setup".into(), Value::Array(fs_setup));
    config.insert("mounts".into(), Value::Array(mounts));
}

fn fs_name(fs: Fs) -> &'static str {
    match fs {
        Fs::Ext4 => "ext4",
        Fs::Xfs => "xfs",
    }
}

/// Longest label each file system takes.
fn label_limit(fs: Fs) -> usize {
    match fs {
        Fs::Ext4 => 16,
        Fs::Xfs => 12,
    }
}

/// File system labels from the mount points (`/data` → `data`, `/var/lib/x`
/// → `var-lib-x`). A label too long for its file system, or one two mounts
/// of the host would share, is shortened and made unique with a hash of the
/// mount point.
fn labels(disks: &[(&Disk, &str)]) -> Vec<String> {
    let plain: Vec<String> = disks
        .iter()
        .map(|(_, m)| {
            let l = m.trim_matches('/').replace('/', "-");
            if l.is_empty() { "root".to_string() } else { l }
        })
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &plain {
        *count.entry(l).or_default() += 1;
    }
    disks
        .iter()
        .zip(&plain)
        .map(|((disk, mount), l)| {
            let limit = label_limit(disk.fs);
            if l.len() <= limit && count.get(l.as_str()) == Some(&1) {
                return l.clone();
            }
            let hash = crate::hash::sha256_hex(mount.as_bytes());
            let keep = limit - 7;
            let prefix: String = l.chars().take(keep).collect();
            format!("{prefix}-{}", hash.get(..6).unwrap_or(&hash))
        })
        .collect()
}

fn whole_disk() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^/dev/(?:(?:sd|vd|xvd|hd)[a-z]+|nvme[0-9]+n[0-9]+)$").expect("valid pattern"))
}

/// A kernel name of a whole disk, which gets a GPT with one partition.
/// Partitions, RAID arrays, LVM volumes and /dev/disk/by-* links are
/// formatted as they are.
fn is_whole_disk(device: &str) -> bool {
    whole_disk().is_match(device)
}

fn partition_patterns() -> &'static [Regex; 3] {
    static RE: OnceLock<[Regex; 3]> = OnceLock::new();
    RE.get_or_init(|| {
        [
            Regex::new(r"^(/dev/(?:sd|vd|xvd|hd)[a-z]+)([0-9]+)$").expect("valid pattern"),
            Regex::new(r"^(/dev/(?:nvme[0-9]+n[0-9]+|mmcblk[0-9]+|md[0-9]+|loop[0-9]+))p([0-9]+)$")
                .expect("valid pattern"),
            Regex::new(r"^(/dev/disk/by-[a-z-]+/.+)-part([0-9]+)$").expect("valid pattern"),
        ]
    })
}

/// The device as cloud-init's `mounts` module wants it. It looks a device up
/// in /sys/block, where partitions do not appear, so a partition is written
/// `DISK.N` (`/dev/sdb1` → `/dev/sdb.1`); for a whole disk it mounts the
/// first partition when there is one, which is the one `disk_setup` made.
fn mount_device(device: &str) -> String {
    for re in partition_patterns() {
        if let Some(c) = re.captures(device) {
            return format!("{}.{}", &c[1], &c[2]);
        }
    }
    device.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(device: &str, mount: &str, fs: Fs) -> Disk {
        Disk { device: device.into(), use_: DiskUse::LocalData, mount: Some(mount.into()), fs }
    }

    #[test]
    fn devices_as_cloud_init_mounts_them() {
        assert_eq!(mount_device("/dev/sdb1"), "/dev/sdb.1");
        assert_eq!(mount_device("/dev/nvme0n1p2"), "/dev/nvme0n1.2");
        assert_eq!(mount_device("/dev/md1p1"), "/dev/md1.1");
        assert_eq!(
            mount_device("/dev/disk/by-id/wwn-0x5000c500a1b2c3d4-part1"),
            "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4.1"
        );
        for same in ["/dev/sdb", "/dev/nvme1n1", "/dev/md1", "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4"] {
            assert_eq!(mount_device(same), same);
        }
        assert!(is_whole_disk("/dev/sdb") && is_whole_disk("/dev/nvme1n1"));
        assert!(!is_whole_disk("/dev/sdb1") && !is_whole_disk("/dev/md1") && !is_whole_disk("/dev/nvme0n1p1"));
    }

    #[test]
    fn labels_fit_and_are_unique() {
        let a = disk("/dev/sdb", "/data", Fs::Xfs);
        let b = disk("/dev/sdc", "/var/lib/containerd", Fs::Xfs);
        let c = disk("/dev/sdd", "/a/b", Fs::Ext4);
        let d = disk("/dev/sde", "/a-b", Fs::Ext4);
        let l = labels(&[(&a, "/data"), (&b, "/var/lib/containerd"), (&c, "/a/b"), (&d, "/a-b")]);
        assert_eq!(l[0], "data");
        assert!(l[1].len() <= 12 && l[1].starts_with("var-l"), "{l:?}");
        assert!(l[2] != l[3] && l[2].starts_with("a-b-") && l[3].starts_with("a-b-"), "{l:?}");
        assert_eq!(labels(&[(&a, "/")]), ["root"]);
    }
}
