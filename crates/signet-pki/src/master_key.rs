//! The deployment's master key and the keys derived from it (HKDF-SHA256).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::{hkdf, hmac};
use zeroize::Zeroizing;

use crate::error::{PkiError, Result};

/// HKDF salt: fixed, so a given master key always derives the same sub-keys.
const HKDF_SALT: &[u8] = b"signet master key v1";
/// Prefix of check values, so a stored value says which scheme made it.
const CHECK_VALUE_PREFIX: &str = "kcv1:";

/// 32 secret bytes from which every key-encryption and pseudonymisation key is derived.
///
/// Never printed: `Debug` shows `MasterKey(..)`.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

/// Output length for ring's HKDF.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl MasterKey {
    /// A fresh random master key.
    pub fn generate() -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
        Ok(MasterKey(bytes))
    }

    /// Wraps 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        MasterKey(Zeroizing::new(bytes))
    }

    /// Parses base64 (standard or URL-safe, padding optional) of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PkiError::InvalidMasterKey("the master key is empty"));
        }
        let decoded = Zeroizing::new(
            STANDARD
                .decode(text)
                .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
                .map_err(|_| PkiError::InvalidMasterKey("the master key is not valid base64"))?,
        );
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| PkiError::InvalidMasterKey("the master key must decode to exactly 32 bytes"))?;
        Ok(MasterKey(Zeroizing::new(bytes)))
    }

    /// Standard base64 with padding.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.0.as_ref()))
    }

    /// Derives `len` bytes (at most 8160) for one purpose (HKDF-SHA256, fixed
    /// salt, info = `signet/<purpose>`), so callers never use the master key directly.
    /// Purposes used inside this crate: `software-keystore-kek`, `key-check-value`,
    /// `id-number-pseudonym`.
    pub fn derive_subkey(&self, purpose: &str, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        self.derive(purpose, len)
    }

    /// Derives `len` bytes for one purpose (HKDF-SHA256, info = `signet/<purpose>`).
    pub(crate) fn derive(&self, purpose: &str, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let info = format!("signet/{purpose}");
        let info = [info.as_bytes()];
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(self.0.as_ref());
        let okm = prk.expand(&info, Len(len)).map_err(|_| PkiError::KeyGeneration("HKDF output too long".into()))?;
        let mut out = Zeroizing::new(vec![0u8; len]);
        okm.fill(&mut out).map_err(|_| PkiError::KeyGeneration("HKDF failed".into()))?;
        Ok(out)
    }

    /// A value the caller stores beside data protected by this key, to detect a
    /// wrong master key before touching any key material: `kcv1:` + 32 hex digits
    /// of a key derived for this purpose only (it reveals nothing about the KEK).
    pub fn check_value(&self) -> String {
        let derived = self.derive("key-check-value", 16).unwrap_or_default();
        let hex: String = derived.iter().map(|b| format!("{b:02x}")).collect();
        format!("{CHECK_VALUE_PREFIX}{hex}")
    }

    /// Compares against a stored check value; `WrongMasterKey` when it differs.
    pub fn verify_check_value(&self, stored: &str) -> Result<()> {
        let mine = self.check_value();
        let stored = stored.trim().as_bytes();
        let same = mine.len() == stored.len() && mine.bytes().zip(stored).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same { Ok(()) } else { Err(PkiError::WrongMasterKey) }
    }

    /// Pseudonym for an identity number, used as the certificate subject's
    /// `serialNumber` so the number never appears in clear.
    ///
    /// Scheme: `SGID1-` + upper-case hex of the first 20 bytes of
    /// HMAC-SHA256(K, `<id type>:<ID number>`), where K = HKDF-SHA256(master key,
    /// info `signet/id-number-pseudonym`), the ID number trimmed and upper-cased
    /// (so the checksum digit `x`/`X` does not matter). Deterministic per
    /// deployment (renewed certificates keep the same value), not reversible
    /// without the master key, not linkable across deployments.
    pub fn id_number_pseudonym(&self, id_type: &str, id_number: &str) -> Result<String> {
        let key = self.derive("id-number-pseudonym", 32)?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
        let message = format!("{}:{}", id_type.trim().to_ascii_uppercase(), id_number.trim().to_uppercase());
        let tag = hmac::sign(&key, message.as_bytes());
        let hex: String = tag.as_ref()[..20].iter().map(|b| format!("{b:02X}")).collect();
        Ok(format!("SGID1-{hex}"))
    }
}
