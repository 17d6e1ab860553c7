//! BER → DER for CMS read from other producers (`openssl cms -stream`, BouncyCastle):
//! indefinite lengths become definite and constructed OCTET STRINGs primitive.
//! DER input comes out byte-identical, so signatures over embedded DER still verify.

use crate::error::{PkiError, Result};

/// Deeper nesting than this is refused (no stack exhaustion on hostile input).
const MAX_DEPTH: usize = 64;

fn malformed(what: &str) -> PkiError {
    PkiError::Invalid(format!("malformed BER: {what}"))
}

/// Converts the first BER element of `input` (trailing bytes, e.g. PDF zero padding, are ignored).
pub(crate) fn to_der(input: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    convert(input, 0, &mut out)?;
    Ok(out)
}

/// Appends a DER length.
pub(crate) fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Converts one element at the start of `input`, appending DER to `out`; returns bytes consumed.
fn convert(input: &[u8], depth: usize, out: &mut Vec<u8>) -> Result<usize> {
    if depth > MAX_DEPTH {
        return Err(malformed("nesting too deep"));
    }
    let first = *input.first().ok_or_else(|| malformed("truncated tag"))?;
    let mut pos = 1;
    if first & 0x1f == 0x1f {
        loop {
            let b = *input.get(pos).ok_or_else(|| malformed("truncated tag"))?;
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos > 6 {
                return Err(malformed("tag number too large"));
            }
        }
    }
    let tag = &input[..pos];
    let constructed = first & 0x20 != 0;
    let len_byte = *input.get(pos).ok_or_else(|| malformed("truncated length"))?;
    pos += 1;
    let definite = match len_byte {
        0x80 => None,
        l if l < 0x80 => Some(usize::from(l)),
        l => {
            let n = usize::from(l & 0x7f);
            if n > 4 {
                return Err(malformed("length too large"));
            }
            let bytes = input.get(pos..pos + n).ok_or_else(|| malformed("truncated length"))?;
            pos += n;
            Some(bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)))
        }
    };
    if !constructed {
        let len = definite.ok_or_else(|| malformed("indefinite length on a primitive"))?;
        let value = input.get(pos..pos + len).ok_or_else(|| malformed("truncated value"))?;
        out.extend_from_slice(tag);
        push_length(out, len);
        out.extend_from_slice(value);
        return Ok(pos + len);
    }
    // Constructed: convert the children into a scratch buffer.
    let mut children = Vec::new();
    let consumed = match definite {
        Some(len) => {
            let body = input.get(pos..pos + len).ok_or_else(|| malformed("truncated value"))?;
            let mut at = 0;
            while at < body.len() {
                at += convert(&body[at..], depth + 1, &mut children)?;
            }
            pos + len
        }
        None => {
            let mut at = pos;
            loop {
                match input.get(at..at + 2) {
                    Some([0, 0]) => break at + 2,
                    Some(_) => at += convert(&input[at..], depth + 1, &mut children)?,
                    None => return Err(malformed("missing end-of-contents")),
                }
            }
        }
    };
    if first == 0x24 {
        // Constructed OCTET STRING: DER wants one primitive string of the concatenated pieces.
        let mut data = Vec::with_capacity(children.len());
        let mut at = 0;
        while at < children.len() {
            let (header, len) = primitive_header(&children[at..])?;
            data.extend_from_slice(children.get(at + header..at + header + len).ok_or_else(|| malformed("segment"))?);
            at += header + len;
        }
        out.push(0x04);
        push_length(out, data.len());
        out.extend_from_slice(&data);
    } else {
        out.extend_from_slice(tag);
        push_length(out, children.len());
        out.extend_from_slice(&children);
    }
    Ok(consumed)
}

/// Header length and value length of a DER element with a one-byte tag.
fn primitive_header(der: &[u8]) -> Result<(usize, usize)> {
    let len_byte = *der.get(1).ok_or_else(|| malformed("segment"))?;
    if len_byte < 0x80 {
        return Ok((2, usize::from(len_byte)));
    }
    let n = usize::from(len_byte & 0x7f);
    let bytes = der.get(2..2 + n).ok_or_else(|| malformed("segment"))?;
    Ok((2 + n, bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))))
}
