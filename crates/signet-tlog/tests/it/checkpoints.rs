//! Signed tree heads: the C2SP checkpoint and signed-note wire formats, checked against the
//! published examples, and a sign/open round trip through the signer trait.
//!
//! Sources (facts only):
//! - c2sp.org/tlog-checkpoint (C2SP/C2SP `tlog-checkpoint.md`): the example checkpoint of
//!   `example.com/behind-the-sofa`.
//! - golang.org/x/mod `sumdb/note/note.go` package documentation: the PeterNeumann signed note
//!   and its verifier key `PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`.

use std::cell::RefCell;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use signet_tlog::{
    Checkpoint, CheckpointError, HeadSigner, SIGNATURE_TYPE_ED25519, SignedNote, TreeHead, key_id, open_tree_head,
    sign_tree_head,
};

use crate::support::synthetic_log;

const SOFA_NOTE: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

const PETER_TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const PETER_VKEY_MATERIAL: &str = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

/// A stand-in for a PKI key: a keyed SHA-256, deterministic and checkable without a crypto
/// library. The production signer wraps a real key from signet-pki.
struct KeyedHashSigner {
    name: &'static str,
    secret: &'static [u8],
    signed: RefCell<Vec<Vec<u8>>>,
}

impl KeyedHashSigner {
    fn new(name: &'static str, secret: &'static [u8]) -> Self {
        Self { name, secret, signed: RefCell::new(Vec::new()) }
    }

    fn mac(secret: &[u8], message: &[u8]) -> Vec<u8> {
        Sha256::new().chain_update(secret).chain_update(message).finalize().to_vec()
    }
}

impl HeadSigner for KeyedHashSigner {
    fn key_name(&self) -> &str {
        self.name
    }

    fn key_id(&self) -> [u8; 4] {
        key_id(self.name, &[0xff, b's', b'h'], self.secret)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        self.signed.borrow_mut().push(message.to_vec());
        Ok(Self::mac(self.secret, message))
    }
}

struct BrokenSigner;

impl HeadSigner for BrokenSigner {
    fn key_name(&self) -> &str {
        "signet.example/evidence"
    }
    fn key_id(&self) -> [u8; 4] {
        [0; 4]
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        Err("token removed".into())
    }
}

