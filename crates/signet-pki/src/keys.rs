//! Software keys: generation, the `KeySigner` trait, and signing with ring / sm2.

use der::Encode;
use der::asn1::{Any, BitString};
use ring::rand::SystemRandom;
use ring::signature::{self as rs, KeyPair};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use zeroize::Zeroizing;

use crate::algorithm::{KeyAlgorithm, KeyFamily, SignatureAlgorithm};
use crate::error::{PkiError, Result};
use crate::oids;

/// The SM2 distinguishing ID (GM/T 0009 default), always passed explicitly.
pub const SM2_DIST_ID: &str = "1234567812345678";

/// Anything that can sign: a software key, a PKCS#11 object, a remote signer.
pub trait KeySigner: Send + Sync {
    /// The key's algorithm.
    fn algorithm(&self) -> KeyAlgorithm;
    /// SubjectPublicKeyInfo DER of the public key.
    fn public_key_der(&self) -> Vec<u8>;
    /// Signs `message` with the algorithm's default scheme
    /// (`KeyAlgorithm::default_signature`); the result is in the scheme's
    /// usual encoding (PKCS#1 bytes for RSA, DER `SEQUENCE {r, s}` for ECDSA and SM2).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;
    /// Signs with a chosen scheme. The default accepts only the default scheme.
    fn sign_with(&self, scheme: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        if scheme == self.algorithm().default_signature() {
            self.sign(message)
        } else {
            Err(PkiError::UnsupportedSignature { key: self.algorithm().name(), scheme: scheme.name() })
        }
    }
}

/// Generates a fresh private key and returns it as PKCS#8 DER (zeroized on drop).
pub fn generate_pkcs8(algorithm: KeyAlgorithm) -> Result<Zeroizing<Vec<u8>>> {
    match algorithm {
        KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 | KeyAlgorithm::Rsa4096 => {
            use rsa::pkcs8::EncodePrivateKey;
            let bits = algorithm.rsa_bits().unwrap_or(2048);
            let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits)
                .map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
            let doc = key.to_pkcs8_der().map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
            Ok(Zeroizing::new(doc.as_bytes().to_vec()))
        }
        KeyAlgorithm::P256 | KeyAlgorithm::P384 => {
            let doc = rs::EcdsaKeyPair::generate_pkcs8(ecdsa_signing_alg(algorithm), &SystemRandom::new())
                .map_err(|_| PkiError::KeyGeneration("system random source failed".into()))?;
            Ok(Zeroizing::new(doc.as_ref().to_vec()))
        }
        KeyAlgorithm::Sm2 => {
            use sm2::pkcs8::EncodePrivateKey;
            let secret =
                <sm2::SecretKey as sm2::elliptic_curve::Generate>::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
            let doc = secret.to_pkcs8_der().map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
            Ok(Zeroizing::new(doc.as_bytes().to_vec()))
        }
    }
}

fn ecdsa_signing_alg(algorithm: KeyAlgorithm) -> &'static rs::EcdsaSigningAlgorithm {
    if algorithm == KeyAlgorithm::P384 {
        &rs::ECDSA_P384_SHA384_ASN1_SIGNING
    } else {
        &rs::ECDSA_P256_SHA256_ASN1_SIGNING
    }
}

