//! The public request and result types of the engine.

use std::time::SystemTime;

/// The `/SubFilter` of a signature dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubFilter {
    /// PAdES baseline (`ETSI.CAdES.detached`): the default.
    CadesDetached,
    /// Legacy PKCS#7 detached (`adbe.pkcs7.detached`) for old validators.
    Pkcs7Detached,
    /// A document timestamp (`ETSI.RFC3161`): the container is a bare TimeStampToken.
    Rfc3161,
}

impl SubFilter {
    /// The PDF name, without the slash.
    pub fn pdf_name(self) -> &'static str {
        match self {
            SubFilter::CadesDetached => "ETSI.CAdES.detached",
            SubFilter::Pkcs7Detached => "adbe.pkcs7.detached",
            SubFilter::Rfc3161 => "ETSI.RFC3161",
        }
    }
}

/// Something that turns the signed byte ranges into a DER container (CMS or TimeStampToken).
///
/// The PKI crate implements it; the engine only reserves space, streams the bytes and embeds
/// the result, so it never depends on a crypto stack.
pub trait ContainerSigner {
    /// Upper bound, in bytes, of the DER container that `sign` returns.
    fn max_container_len(&self) -> usize;
    /// The /SubFilter to write: ETSI.CAdES.detached, adbe.pkcs7.detached, or ETSI.RFC3161 for a document timestamp.
    fn sub_filter(&self) -> SubFilter;
    /// Produces the container over the signed byte ranges, read once, in order.
    fn sign(&self, signed_bytes: &mut dyn std::io::Read) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;
}

/// Where a seal goes. Coordinates are PDF points in the page **as a viewer shows it**:
/// origin at the bottom-left of the visible page (CropBox, `/Rotate` applied). Pages are 1-based.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// The seal's centre at `(x, y)` on each listed page.
    At {
        /// Pages to stamp.
        pages: Vec<usize>,
        /// Centre, x.
        x: f64,
        /// Centre, y.
        y: f64,
    },
    /// The seal's centre at the centre of every occurrence of `text`, shifted by `offset`.
    /// No occurrence is an error ([`crate::PdfError::KeywordNotFound`]).
    Keyword {
        /// Text to find (whitespace is ignored when matching).
        text: String,
        /// Shift of the seal centre, points (x right, y up).
        offset: (f64, f64),
    },
    /// A rectangle in fractions (0..1) of the visible page, origin **top-left** (as WoSign's
    /// relative positions); the seal fits inside keeping its aspect ratio.
    Rect {
        /// Page.
        page: usize,
        /// Left, as a fraction of the width.
        x1: f64,
        /// Top, as a fraction of the height from the top.
        y1: f64,
        /// Right.
        x2: f64,
        /// Bottom, from the top.
        y2: f64,
    },
    /// A cross-page seal (骑缝章): the image cut into vertical slices, one per page, at each
    /// page's right edge, so that fanned pages reassemble it. `y_fraction` is the vertical
    /// position of the seal's centre as a fraction of the page height **from the top**
    /// (0.5 = middle). Long documents are split into balanced groups of at most
    /// [`CROSS_PAGE_GROUP_MAX`] pages, each group carrying a whole seal: slices stay wide
    /// enough to be recognisable (a 120 pt seal over 20 pages is 6 pt per page), as the
    /// Chinese platforms do. A one-page document cannot carry a cross-page seal.
    CrossPage {
        /// Vertical centre, fraction of the visible height from the top.
        y_fraction: f64,
    },
}

/// Most pages that share one cross-page seal; longer documents get one seal per group.
pub const CROSS_PAGE_GROUP_MAX: usize = 20;

/// How a visible seal looks.
#[derive(Debug, Clone, Default)]
pub struct Appearance {
    /// The seal image, PNG (transparency kept) or JPEG.
    pub image: Vec<u8>,
    /// The seal width in points; default: the PNG's physical size (pHYs), else 120 pt.
    pub width_pt: Option<f64>,
    /// Print the signing time under the seal.
    pub show_time: bool,
    /// Print a short digest (first 16 hex digits of the SHA-256 of the input) under the seal.
    pub show_digest: bool,
}

