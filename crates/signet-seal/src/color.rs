//! Ink colours of seals (the vendors offer red, blue and black).

use serde::{Deserialize, Serialize};

/// Ink colour of a seal or signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InkColor {
    /// Seal-paste red (印泥红), the default of every vendor.
    #[default]
    Red,
    /// Blue, used by some foreign and HK/TW signers and offered as C2/BLUE.
    Blue,
    /// Black (C3/BLACK), mostly for signatures.
    Black,
}

impl InkColor {
    /// sRGB value of the ink.
    pub const fn rgb(self) -> [u8; 3] {
        match self {
            InkColor::Red => [0xD9, 0x1E, 0x18],
            InkColor::Blue => [0x1F, 0x4E, 0xB4],
            InkColor::Black => [0x14, 0x14, 0x14],
        }
    }

    /// Vendor colour codes: 云合同 `C1`/`C2`/`C3`, e签宝 `RED`/`BLUE`/`BLACK` (any case).
    pub fn from_vendor_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_uppercase().as_str() {
            "C1" | "RED" => Some(InkColor::Red),
            "C2" | "BLUE" => Some(InkColor::Blue),
            "C3" | "BLACK" => Some(InkColor::Black),
            _ => None,
        }
    }

    /// The colour as PDF `rg` operands (0..1 each).
    pub fn pdf_rgb(self) -> [f32; 3] {
        let [r, g, b] = self.rgb();
        [r as f32 / 255.0, g as f32 / 255.0, b as f32 / 255.0]
    }
}
