//! The built-in CA: root, one issuing CA per key family, TSA and OCSP responders.

use std::time::{Duration, SystemTime};

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, EncodePem, Sequence};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use crate::algorithm::{KeyAlgorithm, KeyFamily};
use crate::cert_builder::{CertificateTemplate, Ku, NamePart, build_name, ext, random_serial};
use crate::custody::{KeyCustody, KeyRef};
use crate::error::{PkiError, Result};
use crate::oids;

const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// How the CA hierarchy is created.
#[derive(Clone, Debug)]
pub struct CaSettings {
    /// Base URL under which the caller serves `/pki/ca/<name>.cer`, `/pki/crl/<name>.crl`
    /// and `/pki/ocsp` (e.g. `http://127.0.0.1:8080`). Written into AIA and CRL DP.
    pub public_url: String,
    /// Organisation name in every CA subject.
    pub organisation: String,
    /// Two-letter country code, if any.
    pub country: Option<String>,
    /// Root key.
    pub root_algorithm: KeyAlgorithm,
    /// Issuing CA key per family.
    pub rsa_issuing_algorithm: KeyAlgorithm,
    /// ECDSA issuing CA key.
    pub ecdsa_issuing_algorithm: KeyAlgorithm,
    /// TSA key (issued by the ECDSA issuing CA when ECDSA, by the RSA one when RSA).
    pub tsa_algorithm: KeyAlgorithm,
    /// Which issuing CAs to create (default all three; a PKCS#11 token without SM2 needs `[Rsa, Ecdsa]`).
    pub issuing_families: Vec<KeyFamily>,
    /// Root certificate lifetime.
    pub root_validity: Duration,
    /// Issuing CA lifetime.
    pub issuing_validity: Duration,
    /// TSA and OCSP responder certificate lifetime.
    pub service_validity: Duration,
    /// Policy OIDs put into end-entity and TSA certificates (CA certificates carry anyPolicy).
    pub certificate_policies: Vec<ObjectIdentifier>,
    /// Creation time (normally now).
    pub now: SystemTime,
}

impl CaSettings {
    /// Defaults: RSA-4096 root, RSA-3072 / P-384 / SM2 issuing CAs, P-256 TSA,
    /// 20/10/10 years.
    pub fn new(public_url: impl Into<String>, organisation: impl Into<String>) -> Self {
        CaSettings {
            public_url: public_url.into(),
            organisation: organisation.into(),
            country: None,
            root_algorithm: KeyAlgorithm::Rsa4096,
            rsa_issuing_algorithm: KeyAlgorithm::Rsa3072,
            ecdsa_issuing_algorithm: KeyAlgorithm::P384,
            tsa_algorithm: KeyAlgorithm::P256,
            issuing_families: KeyFamily::ALL.to_vec(),
            root_validity: 20 * YEAR,
            issuing_validity: 10 * YEAR,
            service_validity: 10 * YEAR,
            certificate_policies: Vec::new(),
            now: SystemTime::now(),
        }
    }
}

/// A certificate with the custody reference of its private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertifiedKey {
    /// Certificate DER.
    pub certificate_der: Vec<u8>,
    /// The private key in the caller's custody.
    pub key: KeyRef,
}

/// An issuing CA and its delegated OCSP responder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuingCa {
    /// Key family of the certificates this CA issues.
    pub family: KeyFamily,
    /// The CA itself.
    pub ca: CertifiedKey,
    /// OCSP-signing certificate issued directly by this CA.
    pub ocsp: CertifiedKey,
}

