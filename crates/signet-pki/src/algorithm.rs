//! Key, digest and signature algorithms, with their OIDs and names.

use std::fmt;
use std::str::FromStr;

use der::asn1::{Any, ObjectIdentifier};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::error::{PkiError, Result};
use crate::oids;

/// The key types Signet can generate and sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA, 2048-bit modulus.
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
    /// RSA, 4096-bit modulus.
    Rsa4096,
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
    /// SM2 (GM/T 0003) with SM3 and the default distinguishing ID.
    Sm2,
}

/// Algorithm families: one issuing CA per family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyFamily {
    /// RSA keys of any size.
    Rsa,
    /// ECDSA keys on NIST curves.
    Ecdsa,
    /// SM2 keys.
    Sm2,
}

impl KeyFamily {
    /// All families, in the order the CA creates issuing CAs.
    pub const ALL: [KeyFamily; 3] = [KeyFamily::Rsa, KeyFamily::Ecdsa, KeyFamily::Sm2];

    /// Short lowercase name used in URLs (`/pki/crl/<name>.crl`).
    pub fn name(self) -> &'static str {
        match self {
            KeyFamily::Rsa => "rsa",
            KeyFamily::Ecdsa => "ecdsa",
            KeyFamily::Sm2 => "sm2",
        }
    }
}

impl KeyAlgorithm {
    /// Every algorithm, in a stable order.
    pub const ALL: [KeyAlgorithm; 6] = [
        KeyAlgorithm::Rsa2048,
        KeyAlgorithm::Rsa3072,
        KeyAlgorithm::Rsa4096,
        KeyAlgorithm::P256,
        KeyAlgorithm::P384,
        KeyAlgorithm::Sm2,
    ];

    /// Canonical lowercase name, as accepted by `FromStr`.
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa2048 => "rsa2048",
            KeyAlgorithm::Rsa3072 => "rsa3072",
            KeyAlgorithm::Rsa4096 => "rsa4096",
            KeyAlgorithm::P256 => "p256",
            KeyAlgorithm::P384 => "p384",
            KeyAlgorithm::Sm2 => "sm2",
        }
    }

    /// The family this key belongs to.
    pub fn family(self) -> KeyFamily {
        match self {
            KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 | KeyAlgorithm::Rsa4096 => KeyFamily::Rsa,
            KeyAlgorithm::P256 | KeyAlgorithm::P384 => KeyFamily::Ecdsa,
            KeyAlgorithm::Sm2 => KeyFamily::Sm2,
        }
    }

    /// The signature scheme used when nothing else is asked for.
    pub fn default_signature(self) -> SignatureAlgorithm {
        match self {
            KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 => SignatureAlgorithm::RsaPkcs1Sha256,
            KeyAlgorithm::Rsa4096 => SignatureAlgorithm::RsaPkcs1Sha256,
            KeyAlgorithm::P256 => SignatureAlgorithm::EcdsaSha256,
            KeyAlgorithm::P384 => SignatureAlgorithm::EcdsaSha384,
            KeyAlgorithm::Sm2 => SignatureAlgorithm::Sm2Sm3,
        }
    }

    /// The digest that goes with the default signature scheme.
    pub fn default_digest(self) -> DigestAlgorithm {
        self.default_signature().digest()
    }

    /// Small stable code used inside key references.
    pub(crate) fn code(self) -> u8 {
        match self {
            KeyAlgorithm::Rsa2048 => 1,
            KeyAlgorithm::Rsa3072 => 2,
            KeyAlgorithm::Rsa4096 => 3,
            KeyAlgorithm::P256 => 4,
            KeyAlgorithm::P384 => 5,
            KeyAlgorithm::Sm2 => 6,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// RSA modulus size in bits, for RSA keys.
    pub(crate) fn rsa_bits(self) -> Option<usize> {
        match self {
            KeyAlgorithm::Rsa2048 => Some(2048),
            KeyAlgorithm::Rsa3072 => Some(3072),
            KeyAlgorithm::Rsa4096 => Some(4096),
            _ => None,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KeyAlgorithm {
    type Err = PkiError;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        let wanted = match wanted.as_str() {
            "rsa" => "rsa2048",
            "ecdsa" | "secp256r1" | "prime256v1" => "p256",
            "secp384r1" => "p384",
            other => other,
        };
        Self::ALL.into_iter().find(|a| a.name() == wanted).ok_or_else(|| PkiError::UnknownAlgorithm(s.to_owned()))
    }
}

/// Message digests used in signatures, CMS and timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// SHA-1: only for reading legacy OCSP CertIDs and ESS v1; never for new signatures.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SM3 (GB/T 32905).
    Sm3,
}

impl DigestAlgorithm {
    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
            DigestAlgorithm::Sm3 => "sm3",
        }
    }

    /// The digest's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha1 => oids::SHA1,
            DigestAlgorithm::Sha256 => oids::SHA256,
            DigestAlgorithm::Sha384 => oids::SHA384,
            DigestAlgorithm::Sha512 => oids::SHA512,
            DigestAlgorithm::Sm3 => oids::SM3,
        }
    }

    /// Looks a digest up by OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512, Self::Sm3]
            .into_iter()
            .find(|d| d.oid() == *oid)
            .ok_or_else(|| PkiError::UnsupportedAlgorithm(format!("digest {oid}")))
    }

    /// AlgorithmIdentifier with absent parameters (RFC 5754 recommends absent).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned { oid: self.oid(), parameters: None }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sm3 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// Hashes `data` in one go.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut hasher = Hasher::new(self);
        hasher.update(data);
        hasher.finish()
    }
}

