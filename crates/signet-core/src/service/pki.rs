//! The public PKI services of the deployment: CA certificates, CRLs, OCSP, RFC 3161 time stamps,
//! and the operator's certificate management (issue without an account, revoke, list).
//!
//! Revocation state lives in the certificate table, so every node answers the same; RFC 3161
//! serial numbers come from a database counter, so two nodes never reuse one.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use signet_pki::{
    CertStatus, OcspResponder, RevokedEntry, SubjectInfo, TimestampAuthority, ValidityPeriod, generate_crl,
    issue_signing_certificate, parse_certificate,
};

use time::OffsetDateTime;

use super::Signet;
use crate::certificates::CertificateRecord;
use crate::clock::Clock;
use crate::error::BoxError;
use crate::ids::AppId;
use crate::pki::Pki;
use crate::ports::MetaStore;
use crate::validation_data::ValidationSource;
use crate::{Error, Result};

/// Counter behind the TSA's serial numbers.
const TSA_SERIAL_COUNTER: &str = "tsa_serial";
/// Counter behind CRL numbers (one sequence for all CAs: numbers only have to increase).
const CRL_NUMBER_COUNTER: &str = "crl_number";
/// How long a CRL is current; validators fetch a new one after this.
const CRL_VALIDITY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

impl Signet {
    /// A CA certificate (DER) by the name the CA writes into AIA: `root`, `rsa`, `ecdsa`, `sm2`.
    pub fn ca_certificate_der(&self, name: &str) -> Result<Vec<u8>> {
        self.pki.ca.ca_certificate(name).map(<[u8]>::to_vec).ok_or(Error::NotFound("CA"))
    }

    /// A freshly signed CRL (DER) of the CA named `name`, listing the revoked certificates it issued.
    pub async fn crl(&self, name: &str) -> Result<Vec<u8>> {
        signed_crl(&self.pki, self.store.as_ref(), self.clock.now(), name).await
    }

    /// Answers a DER OCSPRequest (RFC 6960) from the certificate table.
    ///
    /// Malformed requests and CAs that are not ours get the matching OCSP error status, never an
    /// HTTP error: OCSP clients expect an OCSPResponse.
    pub async fn ocsp_respond(&self, request_der: Vec<u8>) -> Result<Vec<u8>> {
        let now = SystemTime::from(self.clock.now());
        let pki = Arc::clone(&self.pki);
        let store = Arc::clone(&self.store);
        let handle = tokio::runtime::Handle::current();
        blocking(move || ocsp_answer(&pki, store.as_ref(), &handle, &request_der, now)).await
    }

