//! The standard security handler (ISO 32000-2 §7.6.4), write side.
//!
//! hayro-syntax decrypts what we read but does not expose the file key, and every string
//! and stream we append to an encrypted document must be encrypted with it (except the
//! signature `/Contents`, which is written raw). So the key is derived here again from the
//! `/Encrypt` dictionary, `/ID[0]` and the password, for RC4 (R2–R4), AES-128 (R4) and
//! AES-256 (R5/R6).

use crate::error::{PdfError, Result};
use crate::obj::{Dict, Obj};
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use md5::{Digest, Md5};
use sha2::{Sha256, Sha384, Sha512};
use std::sync::atomic::{AtomicU64, Ordering};

const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08, 0x2E, 0x2E, 0x00,
    0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// How a category of data (strings or streams) is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Identity,
    Rc4,
    Aes128,
    Aes256,
}

/// The file key and methods of an encrypted document.
#[derive(Debug, Clone)]
pub(crate) struct FileCrypt {
    key: Vec<u8>,
    strings: Method,
    streams: Method,
}

/// The key of one object, ready to encrypt its strings or its stream.
#[derive(Debug, Clone)]
pub(crate) struct ObjectKey {
    key: Vec<u8>,
    method: Method,
}

impl FileCrypt {
    /// Derives the file key from the `/Encrypt` dictionary; `password` is tried as the user
    /// password, then as the owner password.
    pub(crate) fn new(enc: &Dict, id0: &[u8], password: &[u8]) -> Result<Self> {
        let filter = enc.get("Filter").and_then(Obj::as_name).unwrap_or(b"");
        if filter != b"Standard" {
            return Err(PdfError::UnsupportedEncryption(format!(
                "security handler /{}",
                String::from_utf8_lossy(filter)
            )));
        }
        let v = enc.get("V").and_then(Obj::as_int).unwrap_or(0);
        let r = enc.get("R").and_then(Obj::as_int).unwrap_or(0);
        let o = bytes(enc, "O")?;
        let u = bytes(enc, "U")?;
        let (strings, streams) = match v {
            1 | 2 => (Method::Rc4, Method::Rc4),
            4 | 5 => (crypt_filter(enc, "StrF")?, crypt_filter(enc, "StmF")?),
            _ => {
                return Err(PdfError::UnsupportedEncryption(format!("/V {v}")));
            }
        };
        let key = match r {
            2..=4 => {
                let params = LegacyParams::of(enc, r, &o, &u, id0);
                legacy_user_key(&params, password)
                    .or_else(|| legacy_owner_key(&params, password))
                    .ok_or(PdfError::WrongPassword)?
            }
            5 | 6 => {
                let oe = bytes(enc, "OE")?;
                let ue = bytes(enc, "UE")?;
                aes256_key(r, &o, &u, &oe, &ue, password).ok_or(PdfError::WrongPassword)?
            }
            _ => return Err(PdfError::UnsupportedEncryption(format!("/R {r}"))),
        };
        Ok(Self { key, strings, streams })
    }

    /// Whether `password` is the owner (edit) password of the `/Encrypt` dictionary, as
    /// opposed to the user (open) password or no password of the file.
    pub(crate) fn is_owner_password(enc: &Dict, id0: &[u8], password: &[u8]) -> Result<bool> {
        let r = enc.get("R").and_then(Obj::as_int).unwrap_or(0);
        let o = bytes(enc, "O")?;
        let u = bytes(enc, "U")?;
        match r {
            2..=4 => {
                let params = LegacyParams::of(enc, r, &o, &u, id0);
                Ok(legacy_owner_key(&params, password).is_some())
            }
            5 | 6 => {
                let (Some(o), Some(u)) = (o.get(..48), u.get(..48)) else {
                    return Err(PdfError::Malformed("short /O or /U in /Encrypt".into()));
                };
                let pw = &password[..password.len().min(127)];
                Ok(hash_2b(r, pw, &o[32..40], u) == o[..32])
            }
            _ => Err(PdfError::UnsupportedEncryption(format!("/R {r}"))),
        }
    }

