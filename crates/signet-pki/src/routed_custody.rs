//! One custody over two: keys a token can hold go to the PKCS#11 token, the rest
//! (SM2, or everything without a token) to the software keystore.

use crate::algorithm::{KeyAlgorithm, KeyFamily};
use crate::custody::{KeyCustody, KeyRef};
use crate::error::{PkiError, Result};
use crate::keys::KeySigner;
use crate::pkcs11::Pkcs11Custody;
use crate::software_keystore::SoftwareKeystore;

/// Routes `generate` by algorithm and `signer` by the reference's kind, so key
/// references from both custodies can be stored side by side.
pub struct RoutedCustody {
    software: SoftwareKeystore,
    token: Option<Pkcs11Custody>,
}

impl std::fmt::Debug for RoutedCustody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoutedCustody").field("token", &self.token.is_some()).finish_non_exhaustive()
    }
}

impl RoutedCustody {
    /// Software keys always; token keys when a token is configured.
    pub fn new(software: SoftwareKeystore, token: Option<Pkcs11Custody>) -> Self {
        RoutedCustody { software, token }
    }

    /// The software keystore (for PKCS#8 import/export).
    pub fn software(&self) -> &SoftwareKeystore {
        &self.software
    }
}

impl KeyCustody for RoutedCustody {
    fn generate(&self, algorithm: KeyAlgorithm, label: &str) -> Result<KeyRef> {
        match &self.token {
            Some(token) if algorithm.family() != KeyFamily::Sm2 => token.generate(algorithm, label),
            _ => self.software.generate(algorithm, label),
        }
    }

    fn signer(&self, key: &KeyRef) -> Result<Box<dyn KeySigner>> {
        match key.kind() {
            b"SGK1" => self.software.signer(key),
            b"SGP1" => self
                .token
                .as_ref()
                .ok_or(PkiError::InvalidKeyRef("a PKCS#11 key, but no token is configured"))?
                .signer(key),
            _ => Err(PkiError::InvalidKeyRef("unknown key reference kind")),
        }
    }
}