/// The whole CA hierarchy, stored by the caller as one record (`to_bytes`).
///
/// URL layout written into certificates (the caller serves these):
/// `<public_url>/pki/ca/<name>.cer` (DER), `<public_url>/pki/crl/<name>.crl` (DER),
/// `<public_url>/pki/ocsp` (RFC 6960 GET and POST), where `<name>` is `root`,
/// `rsa`, `ecdsa` or `sm2` (see [`CaMaterial::ca_certificate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaMaterial {
    /// Base URL (no trailing slash).
    pub public_url: String,
    /// Self-signed root.
    pub root: CertifiedKey,
    /// OCSP responder for certificates the root issues (the issuing CAs).
    pub root_ocsp: CertifiedKey,
    /// One issuing CA per family.
    pub issuing: Vec<IssuingCa>,
    /// Time-stamping unit certificate (EKU timeStamping, critical).
    pub tsa: CertifiedKey,
    /// Policy OIDs for end-entity certificates.
    pub certificate_policies: Vec<ObjectIdentifier>,
}

/// URLs for one CA.
pub(crate) struct CaUrls {
    pub ca_issuers: String,
    pub crl: String,
    pub ocsp: String,
}

pub(crate) fn urls(public_url: &str, issuer_name: &str) -> CaUrls {
    let base = public_url.trim_end_matches('/');
    CaUrls {
        ca_issuers: format!("{base}/pki/ca/{issuer_name}.cer"),
        crl: format!("{base}/pki/crl/{issuer_name}.crl"),
        ocsp: format!("{base}/pki/ocsp"),
    }
}

/// Parses certificate DER.
pub fn parse_certificate(der: &[u8]) -> Result<Certificate> {
    Certificate::from_der(der).map_err(PkiError::asn1("certificate"))
}

fn family_name(family: Option<KeyFamily>) -> &'static str {
    family.map_or("root", KeyFamily::name)
}

impl CaMaterial {
    /// Creates the hierarchy; every private key is generated inside `custody`.
    pub fn generate(settings: &CaSettings, custody: &dyn KeyCustody) -> Result<Self> {
        if !settings.public_url.starts_with("http://") && !settings.public_url.starts_with("https://") {
            return Err(PkiError::Invalid(format!(
                "public URL {:?} must start with http:// or https://",
                settings.public_url
            )));
        }
        if settings.organisation.trim().is_empty() {
            return Err(PkiError::Invalid("the CA needs an organisation name".into()));
        }
        if let Some(c) = &settings.country
            && (c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()))
        {
            return Err(PkiError::Invalid(format!("country {c:?} must be two upper-case letters (ISO 3166)")));
        }
        if !settings.issuing_families.contains(&settings.tsa_algorithm.family()) {
            return Err(PkiError::Invalid("the TSA key family needs an issuing CA".into()));
        }
        if settings.rsa_issuing_algorithm.family() != KeyFamily::Rsa
            || settings.ecdsa_issuing_algorithm.family() != KeyFamily::Ecdsa
        {
            return Err(PkiError::Invalid("issuing CA algorithms must match their families".into()));
        }
        if settings.root_algorithm.family() == KeyFamily::Sm2 {
            return Err(PkiError::Invalid("the root must be RSA or ECDSA (it signs all families)".into()));
        }
        let public_url = settings.public_url.trim_end_matches('/').to_owned();
        // Backdated an hour so that clocks slightly behind ours accept the CA at once.
        let now = settings.now - Duration::from_secs(3600);
        let name = |cn: &str| -> Result<x509_cert::name::Name> {
            let mut parts = vec![];
            if let Some(c) = &settings.country {
                parts.push(NamePart::Printable(oids::AT_COUNTRY, c));
            }
            parts.push(NamePart::Utf8(oids::AT_ORGANISATION, &settings.organisation));
            parts.push(NamePart::Utf8(oids::AT_COMMON_NAME, cn));
            build_name(&parts)
        };

        // Root.
        let root_key = custody.generate(settings.root_algorithm, "signet-root-ca")?;
        let root_signer = custody.signer(&root_key)?;
        let root_spki = spki_of(&root_signer.public_key_der())?;
        let root_name = name(&format!("{} Root CA", settings.organisation))?;
        let root_cert = CertificateTemplate {
            serial: random_serial()?,
            issuer: root_name.clone(),
            subject: root_name.clone(),
            not_before: now,
            not_after: now + settings.root_validity,
            spki: root_spki.clone(),
            extensions: vec![
                ext::basic_constraints(true, None)?,
                ext::key_usage(Ku::KeyCertSign | Ku::CRLSign | Ku::DigitalSignature)?,
                ext::subject_key_id(&root_spki)?,
            ],
        }
        .sign(root_signer.as_ref())?;
        let root = CertifiedKey { certificate_der: root_cert, key: root_key };
        let root_urls = urls(&public_url, "root");

