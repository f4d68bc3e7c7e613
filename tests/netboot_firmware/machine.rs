//! One machine's boot: a network namespace with the boot server (dnsmasq
//! with the compiled file, a static HTTP server) and QEMU on a tap, and the
//! logs it leaves.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Case, Expect, Firmware, sh};

const QEMU_BIN: &str = super::QEMU;
const OVMF_CODE: &str = "/usr/share/OVMF/OVMF_CODE_4M.fd";
const OVMF_VARS: &str = "/usr/share/OVMF/OVMF_VARS_4M.fd";
/// A boot under TCG takes 20–60 s of one core; a stuck one is cut here.
const BOOT_TIMEOUT: Duration = Duration::from_secs(300);

/// A network namespace holding the boot server (bridge `br0` with its
/// addresses, dnsmasq, the HTTP server) and the machine's tap; everything
/// in it ends with it.
struct Namespace {
    name: String,
    children: Vec<Child>,
}

impl Namespace {
    fn new(name: String, addrs: &[String]) -> Namespace {
        sh(&format!("ip netns add {name}"));
        let ns = Namespace { name, children: Vec::new() };
        let mut setup = vec![
            "link set lo up".to_string(),
            "link add br0 type bridge".into(),
            "tuntap add tap0 mode tap".into(),
            "link set tap0 master br0".into(),
        ];
        setup.extend(addrs.iter().map(|a| format!("addr add {a} dev br0")));
        setup.extend(["link set br0 up".into(), "link set tap0 up".into()]);
        for cmd in setup {
            sh(&format!("ip -n {} {cmd}", ns.name));
        }
        ns
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]).stdin(Stdio::null());
        c
    }

    fn spawn(&mut self, mut cmd: Command, log: &Path) {
        let log = fs::File::create(log).unwrap();
        let child = cmd.stdout(log.try_clone().unwrap()).stderr(log).spawn().expect("spawns");
        self.children.push(child);
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

/// The compiled dnsmasq.conf with only what ties it to a boot server
/// changed: bound to the test's bridge, its TFTP root the compiled folder's
/// copy, no DNS port, state files in the case's folder.
fn dnsmasq_conf(case: &Case, dir: &Path, out: &Path) -> PathBuf {
    let conf = fs::read_to_string(dir.join("provisioning/dnsmasq/dnsmasq.conf")).unwrap();
    let mut kept: String = conf.lines().filter(|l| !l.starts_with("tftp-root=")).map(|l| format!("{l}\n")).collect();
    if let Some((from, to)) = &case.break_boot_file {
        assert!(kept.contains(&format!(",{from}\n")), "dnsmasq.conf hands out no {from}");
        kept = kept.replace(&format!(",{from}\n"), &format!(",{to}\n"));
    }
    kept.push_str(&format!(
        "interface=br0\nbind-interfaces\nuser=root\nport=0\ndhcp-leasefile={0}/leases\npid-file={0}/dnsmasq.pid\ntftp-root={1}/provisioning/tftp\n",
        out.display(),
        dir.display()
    ));
    let path = out.join("dnsmasq.conf");
    fs::write(&path, kept).unwrap();
    path
}

fn qemu(ns: &Namespace, case: &Case, out: &Path) -> Command {
    let mut c = ns.command(QEMU_BIN);
    match case.firmware {
        Firmware::Bios => {
            // SeaBIOS prints (and lets iPXE and PXELINUX print) to the serial
            // port; after the last boot device it restarts in 1 s, which
            // -no-reboot turns into an exit.
            fs::write(out.join("sercon-port"), 0x3f8u16.to_le_bytes()).unwrap();
            let sercon = format!("name=etc/sercon-port,file={}", out.join("sercon-port").display());
            c.args(["-machine", "pc,accel=tcg", "-fw_cfg", &sercon, "-boot", "order=n,reboot-timeout=1000"]);
        }
        Firmware::Uefi => {
            let vars = out.join("OVMF_VARS.fd");
            fs::copy(OVMF_VARS, &vars).unwrap();
            c.args(["-machine", "q35,accel=tcg", "-boot", "order=n"]);
            c.args(["-drive", &format!("if=pflash,format=raw,readonly=on,file={OVMF_CODE}")]);
            c.args(["-drive", &format!("if=pflash,format=raw,file={}", vars.display())]);
        }
    }
    c.args(["-m", "512", "-nodefaults", "-display", "none", "-no-reboot"]);
    c.args(["-serial", &format!("file:{}", out.join("console.log").display())]);
    c.args(["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"]);
    // BIOS: the NIC's iPXE option ROM is SeaBIOS's PXE client. UEFI: no
    // option ROM, so OVMF's own driver and PXE client boot.
    let rom = if case.firmware == Firmware::Uefi { ",romfile=" } else { "" };
    c.args(["-device", &format!("virtio-net-pci,netdev=n0,mac={}{rom}", case.mac)]);
    c
}

/// The logs of one boot.
pub struct Logs {
    pub dnsmasq: String,
    pub http: String,
    pub console: String,
    pub tftp_root: PathBuf,
    /// QEMU ended by itself (with -no-reboot, when SeaBIOS ran out of boot
    /// devices), not at the timeout or once the case had shown its end.
    pub exited: bool,
}

pub fn boot(label: &str, case: &Case, dir: &Path, work: &Path) -> Logs {
    static BOOTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let index = BOOTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = work.join(label);
    fs::create_dir_all(&out).unwrap();
    let mut ns = Namespace::new(format!("bfw{}-{index}", std::process::id()), &case.addrs);
    let conf = dnsmasq_conf(case, dir, &out);
    let mut dnsmasq = ns.command("dnsmasq");
    dnsmasq
        .arg("--keep-in-foreground")
        .arg("-C")
        .arg(&conf)
        .arg(format!("--log-facility={}", out.join("dnsmasq.log").display()));
    ns.spawn(dnsmasq, &out.join("dnsmasq.out"));
    let mut http = ns.command("python3");
    let root = if case.images_missing { out.join("empty") } else { dir.join("provisioning") };
    fs::create_dir_all(&root).unwrap();
    http.args(["-m", "http.server", &case.port.to_string(), "--directory"]).arg(root);
    ns.spawn(http, &out.join("http.log"));
    std::thread::sleep(Duration::from_secs(1));
    let mut vm = qemu(&ns, case, &out).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("qemu runs");
    let start = Instant::now();
    let mut exited = false;
    while start.elapsed() < BOOT_TIMEOUT && !stopped(case, &out) {
        if vm.try_wait().unwrap().is_some() {
            exited = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let _ = vm.kill();
    let _ = vm.wait();
    drop(ns);
    let read = |f: &str| fs::read_to_string(out.join(f)).unwrap_or_default();
    let console = String::from_utf8_lossy(&fs::read(out.join("console.log")).unwrap_or_default()).into_owned();
    Logs {
        dnsmasq: read("dnsmasq.log"),
        http: read("http.log"),
        console,
        tftp_root: dir.join("provisioning/tftp"),
        exited,
    }
}

/// Whether a UEFI case that must stop has shown its message and handed
/// back to the firmware (OVMF would then sit in its setup screen).
fn stopped(case: &Case, out: &Path) -> bool {
    let console = String::from_utf8_lossy(&fs::read(out.join("console.log")).unwrap_or_default()).into_owned();
    case.firmware == Firmware::Uefi && back_in_firmware(case, &console)
}

/// OVMF's boot manager logs `BdsDxe: loading …` for each boot option it
/// tries: one after the message means the loader exited to the firmware.
fn back_in_firmware(case: &Case, console: &str) -> bool {
    let Expect::Stops { message } = &case.expect else { return false };
    let console = flat(console);
    console.find(&flat(message)).is_some_and(|at| console[at..].contains("BdsDxe:loading"))
}

/// Whether a machine that must stop went on to its next boot device:
/// SeaBIOS ran out of devices (QEMU exited), or OVMF took over again.
pub fn moved_on(case: &Case, logs: &Logs) -> bool {
    match case.firmware {
        Firmware::Bios => logs.exited,
        Firmware::Uefi => back_in_firmware(case, &logs.console),
    }
}

/// Text without terminal escapes and without any whitespace: loaders wrap
/// long lines at 80 columns, iPXE and PXELINUX inside a word, GRUB at a
/// space, so messages are compared with whitespace left out on both sides.
pub fn flat(text: &str) -> String {
    plain(text).chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn plain(console: &str) -> String {
    let mut out = String::with_capacity(console.len());
    let mut chars = console.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}