    /// The deployment's own PKI URLs answered in-process, for gathering validation data
    /// (B-LT/B-LTA) without a round trip through the public URL. Needs a tokio runtime.
    pub fn own_pki(&self) -> Result<OwnPki> {
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::Internal("own_pki needs a tokio runtime".into()))?;
        let public_url = self.pki.ca.public_url.trim_end_matches('/').to_owned();
        Ok(OwnPki {
            pki: Arc::clone(&self.pki),
            store: Arc::clone(&self.store),
            clock: Arc::clone(&self.clock),
            handle,
            prefix: format!("{public_url}/pki/"),
        })
    }

    /// Answers a DER TimeStampReq (RFC 3161) with the deployment's TSA; the serial number comes
    /// from the database, so it is unique across every process sharing it.
    pub async fn timestamp_respond(&self, request_der: Vec<u8>) -> Result<Vec<u8>> {
        let counter = self.store.counter_next(TSA_SERIAL_COUNTER).await?;
        let now = SystemTime::from(self.clock.now());
        let millis = now.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
        // Time in the high half keeps serials unique even across a database restored from backup.
        let serial = (millis << 64) | u128::from(counter.unsigned_abs());
        let pki = Arc::clone(&self.pki);
        blocking(move || {
            let tsa = cached(&TSA, &pki.ca.root.certificate_der, || pki.timestamp_authority())?;
            Ok(tsa.respond(&request_der, serial, now)?)
        })
        .await
    }

    /// Issues a certificate for a public key held outside the deployment (`signet ca issue`
    /// writes the key into the holder's PKCS#12 file), recorded under `app` and no account, so
    /// OCSP, CRLs and revocation know it. The record's key reference is empty: we keep no key.
    pub async fn issue_standalone_certificate(
        &self,
        app: &AppId,
        spki_der: Vec<u8>,
        subject: SubjectInfo,
        validity: time::Duration,
    ) -> Result<CertificateRecord> {
        let now = self.clock.now();
        let duration =
            std::time::Duration::try_from(validity).map_err(|_| Error::invalid("validity", "must be positive"))?;
        let pki = Arc::clone(&self.pki);
        let der = blocking(move || {
            let period = ValidityPeriod::starting(SystemTime::from(now), duration);
            Ok(issue_signing_certificate(&pki.ca, &pki.custody, &subject, &spki_der, period)?)
        })
        .await?;
        let cert = parse_certificate(&der)?;
        let tbs = cert.tbs_certificate();
        let record = CertificateRecord {
            serial: hex::encode_upper(tbs.serial_number().as_bytes()),
            app_id: app.clone(),
            account_id: None,
            not_before: OffsetDateTime::from(tbs.validity().not_before.to_system_time()),
            not_after: OffsetDateTime::from(tbs.validity().not_after.to_system_time()),
            certificate_der: der,
            key_ref: Vec::new(),
            revoked_at: None,
            created_at: now,
        };
        self.store.certificate_insert(&record).await?;
        Ok(record)
    }

    /// Revokes a certificate by serial (hex, any case, `:` separators allowed). With `app`, only
    /// that app's certificates can be revoked (others are "not found"). Returns the record as revoked.
    pub async fn revoke_certificate(&self, serial: &str, app: Option<&AppId>) -> Result<CertificateRecord> {
        let serial = normalise_serial(serial)?;
        let mut record = self.store.certificate_get(&serial).await?.ok_or(Error::NotFound("certificate"))?;
        if app.is_some_and(|a| a != &record.app_id) {
            return Err(Error::NotFound("certificate"));
        }
        if record.revoked_at.is_some() {
            return Err(Error::Conflict(format!("certificate {serial} is already revoked")));
        }
        let now = self.clock.now();
        if !self.store.certificate_revoke(&serial, now).await? {
            return Err(Error::Conflict(format!("certificate {serial} is already revoked")));
        }
        record.revoked_at = Some(now);
        Ok(record)
    }

    /// Every certificate the CA issued, newest first (operator use).
    pub async fn list_certificates(&self) -> Result<Vec<CertificateRecord>> {
        self.store.certificate_list().await
    }
}

/// Signs a CRL of the CA named `name` listing the revoked certificates it issued.
async fn signed_crl(pki: &Arc<Pki>, store: &dyn MetaStore, now: OffsetDateTime, name: &str) -> Result<Vec<u8>> {
    pki.ca.ca_certificate(name).ok_or(Error::NotFound("CA"))?;
    let revoked = revoked_entries(&pki.ca, store, name).await?;
    let number = store.counter_next(CRL_NUMBER_COUNTER).await?;
    let number = u64::try_from(number).map_err(|_| Error::Internal("negative CRL number".into()))?;
    let now = SystemTime::from(now);
    let pki = Arc::clone(pki);
    let name = name.to_owned();
    blocking(move || Ok(generate_crl(&pki.ca, &pki.custody, &name, number, now, now + CRL_VALIDITY, &revoked)?)).await
}