        // Issuing CAs.
        let mut issuing = vec![];
        for family in KeyFamily::ALL.into_iter().filter(|f| settings.issuing_families.contains(f)) {
            let algorithm = match family {
                KeyFamily::Rsa => settings.rsa_issuing_algorithm,
                KeyFamily::Ecdsa => settings.ecdsa_issuing_algorithm,
                KeyFamily::Sm2 => KeyAlgorithm::Sm2,
            };
            if algorithm.family() != family {
                return Err(PkiError::Invalid(format!("{algorithm} cannot be the {} issuing CA", family.name())));
            }
            let label = format!("signet-{}-issuing-ca", family.name());
            let key = custody.generate(algorithm, &label)?;
            let spki = spki_of(&custody.signer(&key)?.public_key_der())?;
            let subject = name(&format!("{} {} Issuing CA", settings.organisation, family.name().to_uppercase()))?;
            let cert = CertificateTemplate {
                serial: random_serial()?,
                issuer: root_name.clone(),
                subject,
                not_before: now,
                not_after: now + settings.issuing_validity.min(settings.root_validity),
                spki: spki.clone(),
                extensions: vec![
                    ext::basic_constraints(true, Some(0))?,
                    ext::key_usage(Ku::KeyCertSign | Ku::CRLSign | Ku::DigitalSignature)?,
                    ext::subject_key_id(&spki)?,
                    ext::authority_key_id(&root_spki)?,
                    ext::authority_info_access(&root_urls.ca_issuers, Some(&root_urls.ocsp))?,
                    ext::crl_distribution_point(&root_urls.crl)?,
                    ext::certificate_policies(&[oids::ANY_POLICY])?,
                ],
            }
            .sign(root_signer.as_ref())?;
            let ca = CertifiedKey { certificate_der: cert, key };
            let responder_alg = if family == KeyFamily::Sm2 { KeyAlgorithm::Sm2 } else { KeyAlgorithm::P256 };
            let ocsp = issue_ocsp_responder(settings, &public_url, Some(family), &ca, responder_alg, custody)?;
            issuing.push(IssuingCa { family, ca, ocsp });
        }
        let root_ocsp = issue_ocsp_responder(settings, &public_url, None, &root, KeyAlgorithm::P256, custody)?;

        // TSA, issued by the issuing CA of its own family.
        let tsa_family = settings.tsa_algorithm.family();
        let tsa_issuer = issuing
            .iter()
            .find(|i| i.family == tsa_family)
            .ok_or_else(|| PkiError::Invalid("no issuing CA for the TSA key".into()))?;
        let tsa = issue_service_certificate(
            settings,
            &public_url,
            Some(tsa_family),
            &tsa_issuer.ca,
            settings.tsa_algorithm,
            custody,
            &format!("{} Time Stamping Authority", settings.organisation),
            ServiceKind::TimeStamping,
        )?;