impl FromStr for DigestAlgorithm {
    type Err = PkiError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "").as_str() {
            "sha1" => Ok(Self::Sha1),
            "sha256" => Ok(Self::Sha256),
            "sha384" => Ok(Self::Sha384),
            "sha512" => Ok(Self::Sha512),
            "sm3" => Ok(Self::Sm3),
            _ => Err(PkiError::UnsupportedAlgorithm(format!("digest {s}"))),
        }
    }
}

/// Incremental hashing, so callers can stream large PDFs through a digest.
pub struct Hasher(HasherInner);

enum HasherInner {
    Ring(ring::digest::Context),
    Sm3(sm3::Sm3),
}

impl Hasher {
    /// Starts a digest.
    pub fn new(algorithm: DigestAlgorithm) -> Self {
        use ring::digest as rd;
        let ring_alg = match algorithm {
            DigestAlgorithm::Sha1 => &rd::SHA1_FOR_LEGACY_USE_ONLY,
            DigestAlgorithm::Sha256 => &rd::SHA256,
            DigestAlgorithm::Sha384 => &rd::SHA384,
            DigestAlgorithm::Sha512 => &rd::SHA512,
            DigestAlgorithm::Sm3 => {
                use sm3::Digest as _;
                return Hasher(HasherInner::Sm3(sm3::Sm3::new()));
            }
        };
        Hasher(HasherInner::Ring(rd::Context::new(ring_alg)))
    }

    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            HasherInner::Ring(c) => c.update(data),
            HasherInner::Sm3(h) => sm3::Digest::update(h, data),
        }
    }

    /// Returns the digest.
    pub fn finish(self) -> Vec<u8> {
        match self.0 {
            HasherInner::Ring(c) => c.finish().as_ref().to_vec(),
            HasherInner::Sm3(h) => sm3::Digest::finalize(h).to_vec(),
        }
    }
}

/// Signature schemes (key type + padding + digest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt 64.
    RsaPssSha512,
    /// ECDSA with SHA-256 (DER signature).
    EcdsaSha256,
    /// ECDSA with SHA-384 (DER signature).
    EcdsaSha384,
    /// ECDSA with SHA-512 (DER signature; verify only with ring).
    EcdsaSha512,
    /// SM2 with SM3, distinguishing ID 1234567812345678 (DER signature).
    Sm2Sm3,
}

/// RSASSA-PSS-params (RFC 4055), always with explicit hash, MGF1 and salt length.
#[derive(Clone, Debug, Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    hash: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT")]
    mgf: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    salt_len: u32,
}