    pub(crate) fn string_key(&self, num: u32, gen_: u16) -> ObjectKey {
        self.object_key(self.strings, num, gen_)
    }

    pub(crate) fn stream_key(&self, num: u32, gen_: u16) -> ObjectKey {
        self.object_key(self.streams, num, gen_)
    }

    fn object_key(&self, method: Method, num: u32, gen_: u16) -> ObjectKey {
        let key = match method {
            Method::Identity | Method::Aes256 => self.key.clone(),
            Method::Rc4 | Method::Aes128 => {
                let mut h = Md5::new();
                h.update(&self.key);
                h.update(&num.to_le_bytes()[..3]);
                h.update(gen_.to_le_bytes());
                if method == Method::Aes128 {
                    h.update(b"sAlT");
                }
                let d = h.finalize();
                d[..(self.key.len() + 5).min(16)].to_vec()
            }
        };
        ObjectKey { key, method }
    }
}

impl ObjectKey {
    /// Encrypts data for this object (AES: random IV first, PKCS#7 padding).
    pub(crate) fn encrypt(&self, data: &[u8]) -> Vec<u8> {
        match self.method {
            Method::Identity => data.to_vec(),
            Method::Rc4 => rc4(&self.key, data),
            Method::Aes128 | Method::Aes256 => aes_cbc_encrypt(&self.key, &fresh_iv(&self.key), data),
        }
    }
}

struct LegacyParams<'a> {
    r: i64,
    o: &'a [u8],
    u: &'a [u8],
    p: i32,
    id0: &'a [u8],
    len: usize,
    meta: bool,
}

impl<'a> LegacyParams<'a> {
    /// The parameters of a revision 2–4 `/Encrypt` dictionary.
    fn of(enc: &Dict, r: i64, o: &'a [u8], u: &'a [u8], id0: &'a [u8]) -> Self {
        let p = enc.get("P").and_then(Obj::as_int).unwrap_or(0) as i32;
        let len = match (r, enc.get("Length").and_then(Obj::as_int)) {
            (2, _) => 5,
            (_, Some(bits)) if (40..=128).contains(&bits) => (bits / 8) as usize,
            _ => 16,
        };
        let meta = enc.get("EncryptMetadata") != Some(&Obj::Bool(false));
        Self { r, o, u, p, id0, len, meta }
    }
}

fn padded(password: &[u8]) -> [u8; 32] {
    let mut out = PAD;
    let n = password.len().min(32);
    out[..n].copy_from_slice(&password[..n]);
    out[n..].copy_from_slice(&PAD[..32 - n]);
    out
}

/// Algorithm 2: the file key from a user password.
fn legacy_key(p: &LegacyParams<'_>, password: &[u8]) -> Vec<u8> {
    let mut h = Md5::new();
    h.update(padded(password));
    h.update(p.o.get(..32).unwrap_or(p.o));
    h.update(p.p.to_le_bytes());
    h.update(p.id0);
    if p.r >= 4 && !p.meta {
        h.update([0xff; 4]);
    }
    let mut d = h.finalize().to_vec();
    if p.r >= 3 {
        for _ in 0..50 {
            d = Md5::digest(&d[..p.len]).to_vec();
        }
    }
    d.truncate(p.len);
    d
}

/// Algorithms 4/5: checks a user password and returns the key when it is right.
fn legacy_user_key(p: &LegacyParams<'_>, password: &[u8]) -> Option<Vec<u8>> {
    let key = legacy_key(p, password);
    let ok = if p.r == 2 {
        rc4(&key, &PAD).as_slice() == p.u.get(..32)?
    } else {
        let mut h = Md5::new();
        h.update(PAD);
        h.update(p.id0);
        let mut x = rc4(&key, &h.finalize());
        for i in 1..=19u8 {
            let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
            x = rc4(&k, &x);
        }
        x.as_slice() == p.u.get(..16)?
    };
    ok.then_some(key)
}

