//! The deployment's PKI state: the master key check and the CA hierarchy, shared by all nodes.
//!
//! The CA material lives in the metadata store (not on one node's disk), so every `signet serve`
//! process behind a load balancer signs with the same CA. Private keys inside it are wrapped by
//! the software keystore under the master key.

use signet_pki::{
    CaMaterial, CaSettings, MasterKey, Pkcs11Custody, RoutedCustody, SoftwareKeystore, TimestampAuthority,
};
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
    /// Opens every stored key reference, software (`SGK1`) or token (`SGP1`).
    pub custody: RoutedCustody,
    pub ca: CaMaterial,
    /// The built-in time-stamping unit (signature timestamps, document timestamps, `/tsa`).
    pub tsa: TimestampAuthority,
    tsa_settings: TsaSettings,
    account_keys_in_token: bool,
}

/// Where the deployment generates new private keys. Keys already stored are opened wherever
/// they are, so moving to a token later leaves old keys usable.
#[derive(Debug, Default)]
pub struct KeyStorage {
    /// A PKCS#11 token; without one every key is in the software keystore.
    pub token: Option<Pkcs11Custody>,
    /// The CA hierarchy's keys (root, issuing CAs, TSA, OCSP) are generated in the token
    /// (effective when the hierarchy is created, i.e. on the first start).
    pub ca_keys_in_token: bool,
    /// Accounts' keys are generated in the token.
    pub account_keys_in_token: bool,
}

/// The built-in TSA's policy and claimed accuracy.
#[derive(Debug, Clone)]
pub struct TsaSettings {
    /// Dotted policy OID written into every token.
    pub policy_oid: String,
    /// Claimed accuracy, in milliseconds.
    pub accuracy_millis: u32,
}

impl Default for TsaSettings {
    fn default() -> Self {
        Self { policy_oid: signet_pki::DEFAULT_TSA_POLICY.to_string(), accuracy_millis: 1000 }
    }
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
    pub async fn load_or_create(
        store: &dyn SystemStore,
        master: MasterKey,
        settings: &CaSettings,
        storage: KeyStorage,
        tsa_settings: TsaSettings,
    ) -> Result<Self> {
        let check = master.check_value();
        let stored = store.system_put_if_absent(MASTER_KEY_CHECK, check.as_bytes()).await?;
        if master.verify_check_value(&String::from_utf8_lossy(&stored)).is_err() {
            return Err(Error::Forbidden(
                "the master key does not match the one this database was created with (check SIGNET_MASTER_KEY or <data dir>/master.key)".into(),
            ));
        }
        let in_token = storage.token.is_some();
        let custody = RoutedCustody::new(SoftwareKeystore::new(&master)?, storage.token);
        let ca = match store.system_get(CA_MATERIAL).await? {
            Some(bytes) => CaMaterial::from_bytes(&bytes)?,
            None => {
                info!("creating the CA hierarchy (first start)");
                let ca_custody: &dyn KeyCustody =
                    if in_token && storage.ca_keys_in_token { &custody } else { custody.software() };
                let generated = CaMaterial::generate(settings, ca_custody)?;
                // Another node may have won the race; everyone adopts the stored winner.
                let stored = store.system_put_if_absent(CA_MATERIAL, &generated.to_bytes()?).await?;
                CaMaterial::from_bytes(&stored)?
            }
        };
        let tsa = built_in_tsa(&ca, &custody, &tsa_settings)?;
        let account_keys_in_token = in_token && storage.account_keys_in_token;
        Ok(Self { master, custody, ca, tsa, tsa_settings, account_keys_in_token })
    }

    /// A fresh handle on the built-in TSA, with the deployment's policy and accuracy.
    pub fn timestamp_authority(&self) -> Result<TimestampAuthority> {
        built_in_tsa(&self.ca, &self.custody, &self.tsa_settings)
    }

    /// Where accounts' new keys are generated: the token when configured for them, else software.
    pub fn account_custody(&self) -> &dyn KeyCustody {
        if self.account_keys_in_token { &self.custody } else { self.custody.software() }
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
        self.issue_certificate_with(self.account_custody(), algorithm, subject, not_before, validity)
    }

    /// [`Self::issue_certificate`] with the key generated in `custody`.
    pub fn issue_certificate_with(
        &self,
        custody: &dyn KeyCustody,
        algorithm: KeyAlgorithm,
        subject: &SubjectInfo,
        not_before: OffsetDateTime,
        validity: time::Duration,
    ) -> Result<IssuedCertificate> {
        let key = custody.generate(algorithm, &subject.common_name)?;
        let spki = custody.signer(&key)?.public_key_der();
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

fn built_in_tsa(ca: &CaMaterial, custody: &dyn KeyCustody, settings: &TsaSettings) -> Result<TimestampAuthority> {
    let policy = settings
        .policy_oid
        .trim()
        .parse()
        .map_err(|_| Error::invalid("tsa_policy_oid", format!("{:?} is not a dotted OID", settings.policy_oid)))?;
    Ok(TimestampAuthority::from_ca(ca, custody)?.with_policy(policy).with_accuracy_millis(settings.accuracy_millis))
}
