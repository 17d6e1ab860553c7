//! The one error type of the seal engine: every bad input ends here, never in a panic.

/// Why a seal could not be rendered or an image could not be accepted.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SealError {
    /// A required text (name, horizontal text ...) is empty after trimming.
    #[error("{field} is empty")]
    EmptyText { field: &'static str },

    /// A text has more characters than the seal style can hold.
    #[error("{field} has {count} characters; this seal style allows {min} to {max}")]
    TextLength { field: &'static str, count: usize, min: usize, max: usize },

    /// A text contains a control character (newline, tab, NUL ...).
    #[error("{field} contains the control character U+{codepoint:04X}")]
    ControlCharacter { field: &'static str, codepoint: u32 },

    /// No bundled font can draw this character; rendering it would give a tofu box.
    #[error("character '{ch}' (U+{codepoint:04X}) is not in any bundled font", codepoint = *ch as u32)]
    UnsupportedCharacter { ch: char },

    /// The anti-forgery code must be exactly 13 ASCII digits.
    #[error("anti-forgery code must be exactly 13 digits, got {0:?}")]
    InvalidCode(String),

    /// Both a lower-arc text and a 13-digit code were given; a seal has one lower arc.
    #[error("a seal carries either a lower-arc text or a 13-digit code, not both")]
    BottomTextAndCode,

    /// A size or resolution outside what the engine accepts.
    #[error("{what} must be between {min} and {max}, got {got}")]
    OutOfRange { what: &'static str, got: f64, min: f64, max: f64 },

    /// A bundled font failed to parse (a build problem, reported rather than panicking).
    #[error("bundled font {0} could not be parsed")]
    BrokenFont(&'static str),

    /// An uploaded file is bigger than allowed.
    #[error("image is {size} bytes; the limit is {max} bytes")]
    ImageTooLarge { size: usize, max: usize },

    /// An uploaded file is neither PNG nor JPEG.
    #[error("unsupported image type ({0}); upload a PNG or JPEG")]
    UnsupportedImageType(&'static str),

    /// The image header or data is corrupt.
    #[error("image could not be decoded: {0}")]
    ImageDecode(String),

    /// Image width/height outside the accepted range or aspect.
    #[error("image is {width}x{height} px; {rule}")]
    ImageDimensions { width: u32, height: u32, rule: String },

    /// An image or signature has no visible ink at all.
    #[error("the image has no visible ink")]
    NoInk,

    /// Hand-drawn stroke data that cannot be drawn.
    #[error("invalid signature strokes: {0}")]
    InvalidStrokes(String),

    /// PNG encoding failed (only on an internal inconsistency).
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}