/// Algorithm 7: recovers the user password from an owner password, then the key.
fn legacy_owner_key(p: &LegacyParams<'_>, owner: &[u8]) -> Option<Vec<u8>> {
    let mut d = Md5::digest(padded(owner)).to_vec();
    if p.r >= 3 {
        for _ in 0..50 {
            d = Md5::digest(&d).to_vec();
        }
    }
    d.truncate(p.len);
    let mut user = p.o.get(..32)?.to_vec();
    if p.r == 2 {
        user = rc4(&d, &user);
    } else {
        for i in (0..=19u8).rev() {
            let k: Vec<u8> = d.iter().map(|b| b ^ i).collect();
            user = rc4(&k, &user);
        }
    }
    legacy_user_key(p, &user)
}

/// Algorithms 2.A/2.B: the AES-256 file key from the user or owner password.
fn aes256_key(r: i64, o: &[u8], u: &[u8], oe: &[u8], ue: &[u8], password: &[u8]) -> Option<Vec<u8>> {
    let pw = &password[..password.len().min(127)];
    let (o, u) = (o.get(..48)?, u.get(..48)?);
    let unwrap = |k: Vec<u8>, e: &[u8]| -> Option<Vec<u8>> {
        let mut block = e.get(..32)?.to_vec();
        aes256_cbc_decrypt_nopad(&k, &mut block)?;
        Some(block)
    };
    if hash_2b(r, pw, &u[32..40], &[]) == u[..32] {
        return unwrap(hash_2b(r, pw, &u[40..48], &[]), ue);
    }
    if hash_2b(r, pw, &o[32..40], u) == o[..32] {
        return unwrap(hash_2b(r, pw, &o[40..48], u), oe);
    }
    None
}

fn hash_2b(r: i64, pw: &[u8], salt: &[u8], udata: &[u8]) -> Vec<u8> {
    let mut k = {
        let mut h = Sha256::new();
        h.update(pw);
        h.update(salt);
        h.update(udata);
        h.finalize().to_vec()
    };
    if r == 5 {
        return k;
    }
    let mut i = 0u32;
    loop {
        let mut k1 = Vec::with_capacity(64 * (pw.len() + k.len() + udata.len()));
        for _ in 0..64 {
            k1.extend_from_slice(pw);
            k1.extend_from_slice(&k);
            k1.extend_from_slice(udata);
        }
        let e = aes128_cbc_encrypt_nopad(&k[..16], &k[16..32], &k1);
        let sum: u32 = e[..16].iter().map(|&b| u32::from(b)).sum();
        k = match sum % 3 {
            0 => Sha256::digest(&e).to_vec(),
            1 => Sha384::digest(&e).to_vec(),
            _ => Sha512::digest(&e).to_vec(),
        };
        i += 1;
        let last = u32::from(*e.last().unwrap_or(&0));
        if i >= 64 && last <= i - 32 {
            break;
        }
    }
    k.truncate(32);
    k
}

fn crypt_filter(enc: &Dict, which: &str) -> Result<Method> {
    let name = enc.get(which).and_then(Obj::as_name).unwrap_or(b"Identity");
    if name == b"Identity" {
        return Ok(Method::Identity);
    }
    let cf = enc
        .get("CF")
        .and_then(Obj::as_dict)
        .and_then(|cf| cf.0.iter().find(|(k, _)| k == name).map(|(_, v)| v))
        .and_then(Obj::as_dict)
        .ok_or_else(|| PdfError::UnsupportedEncryption("missing crypt filter".into()))?;
    match cf.get("CFM").and_then(Obj::as_name) {
        Some(b"V2") => Ok(Method::Rc4),
        Some(b"AESV2") => Ok(Method::Aes128),
        Some(b"AESV3") => Ok(Method::Aes256),
        Some(b"None") | None => Ok(Method::Identity),
        Some(other) => {
            Err(PdfError::UnsupportedEncryption(format!("crypt filter method /{}", String::from_utf8_lossy(other))))
        }
    }
}

