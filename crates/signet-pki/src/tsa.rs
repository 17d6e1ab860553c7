//! RFC 3161 time-stamping authority (responder) and client helpers.

use std::time::SystemTime;

use der::asn1::{Any, Int, ObjectIdentifier, OctetString, Uint};
use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;

use crate::algorithm::DigestAlgorithm;
use crate::ca::CaMaterial;
use crate::cert_builder::generalized_time;
use crate::cms_sign::{SignedDataParts, SignerIdentity, TimestampSource, assemble_signed_data};
use crate::custody::KeyCustody;
use crate::error::{PkiError, Result};
use crate::keys::KeySigner;
use crate::oids;
use crate::tsp_types::{
    Accuracy, MessageImprint, PkiStatus, PkiStatusInfo, TimeStampReq, TimeStampResp, TstInfo, fail_info,
};

/// Default TSA policy OID. Signet owns no OID arc, so deployments should set
/// their own (`TimestampAuthority::with_policy`); this placeholder follows
/// OpenSSL's sample configuration (`tsa_policy1`).
pub const DEFAULT_TSA_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.3.4.1");

/// Imprint digests the TSA accepts.
const ACCEPTED_DIGESTS: [DigestAlgorithm; 4] =
    [DigestAlgorithm::Sha256, DigestAlgorithm::Sha384, DigestAlgorithm::Sha512, DigestAlgorithm::Sm3];

/// Issues RFC 3161 time-stamp tokens with one key and certificate.
pub struct TimestampAuthority {
    signer: Box<dyn KeySigner>,
    certificate: Vec<u8>,
    /// Prepared identities without and with embedded certificates (certReq).
    bare: SignerIdentity,
    with_certs: SignerIdentity,
    policy: ObjectIdentifier,
    accuracy_millis: u32,
}

impl TimestampAuthority {
    /// A TSA signing with `signer`, whose certificate is `certificate_der`;
    /// `chain` (issuers, root excluded or not) is embedded when certReq is set.
    pub fn new(signer: Box<dyn KeySigner>, certificate_der: Vec<u8>, chain: Vec<Vec<u8>>) -> Result<Self> {
        let bare = SignerIdentity::new(signer.as_ref(), &certificate_der, &[])?;
        let embedded: Vec<&[u8]> =
            std::iter::once(certificate_der.as_slice()).chain(chain.iter().map(Vec::as_slice)).collect();
        let with_certs = SignerIdentity::new(signer.as_ref(), &certificate_der, &embedded)?;
        Ok(TimestampAuthority {
            signer,
            certificate: certificate_der,
            bare,
            with_certs,
            policy: DEFAULT_TSA_POLICY,
            accuracy_millis: 1000,
        })
    }

    /// The built-in CA's TSA (chain: TSA's issuing CA).
    pub fn from_ca(ca: &CaMaterial, custody: &dyn KeyCustody) -> Result<Self> {
        let chain = ca.tsa_chain()?;
        let issuers = chain.get(1..2).map(<[_]>::to_vec).unwrap_or_default();
        Self::new(custody.signer(&ca.tsa.key)?, ca.tsa.certificate_der.clone(), issuers)
    }

    /// Sets the policy OID written into every token (and required of requests that name one).
    pub fn with_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the claimed accuracy (default 1 s).
    pub fn with_accuracy_millis(mut self, millis: u32) -> Self {
        self.accuracy_millis = millis.max(1);
        self
    }

    /// The TSA certificate.
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// Answers a DER TimeStampReq. Malformed or unacceptable requests get a
    /// `rejection` response (still Ok); Err means the TSA itself failed.
    /// `serial` must be unique for this TSA; the caller makes it unique across
    /// processes (e.g. a database sequence).
    pub fn respond(&self, request_der: &[u8], serial: u128, now: SystemTime) -> Result<Vec<u8>> {
        let status = |text: &str, bit| {
            TimeStampResp { status: PkiStatusInfo::rejection(text, bit), time_stamp_token: None }
                .to_der()
                .map_err(PkiError::asn1("TimeStampResp"))
        };
        let Ok(request) = TimeStampReq::from_der(request_der) else {
            return status("malformed TimeStampReq", fail_info::BAD_DATA_FORMAT);
        };
        if request.version != 1 {
            return status("unsupported request version", fail_info::BAD_REQUEST);
        }
        let imprint = &request.message_imprint;
        let digest = match DigestAlgorithm::from_oid(&imprint.hash_algorithm.oid) {
            Ok(d) if ACCEPTED_DIGESTS.contains(&d) => d,
            _ => return status("unsupported hash algorithm (use SHA-256/384/512 or SM3)", fail_info::BAD_ALG),
        };
        if imprint.hashed_message.as_bytes().len() != digest.output_len() {
            return status("message imprint length does not match its algorithm", fail_info::BAD_DATA_FORMAT);
        }
        if request.req_policy.is_some_and(|p| p != self.policy) {
            return status("requested policy is not offered", fail_info::UNACCEPTED_POLICY);
        }
        if request.extensions.as_ref().is_some_and(|e| !e.is_empty()) {
            return status("request extensions are not supported", fail_info::UNACCEPTED_EXTENSION);
        }
        let token = match self.token(imprint.clone(), request.nonce.clone(), request.cert_req, serial, now) {
            Ok(t) => t,
            Err(_) => return status("the time-stamping unit failed", fail_info::SYSTEM_FAILURE),
        };
        TimeStampResp {
            status: PkiStatusInfo { status: PkiStatus::Granted, status_string: None, fail_info: None },
            time_stamp_token: Some(Any::from_der(&token).map_err(PkiError::asn1("token"))?),
        }
        .to_der()
        .map_err(PkiError::asn1("TimeStampResp"))
    }

