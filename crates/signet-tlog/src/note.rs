//! C2SP signed notes (<https://c2sp.org/signed-note>): text, a blank line, then signature lines
//! `— <key name> base64(key ID || signature)`.
//!
//! The cryptography is not here: signing goes through [`HeadSigner`] and verification through a
//! closure, so the PKI engine's keys (Ed25519, ECDSA, SM2, an HSM) plug in unchanged.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use crate::error::CheckpointError;

/// Signature type byte for Ed25519 (c2sp.org/signed-note).
pub const SIGNATURE_TYPE_ED25519: u8 = 0x01;
/// Signature type byte for ECDSA; its key ID is the hash of the SPKI ([`spki_key_id`]).
pub const SIGNATURE_TYPE_ECDSA: u8 = 0x02;
/// Prefix for signature types without an assigned byte (e.g. SM2, RSA); follow it with a
/// longer identifier such as `b"signet-sm2"`.
pub const SIGNATURE_TYPE_OTHER: u8 = 0xff;

/// Upper bounds that keep parsing cheap on hostile input.
const MAX_NOTE_BYTES: usize = 1 << 20;
const MAX_SIGNATURES: usize = 100;
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Produces signatures over a checkpoint; implemented by the caller with a key from the PKI.
pub trait HeadSigner {
    /// The key name on the signature line (by convention the log's origin, e.g. `signet.example/evidence`).
    fn key_name(&self) -> &str;
    /// The 4-byte key ID, see [`key_id`] and [`spki_key_id`].
    fn key_id(&self) -> [u8; 4];
    /// Signs `message` (the exact note text, trailing newline included).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;
}

/// The recommended key ID: `SHA-256(key name || 0x0A || signature type || public key)[:4]`.
///
/// For Ed25519, `signature_type` is `[SIGNATURE_TYPE_ED25519]` and `public_key` the 32-byte key.
pub fn key_id(key_name: &str, signature_type: &[u8], public_key: &[u8]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(key_name.as_bytes());
    hasher.update([0x0a]);
    hasher.update(signature_type);
    hasher.update(public_key);
    first_four(&hasher.finalize())
}

/// The ECDSA key ID of c2sp.org/signed-note: `SHA-256(DER SubjectPublicKeyInfo)[:4]`.
pub fn spki_key_id(spki_der: &[u8]) -> [u8; 4] {
    first_four(&Sha256::digest(spki_der))
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Name of the signing key.
    pub key_name: String,
    /// 4-byte key ID (big-endian uint32 on the wire).
    pub key_id: [u8; 4],
    /// The signature bytes proper.
    pub signature: Vec<u8>,
}

/// A parsed signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, ending in a newline.
    pub text: String,
    /// Signature lines in order.
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// Signs `text` (which must end in a newline) and returns the note.
    pub fn sign(text: &str, signer: &dyn HeadSigner) -> Result<Self, CheckpointError> {
        check_text(text)?;
        check_key_name(signer.key_name())?;
        let signature = signer.sign(text.as_bytes()).map_err(CheckpointError::Signer)?;
        Ok(Self {
            text: text.to_owned(),
            signatures: vec![NoteSignature {
                key_name: signer.key_name().to_owned(),
                key_id: signer.key_id(),
                signature,
            }],
        })
    }

    /// Parses the wire form. Signatures are not checked here; see [`SignedNote::verify`].
    pub fn parse(note: &str) -> Result<Self, CheckpointError> {
        if note.len() > MAX_NOTE_BYTES {
            return Err(CheckpointError::MalformedNote("the note is larger than 1 MiB"));
        }
        if note.chars().any(|c| c < ' ' && c != '\n') {
            return Err(CheckpointError::MalformedNote("control character in the note"));
        }
        // The text ends at the last blank line; everything after it is signature lines.
        let split = note.rfind("\n\n").ok_or(CheckpointError::MalformedNote("no blank line before the signatures"))?;
        let text = &note[..=split];
        let signature_block = &note[split + 2..];
        let Some(signature_block) = signature_block.strip_suffix('\n') else {
            return Err(CheckpointError::MalformedNote("the note does not end in a newline"));
        };
        let mut signatures = Vec::new();
        for line in signature_block.split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(CheckpointError::MalformedNote("too many signatures"));
            }
            signatures.push(parse_signature_line(line)?);
        }
        Ok(Self { text: text.to_owned(), signatures })
    }

    /// The wire form: text, blank line, signature lines.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 128 * self.signatures.len());
        out.push_str(&self.text);
        out.push('\n');
        for sig in &self.signatures {
            let mut blob = Vec::with_capacity(4 + sig.signature.len());
            blob.extend_from_slice(&sig.key_id);
            blob.extend_from_slice(&sig.signature);
            out.push_str(SIGNATURE_PREFIX);
            out.push_str(&sig.key_name);
            out.push(' ');
            out.push_str(&BASE64.encode(blob));
            out.push('\n');
        }
        out
    }

    /// Checks the signatures by the key (`key_name`, `key_id`) with `verify(message, signature)`
    /// and returns the text if one verifies.
    ///
    /// Lines by other keys are ignored; a failing line by this key rejects the whole note, as
    /// c2sp.org/signed-note recommends.
    pub fn verify(
        &self,
        key_name: &str,
        key_id: [u8; 4],
        verify: impl Fn(&[u8], &[u8]) -> bool,
    ) -> Result<&str, CheckpointError> {
        let mut verified = false;
        for sig in self.signatures.iter().filter(|sig| sig.key_name == key_name && sig.key_id == key_id) {
            if !verify(self.text.as_bytes(), &sig.signature) {
                return Err(CheckpointError::BadSignature { key_name: key_name.to_owned() });
            }
            verified = true;
        }
        if verified { Ok(&self.text) } else { Err(CheckpointError::NoSignatureByKey { key_name: key_name.to_owned() }) }
    }
}

/// Key names (and checkpoint origins we issue) must be non-empty, with no spaces or '+'.
pub(crate) fn check_key_name(name: &str) -> Result<(), CheckpointError> {
    let bad = name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+' || c.is_control());
    if bad {
        return Err(CheckpointError::InvalidName(name.to_owned()));
    }
    Ok(())
}

fn check_text(text: &str) -> Result<(), CheckpointError> {
    if !text.ends_with('\n') {
        return Err(CheckpointError::MalformedNote("the text does not end in a newline"));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(CheckpointError::MalformedNote("control character in the text"));
    }
    Ok(())
}

fn parse_signature_line(line: &str) -> Result<NoteSignature, CheckpointError> {
    let rest = line
        .strip_prefix(SIGNATURE_PREFIX)
        .ok_or(CheckpointError::MalformedNote("a signature line does not start with an em dash"))?;
    let (key_name, encoded) =
        rest.split_once(' ').ok_or(CheckpointError::MalformedNote("a signature line has no signature"))?;
    check_key_name(key_name).map_err(|_| CheckpointError::MalformedNote("invalid key name on a signature line"))?;
    let blob = BASE64.decode(encoded).map_err(|_| CheckpointError::MalformedNote("a signature is not base64"))?;
    if blob.len() < 5 {
        return Err(CheckpointError::MalformedNote("a signature is shorter than its key ID"));
    }
    let (id, signature) = blob.split_at(4);
    Ok(NoteSignature { key_name: key_name.to_owned(), key_id: first_four(id), signature: signature.to_vec() })
}

fn first_four(bytes: &[u8]) -> [u8; 4] {
    let mut id = [0u8; 4];
    id.copy_from_slice(&bytes[..4]);
    id
}
