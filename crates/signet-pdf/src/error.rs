//! The one error type of the engine: every failure a caller can act on has its own variant.

use std::io;

/// Everything that can go wrong while reading, signing or inspecting a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Reading the input or writing the output failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The input does not start like a PDF and has no PDF structure at all.
    #[error("not a PDF file: {0}")]
    NotPdf(&'static str),
    /// The file tail (startxref, xref, trailer) cannot be read or recovered.
    #[error("broken cross-reference data: {0}")]
    BrokenXref(String),
    /// A required object is missing or has the wrong type.
    #[error("malformed PDF: {0}")]
    Malformed(String),
    /// The document is encrypted and the supplied (or empty) user password does not open it.
    #[error("the PDF is encrypted and the password is wrong or missing")]
    WrongPassword,
    /// The document uses an encryption scheme this engine cannot write (e.g. a public-key handler).
    #[error("unsupported encryption: {0}")]
    UnsupportedEncryption(String),
    /// A placement names a page that does not exist.
    #[error("page {page} is out of range (the document has {count} pages)")]
    PageOutOfRange {
        /// The 1-based page that was asked for.
        page: usize,
        /// How many pages the document has.
        count: usize,
    },
    /// A keyword placement found no occurrence of its text.
    #[error("keyword not found: {0}")]
    KeywordNotFound(String),
    /// A placement or option is invalid (e.g. a rectangle outside 0..1).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The seal image is not a PNG or JPEG, or cannot be decoded.
    #[error("unsupported seal image: {0}")]
    BadImage(String),
    /// The signer failed to produce a container.
    #[error("signer failed: {0}")]
    Signer(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The signer returned a container longer than its own bound, even after a retry.
    #[error("the signature container ({got} bytes) does not fit the reserved space ({reserved} bytes)")]
    ContainerTooLarge {
        /// Bytes the signer returned.
        got: usize,
        /// Bytes reserved in /Contents.
        reserved: usize,
    },
    /// The document has no AcroForm text fields to fill (or none at all).
    #[error("the PDF has no AcroForm text fields")]
    NoForm,
    /// A fill names a field the template does not have.
    #[error("unknown form field: {0}")]
    UnknownField(String),
    /// A value has more characters than the field's /MaxLen.
    #[error("the value of field {field} has {len} characters, more than its maximum of {max_len}")]
    ValueTooLong {
        /// The field's fully qualified name.
        field: String,
        /// The field's /MaxLen.
        max_len: usize,
        /// Characters in the value.
        len: usize,
    },
    /// The bundled font has no glyph for a character of the text (never drawn as a blank box).
    #[error("the font has no glyph for {ch:?} (U+{code:04X}) in {context}")]
    MissingGlyph {
        /// The character.
        ch: char,
        /// Its code point.
        code: u32,
        /// Where it occurs (a field name or "html chunk N").
        context: String,
    },
    /// The font given for filling cannot be used (not an OpenType font, subsetting failed).
    #[error("font error: {0}")]
    Font(String),
}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, PdfError>;
