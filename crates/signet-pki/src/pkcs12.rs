//! PKCS#12 (RFC 7292) read and write, interoperable with OpenSSL 3 defaults:
//! PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for keys and certificates, HMAC-SHA256 MAC.

use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use der::asn1::{Any, BmpString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use ring::hmac;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use zeroize::Zeroizing;

use crate::algorithm::{DigestAlgorithm, KeyAlgorithm};
use crate::error::{PkiError, Result};
use crate::keys::{KeySigner, SoftwareKey};
use crate::oids;

const BAG_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const BAG_SHROUDED_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const BAG_CERT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const CERT_X509: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const CT_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const ATTR_FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const ATTR_LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const PBKDF2_ITERATIONS: u32 = 2048;
const MAC_ITERATIONS: u32 = 2048;
/// Files asking for more PKCS#12-KDF rounds than this are refused (a hostile
/// file could otherwise keep a core busy for hours).
const MAX_KDF_ITERATIONS: u32 = 1_000_000;

#[derive(Sequence)]
struct Pfx {
    version: u8,
    auth_safe: ContentInfo,
    #[asn1(optional = "true")]
    mac_data: Option<MacData>,
}

#[derive(Sequence)]
struct DigestInfo {
    algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

#[derive(Sequence)]
struct MacData {
    mac: DigestInfo,
    mac_salt: OctetString,
    #[asn1(default = "one")]
    iterations: u32,
}

fn one() -> u32 {
    1
}

#[derive(Sequence)]
struct SafeBag {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    bag_value: Any,
    #[asn1(optional = "true")]
    bag_attributes: Option<SetOfVec<Attribute>>,
}

#[derive(Sequence)]
struct CertBag {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    cert_value: OctetString,
}

#[derive(Sequence)]
struct EncryptedPrivateKeyInfo {
    algorithm: Any,
    data: OctetString,
}

/// What a PKCS#12 file holds.
pub struct Pkcs12Contents {
    /// The key's algorithm.
    pub algorithm: KeyAlgorithm,
    /// PKCS#8 of the private key (zeroized on drop).
    pub private_key_pkcs8: Zeroizing<Vec<u8>>,
    /// The certificate for the key.
    pub certificate: Vec<u8>,
    /// Other certificates in the file (issuers).
    pub chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Pkcs12Contents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Contents")
            .field("algorithm", &self.algorithm)
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Pkcs12Contents {
    /// A signer for the key.
    pub fn signer(&self) -> Result<SoftwareKey> {
        SoftwareKey::from_pkcs8(self.algorithm, &self.private_key_pkcs8)
    }
}

fn p12(msg: impl Into<String>) -> PkiError {
    PkiError::Pkcs12(msg.into())
}

/// BMPString password with the two-byte terminator (RFC 7292 B.1).
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// The PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-1 or SHA-256.
fn pkcs12_kdf(
    digest: DigestAlgorithm,
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let (u, v) = (digest.output_len(), 64usize);
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return vec![];
        }
        let n = v * src.len().div_ceil(v);
        src.iter().cycle().take(n).copied().collect()
    };
    let mut i = Zeroizing::new([fill(salt), fill(password)].concat());
    let mut out = Zeroizing::new(Vec::with_capacity(len + u));
    while out.len() < len {
        let mut a = [vec![id; v], i.to_vec()].concat();
        for _ in 0..iterations.max(1) {
            a = digest.digest(&a);
        }
        let b: Vec<u8> = a.iter().cycle().take(v).copied().collect();
        for block in i.chunks_mut(v) {
            let mut carry = 1u16;
            for k in (0..v).rev() {
                let sum = u16::from(block[k]) + u16::from(b[k]) + carry;
                block[k] = sum as u8;
                carry = sum >> 8;
            }
        }
        out.extend_from_slice(&a);
    }
    out.truncate(len);
    out
}

fn mac(digest: DigestAlgorithm, password: &str, salt: &[u8], iterations: u32, data: &[u8]) -> Result<Vec<u8>> {
    if iterations > MAX_KDF_ITERATIONS {
        return Err(p12(format!("{iterations} MAC iterations is more than this reader accepts")));
    }
    let ring_alg = match digest {
        DigestAlgorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        DigestAlgorithm::Sha256 => hmac::HMAC_SHA256,
        DigestAlgorithm::Sha384 => hmac::HMAC_SHA384,
        DigestAlgorithm::Sha512 => hmac::HMAC_SHA512,
        DigestAlgorithm::Sm3 => return Err(p12("SM3 MACs are not supported")),
    };
    let key = pkcs12_kdf(digest, &bmp_password(password), salt, 3, iterations, digest.output_len());
    Ok(hmac::sign(&hmac::Key::new(ring_alg, &key), data).as_ref().to_vec())
}

#[derive(Sequence)]
struct Pkcs12PbeParams {
    salt: OctetString,
    iterations: u32,
}

/// Legacy PKCS#12 PBE schemes (RFC 7292 appendix C), as `openssl pkcs12 -legacy`
/// and many older CA and Windows exports write them: (OID arc, key length, cipher).
#[derive(Clone, Copy)]
enum LegacyCipher {
    TripleDes3Key,
    TripleDes2Key,
    Rc2 { key_len: usize },
}

fn legacy_cipher(oid: &ObjectIdentifier) -> Option<LegacyCipher> {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.12.1.3" => Some(LegacyCipher::TripleDes3Key),
        "1.2.840.113549.1.12.1.4" => Some(LegacyCipher::TripleDes2Key),
        "1.2.840.113549.1.12.1.5" => Some(LegacyCipher::Rc2 { key_len: 16 }),
        "1.2.840.113549.1.12.1.6" => Some(LegacyCipher::Rc2 { key_len: 5 }),
        _ => None,
    }
}

