//! Signet's PDF engine: read real-world PDFs, locate text, append one signing revision
//! (visible seals at coordinates, keywords, rectangles or across pages), and inspect the
//! signatures a file already carries.
//!
//! The engine never builds CMS itself: a [`ContainerSigner`] (the PKI crate's CMS builder,
//! a TSA client for document timestamps) receives the signed byte ranges as one stream and
//! returns the DER container to embed.
//!
//! Reading is done with `hayro-syntax` (lazy objects, xref repair, decryption) plus our own
//! tail reader for the trailer; writing is an incremental update of our own that keeps the
//! input's cross-reference style and never changes a byte of the original.
//!
//! # Entry points
//! - [`sign`]: one signature (invisible, or seals placed by [`Placement`]) in one revision;
//!   a named empty field already in the document is signed in its own box.
//! - [`certify`]: the same with a certification signature (DocMDP `/P` 1, 2 or 3, catalog
//!   `/Perms`, ESIC extension); it must be the document's first signature. Later changes are
//!   judged against its level by [`inspect`]. pyHanko, stricter than Acrobat, accepts later
//!   visible signatures only in fields that existed when the document was certified.
//! - [`timestamp_document`]: a document timestamp (`ETSI.RFC3161`) in an invisible field.
//! - [`add_dss`]: a DSS revision with certificates, OCSP responses and CRLs.
//! - [`locate`]: every occurrence of a keyword, in visible-page coordinates.
//! - [`form`]: templates: read AcroForm text fields, fill them with a CJK font, flatten,
//!   append PDF or HTML pages (a new document, written whole).
//! - [`inspect`]: the embedded signatures, their coverage, their signed bytes as a stream,
//!   and what later revisions changed.
//!
//! # Memory
//! Signing (seals at coordinates, rectangles, across pages; invisible signatures, document
//! timestamps, DSS) loads only the document's structure: the xref chain is read by seeking and
//! every live object is copied into a compact buffer without its stream data
//! (module `compact`; object streams are kept). Then the input is read once more
//! while the signer hashes it, which also copies it to the output. A 60 MB text-only PDF of
//! 10,500 pages signs in ~30 MB of RSS. Keyword search and inspection need page contents or the
//! file's layout: they load everything but large image data (untouched pages of a zeroed
//! buffer never become resident), as do files whose xref needs repairing.
//!
//! # Encryption
//! Owner-password-only files (RC4, AES-128, AES-256) and files opened with their user
//! password are signed with new strings and streams encrypted with the document key
//! ([`SignRequest::user_password`]); the signature `/Contents` is never encrypted.
//!
//! **Hybrid-reference policy.** A hybrid file (an xref table whose trailer also has
//! `/XRefStm`; Microsoft Word's PDF export is one) is refused by strict validators (pyHanko's
//! default) whatever is appended, since the two xref views may disagree. So [`sign`] rewrites
//! an *unsigned* hybrid file before its first signature: every live object copied byte for
//! byte under its own number (encrypted data stays valid), old xref streams dropped, one
//! classic table (or one xref stream when objects live in object streams); then the signature
//! is appended to that ([`SignOutcome::rewritten`]). Nothing can be invalidated by that
//! rewrite, because nothing is signed yet. A hybrid file that already carries a signature is
//! signed incrementally like any other (a table whose `/Prev` points to the hybrid section,
//! so PDF 1.5 readers still see the objects only the xref stream lists) and
//! [`Inspection::hybrid`] reports it; poppler and qpdf accept it, pyHanko with
//! `--no-strict-syntax`. Document timestamps and DSS revisions never rewrite.
//!
//! **Off xref offsets.** When `startxref` does not point at an xref section, the last
//! section before it is found by scanning ([`Inspection::xref_recovered`]); hayro-syntax
//! repairs wrong object offsets itself. A file with no recoverable xref section is refused
//! with [`PdfError::BrokenXref`], since an incremental update needs a `/Prev` to point to.

mod api;
mod appearance;
mod compact;
mod crypt;
mod document;
mod error;
mod fields;
pub mod form;
mod geometry;
mod image;
mod inspect;
mod inspect_diff;
mod locate;
mod obj;
mod placement;
mod protection;
pub mod render;
mod sign;
mod sparse;
mod tail;
mod writer;

pub use api::{
    Appearance, CROSS_PAGE_GROUP_MAX, ContainerSigner, DocMdp, Dss, Placement, SignOutcome, SignRequest, SubFilter,
    TextHit, WidgetBox, parse_pages,
};
pub use error::PdfError;
pub use inspect::{Coverage, EmbeddedSignature, Inspection, LaterChange, inspect};
pub use protection::{EditPassword, check_edit_password};
pub use sign::{DEFAULT_SEAL_WIDTH_PT, add_dss, certify, sign, timestamp_document};
pub use tail::XrefKind;

use std::io::{Read, Seek, SeekFrom};

/// Every occurrence of `keyword` (whitespace ignored), with its box in visible-page points.
pub fn locate(
    mut input: impl Read + Seek,
    keyword: &str,
    user_password: Option<&str>,
) -> Result<Vec<TextHit>, PdfError> {
    input.seek(SeekFrom::Start(0))?;
    let doc = document::Document::read(&mut input, user_password.unwrap_or(""))?;
    locate::find_keyword(&doc, keyword)
}