        Ok(CaMaterial {
            public_url,
            root,
            root_ocsp,
            issuing,
            tsa,
            certificate_policies: settings.certificate_policies.clone(),
        })
    }

    /// Re-issues the TSA and every OCSP responder certificate with fresh keys
    /// (validity from `settings.now` for `settings.service_validity`), e.g. before
    /// they expire or after a responder key is retired. CA certificates and
    /// issued end-entity certificates are unchanged; the old keys stay in custody.
    pub fn renew_service_certificates(&mut self, settings: &CaSettings, custody: &dyn KeyCustody) -> Result<()> {
        let public_url = self.public_url.clone();
        let mut renewed = self.clone();
        for i in renewed.issuing.iter_mut() {
            let algorithm = custody.signer(&i.ocsp.key)?.algorithm();
            i.ocsp = issue_ocsp_responder(settings, &public_url, Some(i.family), &i.ca, algorithm, custody)?;
        }
        let root_ocsp_alg = custody.signer(&self.root_ocsp.key)?.algorithm();
        renewed.root_ocsp = issue_ocsp_responder(settings, &public_url, None, &self.root, root_ocsp_alg, custody)?;
        let tsa_alg = custody.signer(&self.tsa.key)?.algorithm();
        let tsa_issuer = renewed
            .issuing
            .iter()
            .find(|i| i.family == tsa_alg.family())
            .ok_or_else(|| PkiError::Invalid("no issuing CA for the TSA key".into()))?;
        renewed.tsa = issue_service_certificate(
            settings,
            &public_url,
            Some(tsa_alg.family()),
            &tsa_issuer.ca,
            tsa_alg,
            custody,
            &format!("{} Time Stamping Authority", settings.organisation),
            ServiceKind::TimeStamping,
        )?;
        *self = renewed;
        Ok(())
    }

    /// The issuing CA for a key family.
    pub fn issuing_ca(&self, family: KeyFamily) -> Result<&IssuingCa> {
        self.issuing
            .iter()
            .find(|i| i.family == family)
            .ok_or_else(|| PkiError::Invalid(format!("no {} issuing CA", family.name())))
    }

    /// CA certificate DER by URL name: `root`, `rsa`, `ecdsa`, `sm2`.
    pub fn ca_certificate(&self, name: &str) -> Option<&[u8]> {
        if name == "root" {
            return Some(&self.root.certificate_der);
        }
        self.issuing.iter().find(|i| i.family.name() == name).map(|i| i.ca.certificate_der.as_slice())
    }

    /// Chain above an end-entity certificate of `family`: [issuing CA, root].
    pub fn chain_for(&self, family: KeyFamily) -> Result<Vec<Vec<u8>>> {
        Ok(vec![self.issuing_ca(family)?.ca.certificate_der.clone(), self.root.certificate_der.clone()])
    }

    /// The TSA certificate's chain: [TSA, issuing CA, root].
    pub fn tsa_chain(&self) -> Result<Vec<Vec<u8>>> {
        let tsa = parse_certificate(&self.tsa.certificate_der)?;
        let issuer = self
            .issuing
            .iter()
            .find(|i| {
                parse_certificate(&i.ca.certificate_der)
                    .map(|c| c.tbs_certificate().subject() == tsa.tbs_certificate().issuer())
                    .unwrap_or(false)
            })
            .ok_or_else(|| PkiError::Invalid("TSA issuer not found".into()))?;
        Ok(vec![self.tsa.certificate_der.clone(), issuer.ca.certificate_der.clone(), self.root.certificate_der.clone()])
    }

    /// Root certificate as PEM.
    pub fn root_pem(&self) -> String {
        pem_certificate(&self.root.certificate_der)
    }

    /// Root, issuing CAs, TSA and OCSP responder certificates as concatenated PEM.
    pub fn trust_bundle_pem(&self) -> String {
        let mut out = self.root_pem();
        for i in &self.issuing {
            out.push_str(&pem_certificate(&i.ca.certificate_der));
        }
        out.push_str(&pem_certificate(&self.tsa.certificate_der));
        out.push_str(&pem_certificate(&self.root_ocsp.certificate_der));
        for i in &self.issuing {
            out.push_str(&pem_certificate(&i.ocsp.certificate_der));
        }
        out
    }

    /// One DER record holding everything (key references included, never keys in clear).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let record = CaRecord {
            version: 1,
            public_url: self.public_url.clone(),
            root: (&self.root).try_into()?,
            root_ocsp: (&self.root_ocsp).try_into()?,
            tsa: (&self.tsa).try_into()?,
            issuing: self
                .issuing
                .iter()
                .map(|i| {
                    Ok(IssuingRecord {
                        family: i.family.name().to_owned(),
                        ca: (&i.ca).try_into()?,
                        ocsp: (&i.ocsp).try_into()?,
                    })
                })
                .collect::<Result<_>>()?,
            policies: self.certificate_policies.clone(),
        };
        record.to_der().map_err(PkiError::asn1("CA record"))
    }

    /// Reads a record written by `to_bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let record = CaRecord::from_der(bytes).map_err(PkiError::asn1("CA record"))?;
        if record.version != 1 {
            return Err(PkiError::Invalid(format!("unsupported CA record version {}", record.version)));
        }
        let issuing = record
            .issuing
            .into_iter()
            .map(|i| {
                let family = KeyFamily::ALL
                    .into_iter()
                    .find(|f| f.name() == i.family)
                    .ok_or_else(|| PkiError::Invalid(format!("unknown family {:?} in CA record", i.family)))?;
                Ok(IssuingCa { family, ca: i.ca.into(), ocsp: i.ocsp.into() })
            })
            .collect::<Result<_>>()?;
        let material = CaMaterial {
            public_url: record.public_url,
            root: record.root.into(),
            root_ocsp: record.root_ocsp.into(),
            issuing,
            tsa: record.tsa.into(),
            certificate_policies: record.policies,
        };
        // Every certificate must parse, so later operations fail early and clearly.
        for cert in material.all_certificates() {
            parse_certificate(cert)?;
        }
        Ok(material)
    }

    /// Every certificate in the hierarchy.
    pub fn all_certificates(&self) -> Vec<&[u8]> {
        let mut out =
            vec![self.root.certificate_der.as_slice(), &self.root_ocsp.certificate_der, &self.tsa.certificate_der];
        for i in &self.issuing {
            out.push(&i.ca.certificate_der);
            out.push(&i.ocsp.certificate_der);
        }
        out
    }

    /// The CA (root or issuing) whose subject is the issuer of `cert`, with its
    /// OCSP responder and URL name.
    pub fn issuer_of(&self, cert: &Certificate) -> Option<(&'static str, &CertifiedKey, &CertifiedKey)> {
        let issuer = cert.tbs_certificate().issuer();
        let matches = |ca: &CertifiedKey| {
            parse_certificate(&ca.certificate_der).map(|c| c.tbs_certificate().subject() == issuer).unwrap_or(false)
        };
        if let Some(i) = self.issuing.iter().find(|i| matches(&i.ca)) {
            return Some((i.family.name(), &i.ca, &i.ocsp));
        }
        if matches(&self.root) {
            return Some(("root", &self.root, &self.root_ocsp));
        }
        None
    }
}

