//! Seal (印章) rendering for Signet.
//!
//! * Template seals: personal name seals ([`render_personal`]) and company seals
//!   ([`render_company`]) drawn from bundled free fonts, so they render on machines with no
//!   CJK font. A [`Seal`] is geometry in millimetres; it becomes a PNG with alpha and a pHYs
//!   chunk ([`Seal::to_png`]) or PDF path operators ([`Seal::to_pdf_content`]).
//! * Uploaded seal images ([`prepare_upload`]): PNG/JPEG ≤ 400 KB, validated, optionally
//!   with the white background made transparent and the ink recoloured.
//! * Hand-drawn signatures ([`render_signature`], [`clean_canvas_png`]).
//!
//! The engine does no I/O: specs and bytes in, bytes out.

mod arc;
mod color;
mod company;
mod drawing;
mod error;
mod fonts;
mod glyph;
mod personal;
mod png_io;
mod shapes;
mod signature;
mod text;
mod upload;

pub use color::InkColor;
pub use company::{CompanySealSpec, CompanyShape, MAX_BOTTOM_CHARS, MAX_HORIZONTAL_CHARS, NAME_CHARS, render_company};
pub use drawing::{DEFAULT_DPI, MAX_DPI, MAX_PIXELS, MIN_DPI, RasterSeal, Seal};
pub use error::SealError;
pub use fonts::{FontFace, bundled_font_bytes, check_renderable, face_for_char};
pub use personal::{MAX_PERSONAL_CHARS, NameSuffix, PersonalFont, PersonalForm, PersonalSealSpec, render_personal};
pub use png_io::{DecodedImage, ImageKind, MAX_IMAGE_SIDE, decode_image, sniff};
pub use signature::{
    SignatureImage, SignatureInput, SignatureStyle, Stroke, StrokePoint, clean_canvas_png, render_signature,
};
pub use text::{MASK_CHAR, mask_name};
pub use upload::{MAX_UPLOAD_BYTES, PreparedImage, UploadKind, UploadOptions, prepare_upload};
