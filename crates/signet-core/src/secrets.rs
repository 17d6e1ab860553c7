//! Keys derived from the master key for the domain's own secrets.
//!
//! The master key protects everything at rest. Rather than using it directly, each purpose gets
//! its own subkey (HKDF-SHA256 with a purpose label), so a leak of one derived key, e.g. the token
//! key in a memory dump of a web node, does not expose private keys wrapped by the PKI keystore.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Error;

type HmacSha256 = Hmac<Sha256>;

const NONCE_LEN: usize = 12;

/// Purpose-bound keys derived from the master key.
pub struct SecretKeys {
    token: [u8; 32],
    secret_hash: [u8; 32],
    sealing: [u8; 32],
}

impl SecretKeys {
    /// Derives every subkey from the deployment's master key, through a root key of their own
    /// (HKDF under the purpose `core-secrets`), so they share nothing with the key-wrapping keys.
    pub fn from_master(master: &signet_pki::MasterKey) -> Result<Self, Error> {
        let root = master.derive_subkey("core-secrets", 32)?;
        let root: [u8; 32] =
            root.as_slice().try_into().map_err(|_| Error::Internal("derived key has the wrong length".into()))?;
        Ok(Self::derive(&root))
    }

    /// Derives every subkey from 32 bytes of key material.
    pub fn derive(master: &[u8; 32]) -> Self {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"signet"), master);
        let expand = |label: &[u8]| {
            let mut out = [0u8; 32];
            // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so expansion cannot fail.
            hk.expand(label, &mut out).expect("32-byte HKDF output");
            out
        };
        Self {
            token: expand(b"access-token v1"),
            secret_hash: expand(b"app-secret hash v1"),
            sealing: expand(b"sealed-secret v1"),
        }
    }

    /// A keyed hash of an app secret, stored instead of the secret.
    ///
    /// App secrets are 256-bit random values (or operator-chosen bootstrap keys), so a keyed
    /// hash is enough: it cannot be brute-forced without the master key, and it is cheap enough
    /// to check on every request of dialects that send the secret each time (e签宝).
    pub fn hash_app_secret(&self, secret: &str) -> String {
        hex::encode(self.mac(&self.secret_hash, secret.as_bytes()))
    }

    /// Constant-time comparison of a presented secret with a stored hash.
    pub fn app_secret_matches(&self, secret: &str, stored_hash: &str) -> bool {
        let Ok(stored) = hex::decode(stored_hash) else { return false };
        let mut mac = HmacSha256::new_from_slice(&self.secret_hash).expect("HMAC takes any key length");
        mac.update(secret.as_bytes());
        mac.verify_slice(&stored).is_ok()
    }

    /// HMAC-SHA256 under the access-token key.
    pub fn token_mac(&self, data: &[u8]) -> [u8; 32] {
        self.mac(&self.token, data)
    }

    /// Checks a token MAC in constant time.
    pub fn token_mac_matches(&self, data: &[u8], tag: &[u8]) -> bool {
        let mut mac = HmacSha256::new_from_slice(&self.token).expect("HMAC takes any key length");
        mac.update(data);
        mac.verify_slice(tag).is_ok()
    }

    /// Encrypts a secret that must be recoverable (e.g. a callback signing secret).
    ///
    /// `context` binds the ciphertext to its owner, so a sealed value copied to another row fails to open.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let cipher = Aes256Gcm::new(&self.sealing.into());
        let nonce: [u8; NONCE_LEN] = rand::random();
        let payload = Payload { msg: plaintext, aad: context };
        let mut out = nonce.to_vec();
        // Encryption only fails for plaintexts beyond AES-GCM's 64 GiB limit.
        out.extend(cipher.encrypt(&Nonce::from(nonce), payload).expect("AES-GCM encryption of a small secret"));
        out
    }

    /// Reverses [`SecretKeys::seal`].
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, Error> {
        if sealed.len() < NONCE_LEN {
            return Err(Error::Internal("sealed secret too short".into()));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::Internal("bad nonce".into()))?;
        let cipher = Aes256Gcm::new(&self.sealing.into());
        cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ciphertext, aad: context })
            .map_err(|_| Error::Internal("sealed secret does not open with this master key".into()))
    }

    fn mac(&self, key: &[u8; 32], data: &[u8]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_secret_hash_verifies_only_the_same_secret() {
        let keys = SecretKeys::derive(&[7; 32]);
        let hash = keys.hash_app_secret("s3cret");
        assert!(keys.app_secret_matches("s3cret", &hash));
        assert!(!keys.app_secret_matches("s3creT", &hash));
        assert!(!SecretKeys::derive(&[8; 32]).app_secret_matches("s3cret", &hash));
    }

    #[test]
    fn sealed_secret_opens_only_with_key_and_context() {
        let keys = SecretKeys::derive(&[1; 32]);
        let sealed = keys.seal(b"callback-secret", b"app:a1");
        assert_eq!(keys.open(&sealed, b"app:a1").unwrap(), b"callback-secret");
        assert!(keys.open(&sealed, b"app:a2").is_err());
        assert!(SecretKeys::derive(&[2; 32]).open(&sealed, b"app:a1").is_err());
        assert!(keys.open(&sealed[..5], b"app:a1").is_err());
    }
}
