//! The external CA channel (多CA通道): a PKCS#10 request for an account's key, and the import of
//! the certificate chain an outside CA returns for it. The key never leaves custody; from the
//! import on, the account signs with the external certificate and its chain.
//!
//! The imported chain is kept in the system store under `certificate_chain:<serial>` (the
//! certificate table holds one certificate per row), and read back when the certificate signs.

use std::sync::Arc;

use serde_json::json;
use signet_pki::{KeyCustody, KeyRef, build_csr, import_certificate_chain, parse_certificate, subject_text};

use super::Signet;
use super::accounts::{account_scope, account_subject};
use crate::audit::AuditEntry;
use crate::certificates::CertificateRecord;
use crate::ids::AppId;
use crate::{Error, Result};

/// The largest chain answer accepted (a handful of certificates).
const MAX_CHAIN_BYTES: usize = 256 * 1024;

/// What an import installed.
#[derive(Debug, Clone)]
pub struct ImportedCertificate {
    pub record: CertificateRecord,
    /// Subject of the issuing CA.
    pub issuer: String,
    /// Certificates above the leaf, as the CA returned them (nearest first).
    pub chain_len: usize,
}

impl Signet {
    /// A PEM certification request for the key of the account's current certificate, with the
    /// account's subject (name, organisation, ID-number pseudonym), for an external CA.
    pub async fn account_csr(&self, app: &AppId, account_id: &str) -> Result<String> {
        let account = self.account(app, account_id).await?;
        if !account.active {
            return Err(Error::Conflict("the account is deactivated".into()));
        }
        let certificate = self.account_certificate(&account).await?;
        let subject = account_subject(account.kind, &account.name, &account.id_number_pseudonym);
        let pki = Arc::clone(&self.pki);
        let key = KeyRef::from_bytes(certificate.key_ref);
        let der = tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
            let signer = pki.custody.signer(&key)?;
            Ok(build_csr(signer.as_ref(), &subject)?)
        })
        .await
        .map_err(|e| Error::Internal(format!("CSR task failed: {e}")))??;
        Ok(pem("CERTIFICATE REQUEST", &der))
    }

    /// Installs the certificate an external CA issued for the account's key: `answer` holds the
    /// leaf and its issuers (PEM, concatenated DER or PKCS#7). Refused when no certificate in it
    /// belongs to the key, when the chain's signatures do not link up, or when it is not valid now.
    pub async fn import_account_certificate(
        &self,
        app: &AppId,
        account_id: &str,
        answer: &[u8],
    ) -> Result<ImportedCertificate> {
        if answer.is_empty() || answer.len() > MAX_CHAIN_BYTES {
            return Err(Error::invalid("certificates", format!("expected 1 to {MAX_CHAIN_BYTES} bytes")));
        }
        let mut account = self.account(app, account_id).await?;
        if !account.active {
            return Err(Error::Conflict("the account is deactivated".into()));
        }
        let current = self.account_certificate(&account).await?;
        let pki = Arc::clone(&self.pki);
        let key = KeyRef::from_bytes(current.key_ref.clone());
        let spki = tokio::task::spawn_blocking(move || pki.custody.signer(&key).map(|s| s.public_key_der()))
            .await
            .map_err(|e| Error::Internal(format!("key task failed: {e}")))??;
        let imported =
            import_certificate_chain(answer, &spki).map_err(|e| Error::invalid("certificates", e.to_string()))?;
        let leaf = parse_certificate(&imported.leaf).map_err(|e| Error::invalid("certificates", e.to_string()))?;
        let tbs = leaf.tbs_certificate();
        let now = self.clock.now();
        let not_before = time::OffsetDateTime::from(tbs.validity().not_before.to_system_time());
        let not_after = time::OffsetDateTime::from(tbs.validity().not_after.to_system_time());
        if !(not_before <= now && now < not_after) {
            return Err(Error::invalid("certificates", "the certificate for the account's key is not valid now"));
        }
        if self.pki.ca.issuer_of(&leaf).is_some() {
            return Err(Error::invalid("certificates", "the certificate comes from this deployment's own CA"));
        }
        let serial = hex::encode_upper(tbs.serial_number().as_bytes());
        let issuer = tbs.issuer().to_string();
        let record = CertificateRecord {
            serial: serial.clone(),
            app_id: app.clone(),
            account_id: Some(account.id.clone()),
            certificate_der: imported.leaf.clone(),
            key_ref: current.key_ref,
            not_before,
            not_after,
            revoked_at: None,
            created_at: now,
        };
        // The chain first: a certificate row without its chain would sign with a wrong path.
        self.store.system_put_if_absent(&chain_key(&serial), &imported.chain.concat()).await?;
        let audit = AuditEntry::new(
            app,
            account_scope(&account.id),
            "account.certificate_imported",
            json!({"certificateSerial": serial, "previousSerial": account.certificate_serial,
                   "issuer": issuer, "subject": subject_text(&leaf)}),
            now,
        );
        account.certificate_serial = Some(serial);
        account.updated_at = now;
        self.store.account_update(&account, Some(&record), &audit).await?;
        Ok(ImportedCertificate { record, issuer, chain_len: imported.chain.len() })
    }

    /// The issuers above `certificate`: our CA's path for certificates we issued, the imported
    /// chain for an external CA's.
    pub(super) async fn chain_of(&self, certificate: &CertificateRecord) -> Result<Vec<Vec<u8>>> {
        let cert = parse_certificate(&certificate.certificate_der)?;
        if self.pki.ca.issuer_of(&cert).is_some() {
            return Ok(self.pki.ca.chain_for(signet_pki::certificate_family(&certificate.certificate_der)?)?);
        }
        let stored = self.store.system_get(&chain_key(&certificate.serial)).await?.unwrap_or_default();
        if stored.is_empty() {
            return Ok(Vec::new());
        }
        Ok(signet_pki::read_certificates(&stored)?)
    }
}

fn chain_key(serial: &str) -> String {
    format!("certificate_chain:{serial}")
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
