//! RFC 6962 §2.1 hashing: domain-separated leaf and interior hashes, and the Merkle Tree Hash.
//!
//! The one-byte prefixes (0x00 for leaves, 0x01 for interior nodes) keep a leaf from ever being
//! mistaken for an interior node (second-preimage resistance, RFC 9162 §2.1.1).

use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::HashError;

/// Number of bytes in a SHA-256 hash.
pub const HASH_LEN: usize = 32;

/// A SHA-256 value: a leaf hash, an interior node hash or a tree root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash([u8; HASH_LEN]);

impl Hash {
    /// Wraps 32 raw bytes.
    pub const fn new(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// Lower-case hex, the form used in logs and JSON.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, HashError> {
        let bytes = hex::decode(text).map_err(|_| HashError::NotHex)?;
        Self::try_from(bytes.as_slice())
    }
}

impl TryFrom<&[u8]> for Hash {
    type Error = HashError;

    /// Reads a hash back from storage or from a client; anything but 32 bytes is refused.
    fn try_from(bytes: &[u8]) -> Result<Self, HashError> {
        let array: [u8; HASH_LEN] = bytes.try_into().map_err(|_| HashError::Length { len: bytes.len() })?;
        Ok(Self(array))
    }
}

impl From<[u8; HASH_LEN]> for Hash {
    fn from(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1, `MTH({}) = SHA-256()`).
pub const EMPTY_ROOT: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41,
    0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// `SHA-256(0x00 || data)`: the hash of one log entry.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    Hash(hasher.finalize().into())
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left.0);
    hasher.update(right.0);
    Hash(hasher.finalize().into())
}

/// The Merkle Tree Hash of a list of leaf hashes, computed from scratch (RFC 6962 §2.1).
///
/// O(n): meant for small batches and as the reference the incremental log is checked against;
/// a stored log answers roots with [`crate::root`] instead.
pub fn tree_hash(leaf_hashes: &[Hash]) -> Hash {
    match leaf_hashes {
        [] => EMPTY_ROOT,
        [single] => *single,
        _ => {
            let split = split_point(leaf_hashes.len() as u64) as usize;
            let (left, right) = leaf_hashes.split_at(split);
            node_hash(&tree_hash(left), &tree_hash(right))
        }
    }
}

/// The largest power of two strictly smaller than `n` (`n >= 2`): where RFC 6962 splits a tree.
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_the_largest_power_of_two_below_n() {
        let cases = [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1 << 40, 1 << 39)];
        for (n, want) in cases {
            assert_eq!(split_point(n), want, "n = {n}");
        }
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT.as_bytes()[..], Sha256::digest(b"")[..]);
        assert_eq!(tree_hash(&[]), EMPTY_ROOT);
    }

    #[test]
    fn hashes_refuse_wrong_lengths() {
        assert_eq!(Hash::try_from(&[0u8; 31][..]), Err(HashError::Length { len: 31 }));
        assert_eq!(Hash::from_hex("zz"), Err(HashError::NotHex));
        let h = leaf_hash(b"x");
        assert_eq!(Hash::from_hex(&h.to_hex()), Ok(h));
    }
}