    /// A TimeStampToken (ContentInfo DER) over `imprint`.
    pub fn token(
        &self,
        imprint: MessageImprint,
        nonce: Option<Int>,
        include_certs: bool,
        serial: u128,
        now: SystemTime,
    ) -> Result<Vec<u8>> {
        let accuracy = Accuracy {
            seconds: (self.accuracy_millis >= 1000).then_some(self.accuracy_millis / 1000),
            millis: match self.accuracy_millis % 1000 {
                0 => None,
                m => Some(m as u16),
            },
            micros: None,
        };
        let tst = TstInfo {
            version: 1,
            policy: self.policy,
            message_imprint: imprint,
            serial_number: Int::from(Uint::new(&serial.max(1).to_be_bytes()).map_err(PkiError::asn1("serial"))?),
            gen_time: generalized_time(now)?,
            accuracy: Some(accuracy),
            ordering: false,
            nonce,
            tsa: Some(GeneralName::DirectoryName(self.bare.leaf.tbs_certificate().subject().clone())),
            extensions: None,
        };
        let tst_der = tst.to_der().map_err(PkiError::asn1("TSTInfo"))?;
        let digest = self.signer.algorithm().default_digest();
        assemble_signed_data(&SignedDataParts {
            signer: self.signer.as_ref(),
            scheme: self.signer.algorithm().default_signature(),
            digest,
            identity: if include_certs { &self.with_certs } else { &self.bare },
            econtent_type: oids::CT_TST_INFO,
            content_digest: &digest.digest(&tst_der),
            econtent: Some(tst_der),
            gm_oids: false,
            signing_time: None,
            revocation: None,
            unsigned: &|_| Ok(None),
        })
    }
}

/// Tokens for signatures made in this process: random 120-bit serials
/// (unique without coordination) and the system clock.
impl TimestampSource for TimestampAuthority {
    fn timestamp(&self, imprint_alg: DigestAlgorithm, imprint: &[u8]) -> Result<Vec<u8>> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes[1..]).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
        let imprint = MessageImprint {
            hash_algorithm: imprint_alg.algorithm_identifier(),
            hashed_message: OctetString::new(imprint).map_err(PkiError::asn1("imprint"))?,
        };
        self.token(imprint, None, true, u128::from_be_bytes(bytes), SystemTime::now())
    }
}

/// A DER TimeStampReq with certReq set and a random 64-bit nonce; returns (request, nonce).
pub fn build_timestamp_request(
    imprint_alg: DigestAlgorithm,
    imprint: &[u8],
    policy: Option<ObjectIdentifier>,
) -> Result<(Vec<u8>, Vec<u8>)> {
    if imprint.len() != imprint_alg.output_len() {
        return Err(PkiError::Invalid("imprint length does not match its algorithm".into()));
    }
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
    nonce[0] &= 0x7f;
    nonce[0] |= 0x01;
    let nonce_int = Int::new(&nonce).map_err(PkiError::asn1("nonce"))?;
    let request = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: imprint_alg.algorithm_identifier(),
            hashed_message: OctetString::new(imprint).map_err(PkiError::asn1("imprint"))?,
        },
        req_policy: policy,
        nonce: Some(nonce_int),
        cert_req: true,
        extensions: None,
    };
    Ok((request.to_der().map_err(PkiError::asn1("TimeStampReq"))?, nonce.to_vec()))
}

/// Checks a TimeStampResp against the request (status granted, imprint and
/// nonce echoed) and returns the TimeStampToken DER. Verify the token's
/// signature and chain with `verify_timestamp_token`.
pub fn parse_timestamp_response(response_der: &[u8], imprint: &[u8], nonce: Option<&[u8]>) -> Result<Vec<u8>> {
    let response = TimeStampResp::from_der(response_der).map_err(PkiError::asn1("TimeStampResp"))?;
    if !matches!(response.status.status, PkiStatus::Granted | PkiStatus::GrantedWithMods) {
        let text = response
            .status
            .status_string
            .iter()
            .flatten()
            .filter_map(|a| a.decode_as::<String>().ok())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(PkiError::Invalid(format!("the TSA refused: {:?} {text}", response.status.status)));
    }
    let token =
        response.time_stamp_token.ok_or_else(|| PkiError::Invalid("granted response without a token".into()))?;
    let token = token.to_der().map_err(PkiError::asn1("token"))?;
    let tst = crate::cms_verify::tst_info_of_token(&token)?;
    if tst.message_imprint.hashed_message.as_bytes() != imprint {
        return Err(PkiError::Invalid("the token's imprint is not the one requested".into()));
    }
    if let Some(nonce) = nonce {
        let echoed = tst.nonce.as_ref().map(|n| n.as_bytes().to_vec());
        if echoed.as_deref() != Some(strip_zeros(nonce)) {
            return Err(PkiError::Invalid("the token's nonce does not match the request".into()));
        }
    }
    Ok(token)
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
    &bytes[first..]
}