fn bytes(d: &Dict, key: &str) -> Result<Vec<u8>> {
    match d.get(key) {
        Some(Obj::Str(s)) => Ok(s.clone()),
        _ => Err(PdfError::Malformed(format!("/Encrypt has no /{key} string"))),
    }
}

pub(crate) fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut s: [u8; 256] = std::array::from_fn(|i| i as u8);
    if key.is_empty() {
        return data.to_vec();
    }
    let mut j = 0u8;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, j as usize);
    }
    let (mut i, mut j) = (0u8, 0u8);
    data.iter()
        .map(|&b| {
            i = i.wrapping_add(1);
            j = j.wrapping_add(s[i as usize]);
            s.swap(i as usize, j as usize);
            b ^ s[s[i as usize].wrapping_add(s[j as usize]) as usize]
        })
        .collect()
}

/// An IV that never repeats within a process and is unpredictable enough for CBC.
fn fresh_iv(key: &[u8]) -> [u8; 16] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut h = Sha256::new();
    h.update(key);
    h.update(n.to_le_bytes());
    h.update(t.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    let d = h.finalize();
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&d[..16]);
    iv
}

fn aes_cbc_encrypt(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    let pad = 16 - data.len() % 16;
    let mut buf = data.to_vec();
    buf.extend(std::iter::repeat_n(pad as u8, pad));
    let mut out = iv.to_vec();
    out.extend(cbc_encrypt(key, iv, &buf));
    out
}

fn aes128_cbc_encrypt_nopad(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    cbc_encrypt(key, iv, data)
}

fn cbc_encrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    enum C {
        A128(Box<aes::Aes128>),
        A256(Box<aes::Aes256>),
    }
    let cipher = match key.len() {
        16 => aes::Aes128::new_from_slice(key).map(|c| C::A128(Box::new(c))),
        _ => aes::Aes256::new_from_slice(key).map(|c| C::A256(Box::new(c))),
    };
    let Ok(cipher) = cipher else {
        return data.to_vec();
    };
    let mut prev = [0u8; 16];
    prev.copy_from_slice(&iv[..16]);
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(16) {
        let mut block = [0u8; 16];
        for (i, b) in chunk.iter().enumerate() {
            block[i] = b ^ prev[i];
        }
        let mut b = aes::Block::from(block);
        match &cipher {
            C::A128(c) => c.encrypt_block(&mut b),
            C::A256(c) => c.encrypt_block(&mut b),
        }
        prev.copy_from_slice(&b);
        out.extend_from_slice(&b);
    }
    out
}

fn aes256_cbc_decrypt_nopad(key: &[u8], data: &mut [u8]) -> Option<()> {
    let c = aes::Aes256::new_from_slice(key).ok()?;
    let mut prev = [0u8; 16];
    for chunk in data.chunks_mut(16) {
        let mut block = [0u8; 16];
        block.copy_from_slice(chunk);
        let mut b = aes::Block::from(block);
        c.decrypt_block(&mut b);
        for i in 0..16 {
            chunk[i] = b[i] ^ prev[i];
        }
        prev = block;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc4_known_vector() {
        // RFC 6229 style check: "Key" / "Plaintext" from the classic test vector.
        assert_eq!(rc4(b"Key", b"Plaintext"), [0xBB, 0xF3, 0x16, 0xE8, 0xD9, 0x40, 0xAF, 0x0A, 0xD3]);
    }

    #[test]
    fn aes_round_trip_shape() {
        let k = ObjectKey { key: vec![7; 16], method: Method::Aes128 };
        let c = k.encrypt(b"hello");
        assert_eq!(c.len(), 32);
    }
}