/// What to sign and how.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// The signature field name; default `Signature1`, `Signature2`, … (first free).
    pub field_name: Option<String>,
    /// Where the seal goes; empty (or no appearance) makes an invisible signature.
    pub placements: Vec<Placement>,
    /// The seal; `None` makes an invisible signature.
    pub appearance: Option<Appearance>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// The claimed signing time, written to `/M` (PAdES puts it here, not in the CMS).
    pub signing_time: SystemTime,
    /// User password for encrypted inputs that need one.
    pub user_password: Option<String>,
}

impl Default for SignRequest {
    fn default() -> Self {
        Self {
            field_name: None,
            placements: Vec::new(),
            appearance: None,
            reason: None,
            location: None,
            contact_info: None,
            signing_time: SystemTime::now(),
            user_password: None,
        }
    }
}

/// A seal drawn by a signature: a widget on a page, in visible coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetBox {
    /// 1-based page.
    pub page: usize,
    /// `[x1, y1, x2, y2]` in visible-page points, origin bottom-left.
    pub rect: [f64; 4],
}

/// What a certification signature allows afterwards (DocMDP `/P`, ISO 32000-1 §12.8.2.2).
/// Document timestamps and DSS updates stay allowed at every level (PAdES).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocMdp {
    /// P=1: no changes, not even further signatures.
    NoChanges = 1,
    /// P=2: filling in forms, instantiating page templates, further signatures.
    FormFilling = 2,
    /// P=3: as P=2, plus creating, deleting and modifying annotations.
    Annotations = 3,
}

impl DocMdp {
    /// The level for a `/P` value (1, 2 or 3).
    pub fn from_p(p: i64) -> Option<Self> {
        match p {
            1 => Some(Self::NoChanges),
            2 => Some(Self::FormFilling),
            3 => Some(Self::Annotations),
            _ => None,
        }
    }
}

/// What a signing call produced.
#[derive(Debug, Clone)]
pub struct SignOutcome {
    /// The signature field's name.
    pub field_name: String,
    /// The final `/ByteRange`.
    pub byte_range: [u64; 4],
    /// Bytes reserved for the container in `/Contents`.
    pub reserved: usize,
    /// Bytes the container actually took.
    pub container_len: usize,
    /// Where the seals went (empty for invisible signatures).
    pub widgets: Vec<WidgetBox>,
    /// Length of the output file.
    pub output_len: u64,
    /// True when the input, an unsigned hybrid-reference file, was rewritten with a single
    /// cross-reference section before signing (the signed revision follows the rewrite).
    pub rewritten: bool,
}

/// Validation material for a DSS revision (ISO 32000-2 §12.8.4.3), all DER.
#[derive(Debug, Clone, Default)]
pub struct Dss {
    /// Certificates.
    pub certs: Vec<Vec<u8>>,
    /// Full OCSPResponse structures.
    pub ocsps: Vec<Vec<u8>>,
    /// CRLs.
    pub crls: Vec<Vec<u8>>,
}

/// One occurrence of a keyword.
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    /// 1-based page.
    pub page: usize,
    /// `[x1, y1, x2, y2]` in visible-page points, origin bottom-left.
    pub rect: [f64; 4],
}

/// Parses a page list like `1-3,5` (1-based, inclusive ranges) for [`Placement::At`].
pub fn parse_pages(spec: &str) -> Result<Vec<usize>, crate::PdfError> {
    let bad = || crate::PdfError::InvalidRequest(format!("bad page list: {spec:?} (expected e.g. 1-3,5)"));
    let mut pages = Vec::new();
    for part in spec.split(',').map(str::trim) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let a: usize = a.parse().map_err(|_| bad())?;
        let b: usize = b.parse().map_err(|_| bad())?;
        if a == 0 || b < a || b - a > 100_000 {
            return Err(bad());
        }
        pages.extend(a..=b);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_page_lists() {
        assert_eq!(parse_pages("1-3,5").unwrap(), vec![1, 2, 3, 5]);
        assert_eq!(parse_pages(" 2 ").unwrap(), vec![2]);
        assert!(parse_pages("0").is_err());
        assert!(parse_pages("3-1").is_err());
        assert!(parse_pages("a").is_err());
    }
}