/// Answers an OCSPRequest from the certificate table; runs on a blocking thread (it waits for
/// the store on `handle`).
fn ocsp_answer(
    pki: &Pki,
    store: &dyn MetaStore,
    handle: &tokio::runtime::Handle,
    request_der: &[u8],
    now: SystemTime,
) -> Result<Vec<u8>> {
    let responder =
        cached(&OCSP_RESPONDER, &pki.ca.root.certificate_der, || Ok(OcspResponder::new(&pki.ca, &pki.custody)?))?;
    let lookup = |ca_name: &str, serial: &[u8]| -> CertStatus {
        if let Some(status) = hierarchy_status(&pki.ca, ca_name, serial) {
            return status;
        }
        match handle.block_on(find_certificate(store, serial)) {
            Ok(Some(record)) if issued_by(&pki.ca, &record, ca_name) => match record.revoked_at {
                Some(at) => CertStatus::Revoked { time: SystemTime::from(at), reason: None },
                None => CertStatus::Good,
            },
            Ok(_) => CertStatus::Unknown,
            Err(err) => {
                tracing::warn!(error = %err, "OCSP lookup failed; answering unknown");
                CertStatus::Unknown
            }
        }
    };
    Ok(responder.respond(request_der, &lookup, now)?)
}

/// The revoked certificates issued by the CA named `ca_name`.
async fn revoked_entries(
    ca: &signet_pki::CaMaterial,
    store: &dyn MetaStore,
    ca_name: &str,
) -> Result<Vec<RevokedEntry>> {
    Ok(store
        .certificate_list()
        .await?
        .into_iter()
        .filter(|r| issued_by(ca, r, ca_name))
        .filter_map(|r| {
            let at = r.revoked_at?;
            let serial = hex::decode(&r.serial).ok()?;
            Some(RevokedEntry { serial, time: SystemTime::from(at), reason: None })
        })
        .collect())
}

/// The deployment's CA URLs (`<public URL>/pki/ca/<name>.cer`, `/pki/crl/<name>.crl`,
/// `/pki/ocsp`) answered in-process, as the HTTP endpoints would answer them. A
/// [`ValidationSource`] for blocking threads: it waits for the store on the runtime it was made on.
#[derive(Clone)]
pub struct OwnPki {
    pki: Arc<Pki>,
    store: Arc<dyn MetaStore>,
    clock: Arc<dyn Clock>,
    handle: tokio::runtime::Handle,
    prefix: String,
}

impl OwnPki {
    /// The path under `/pki/` when `url` is one of this deployment's PKI URLs.
    fn own_path<'u>(&self, url: &'u str) -> Option<&'u str> {
        url.strip_prefix(&self.prefix)
    }

    /// Whether `url` is one of this deployment's PKI URLs.
    pub fn answers(&self, url: &str) -> bool {
        self.own_path(url).is_some()
    }
}

impl ValidationSource for OwnPki {
    fn get(&self, url: &str) -> std::result::Result<Vec<u8>, BoxError> {
        let path = self.own_path(url).ok_or_else(|| not_ours(url))?;
        if let Some(name) = path.strip_prefix("ca/").and_then(|f| f.strip_suffix(".cer")) {
            return Ok(self.pki.ca.ca_certificate(name).ok_or_else(|| not_ours(url))?.to_vec());
        }
        if let Some(name) = path.strip_prefix("crl/").and_then(|f| f.strip_suffix(".crl")) {
            return Ok(self.handle.block_on(signed_crl(&self.pki, self.store.as_ref(), self.clock.now(), name))?);
        }
        Err(not_ours(url))
    }

    fn post(&self, url: &str, _content_type: &str, body: Vec<u8>) -> std::result::Result<Vec<u8>, BoxError> {
        match self.own_path(url) {
            Some("ocsp") => {
                let now = SystemTime::from(self.clock.now());
                Ok(ocsp_answer(&self.pki, self.store.as_ref(), &self.handle, &body, now)?)
            }
            _ => Err(not_ours(url)),
        }
    }
}

fn not_ours(url: &str) -> BoxError {
    format!("{url} is not a PKI resource of this deployment").into()
}