/// PEM of one certificate.
pub fn pem_certificate(der: &[u8]) -> String {
    Certificate::from_der(der).and_then(|c| c.to_pem(der::pem::LineEnding::LF)).unwrap_or_default()
}

pub(crate) fn spki_of(der: &[u8]) -> Result<SubjectPublicKeyInfoOwned> {
    SubjectPublicKeyInfoOwned::from_der(der).map_err(PkiError::asn1("SubjectPublicKeyInfo"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ServiceKind {
    TimeStamping,
    OcspSigning,
}

fn issue_ocsp_responder(
    settings: &CaSettings,
    public_url: &str,
    family: Option<KeyFamily>,
    issuer: &CertifiedKey,
    algorithm: KeyAlgorithm,
    custody: &dyn KeyCustody,
) -> Result<CertifiedKey> {
    let cn = format!("{} OCSP Responder ({})", settings.organisation, family_name(family));
    issue_service_certificate(settings, public_url, family, issuer, algorithm, custody, &cn, ServiceKind::OcspSigning)
}

#[allow(clippy::too_many_arguments)]
fn issue_service_certificate(
    settings: &CaSettings,
    public_url: &str,
    issuer_family: Option<KeyFamily>,
    issuer: &CertifiedKey,
    algorithm: KeyAlgorithm,
    custody: &dyn KeyCustody,
    common_name: &str,
    kind: ServiceKind,
) -> Result<CertifiedKey> {
    let issuer_cert = parse_certificate(&issuer.certificate_der)?;
    let issuer_signer = custody.signer(&issuer.key)?;
    let label = match kind {
        ServiceKind::TimeStamping => "signet-tsa".to_owned(),
        ServiceKind::OcspSigning => format!("signet-ocsp-{}", family_name(issuer_family)),
    };
    let key = custody.generate(algorithm, &label)?;
    let spki = spki_of(&custody.signer(&key)?.public_key_der())?;
    let mut parts = vec![];
    if let Some(c) = &settings.country {
        parts.push(NamePart::Printable(oids::AT_COUNTRY, c));
    }
    parts.push(NamePart::Utf8(oids::AT_ORGANISATION, &settings.organisation));
    parts.push(NamePart::Utf8(oids::AT_COMMON_NAME, common_name));
    let u = urls(public_url, family_name(issuer_family));
    let mut extensions = vec![
        ext::basic_constraints(false, None)?,
        ext::subject_key_id(&spki)?,
        ext::authority_key_id(issuer_cert.tbs_certificate().subject_public_key_info())?,
    ];
    match kind {
        ServiceKind::TimeStamping => {
            extensions.push(ext::key_usage(Ku::DigitalSignature | Ku::NonRepudiation)?);
            extensions.push(ext::extended_key_usage(true, &[oids::KP_TIME_STAMPING])?);
            extensions.push(ext::authority_info_access(&u.ca_issuers, Some(&u.ocsp))?);
            extensions.push(ext::crl_distribution_point(&u.crl)?);
            if !settings.certificate_policies.is_empty() {
                extensions.push(ext::certificate_policies(&settings.certificate_policies)?);
            }
        }
        ServiceKind::OcspSigning => {
            extensions.push(ext::key_usage(Ku::DigitalSignature)?);
            extensions.push(ext::extended_key_usage(false, &[oids::KP_OCSP_SIGNING])?);
            extensions.push(ext::ocsp_no_check()?);
            extensions.push(ext::authority_info_access(&u.ca_issuers, None)?);
        }
    }
    let not_after = (settings.now + settings.service_validity)
        .min(issuer_cert.tbs_certificate().validity().not_after.to_system_time());
    let cert = CertificateTemplate {
        serial: random_serial()?,
        issuer: issuer_cert.tbs_certificate().subject().clone(),
        subject: build_name(&parts)?,
        not_before: settings.now - Duration::from_secs(3600),
        not_after,
        spki,
        extensions,
    }
    .sign(issuer_signer.as_ref())?;
    Ok(CertifiedKey { certificate_der: cert, key })
}

#[derive(Sequence)]
struct CertifiedKeyRecord {
    certificate: OctetString,
    key: OctetString,
}

impl TryFrom<&CertifiedKey> for CertifiedKeyRecord {
    type Error = PkiError;
    fn try_from(k: &CertifiedKey) -> Result<Self> {
        Ok(CertifiedKeyRecord {
            certificate: OctetString::new(k.certificate_der.clone()).map_err(PkiError::asn1("CA record"))?,
            key: OctetString::new(k.key.as_bytes().to_vec()).map_err(PkiError::asn1("CA record"))?,
        })
    }
}

impl From<CertifiedKeyRecord> for CertifiedKey {
    fn from(r: CertifiedKeyRecord) -> Self {
        CertifiedKey {
            certificate_der: r.certificate.into_bytes().into(),
            key: KeyRef::from_bytes(r.key.into_bytes().into()),
        }
    }
}

#[derive(Sequence)]
struct IssuingRecord {
    family: String,
    ca: CertifiedKeyRecord,
    ocsp: CertifiedKeyRecord,
}

#[derive(Sequence)]
struct CaRecord {
    version: u8,
    public_url: String,
    root: CertifiedKeyRecord,
    root_ocsp: CertifiedKeyRecord,
    tsa: CertifiedKeyRecord,
    issuing: Vec<IssuingRecord>,
    policies: Vec<ObjectIdentifier>,
}