fn decrypt_legacy(cipher: LegacyCipher, params: &Any, password: &str, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit};
    let params: Pkcs12PbeParams = params.decode_as().map_err(PkiError::asn1("PKCS#12 PBE parameters"))?;
    if params.iterations > MAX_KDF_ITERATIONS {
        return Err(p12(format!("{} PBE iterations is more than this reader accepts", params.iterations)));
    }
    let bmp = bmp_password(password);
    let derive = |id, len| pkcs12_kdf(DigestAlgorithm::Sha1, &bmp, params.salt.as_bytes(), id, params.iterations, len);
    let iv = derive(2, 8);
    let wrong = || p12("cannot decrypt: wrong password or corrupted file");
    let plain = match cipher {
        LegacyCipher::TripleDes3Key | LegacyCipher::TripleDes2Key => {
            let mut key = derive(1, 24);
            if matches!(cipher, LegacyCipher::TripleDes2Key) {
                // Two-key 3DES: K3 = K1.
                let k1: Vec<u8> = key[..8].to_vec();
                key[16..24].copy_from_slice(&k1);
            }
            cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|_| wrong())?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(|_| wrong())?
        }
        LegacyCipher::Rc2 { key_len } => {
            let key = derive(1, key_len);
            let rc2 = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
            let iv = cbc::cipher::Iv::<cbc::Decryptor<rc2::Rc2>>::try_from(&iv[..]).map_err(|_| wrong())?;
            cbc::Decryptor::<rc2::Rc2>::inner_iv_init(rc2, &iv)
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(|_| wrong())?
        }
    };
    Ok(Zeroizing::new(plain))
}

fn decrypt(algorithm_der: &[u8], password: &str, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let alg = AlgorithmIdentifierOwned::from_der(algorithm_der).map_err(PkiError::asn1("encryption algorithm"))?;
    if let Some(cipher) = legacy_cipher(&alg.oid) {
        let params = alg.parameters.as_ref().ok_or_else(|| p12("PKCS#12 PBE without parameters"))?;
        return decrypt_legacy(cipher, params, password, ciphertext);
    }
    let scheme = pkcs5::EncryptionScheme::from_der(algorithm_der)
        .map_err(|_| p12(format!("unsupported PKCS#12 encryption {}", alg.oid)))?;
    if scheme.pbes2().is_none() {
        return Err(p12("PBES1 encryption is not supported"));
    }
    scheme
        .decrypt(password, ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| p12("cannot decrypt: wrong password or corrupted file"))
}

fn encrypt(password: &str, plaintext: &[u8]) -> Result<(Any, Vec<u8>)> {
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
    getrandom::fill(&mut iv).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
    let params = pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, iv)
        .map_err(|e| p12(format!("PBES2 parameters: {e}")))?;
    let scheme = pkcs5::EncryptionScheme::from(params);
    let ciphertext = scheme.encrypt(password, plaintext).map_err(|e| p12(format!("encryption failed: {e}")))?;
    let alg = Any::from_der(&scheme.to_der().map_err(PkiError::asn1("PBES2"))?).map_err(PkiError::asn1("PBES2"))?;
    Ok((alg, ciphertext))
}

/// Finds which of our algorithms a PKCS#8 key is by loading it.
fn algorithm_of_pkcs8(pkcs8: &[u8]) -> Result<KeyAlgorithm> {
    KeyAlgorithm::ALL
        .into_iter()
        .find(|alg| SoftwareKey::from_pkcs8(*alg, pkcs8).is_ok())
        .ok_or_else(|| p12("the private key is not RSA-2048/3072/4096, P-256, P-384 or SM2"))
}