impl SignatureAlgorithm {
    /// Readable name.
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaPkcs1Sha256 => "sha256WithRSAEncryption",
            SignatureAlgorithm::RsaPkcs1Sha384 => "sha384WithRSAEncryption",
            SignatureAlgorithm::RsaPkcs1Sha512 => "sha512WithRSAEncryption",
            SignatureAlgorithm::RsaPssSha256 => "RSASSA-PSS/SHA-256",
            SignatureAlgorithm::RsaPssSha384 => "RSASSA-PSS/SHA-384",
            SignatureAlgorithm::RsaPssSha512 => "RSASSA-PSS/SHA-512",
            SignatureAlgorithm::EcdsaSha256 => "ecdsa-with-SHA256",
            SignatureAlgorithm::EcdsaSha384 => "ecdsa-with-SHA384",
            SignatureAlgorithm::EcdsaSha512 => "ecdsa-with-SHA512",
            SignatureAlgorithm::Sm2Sm3 => "SM2-with-SM3",
        }
    }

    /// The digest the scheme hashes the message with.
    pub fn digest(self) -> DigestAlgorithm {
        use SignatureAlgorithm::*;
        match self {
            RsaPkcs1Sha256 | RsaPssSha256 | EcdsaSha256 => DigestAlgorithm::Sha256,
            RsaPkcs1Sha384 | RsaPssSha384 | EcdsaSha384 => DigestAlgorithm::Sha384,
            RsaPkcs1Sha512 | RsaPssSha512 | EcdsaSha512 => DigestAlgorithm::Sha512,
            Sm2Sm3 => DigestAlgorithm::Sm3,
        }
    }

    /// The key family that can make this signature.
    pub fn family(self) -> KeyFamily {
        use SignatureAlgorithm::*;
        match self {
            RsaPkcs1Sha256 | RsaPkcs1Sha384 | RsaPkcs1Sha512 | RsaPssSha256 | RsaPssSha384 | RsaPssSha512 => {
                KeyFamily::Rsa
            }
            EcdsaSha256 | EcdsaSha384 | EcdsaSha512 => KeyFamily::Ecdsa,
            Sm2Sm3 => KeyFamily::Sm2,
        }
    }

    /// The scheme for a key family and digest (PKCS#1 v1.5 for RSA).
    pub fn for_family(family: KeyFamily, digest: DigestAlgorithm) -> Result<Self> {
        use SignatureAlgorithm::*;
        let scheme = match (family, digest) {
            (KeyFamily::Rsa, DigestAlgorithm::Sha256) => RsaPkcs1Sha256,
            (KeyFamily::Rsa, DigestAlgorithm::Sha384) => RsaPkcs1Sha384,
            (KeyFamily::Rsa, DigestAlgorithm::Sha512) => RsaPkcs1Sha512,
            (KeyFamily::Ecdsa, DigestAlgorithm::Sha256) => EcdsaSha256,
            (KeyFamily::Ecdsa, DigestAlgorithm::Sha384) => EcdsaSha384,
            (KeyFamily::Ecdsa, DigestAlgorithm::Sha512) => EcdsaSha512,
            (KeyFamily::Sm2, DigestAlgorithm::Sm3) => Sm2Sm3,
            (family, digest) => {
                return Err(PkiError::UnsupportedAlgorithm(format!(
                    "{} signature with {}",
                    family.name(),
                    digest.name()
                )));
            }
        };
        Ok(scheme)
    }

    /// The AlgorithmIdentifier written into certificates and CMS.
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        use SignatureAlgorithm::*;
        let plain = |oid| AlgorithmIdentifierOwned { oid, parameters: None };
        match self {
            // RFC 4055: the RSA PKCS#1 identifiers carry an explicit NULL.
            RsaPkcs1Sha256 | RsaPkcs1Sha384 | RsaPkcs1Sha512 => AlgorithmIdentifierOwned {
                oid: match self {
                    RsaPkcs1Sha256 => oids::SHA256_WITH_RSA,
                    RsaPkcs1Sha384 => oids::SHA384_WITH_RSA,
                    _ => oids::SHA512_WITH_RSA,
                },
                parameters: Some(Any::null()),
            },
            RsaPssSha256 | RsaPssSha384 | RsaPssSha512 => {
                let digest = self.digest();
                let params = PssParams {
                    hash: digest.algorithm_identifier(),
                    mgf: AlgorithmIdentifierOwned {
                        oid: oids::MGF1,
                        parameters: Any::encode_from(&digest.algorithm_identifier()).ok(),
                    },
                    salt_len: digest.output_len() as u32,
                };
                AlgorithmIdentifierOwned { oid: oids::RSASSA_PSS, parameters: Any::encode_from(&params).ok() }
            }
            EcdsaSha256 => plain(oids::ECDSA_WITH_SHA256),
            EcdsaSha384 => plain(oids::ECDSA_WITH_SHA384),
            EcdsaSha512 => plain(oids::ECDSA_WITH_SHA512),
            Sm2Sm3 => plain(oids::SM2_WITH_SM3),
        }
    }

    /// Recognises a signature AlgorithmIdentifier. `digest` resolves the bare
    /// `rsaEncryption`/SM2-1 identifiers some CMS producers put in SignerInfo.
    pub fn from_algorithm_identifier(alg: &AlgorithmIdentifierOwned, digest: Option<DigestAlgorithm>) -> Result<Self> {
        use SignatureAlgorithm::*;
        let unsupported = || PkiError::UnsupportedAlgorithm(format!("signature {}", alg.oid));
        let o = alg.oid;
        let scheme = if o == oids::SHA256_WITH_RSA {
            RsaPkcs1Sha256
        } else if o == oids::SHA384_WITH_RSA {
            RsaPkcs1Sha384
        } else if o == oids::SHA512_WITH_RSA {
            RsaPkcs1Sha512
        } else if o == oids::ECDSA_WITH_SHA256 {
            EcdsaSha256
        } else if o == oids::ECDSA_WITH_SHA384 {
            EcdsaSha384
        } else if o == oids::ECDSA_WITH_SHA512 {
            EcdsaSha512
        } else if o == oids::SM2_WITH_SM3 || o == oids::SM2_SIGN {
            Sm2Sm3
        } else if o == oids::RSA_ENCRYPTION {
            Self::for_family(KeyFamily::Rsa, digest.ok_or_else(unsupported)?)?
        } else if o == oids::EC_PUBLIC_KEY {
            Self::for_family(KeyFamily::Ecdsa, digest.ok_or_else(unsupported)?)?
        } else if o == oids::RSASSA_PSS {
            let params = alg.parameters.as_ref().ok_or_else(unsupported)?;
            let params = PssParams::from_der(&params.to_der().map_err(PkiError::asn1("PSS parameters"))?)
                .map_err(PkiError::asn1("PSS parameters"))?;
            match DigestAlgorithm::from_oid(&params.hash.oid)? {
                DigestAlgorithm::Sha256 => RsaPssSha256,
                DigestAlgorithm::Sha384 => RsaPssSha384,
                DigestAlgorithm::Sha512 => RsaPssSha512,
                _ => return Err(unsupported()),
            }
        } else {
            return Err(unsupported());
        };
        Ok(scheme)
    }
}