enum SoftKey {
    Rsa(rs::RsaKeyPair),
    Ecdsa(rs::EcdsaKeyPair),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// A private key held in memory, signing with ring (RSA, ECDSA) or `sm2`.
pub struct SoftwareKey {
    algorithm: KeyAlgorithm,
    key: SoftKey,
    spki_der: Vec<u8>,
    rng: SystemRandom,
}

impl std::fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareKey").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl SoftwareKey {
    /// Loads a PKCS#8 private key of the given algorithm.
    pub fn from_pkcs8(algorithm: KeyAlgorithm, pkcs8: &[u8]) -> Result<Self> {
        let rng = SystemRandom::new();
        let (key, spki_der) = match algorithm.family() {
            KeyFamily::Rsa => {
                let pair =
                    rs::RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| PkiError::InvalidPrivateKey(format!("RSA: {e}")))?;
                let bits = pair.public().modulus_len() * 8;
                if Some(bits) != algorithm.rsa_bits() {
                    return Err(PkiError::InvalidPrivateKey(format!("RSA key has {bits} bits, {algorithm} expected")));
                }
                let spki = spki_der(rsa_algorithm_identifier(), pair.public().as_ref())?;
                (SoftKey::Rsa(pair), spki)
            }
            KeyFamily::Ecdsa => {
                let pair = rs::EcdsaKeyPair::from_pkcs8(ecdsa_signing_alg(algorithm), pkcs8, &rng)
                    .map_err(|e| PkiError::InvalidPrivateKey(format!("ECDSA: {e}")))?;
                let curve = if algorithm == KeyAlgorithm::P384 { oids::SECP384R1 } else { oids::SECP256R1 };
                let spki = spki_der(ec_algorithm_identifier(curve), pair.public_key().as_ref())?;
                (SoftKey::Ecdsa(pair), spki)
            }
            KeyFamily::Sm2 => {
                use sm2::pkcs8::{DecodePrivateKey, EncodePublicKey};
                let secret = sm2::SecretKey::from_pkcs8_der(pkcs8)
                    .map_err(|e| PkiError::InvalidPrivateKey(format!("SM2: {e}")))?;
                let signing = sm2::dsa::SigningKey::new(SM2_DIST_ID, &secret)
                    .map_err(|e| PkiError::InvalidPrivateKey(format!("SM2: {e}")))?;
                let spki = secret
                    .public_key()
                    .to_public_key_der()
                    .map_err(|e| PkiError::InvalidPrivateKey(format!("SM2 public key: {e}")))?;
                (SoftKey::Sm2(Box::new(signing)), spki.as_bytes().to_vec())
            }
        };
        Ok(SoftwareKey { algorithm, key, spki_der, rng })
    }

    /// Generates a new key in memory.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self> {
        Self::from_pkcs8(algorithm, &generate_pkcs8(algorithm)?)
    }
}

impl KeySigner for SoftwareKey {
    fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    fn public_key_der(&self) -> Vec<u8> {
        self.spki_der.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.sign_with(self.algorithm.default_signature(), message)
    }

    fn sign_with(&self, scheme: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        let unsupported = || PkiError::UnsupportedSignature { key: self.algorithm.name(), scheme: scheme.name() };
        match &self.key {
            SoftKey::Rsa(pair) => {
                let padding: &'static dyn rs::RsaEncoding = match scheme {
                    SignatureAlgorithm::RsaPkcs1Sha256 => &rs::RSA_PKCS1_SHA256,
                    SignatureAlgorithm::RsaPkcs1Sha384 => &rs::RSA_PKCS1_SHA384,
                    SignatureAlgorithm::RsaPkcs1Sha512 => &rs::RSA_PKCS1_SHA512,
                    SignatureAlgorithm::RsaPssSha256 => &rs::RSA_PSS_SHA256,
                    SignatureAlgorithm::RsaPssSha384 => &rs::RSA_PSS_SHA384,
                    SignatureAlgorithm::RsaPssSha512 => &rs::RSA_PSS_SHA512,
                    _ => return Err(unsupported()),
                };
                let mut signature = vec![0u8; pair.public().modulus_len()];
                pair.sign(padding, &self.rng, message, &mut signature)
                    .map_err(|_| PkiError::Signing("RSA signing failed".into()))?;
                Ok(signature)
            }
            SoftKey::Ecdsa(pair) => {
                if scheme != self.algorithm.default_signature() {
                    return Err(unsupported());
                }
                let sig =
                    pair.sign(&self.rng, message).map_err(|_| PkiError::Signing("ECDSA signing failed".into()))?;
                Ok(sig.as_ref().to_vec())
            }
            SoftKey::Sm2(signing) => {
                use sm2::dsa::signature::RandomizedSigner;
                if scheme != SignatureAlgorithm::Sm2Sm3 {
                    return Err(unsupported());
                }
                let sig: sm2::dsa::Signature = signing
                    .try_sign_with_rng(&mut getrandom::SysRng, message)
                    .map_err(|e| PkiError::Signing(format!("SM2: {e}")))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }
}

/// `rsaEncryption` with its NULL parameters.
pub(crate) fn rsa_algorithm_identifier() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: oids::RSA_ENCRYPTION, parameters: Some(Any::null()) }
}

/// `id-ecPublicKey` with a named curve.
pub(crate) fn ec_algorithm_identifier(curve: der::asn1::ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: oids::EC_PUBLIC_KEY, parameters: Any::encode_from(&curve).ok() }
}

fn spki_der(algorithm: AlgorithmIdentifierOwned, key: &[u8]) -> Result<Vec<u8>> {
    let spki = SubjectPublicKeyInfoOwned {
        algorithm,
        subject_public_key: BitString::from_bytes(key).map_err(PkiError::asn1("public key"))?,
    };
    spki.to_der().map_err(PkiError::asn1("SubjectPublicKeyInfo"))
}
