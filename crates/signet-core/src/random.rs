//! Random identifiers and secrets.

use rand::Rng;

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` characters of `[a-z0-9]` from the OS-seeded CSPRNG.
pub fn lowercase_id(len: usize) -> String {
    pick(LOWER_ALNUM, len)
}

/// `len` characters of `[A-Za-z0-9]` (≈ 5.95 bits each), for secrets and tokens.
pub fn secret(len: usize) -> String {
    pick(ALNUM, len)
}

/// `len` decimal digits, for verification codes.
pub fn digits(len: usize) -> String {
    pick(b"0123456789", len)
}

fn pick(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())] as char).collect()
}
