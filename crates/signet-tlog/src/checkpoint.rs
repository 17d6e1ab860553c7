//! Signed tree heads as C2SP checkpoints (<https://c2sp.org/tlog-checkpoint>).
//!
//! The signed bytes are the checkpoint text:
//!
//! ```text
//! <origin>
//! <tree size, decimal>
//! <root hash, base64>
//! timestamp_ms <milliseconds since the Unix epoch>
//! ```
//!
//! The first three lines are the standard body, so any checkpoint tool reads our heads; the
//! timestamp travels as an extension line, which the format allows and leaves opaque.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::error::CheckpointError;
use crate::hash::Hash;
use crate::note::{HeadSigner, SignedNote, check_key_name};

const TIMESTAMP_KEY: &str = "timestamp_ms ";

/// The state of the log at one moment: what a signed tree head commits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    /// Number of leaves.
    pub size: u64,
    /// Merkle Tree Hash of those leaves.
    pub root: Hash,
    /// When the head was produced, in milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: u64,
}

/// A parsed checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `signet.example/evidence`.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
    /// Extension lines (without their newline), in order.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The checkpoint for `head` issued by the log `origin` (no spaces or '+', non-empty).
    pub fn for_head(origin: &str, head: &TreeHead) -> Result<Self, CheckpointError> {
        check_key_name(origin)?;
        Ok(Self {
            origin: origin.to_owned(),
            size: head.size,
            root: head.root,
            extensions: vec![format!("{TIMESTAMP_KEY}{}", head.timestamp_ms)],
        })
    }

    /// The canonical text, the exact bytes that are signed.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n{}\n{}\n", self.origin, self.size, BASE64.encode(self.root));
        for line in &self.extensions {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Parses a checkpoint text (strictly: canonical decimal and base64, non-empty lines).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MalformedCheckpoint("the text does not end in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(CheckpointError::MalformedCheckpoint("empty origin line"));
        }
        let size = lines
            .next()
            .and_then(parse_decimal)
            .ok_or(CheckpointError::MalformedCheckpoint("the size line is not a decimal number"))?;
        let root = lines
            .next()
            .and_then(parse_root)
            .ok_or(CheckpointError::MalformedCheckpoint("the root line is not a base64 SHA-256 hash"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(CheckpointError::MalformedCheckpoint("empty extension line"));
        }
        Ok(Self { origin: origin.to_owned(), size, root, extensions })
    }

    /// The tree head, which needs exactly one `timestamp_ms` extension line.
    pub fn tree_head(&self) -> Result<TreeHead, CheckpointError> {
        let mut stamps = self.extensions.iter().filter_map(|line| line.strip_prefix(TIMESTAMP_KEY));
        let stamp = stamps.next().ok_or(CheckpointError::MissingTimestamp)?;
        if stamps.next().is_some() {
            return Err(CheckpointError::MalformedCheckpoint("two timestamp_ms lines"));
        }
        let timestamp_ms =
            parse_decimal(stamp).ok_or(CheckpointError::MalformedCheckpoint("timestamp_ms is not a decimal number"))?;
        Ok(TreeHead { size: self.size, root: self.root, timestamp_ms })
    }
}

/// Signs `head` as a checkpoint of the log `origin`; returns the signed note to publish.
pub fn sign_tree_head(origin: &str, head: &TreeHead, signer: &dyn HeadSigner) -> Result<String, CheckpointError> {
    let text = Checkpoint::for_head(origin, head)?.to_text();
    Ok(SignedNote::sign(&text, signer)?.encode())
}

/// Reads a signed tree head published by the log `origin`, checking the signature of the key
/// (`key_name`, `key_id`) with `verify(message, signature)`.
pub fn open_tree_head(
    note: &str,
    origin: &str,
    key_name: &str,
    key_id: [u8; 4],
    verify: impl Fn(&[u8], &[u8]) -> bool,
) -> Result<TreeHead, CheckpointError> {
    let note = SignedNote::parse(note)?;
    let text = note.verify(key_name, key_id, verify)?;
    let checkpoint = Checkpoint::parse(text)?;
    if checkpoint.origin != origin {
        return Err(CheckpointError::MalformedCheckpoint("the checkpoint is from another log"));
    }
    checkpoint.tree_head()
}

/// ASCII decimal without sign or leading zeros ("0" alone is fine).
fn parse_decimal(text: &str) -> Option<u64> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

fn parse_root(text: &str) -> Option<Hash> {
    let bytes = BASE64.decode(text).ok()?;
    let hash = Hash::try_from(bytes.as_slice()).ok()?;
    // Refuse non-canonical encodings so one head has one text.
    (BASE64.encode(hash) == text).then_some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_must_be_canonical() {
        assert_eq!(parse_decimal("0"), Some(0));
        assert_eq!(parse_decimal("20852163"), Some(20_852_163));
        for bad in ["", "00", "01", "+1", "-1", "1 ", "18446744073709551616"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }
}
