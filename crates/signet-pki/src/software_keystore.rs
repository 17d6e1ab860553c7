//! Software key custody: private keys as PKCS#8 sealed with AES-256-GCM.

use ring::aead;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::algorithm::KeyAlgorithm;
use crate::custody::{KeyCustody, KeyRef};
use crate::error::{PkiError, Result};
use crate::keys::{KeySigner, SoftwareKey, generate_pkcs8};
use crate::master_key::MasterKey;

/// Magic of software key references (version 1 of the format).
const MAGIC: &[u8; 4] = b"SGK1";
const NONCE_LEN: usize = 12;

/// Keeps every private key encrypted at rest.
///
/// KeyRef layout: `SGK1` ‖ algorithm code (1 byte) ‖ 96-bit random nonce ‖
/// AES-256-GCM(PKCS#8), with the first five bytes as associated data so the
/// algorithm cannot be swapped. The KEK is HKDF-SHA256(master key,
/// `signet/software-keystore-kek`). Keys are decrypted only in memory, on demand.
pub struct SoftwareKeystore {
    kek: aead::LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for SoftwareKeystore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SoftwareKeystore(..)")
    }
}

impl SoftwareKeystore {
    /// A keystore whose KEK is derived from `master`.
    pub fn new(master: &MasterKey) -> Result<Self> {
        let kek = master.derive("software-keystore-kek", 32)?;
        let key = aead::UnboundKey::new(&aead::AES_256_GCM, &kek)
            .map_err(|_| PkiError::KeyGeneration("AES-256-GCM key setup failed".into()))?;
        Ok(SoftwareKeystore { kek: aead::LessSafeKey::new(key), rng: SystemRandom::new() })
    }

    /// Seals an existing PKCS#8 key (e.g. from a PKCS#12 import).
    pub fn import_pkcs8(&self, algorithm: KeyAlgorithm, pkcs8: &[u8]) -> Result<KeyRef> {
        // Parse first: never store something we cannot sign with.
        SoftwareKey::from_pkcs8(algorithm, pkcs8)?;
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| PkiError::KeyGeneration("system random source failed".into()))?;
        let mut header = Vec::with_capacity(5 + NONCE_LEN + pkcs8.len() + 16);
        header.extend_from_slice(MAGIC);
        header.push(algorithm.code());
        let mut sealed = pkcs8.to_vec();
        self.kek
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(&header[..]),
                &mut sealed,
            )
            .map_err(|_| PkiError::KeyGeneration("AES-256-GCM sealing failed".into()))?;
        let mut out = header;
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(KeyRef::from_bytes(out))
    }

    /// Decrypts a key reference back to its algorithm and PKCS#8 (for PKCS#12 export).
    pub fn export_pkcs8(&self, key: &KeyRef) -> Result<(KeyAlgorithm, Zeroizing<Vec<u8>>)> {
        let bytes = key.as_bytes();
        if bytes.len() < 5 + NONCE_LEN + 16 || &bytes[..4] != MAGIC {
            return Err(PkiError::InvalidKeyRef("not a software keystore reference"));
        }
        let algorithm = KeyAlgorithm::from_code(bytes[4]).ok_or(PkiError::InvalidKeyRef("unknown algorithm code"))?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[5..5 + NONCE_LEN]);
        let mut buffer = Zeroizing::new(bytes[5 + NONCE_LEN..].to_vec());
        let plain_len = self
            .kek
            .open_in_place(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::from(&bytes[..5]), &mut buffer)
            .map_err(|_| PkiError::KeyUnwrap)?
            .len();
        buffer.truncate(plain_len);
        Ok((algorithm, buffer))
    }
}

impl KeyCustody for SoftwareKeystore {
    fn generate(&self, algorithm: KeyAlgorithm, _label: &str) -> Result<KeyRef> {
        let pkcs8 = generate_pkcs8(algorithm)?;
        self.import_pkcs8(algorithm, &pkcs8)
    }

    fn signer(&self, key: &KeyRef) -> Result<Box<dyn KeySigner>> {
        let (algorithm, pkcs8) = self.export_pkcs8(key)?;
        Ok(Box::new(SoftwareKey::from_pkcs8(algorithm, &pkcs8)?))
    }
}
