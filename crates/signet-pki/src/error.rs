//! The engine's one error type.

/// Everything that can go wrong in the PKI engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// A key algorithm name that is not one of ours.
    #[error("unknown key algorithm {0:?} (expected rsa2048, rsa3072, rsa4096, p256, p384 or sm2)")]
    UnknownAlgorithm(String),
    /// The master key text is not 32 bytes of base64.
    #[error("invalid master key: {0}")]
    InvalidMasterKey(&'static str),
    /// The master key does not match the check value stored with the data.
    #[error("wrong master key: it does not match the key-check value stored with the data")]
    WrongMasterKey,
    /// A wrapped private key did not decrypt: wrong master key or damaged record.
    #[error("cannot unwrap private key: wrong master key or corrupted key record")]
    KeyUnwrap,
    /// A key reference that this custody cannot read.
    #[error("malformed key reference: {0}")]
    InvalidKeyRef(&'static str),
    /// The random source or key generator failed.
    #[error("key generation failed: {0}")]
    KeyGeneration(String),
    /// A private key that does not parse or does not match its algorithm.
    #[error("invalid private key: {0}")]
    InvalidPrivateKey(String),
    /// The signer refused or failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The key cannot make this kind of signature.
    #[error("a {key} key cannot sign with {scheme}")]
    UnsupportedSignature {
        /// Key algorithm name.
        key: &'static str,
        /// Signature scheme name.
        scheme: &'static str,
    },
    /// An algorithm identifier we do not implement.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// ASN.1 that does not decode, or a value that does not encode.
    #[error("malformed {what}: {source}")]
    Asn1 {
        /// What was being decoded or encoded.
        what: &'static str,
        /// The decoder's complaint.
        source: der::Error,
    },
    /// A signature that does not verify.
    #[error("signature does not verify: {0}")]
    BadSignature(&'static str),
    /// Input that is well-formed but not acceptable.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A PKCS#11 token error.
    #[error("pkcs#11: {0}")]
    Pkcs11(String),
    /// A PKCS#12 file that cannot be read or written.
    #[error("pkcs#12: {0}")]
    Pkcs12(String),
}

impl PkiError {
    /// Wraps a `der` error with what was being processed.
    pub(crate) fn asn1(what: &'static str) -> impl FnOnce(der::Error) -> Self {
        move |source| Self::Asn1 { what, source }
    }
}

/// Short alias used throughout the crate.
pub type Result<T, E = PkiError> = std::result::Result<T, E>;