/// Reads a PKCS#12 file: checks the MAC, decrypts keys and certificates, and
/// returns the key with its certificate and the other certificates.
pub fn read_pkcs12(data: &[u8], password: &str) -> Result<Pkcs12Contents> {
    let pfx = Pfx::from_der(data).map_err(|e| p12(format!("not a PKCS#12 file: {e}")))?;
    if pfx.version != 3 {
        return Err(p12(format!("unsupported PFX version {}", pfx.version)));
    }
    if pfx.auth_safe.content_type != oids::CT_DATA {
        return Err(p12("public-key-protected PKCS#12 files are not supported"));
    }
    let auth_safe = pfx.auth_safe.content.decode_as::<OctetString>().map_err(PkiError::asn1("PKCS#12 authSafe"))?;
    let auth_safe = auth_safe.as_bytes();
    if let Some(mac_data) = &pfx.mac_data {
        let digest = DigestAlgorithm::from_oid(&mac_data.mac.algorithm.oid)?;
        let expected = mac(digest, password, mac_data.mac_salt.as_bytes(), mac_data.iterations, auth_safe)?;
        if expected.as_slice() != mac_data.mac.digest.as_bytes() {
            return Err(p12("MAC check failed: wrong password or corrupted file"));
        }
    }
    let contents: Vec<ContentInfo> = Vec::from_der(auth_safe).map_err(PkiError::asn1("PKCS#12 AuthenticatedSafe"))?;
    let mut keys: Vec<Zeroizing<Vec<u8>>> = vec![];
    let mut certs: Vec<Vec<u8>> = vec![];
    for info in contents {
        let safe_contents: Zeroizing<Vec<u8>> = if info.content_type == oids::CT_DATA {
            Zeroizing::new(
                info.content.decode_as::<OctetString>().map_err(PkiError::asn1("SafeContents"))?.as_bytes().to_vec(),
            )
        } else if info.content_type == CT_ENCRYPTED_DATA {
            let enc: EncryptedData = info.content.decode_as().map_err(PkiError::asn1("EncryptedData"))?;
            let alg = enc.enc_content_info.content_enc_alg.to_der().map_err(PkiError::asn1("algorithm"))?;
            let ciphertext =
                enc.enc_content_info.encrypted_content.ok_or_else(|| p12("EncryptedData without content"))?;
            decrypt(&alg, password, ciphertext.as_bytes())?
        } else {
            return Err(p12(format!("unsupported PKCS#12 content type {}", info.content_type)));
        };
        let bags: Vec<SafeBag> = Vec::from_der(&safe_contents).map_err(PkiError::asn1("SafeContents"))?;
        for bag in bags {
            let value = bag.bag_value.to_der().map_err(PkiError::asn1("SafeBag"))?;
            if bag.bag_id == BAG_KEY {
                keys.push(Zeroizing::new(value));
            } else if bag.bag_id == BAG_SHROUDED_KEY {
                let epki =
                    EncryptedPrivateKeyInfo::from_der(&value).map_err(PkiError::asn1("EncryptedPrivateKeyInfo"))?;
                let alg = epki.algorithm.to_der().map_err(PkiError::asn1("algorithm"))?;
                keys.push(decrypt(&alg, password, epki.data.as_bytes())?);
            } else if bag.bag_id == BAG_CERT {
                let cert_bag = CertBag::from_der(&value).map_err(PkiError::asn1("CertBag"))?;
                if cert_bag.cert_id == CERT_X509 {
                    certs.push(cert_bag.cert_value.as_bytes().to_vec());
                }
            }
        }
    }
    let pkcs8 = keys.into_iter().next().ok_or_else(|| p12("the file holds no private key"))?;
    let algorithm = algorithm_of_pkcs8(&pkcs8)?;
    let spki = SoftwareKey::from_pkcs8(algorithm, &pkcs8)?.public_key_der();
    let position = certs
        .iter()
        .position(|c| {
            Certificate::from_der(c)
                .ok()
                .and_then(|c| c.tbs_certificate().subject_public_key_info().to_der().ok())
                .is_some_and(|k| k == spki)
        })
        .ok_or_else(|| p12("no certificate in the file matches the private key"))?;
    let certificate = certs.remove(position);
    Ok(Pkcs12Contents { algorithm, private_key_pkcs8: pkcs8, certificate, chain: certs })
}

fn attributes(friendly_name: Option<&str>, local_key_id: &[u8]) -> Result<SetOfVec<Attribute>> {
    let mut set = SetOfVec::new();
    let single = |value: Any| -> Result<SetOfVec<Any>> {
        let mut v = SetOfVec::new();
        v.insert(value).map_err(PkiError::asn1("attribute"))?;
        Ok(v)
    };
    let id = Any::encode_from(&OctetString::new(local_key_id).map_err(PkiError::asn1("localKeyId"))?)
        .map_err(PkiError::asn1("localKeyId"))?;
    set.insert(Attribute { oid: ATTR_LOCAL_KEY_ID, values: single(id)? }).map_err(PkiError::asn1("attributes"))?;
    if let Some(name) = friendly_name {
        let bmp = BmpString::from_utf8(name).map_err(PkiError::asn1("friendlyName"))?;
        let value = Any::encode_from(&bmp).map_err(PkiError::asn1("friendlyName"))?;
        set.insert(Attribute { oid: ATTR_FRIENDLY_NAME, values: single(value)? })
            .map_err(PkiError::asn1("attributes"))?;
    }
    Ok(set)
}

