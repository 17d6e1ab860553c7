//! The deployment's PKI state: the master key check and the CA hierarchy, shared by all nodes.
//!
//! The CA material lives in the metadata store (not on one node's disk), so every `signet serve`
//! process behind a load balancer signs with the same CA. Private keys inside it are wrapped by
//! the software keystore under the master key.

use signet_pki::{CaMaterial, CaSettings, MasterKey, SoftwareKeystore, TimestampAuthority};
use signet_pki::{KeyAlgorithm, KeyCustody, SubjectInfo, ValidityPeriod};
use time::OffsetDateTime;
use tracing::info;

use crate::ports::SystemStore;
use crate::{Error, Result};

const MASTER_KEY_CHECK: &str = "master_key_check";
const CA_MATERIAL: &str = "ca_material";

/// The loaded PKI of this deployment.
pub struct Pki {
    pub master: MasterKey,
    pub custody: SoftwareKeystore,
    pub ca: CaMaterial,
    /// The built-in time-stamping unit (signature timestamps, document timestamps, `/tsa`).
    pub tsa: TimestampAuthority,
}

impl Pki {
    /// Whether this database was already initialised with a master key.
    pub async fn is_initialised(store: &dyn SystemStore) -> Result<bool> {
        Ok(store.system_get(MASTER_KEY_CHECK).await?.is_some())
    }

    /// Checks the master key against the database, then loads the CA, creating it on first start.
    ///
    /// A master key that does not match the one the database was created with is refused before
    /// any key material is read.
    pub async fn load_or_create(store: &dyn SystemStore, master: MasterKey, settings: &CaSettings) -> Result<Self> {
        let check = master.check_value();
        let stored = store.system_put_if_absent(MASTER_KEY_CHECK, check.as_bytes()).await?;
        if master.verify_check_value(&String::from_utf8_lossy(&stored)).is_err() {
            return Err(Error::Forbidden(
                "the master key does not match the one this database was created with (check SIGNET_MASTER_KEY or <data dir>/master.key)".into(),
            ));
        }
        let custody = SoftwareKeystore::new(&master)?;
        let ca = match store.system_get(CA_MATERIAL).await? {
            Some(bytes) => CaMaterial::from_bytes(&bytes)?,
            None => {
                info!("creating the CA hierarchy (first start)");
                let generated = CaMaterial::generate(settings, &custody)?;
                // Another node may have won the race; everyone adopts the stored winner.
                let stored = store.system_put_if_absent(CA_MATERIAL, &generated.to_bytes()?).await?;
                CaMaterial::from_bytes(&stored)?
            }
        };
        let tsa = TimestampAuthority::from_ca(&ca, &custody)?;
        Ok(Self { master, custody, ca, tsa })
    }
}

/// A freshly issued certificate and the custody reference of its key.
pub struct IssuedCertificate {
    pub serial: String,
    pub certificate_der: Vec<u8>,
    pub key_ref: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl Pki {
    /// Generates a key in custody and issues a signing certificate for it (CPU-heavy for RSA:
    /// call it off the async executor).
    pub fn issue_certificate(
        &self,
        algorithm: KeyAlgorithm,
        subject: &SubjectInfo,
        not_before: OffsetDateTime,
        validity: time::Duration,
    ) -> Result<IssuedCertificate> {
        let key = self.custody.generate(algorithm, &subject.common_name)?;
        let spki = self.custody.signer(&key)?.public_key_der();
        let start = std::time::SystemTime::from(not_before);
        let duration =
            std::time::Duration::try_from(validity).map_err(|_| Error::invalid("validity", "must be positive"))?;
        let der = signet_pki::issue_signing_certificate(
            &self.ca,
            &self.custody,
            subject,
            &spki,
            ValidityPeriod::starting(start, duration),
        )?;
        let cert = signet_pki::parse_certificate(&der)?;
        let tbs = cert.tbs_certificate();
        let serial = hex::encode_upper(tbs.serial_number().as_bytes());
        let not_before = OffsetDateTime::from(tbs.validity().not_before.to_system_time());
        let not_after = OffsetDateTime::from(tbs.validity().not_after.to_system_time());
        Ok(IssuedCertificate { serial, certificate_der: der, key_ref: key.into_bytes(), not_before, not_after })
    }

    /// The pseudonym that stands for an ID number in certificates and lookups.
    pub fn id_number_pseudonym(&self, id_type: &str, id_number: &str) -> Result<String> {
        Ok(self.master.id_number_pseudonym(id_type, id_number)?)
    }
}
