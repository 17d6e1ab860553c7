//! Per-scene certificates (场景证书): a certificate issued at signing time for one signing only,
//! valid for minutes up to a day.
//!
//! The key is generated in the software keystore and its wrapped form lives only in memory for
//! the duration of the signing: the certificate table records the certificate (so OCSP, CRLs
//! and revocation know it) with an empty key reference, so no later signing can use it again.

use std::sync::Arc;

use super::Signet;
use super::accounts::account_subject;
use crate::accounts::AccountRecord;
use crate::certificates::CertificateRecord;
use crate::{Error, Result};

/// Which certificate signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertificateChoice {
    /// Whatever the deployment is configured for (`scene_certificates`).
    #[default]
    Deployment,
    /// The account's long-term certificate.
    LongTerm,
    /// A per-scene certificate issued for this signing only.
    Scene,
}

impl Signet {
    /// Issues a per-scene certificate for `account`, valid from now for the deployment's scene
    /// validity. The returned record carries the key reference; the stored one does not.
    pub(super) async fn scene_certificate(&self, account: &AccountRecord) -> Result<CertificateRecord> {
        if !account.active {
            return Err(Error::Conflict("the signer's account is deactivated".into()));
        }
        let now = self.clock.now();
        let subject = account_subject(account.kind, &account.name, &account.id_number_pseudonym);
        let pki = Arc::clone(&self.pki);
        let (algorithm, validity) = (self.config.account_key_algorithm, self.config.scene_certificate_validity);
        let issued = tokio::task::spawn_blocking(move || {
            pki.issue_certificate_with(pki.custody.software(), algorithm, &subject, now, validity)
        })
        .await
        .map_err(|e| Error::Internal(format!("certificate issuance panicked: {e}")))??;
        let record = CertificateRecord {
            serial: issued.serial,
            app_id: account.app_id.clone(),
            account_id: Some(account.id.clone()),
            certificate_der: issued.certificate_der,
            key_ref: Vec::new(),
            not_before: issued.not_before,
            not_after: issued.not_after,
            revoked_at: None,
            created_at: now,
        };
        self.store.certificate_insert(&record).await?;
        Ok(CertificateRecord { key_ref: issued.key_ref, ..record })
    }
}
