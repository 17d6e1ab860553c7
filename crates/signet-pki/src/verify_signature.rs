//! Signature verification over SubjectPublicKeyInfo keys (ring for RSA/ECDSA, `sm2` for SM2).

use der::asn1::{ObjectIdentifier, UintRef};
use der::{Decode, Sequence};
use ring::signature as rs;
use spki::SubjectPublicKeyInfoOwned;

use crate::algorithm::{KeyAlgorithm, KeyFamily, SignatureAlgorithm};
use crate::error::{PkiError, Result};
use crate::keys::SM2_DIST_ID;
use crate::oids;

#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    exponent: UintRef<'a>,
}

/// The key family and, where it is one of ours, the exact algorithm of an SPKI.
pub fn spki_family(spki: &SubjectPublicKeyInfoOwned) -> Result<(KeyFamily, Option<KeyAlgorithm>)> {
    let oid = spki.algorithm.oid;
    if oid == oids::RSA_ENCRYPTION {
        let key =
            RsaPublicKey::from_der(spki.subject_public_key.raw_bytes()).map_err(PkiError::asn1("RSA public key"))?;
        let bits = key.modulus.as_bytes().len() * 8;
        let alg = match bits {
            2048 => Some(KeyAlgorithm::Rsa2048),
            3072 => Some(KeyAlgorithm::Rsa3072),
            4096 => Some(KeyAlgorithm::Rsa4096),
            _ => None,
        };
        return Ok((KeyFamily::Rsa, alg));
    }
    if oid == oids::EC_PUBLIC_KEY {
        let curve: ObjectIdentifier = spki
            .algorithm
            .parameters
            .as_ref()
            .ok_or(PkiError::UnsupportedAlgorithm("EC key without named curve".into()))?
            .decode_as()
            .map_err(PkiError::asn1("EC curve"))?;
        return match curve {
            c if c == oids::SECP256R1 => Ok((KeyFamily::Ecdsa, Some(KeyAlgorithm::P256))),
            c if c == oids::SECP384R1 => Ok((KeyFamily::Ecdsa, Some(KeyAlgorithm::P384))),
            c if c == oids::SM2_CURVE => Ok((KeyFamily::Sm2, Some(KeyAlgorithm::Sm2))),
            c => Err(PkiError::UnsupportedAlgorithm(format!("EC curve {c}"))),
        };
    }
    Err(PkiError::UnsupportedAlgorithm(format!("public key {oid}")))
}

/// Decodes SPKI DER and finds its key algorithm (one of ours only).
pub fn key_algorithm_of_spki(spki_der: &[u8]) -> Result<KeyAlgorithm> {
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der).map_err(PkiError::asn1("SubjectPublicKeyInfo"))?;
    spki_family(&spki)?.1.ok_or_else(|| PkiError::UnsupportedAlgorithm("RSA modulus size".into()))
}

/// Checks `signature` over `message` with the public key in `spki`.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    scheme: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let (family, alg) = spki_family(spki)?;
    if family != scheme.family() {
        return Err(PkiError::BadSignature("signature algorithm does not match the key type"));
    }
    let key = spki.subject_public_key.raw_bytes();
    let ring_alg: &dyn rs::VerificationAlgorithm = match (scheme, alg) {
        (SignatureAlgorithm::RsaPkcs1Sha256, _) => &rs::RSA_PKCS1_2048_8192_SHA256,
        (SignatureAlgorithm::RsaPkcs1Sha384, _) => &rs::RSA_PKCS1_2048_8192_SHA384,
        (SignatureAlgorithm::RsaPkcs1Sha512, _) => &rs::RSA_PKCS1_2048_8192_SHA512,
        (SignatureAlgorithm::RsaPssSha256, _) => &rs::RSA_PSS_2048_8192_SHA256,
        (SignatureAlgorithm::RsaPssSha384, _) => &rs::RSA_PSS_2048_8192_SHA384,
        (SignatureAlgorithm::RsaPssSha512, _) => &rs::RSA_PSS_2048_8192_SHA512,
        (SignatureAlgorithm::EcdsaSha256, Some(KeyAlgorithm::P256)) => &rs::ECDSA_P256_SHA256_ASN1,
        (SignatureAlgorithm::EcdsaSha384, Some(KeyAlgorithm::P256)) => &rs::ECDSA_P256_SHA384_ASN1,
        (SignatureAlgorithm::EcdsaSha256, Some(KeyAlgorithm::P384)) => &rs::ECDSA_P384_SHA256_ASN1,
        (SignatureAlgorithm::EcdsaSha384, Some(KeyAlgorithm::P384)) => &rs::ECDSA_P384_SHA384_ASN1,
        (SignatureAlgorithm::Sm2Sm3, _) => return verify_sm2(key, message, signature),
        (scheme, _) => {
            return Err(PkiError::UnsupportedAlgorithm(format!("verifying {}", scheme.name())));
        }
    };
    rs::UnparsedPublicKey::new(ring_alg, key)
        .verify(message, signature)
        .map_err(|_| PkiError::BadSignature("the signature value does not match"))
}

fn verify_sm2(point: &[u8], message: &[u8], signature: &[u8]) -> Result<()> {
    use sm2::dsa::signature::Verifier;
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DIST_ID, point)
        .map_err(|_| PkiError::BadSignature("invalid SM2 public key"))?;
    let sig =
        sm2::dsa::Signature::from_der(signature).map_err(|_| PkiError::BadSignature("malformed SM2 signature"))?;
    key.verify(message, &sig).map_err(|_| PkiError::BadSignature("the signature value does not match"))
}