#[test]
fn reads_the_c2sp_example_checkpoint() {
    let note = SignedNote::parse(SOFA_NOTE).unwrap();
    assert_eq!(note.encode(), SOFA_NOTE, "encoding must round-trip byte for byte");
    assert_eq!(note.signatures.len(), 1);
    assert_eq!(note.signatures[0].key_name, "example.com/behind-the-sofa");
    assert_eq!(note.signatures[0].key_id, [0x03, 0x3d, 0xe0, 0xae]);
    assert_eq!(note.signatures[0].signature.len(), 64);

    let checkpoint = Checkpoint::parse(&note.text).unwrap();
    assert_eq!(checkpoint.origin, "example.com/behind-the-sofa");
    assert_eq!(checkpoint.size, 20_852_163);
    assert_eq!(checkpoint.root.to_hex(), "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
    assert!(checkpoint.extensions.is_empty());
    assert_eq!(checkpoint.to_text(), note.text);
    // Without our timestamp line it is a valid checkpoint but not a Signet tree head.
    assert!(matches!(checkpoint.tree_head(), Err(CheckpointError::MissingTimestamp)));
}

#[test]
fn reads_the_go_sumdb_signed_note_and_derives_its_key_id() {
    let material = BASE64.decode(PETER_VKEY_MATERIAL).unwrap();
    let (sig_type, public_key) = material.split_first().unwrap();
    assert_eq!(*sig_type, SIGNATURE_TYPE_ED25519);
    let id = key_id("PeterNeumann", &[*sig_type], public_key);
    assert_eq!(hex::encode(id), "c74f20a3");

    let note = SignedNote::parse(PETER_NOTE).unwrap();
    assert_eq!(note.text, PETER_TEXT);
    assert_eq!(note.encode(), PETER_NOTE);
    assert_eq!(note.signatures[0].signature.len(), 64, "an Ed25519 signature");

    // The verifier closure is handed exactly the signed text and the bare signature.
    let seen = RefCell::new(None);
    let text = note
        .verify("PeterNeumann", id, |message, signature| {
            *seen.borrow_mut() = Some((message.to_vec(), signature.len()));
            true
        })
        .unwrap();
    assert_eq!(text, PETER_TEXT);
    assert_eq!(seen.into_inner(), Some((PETER_TEXT.as_bytes().to_vec(), 64)));

    // A signature by a known key that fails rejects the note; unknown keys are ignored.
    assert!(matches!(note.verify("PeterNeumann", id, |_, _| false), Err(CheckpointError::BadSignature { .. })));
    assert!(matches!(
        note.verify("PeterNeumann", [0xc7, 0x4f, 0x20, 0xa4], |_, _| true),
        Err(CheckpointError::NoSignatureByKey { .. })
    ));
    assert!(matches!(note.verify("EnochRoot", id, |_, _| true), Err(CheckpointError::NoSignatureByKey { .. })));
}

#[test]
fn signs_and_opens_a_tree_head_of_a_real_log() {
    let (store, _) = synthetic_log(1000);
    let head = TreeHead { size: 1000, root: signet_tlog::root(&store, 1000).unwrap(), timestamp_ms: 1_764_755_000_123 };
    let signer = KeyedHashSigner::new("signet.example/evidence", b"log key");
    let note = sign_tree_head("signet.example/evidence", &head, &signer).unwrap();

    let expected_text =
        format!("signet.example/evidence\n1000\n{}\ntimestamp_ms 1764755000123\n", BASE64.encode(head.root.as_bytes()));
    assert!(note.starts_with(&format!("{expected_text}\n\u{2014} signet.example/evidence ")));
    assert_eq!(signer.signed.borrow().as_slice(), [expected_text.as_bytes().to_vec()]);

    let verify = |message: &[u8], signature: &[u8]| KeyedHashSigner::mac(b"log key", message) == signature;
    let opened =
        open_tree_head(&note, "signet.example/evidence", "signet.example/evidence", signer.key_id(), verify).unwrap();
    assert_eq!(opened, head);

    // Any change to the signed text breaks the signature.
    let forged = note.replacen("\n1000\n", "\n1001\n", 1);
    assert!(matches!(
        open_tree_head(&forged, "signet.example/evidence", "signet.example/evidence", signer.key_id(), verify),
        Err(CheckpointError::BadSignature { .. })
    ));
    // A head of another log is refused even when the key matches.
    assert!(open_tree_head(&note, "other.example/log", "signet.example/evidence", signer.key_id(), verify).is_err());
    // Another key's verifier finds no signature.
    let other = KeyedHashSigner::new("signet.example/evidence", b"other key");
    assert!(matches!(
        open_tree_head(&note, "signet.example/evidence", "signet.example/evidence", other.key_id(), verify),
        Err(CheckpointError::NoSignatureByKey { .. })
    ));
}

#[test]
fn bad_input_gives_errors_not_panics() {
    let head = TreeHead { size: 0, root: signet_tlog::EMPTY_ROOT, timestamp_ms: 0 };
    let signer = KeyedHashSigner::new("signet.example/evidence", b"k");
    for origin in ["", "has space", "a+b", "tab\there"] {
        assert!(matches!(sign_tree_head(origin, &head, &signer), Err(CheckpointError::InvalidName(_))));
    }
    assert!(matches!(sign_tree_head("signet.example/evidence", &head, &BrokenSigner), Err(CheckpointError::Signer(_))));
    let good = sign_tree_head("signet.example/evidence", &head, &signer).unwrap();
    assert!(good.starts_with("signet.example/evidence\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"));

    let malformed_notes = [
        "",
        "no blank line\n\u{2014} k AAAAAAA=\n",
        "text\n\n\u{2014} k AAAAAAA=", // no final newline
        "text\n\n- k AAAAAAA=\n",      // not an em dash
        "text\n\n\u{2014} k not-base64!\n",
        "text\n\n\u{2014} k AAAA\n",          // shorter than a key ID
        "text\n\n\u{2014} kAAAAAAA=\n",       // no space
        "te\u{7}xt\n\n\u{2014} k AAAAAAA=\n", // control character
        "text\n\n\u{2014} a+b AAAAAAA=\n",    // '+' in the key name
        "text\n\n",
    ];
    for bad in malformed_notes {
        assert!(matches!(SignedNote::parse(bad), Err(CheckpointError::MalformedNote(_))), "{bad:?}");
    }
    let malformed_checkpoints = [
        "",
        "origin\n",
        "\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n",
        "origin\n01\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n",
        "origin\n-1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n",
        "origin\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0\n",
        "origin\n1\nAAAA\n",
        "origin\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n\n",
        "origin\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
    ];
    for bad in malformed_checkpoints {
        assert!(matches!(Checkpoint::parse(bad), Err(CheckpointError::MalformedCheckpoint(_))), "{bad:?}");
    }
    let two_stamps =
        Checkpoint::parse("o\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\ntimestamp_ms 1\ntimestamp_ms 2\n")
            .unwrap();
    assert!(two_stamps.tree_head().is_err());
}