/// Status of the hierarchy's own certificates (issuing CAs, TSA, OCSP responders): good while
/// the deployment runs; they are not in the certificate table.
fn hierarchy_status(ca: &signet_pki::CaMaterial, ca_name: &str, serial: &[u8]) -> Option<CertStatus> {
    ca.all_certificates().into_iter().find_map(|der| {
        let cert = parse_certificate(der).ok()?;
        let (issuer, _, _) = ca.issuer_of(&cert)?;
        let own = strip_sign(cert.tbs_certificate().serial_number().as_bytes());
        let self_signed = cert.tbs_certificate().issuer() == cert.tbs_certificate().subject();
        (issuer == ca_name && own == serial && !self_signed).then_some(CertStatus::Good)
    })
}

/// Whether `record` was issued by the issuing CA called `ca_name` (`rsa`, `ecdsa`, `sm2`).
fn issued_by(ca: &signet_pki::CaMaterial, record: &CertificateRecord, ca_name: &str) -> bool {
    // By issuer name, not key family: an imported certificate from an external CA is not ours
    // to answer for, even when its key is of a family we issue.
    parse_certificate(&record.certificate_der).ok().and_then(|c| ca.issuer_of(&c).map(|(n, _, _)| n)) == Some(ca_name)
}

/// Looks a certificate up by its serial bytes (the table keeps DER's sign byte when there is one).
async fn find_certificate(store: &dyn MetaStore, serial: &[u8]) -> Result<Option<CertificateRecord>> {
    let plain = hex::encode_upper(serial);
    if let Some(record) = store.certificate_get(&plain).await? {
        return Ok(Some(record));
    }
    store.certificate_get(&format!("00{plain}")).await
}

/// Serial bytes without the leading zero DER adds to keep a number positive.
fn strip_sign(bytes: &[u8]) -> &[u8] {
    match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    }
}

/// Upper-case hex without separators, as the certificate table keys serials.
fn normalise_serial(raw: &str) -> Result<String> {
    let serial: String = raw.trim().chars().filter(|c| *c != ':').collect::<String>().to_ascii_uppercase();
    if serial.is_empty() || serial.len() > 42 || !serial.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid("serial", "expected the certificate serial number in hex"));
    }
    Ok(serial)
}

/// A signer whose keys were unwrapped once, for the CA (root certificate) it belongs to.
struct Cached<T> {
    root: Vec<u8>,
    value: Arc<T>,
}

type Slot<T> = Mutex<Option<Cached<T>>>;

/// The OCSP responder and TSA unwrap their keys once per process and CA instead of per request
/// (a CA's material never changes while it lives; keying by the root keeps several deployments
/// in one process, as in tests, apart).
static OCSP_RESPONDER: Slot<OcspResponder> = Mutex::new(None);
static TSA: Slot<TimestampAuthority> = Mutex::new(None);

fn cached<T>(slot: &Slot<T>, root: &[u8], make: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
    let mut guard = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(entry) = guard.as_ref().filter(|e| e.root == root) {
        return Ok(Arc::clone(&entry.value));
    }
    let value = Arc::new(make()?);
    *guard = Some(Cached { root: root.to_vec(), value: Arc::clone(&value) });
    Ok(value)
}

/// Runs CPU-heavy PKI work (signing, key unwrapping) off the async executor.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::Internal(format!("PKI task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_normalised() {
        assert_eq!(normalise_serial(" 0a:bC ").unwrap(), "0ABC");
        assert!(normalise_serial("xyz").is_err());
        assert!(normalise_serial("").is_err());
    }

    #[test]
    fn sign_byte_is_stripped() {
        assert_eq!(strip_sign(&[0, 0x80]), &[0x80]);
        assert_eq!(strip_sign(&[0]), &[0]);
        assert_eq!(strip_sign(&[1, 2]), &[1, 2]);
    }
}
