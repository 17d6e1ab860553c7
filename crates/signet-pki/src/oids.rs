//! Object identifiers used across the engine, in one place so each appears once.

use const_oid::ObjectIdentifier as Oid;

const fn oid(s: &str) -> Oid {
    Oid::new_unwrap(s)
}

// Public-key algorithms and curves.
pub const RSA_ENCRYPTION: Oid = oid("1.2.840.113549.1.1.1");
pub const RSASSA_PSS: Oid = oid("1.2.840.113549.1.1.10");
pub const MGF1: Oid = oid("1.2.840.113549.1.1.8");
pub const SHA256_WITH_RSA: Oid = oid("1.2.840.113549.1.1.11");
pub const SHA384_WITH_RSA: Oid = oid("1.2.840.113549.1.1.12");
pub const SHA512_WITH_RSA: Oid = oid("1.2.840.113549.1.1.13");
pub const EC_PUBLIC_KEY: Oid = oid("1.2.840.10045.2.1");
pub const SECP256R1: Oid = oid("1.2.840.10045.3.1.7");
pub const SECP384R1: Oid = oid("1.3.132.0.34");
pub const ECDSA_WITH_SHA256: Oid = oid("1.2.840.10045.4.3.2");
pub const ECDSA_WITH_SHA384: Oid = oid("1.2.840.10045.4.3.3");
pub const ECDSA_WITH_SHA512: Oid = oid("1.2.840.10045.4.3.4");
/// SM2 curve (GM/T 0006): used as the namedCurve of an id-ecPublicKey SM2 key.
pub const SM2_CURVE: Oid = oid("1.2.156.10197.1.301");
/// SM2-1 digital signature (GB/T 35275 SignerInfo style); accepted when verifying.
pub const SM2_SIGN: Oid = oid("1.2.156.10197.1.301.1");
/// SM2 signature with SM3 (the X.509/CMS algorithm identifier we emit).
pub const SM2_WITH_SM3: Oid = oid("1.2.156.10197.1.501");

// Digests.
pub const SHA1: Oid = oid("1.3.14.3.2.26");
pub const SHA256: Oid = oid("2.16.840.1.101.3.4.2.1");
pub const SHA384: Oid = oid("2.16.840.1.101.3.4.2.2");
pub const SHA512: Oid = oid("2.16.840.1.101.3.4.2.3");
pub const SM3: Oid = oid("1.2.156.10197.1.401");

// Name attributes.
pub const AT_COMMON_NAME: Oid = oid("2.5.4.3");
pub const AT_SERIAL_NUMBER: Oid = oid("2.5.4.5");
pub const AT_COUNTRY: Oid = oid("2.5.4.6");
pub const AT_ORGANISATION: Oid = oid("2.5.4.10");
pub const AT_ORGANISATIONAL_UNIT: Oid = oid("2.5.4.11");

// Certificate extensions and their contents.
pub const EXT_SUBJECT_KEY_ID: Oid = oid("2.5.29.14");
pub const EXT_KEY_USAGE: Oid = oid("2.5.29.15");
pub const EXT_BASIC_CONSTRAINTS: Oid = oid("2.5.29.19");
pub const EXT_CRL_NUMBER: Oid = oid("2.5.29.20");
pub const EXT_CRL_REASON: Oid = oid("2.5.29.21");
pub const EXT_CRL_DISTRIBUTION_POINTS: Oid = oid("2.5.29.31");
pub const EXT_CERTIFICATE_POLICIES: Oid = oid("2.5.29.32");
pub const EXT_AUTHORITY_KEY_ID: Oid = oid("2.5.29.35");
pub const EXT_EXTENDED_KEY_USAGE: Oid = oid("2.5.29.37");
pub const EXT_AUTHORITY_INFO_ACCESS: Oid = oid("1.3.6.1.5.5.7.1.1");
pub const ANY_POLICY: Oid = oid("2.5.29.32.0");
pub const AD_OCSP: Oid = oid("1.3.6.1.5.5.7.48.1");
pub const AD_CA_ISSUERS: Oid = oid("1.3.6.1.5.5.7.48.2");
pub const KP_TIME_STAMPING: Oid = oid("1.3.6.1.5.5.7.3.8");
pub const KP_OCSP_SIGNING: Oid = oid("1.3.6.1.5.5.7.3.9");
pub const OCSP_NOCHECK: Oid = oid("1.3.6.1.5.5.7.48.1.5");
pub const OCSP_BASIC: Oid = oid("1.3.6.1.5.5.7.48.1.1");
pub const OCSP_NONCE: Oid = oid("1.3.6.1.5.5.7.48.1.2");

// CMS content types and attributes.
pub const CT_DATA: Oid = oid("1.2.840.113549.1.7.1");
pub const CT_SIGNED_DATA: Oid = oid("1.2.840.113549.1.7.2");
pub const CT_TST_INFO: Oid = oid("1.2.840.113549.1.9.16.1.4");
pub const ATTR_CONTENT_TYPE: Oid = oid("1.2.840.113549.1.9.3");
pub const ATTR_MESSAGE_DIGEST: Oid = oid("1.2.840.113549.1.9.4");
pub const ATTR_SIGNING_TIME: Oid = oid("1.2.840.113549.1.9.5");
pub const ATTR_SIGNING_CERTIFICATE: Oid = oid("1.2.840.113549.1.9.16.2.12");
pub const ATTR_SIGNING_CERTIFICATE_V2: Oid = oid("1.2.840.113549.1.9.16.2.47");
pub const ATTR_SIGNATURE_TIME_STAMP: Oid = oid("1.2.840.113549.1.9.16.2.14");

// PKCS#10 / PKCS#9.
pub const ATTR_EXTENSION_REQUEST: Oid = oid("1.2.840.113549.1.9.14");

// Adobe and other revocation containers.
/// adbe-revocationInfoArchival (signed attribute holding CRLs and OCSP responses).
pub const ADBE_REVOCATION_INFO_ARCHIVAL: Oid = oid("1.2.840.113583.1.1.8");
/// id-ri-ocsp-response: an OCSPResponse in SignedData.crls (RFC 5940).
pub const RI_OCSP_RESPONSE: Oid = oid("1.3.6.1.5.5.7.16.2");

// GB/T 35275 (SM2 cryptographic message syntax) content types.
/// GM data.
pub const GM_DATA: Oid = oid("1.2.156.10197.6.1.4.2.1");
/// GM signedData.
pub const GM_SIGNED_DATA: Oid = oid("1.2.156.10197.6.1.4.2.2");
