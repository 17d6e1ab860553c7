//! Loading a PDF without making its big image streams resident, keeping the file's layout:
//! for keyword search (page contents), inspection (revisions by offset), and files whose
//! xref must be repaired. Signing otherwise uses the smaller [`crate::compact`] load.
//!
//! hayro-syntax wants the whole file as one byte slice. We give it a zero-filled buffer of
//! the file's length (allocated zeroed, so untouched pages never become resident) and copy
//! in everything except the data of large image XObjects, found in one streaming pass. The
//! engine never reads image pixels (keyword search ignores images, signing appends), so the
//! parsed structure is the same, and the file's real bytes are read again from the input
//! when they are hashed and copied to the output.

use crate::obj::{Obj, Parser};
use crate::tail::rfind;
use std::io::{Read, Seek, SeekFrom};

/// Image streams at least this long are left out of the buffer.
const SKIP_IMAGE_AT_LEAST: u64 = 64 * 1024;
const CHUNK: usize = 1 << 20;

/// Reads `input` (from its start) into a buffer that holds all but large image data.
pub(crate) fn load(input: &mut (impl Read + Seek + ?Sized)) -> std::io::Result<Vec<u8>> {
    let len = input.seek(SeekFrom::End(0))?;
    input.seek(SeekFrom::Start(0))?;
    let len =
        usize::try_from(len).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "file too large"))?;
    let mut buf = vec![0u8; len];
    let mut chunk = vec![0u8; CHUNK];
    let mut pos = 0usize;
    // Bytes before `skip_until` that belong to a skipped image are not copied.
    let mut skip: Option<(usize, usize)> = None;
    let mut skipped: Vec<usize> = Vec::new();
    let mut scanned = 0usize;
    while pos < len {
        let want = CHUNK.min(len - pos);
        input.read_exact(&mut chunk[..want])?;
        let end = pos + want;
        // Copy the chunk, leaving out the skipped span.
        copy_except(&mut buf[pos..end], &chunk[..want], pos, skip);
        // Look for `stream` keywords whose data starts inside what we have copied so far.
        let mut from = scanned.saturating_sub(16).max(skip.map_or(0, |s| s.1.min(end)));
        while let Some(p) = find_from(&buf[..end], b"stream", from) {
            from = p + 6;
            if p >= 3 && &buf[p - 3..p] == b"end" {
                continue;
            }
            if let Some(s) = skip
                && p < s.1
            {
                continue;
            }
            let data_start = match buf.get(p + 6..p + 8) {
                Some([b'\r', b'\n']) => p + 8,
                Some([b'\n', _]) | Some([b'\r', _]) => p + 7,
                _ => continue,
            };
            if let Some(n) = image_length_before(&buf, p)
                && n >= SKIP_IMAGE_AT_LEAST
                && let Some(stop) = data_start.checked_add(n as usize).filter(|s| *s <= len)
            {
                skip = Some((data_start, stop));
                skipped.push(stop);
                // Bytes of this chunk already copied inside the span are zeroed again.
                let zero_to = stop.min(end);
                if data_start < zero_to {
                    buf[data_start..zero_to].fill(0);
                }
                from = stop;
            }
        }
        scanned = end;
        pos = end;
    }
    // A wrong /Length would have swallowed real objects: every skipped span must end at
    // `endstream`. If one does not, load everything.
    let sound = skipped.iter().all(|&stop| {
        let tail = &buf[stop..len.min(stop + 16)];
        let first = tail.iter().position(|b| !crate::obj::is_whitespace(*b)).unwrap_or(tail.len());
        tail[first..].starts_with(b"endstream")
    });
    input.seek(SeekFrom::Start(0))?;
    if !sound {
        buf.clear();
        input.read_to_end(&mut buf)?;
        input.seek(SeekFrom::Start(0))?;
    }
    Ok(buf)
}

fn copy_except(dst: &mut [u8], src: &[u8], at: usize, skip: Option<(usize, usize)>) {
    match skip {
        Some((a, b)) if b > at && a < at + src.len() => {
            let a = a.saturating_sub(at).min(src.len());
            let b = (b - at).min(src.len());
            dst[..a].copy_from_slice(&src[..a]);
            dst[b..].copy_from_slice(&src[b..]);
        }
        _ => dst.copy_from_slice(src),
    }
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    crate::tail::find(hay, needle, from)
}

/// If the dictionary just before `stream` at `p` is an image with a direct `/Length`, its length.
fn image_length_before(buf: &[u8], p: usize) -> Option<u64> {
    let window = &buf[p.saturating_sub(8192)..p];
    let obj = rfind(window, b"obj")? + p.saturating_sub(8192) + 3;
    let mut parser = Parser::new(buf, obj);
    let dict = parser.dict()?;
    parser.skip_ws();
    if parser.pos != p {
        return None;
    }
    if dict.get("Subtype").and_then(Obj::as_name) != Some(b"Image") {
        return None;
    }
    dict.get("Length").and_then(Obj::as_int).and_then(|n| u64::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_out_big_image_data_only() {
        let img = vec![0xABu8; 100_000];
        let mut f = b"%PDF-1.4\n1 0 obj\n<</Type/XObject/Subtype/Image/Length 100000>>\nstream\n".to_vec();
        let start = f.len();
        f.extend_from_slice(&img);
        f.extend_from_slice(b"\nendstream\nendobj\n2 0 obj\n<</Length 5>>\nstream\nhello\nendstream\nendobj\n");
        let buf = load(&mut std::io::Cursor::new(&f)).unwrap();
        assert_eq!(buf.len(), f.len());
        assert!(buf[start..start + 100_000].iter().all(|b| *b == 0));
        assert_eq!(&buf[..start], &f[..start]);
        assert_eq!(&buf[start + 100_000..], &f[start + 100_000..]);
    }

    #[test]
    fn a_wrong_length_falls_back_to_a_full_load() {
        let img = vec![0xABu8; 100_000];
        let mut f = b"%PDF-1.4\n1 0 obj\n<</Type/XObject/Subtype/Image/Length 90000>>\nstream\n".to_vec();
        f.extend_from_slice(&img);
        f.extend_from_slice(b"\nendstream\nendobj\n");
        let buf = load(&mut std::io::Cursor::new(&f)).unwrap();
        assert_eq!(buf, f);
    }
}
