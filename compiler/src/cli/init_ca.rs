//! `bosun init-ca`: creates the cluster CA, the bootstrap token and the
//! certificate key once, before any host boots, so that every join value is
//! known in advance (docs/bring-up.md). The CA certificate is public and goes
//! beside the site (`kubernetes { ca-certificate }`); the key, the token and
//! the certificate key go to the join-values file the operator names, in the
//! `NAME=VALUE` format hosts fetch from `secrets/`, created readable by its
//! owner only. Nothing secret is printed.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the CA certificate (public; the site's `ca-certificate`).
    #[arg(long)]
    pub cert: PathBuf,
    /// Where to write the join values (secret; publish as secrets/<join-credentials>.env).
    #[arg(long)]
    pub secrets: PathBuf,
    /// Validity of the CA in days (kubeadm's own CA: ten years).
    #[arg(long, default_value_t = 3650)]
    pub days: u32,
}

pub fn run(args: &Args) -> u8 {
    match create(args) {
        Ok(hash) => {
            println!("wrote the CA certificate to {}", args.cert.display());
            println!("wrote the join values to {} (mode 0600; never commit it)", args.secrets.display());
            println!("caCertHashes: {hash}");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn create(args: &Args) -> Result<String, String> {
    for p in [&args.cert, &args.secrets] {
        if p.exists() {
            return Err(format!("{} exists; bosun init-ca never replaces a CA or its secrets", p.display()));
        }
    }
    let (key, cert) = make_ca(args.days)?;
    let hash = crate::model::ca::spki_sha256(&cert)?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let token = format!("{}.{}", random_text(6)?, random_text(16)?);
    let values = format!(
        "BOSUN_JOIN_TOKEN={token}\nBOSUN_CA_CERT_HASH={hash}\nBOSUN_CERTIFICATE_KEY={}\nBOSUN_CA_KEY={}\n",
        hex(&random_bytes(32)?),
        b64.encode(key.as_bytes())
    );
    write_new(&args.secrets, values.as_bytes(), 0o600)?;
    write_new(&args.cert, cert.as_bytes(), 0o644)?;
    Ok(hash)
}

/// An RSA CA key and its self-signed certificate, as kubeadm's own CA is
/// made (CN kubernetes, CA:TRUE, keyCertSign). openssl writes both to a
/// private scratch folder; the key never passes through a pipe or argument.
fn make_ca(days: u32) -> Result<(String, String), String> {
    let dir = tempfile_dir()?;
    let (key, crt) = (dir.join("ca.key"), dir.join("ca.crt"));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=kubernetes"])
        .args(["-days", &days.to_string()])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run openssl ({e}); install it (Debian: openssl)"))?;
    let result = if out.status.success() {
        fs::read_to_string(&key).and_then(|k| Ok((k, fs::read_to_string(&crt)?))).map_err(|e| e.to_string())
    } else {
        Err(format!("openssl failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    };
    let _ = fs::remove_dir_all(&dir);
    result
}

fn tempfile_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("bosun-init-ca-{}-{}", std::process::id(), hex(&random_bytes(8)?)));
    fs::DirBuilder::new().mode(0o700).create(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn random_bytes(n: usize) -> Result<Vec<u8>, String> {
    let mut buf = vec![0; n];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("no randomness: {e}"))?;
    Ok(buf)
}

/// `n` characters of `[a-z0-9]`, as a bootstrap token's parts are; bytes
/// past the last multiple of 36 are dropped so every character is equally
/// likely.
fn random_text(n: usize) -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::new();
    while out.len() < n {
        for b in random_bytes(n * 2)? {
            if usize::from(b) < 252 && out.len() < n {
                out.push(char::from(ALPHABET[usize::from(b) % 36]));
            }
        }
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