/// Writes a PKCS#12 file like `openssl pkcs12 -export` (OpenSSL 3 defaults):
/// certificates in a PBES2-encrypted SafeContents, the key as a shrouded key
/// bag, HMAC-SHA256 MAC. `chain` holds the issuers.
pub fn write_pkcs12(
    pkcs8: &[u8],
    certificate: &[u8],
    chain: &[Vec<u8>],
    password: &str,
    friendly_name: Option<&str>,
) -> Result<Vec<u8>> {
    let algorithm = algorithm_of_pkcs8(pkcs8)?;
    let spki = SoftwareKey::from_pkcs8(algorithm, pkcs8)?.public_key_der();
    let cert = Certificate::from_der(certificate).map_err(PkiError::asn1("certificate"))?;
    if cert.tbs_certificate().subject_public_key_info().to_der().map_err(PkiError::asn1("SPKI"))? != spki {
        return Err(p12("the certificate is not for this private key"));
    }
    let local_key_id = DigestAlgorithm::Sha1.digest(certificate);

    let mut cert_bags = vec![];
    for (n, der) in std::iter::once(certificate).chain(chain.iter().map(Vec::as_slice)).enumerate() {
        let bag = CertBag { cert_id: CERT_X509, cert_value: OctetString::new(der).map_err(PkiError::asn1("CertBag"))? };
        cert_bags.push(SafeBag {
            bag_id: BAG_CERT,
            bag_value: Any::encode_from(&bag).map_err(PkiError::asn1("CertBag"))?,
            bag_attributes: if n == 0 { Some(attributes(friendly_name, &local_key_id)?) } else { None },
        });
    }
    let certs_plain = cert_bags.to_der().map_err(PkiError::asn1("SafeContents"))?;
    let (alg, ciphertext) = encrypt(password, &certs_plain)?;
    let encrypted_certs = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: oids::CT_DATA,
            content_enc_alg: AlgorithmIdentifierOwned::from_der(&alg.to_der().map_err(PkiError::asn1("algorithm"))?)
                .map_err(PkiError::asn1("algorithm"))?,
            encrypted_content: Some(OctetString::new(ciphertext).map_err(PkiError::asn1("EncryptedData"))?),
        },
        unprotected_attrs: None,
    };

    let (alg, ciphertext) = encrypt(password, pkcs8)?;
    let epki =
        EncryptedPrivateKeyInfo { algorithm: alg, data: OctetString::new(ciphertext).map_err(PkiError::asn1("key"))? };
    let key_bag = SafeBag {
        bag_id: BAG_SHROUDED_KEY,
        bag_value: Any::encode_from(&epki).map_err(PkiError::asn1("key bag"))?,
        bag_attributes: Some(attributes(friendly_name, &local_key_id)?),
    };
    let key_contents = vec![key_bag].to_der().map_err(PkiError::asn1("SafeContents"))?;

    let auth_safe = vec![
        ContentInfo {
            content_type: CT_ENCRYPTED_DATA,
            content: Any::encode_from(&encrypted_certs).map_err(PkiError::asn1("authSafe"))?,
        },
        ContentInfo {
            content_type: oids::CT_DATA,
            content: Any::encode_from(&OctetString::new(key_contents).map_err(PkiError::asn1("authSafe"))?)
                .map_err(PkiError::asn1("authSafe"))?,
        },
    ]
    .to_der()
    .map_err(PkiError::asn1("AuthenticatedSafe"))?;

    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
    let mac_value = mac(DigestAlgorithm::Sha256, password, &salt, MAC_ITERATIONS, &auth_safe)?;
    Pfx {
        version: 3,
        auth_safe: ContentInfo {
            content_type: oids::CT_DATA,
            content: Any::encode_from(&OctetString::new(auth_safe).map_err(PkiError::asn1("authSafe"))?)
                .map_err(PkiError::asn1("authSafe"))?,
        },
        mac_data: Some(MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned { oid: oids::SHA256, parameters: Some(Any::null()) },
                digest: OctetString::new(mac_value).map_err(PkiError::asn1("MAC"))?,
            },
            mac_salt: OctetString::new(salt.to_vec()).map_err(PkiError::asn1("MAC"))?,
            iterations: MAC_ITERATIONS,
        }),
    }
    .to_der()
    .map_err(PkiError::asn1("PFX"))
}
