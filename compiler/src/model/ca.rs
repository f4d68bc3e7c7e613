//! The cluster CA certificate the site names (`kubernetes { ca-certificate
//! "pki/ca.crt" }`): read with the model so that every join value but the
//! secret ones is known at compile time. kubeadm pins the CA by
//! `sha256:<hex>` of the certificate's DER SubjectPublicKeyInfo; that is
//! what [`spki_sha256`] computes, from the parsed certificate.

use std::path::{Component, Path};

use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

use super::Site;
use super::errors::CA_CERTIFICATE;
use crate::diag::{Diagnostic, Diagnostics};

/// A certificate is a few KB; anything far larger is not one.
const MAX_BYTES: u64 = 256 * 1024;

/// The CA certificate as the plan needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaCert {
    /// The PEM text, delivered to the control-plane hosts as ca.crt.
    pub pem: String,
    /// `sha256:<hex>` of the SubjectPublicKeyInfo, kubeadm's caCertHashes.
    pub hash: String,
}

/// `sha256:<hex>` of a PEM certificate's SubjectPublicKeyInfo (as
/// `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum`).
pub fn spki_sha256(pem: &str) -> Result<String, String> {
    let cert = Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("not a PEM certificate ({e})"))?;
    let spki = cert.tbs_certificate().subject_public_key_info().to_der().map_err(|e| e.to_string())?;
    Ok(format!("sha256:{}", crate::hash::sha256_hex(&spki)))
}

/// Reads the site's CA certificate into the model. The path stays inside
/// the site's folder and names a regular file, as for pack folders.
pub fn load(site_dir: &Path, site: &mut Site, diags: &mut Diagnostics) {
    let Some(k) = site.settings.as_mut().and_then(|s| s.kubernetes.as_mut()) else { return };
    let Some(path) = k.ca_certificate.clone() else { return };
    match read(site_dir, &path).and_then(|pem| Ok(CaCert { hash: spki_sha256(&pem)?, pem })) {
        Ok(ca) => k.ca = Some(ca),
        Err(why) => {
            let d = Diagnostic::new(&CA_CERTIFICATE, format!("ca-certificate `{path}`: {why}"))
                .label_opt(site.index.value("/site/kubernetes/ca-certificate"), "this certificate");
            diags.push(d);
        }
    }
}

fn read(site_dir: &Path, path: &str) -> Result<String, String> {
    let rel = Path::new(path);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err("the path must stay inside the site's folder (no `/` at the start, no `..`)".into());
    }
    let full = site_dir.join(rel);
    let meta = std::fs::symlink_metadata(&full).map_err(|e| format!("cannot read it ({e})"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_BYTES {
        return Err(format!("{} bytes, more than a certificate", meta.len()));
    }
    std::fs::read_to_string(&full).map_err(|e| format!("cannot read it ({e})"))
}
