//! Key custody: where private keys live, behind one trait.

use crate::algorithm::KeyAlgorithm;
use crate::error::Result;
use crate::keys::KeySigner;

/// Opaque bytes naming a private key inside a custody (for the software
/// keystore: the wrapped key itself; for PKCS#11: the token object's id).
/// The caller persists them as they are.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyRef(Vec<u8>);

impl KeyRef {
    /// Wraps bytes read back from storage.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        KeyRef(bytes)
    }

    /// The bytes to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Consumes into the bytes to store.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The 4-byte magic that says which custody made the reference.
    pub fn kind(&self) -> &[u8] {
        self.0.get(..4).unwrap_or(&[])
    }
}

impl std::fmt::Debug for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRef({}, {} bytes)", String::from_utf8_lossy(self.kind()), self.0.len())
    }
}

/// Generates keys and hands out signers for them.
pub trait KeyCustody: Send + Sync {
    /// Creates a new key pair; `label` is informational (PKCS#11 CKA_LABEL).
    fn generate(&self, algorithm: KeyAlgorithm, label: &str) -> Result<KeyRef>;
    /// A signer for a key this custody made.
    fn signer(&self, key: &KeyRef) -> Result<Box<dyn KeySigner>>;
}
