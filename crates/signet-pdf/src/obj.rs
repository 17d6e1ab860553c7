//! A small owned object model for the objects we write, with a serializer and a parser.
//!
//! hayro-syntax is read-only and hides the raw trailer, so the tail reader parses the few
//! dictionaries it needs with [`Parser`], and the revision writer serializes [`Obj`] trees.

use crate::crypt::ObjectKey;

/// An owned PDF object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    /// A string, stored decrypted; encrypted at write time when the document is.
    Str(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(u32, u16),
    /// Bytes written verbatim and never encrypted (the signature placeholders).
    Raw(Vec<u8>),
}

impl Obj {
    pub(crate) fn name(n: &str) -> Self {
        Obj::Name(n.as_bytes().to_vec())
    }
    pub(crate) fn str(s: &str) -> Self {
        Obj::Str(s.as_bytes().to_vec())
    }
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Int(i) => Some(*i),
            Obj::Real(r) if r.fract() == 0.0 => Some(*r as i64),
            _ => None,
        }
    }
    pub(crate) fn as_name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }
    pub(crate) fn as_ref(&self) -> Option<(u32, u16)> {
        match self {
            Obj::Ref(n, g) => Some((*n, *g)),
            _ => None,
        }
    }
    pub(crate) fn as_dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) => Some(d),
            _ => None,
        }
    }
    /// An integer or a real, as PDF numbers are used interchangeably.
    pub(crate) fn as_number(&self) -> Option<f64> {
        match self {
            Obj::Int(i) => Some(*i as f64),
            Obj::Real(r) => Some(*r),
            _ => None,
        }
    }
    pub(crate) fn as_array(&self) -> Option<&[Obj]> {
        match self {
            Obj::Array(a) => Some(a),
            _ => None,
        }
    }
    pub(crate) fn rect(r: [f64; 4]) -> Self {
        Obj::Array(r.iter().map(|v| Obj::Real(*v)).collect())
    }
}

/// A dictionary that keeps its insertion order (stable output, readable diffs).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Dict(pub(crate) Vec<(Vec<u8>, Obj)>);

impl Dict {
    pub(crate) fn new() -> Self {
        Self(Vec::new())
    }
    pub(crate) fn get(&self, key: &str) -> Option<&Obj> {
        self.0.iter().find(|(k, _)| k == key.as_bytes()).map(|(_, v)| v)
    }
    pub(crate) fn set(&mut self, key: &str, value: Obj) {
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            slot.1 = value;
        } else {
            self.0.push((key.as_bytes().to_vec(), value));
        }
    }
    pub(crate) fn with(mut self, key: &str, value: Obj) -> Self {
        self.set(key, value);
        self
    }
}

/// Serializes objects into a byte buffer, encrypting strings with the object's key if any.
pub(crate) fn write_obj(out: &mut Vec<u8>, obj: &Obj, key: Option<&ObjectKey>) {
    match obj {
        Obj::Null => out.extend_from_slice(b"null"),
        Obj::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Obj::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Obj::Real(r) => out.extend_from_slice(fmt_real(*r).as_bytes()),
        Obj::Name(n) => write_name(out, n),
        Obj::Str(s) => match key {
            Some(k) => write_hex(out, &k.encrypt(s)),
            None => write_string(out, s),
        },
        Obj::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_obj(out, item, key);
            }
            out.push(b']');
        }
        Obj::Dict(d) => write_dict(out, d, key),
        Obj::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        Obj::Raw(bytes) => out.extend_from_slice(bytes),
    }
}

pub(crate) fn write_dict(out: &mut Vec<u8>, d: &Dict, key: Option<&ObjectKey>) {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.0 {
        write_name(out, k);
        out.push(b' ');
        write_obj(out, v, key);
    }
    out.extend_from_slice(b">>");
}

/// Formats a real without exponent: with at most 4 decimals when that is the value exactly,
/// else in the shortest form that reads back as the same value. A value copied from a document
/// (LibreOffice writes `/MediaBox [0 0 595.303937007874 841.889763779528]`) must be written back
/// unchanged when its dictionary is rewritten: validators compare an earlier signature's
/// revision with later ones, and a page box rounded to 4 decimals is a modification.
pub(crate) fn fmt_real(r: f64) -> String {
    if !r.is_finite() {
        return "0".into();
    }
    let short = format!("{r:.4}");
    let short = short.trim_end_matches('0').trim_end_matches('.');
    let short = if short == "-0" || short.is_empty() { "0" } else { short };
    if short.parse::<f64>() == Ok(r) || r == 0.0 {
        return short.to_owned();
    }
    // Rust's `Display` for f64 is the shortest round-trip form and never uses an exponent.
    format!("{r}")
}

fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if (0x21..=0x7e).contains(&b) && !is_delimiter(b) && b != b'#' {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    if s.iter().all(|b| (0x20..0x7f).contains(b)) {
        out.push(b'(');
        for &b in s {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
    } else {
        write_hex(out, s);
    }
}

pub(crate) fn write_hex(out: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(b'<');
    for &b in s {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
    out.push(b'>');
}

/// Encodes a text string as PDF text: ASCII stays PDFDocEncoding, anything else UTF-16BE with BOM.
pub(crate) fn text_string(s: &str) -> Obj {
    if s.is_ascii() {
        Obj::Str(s.as_bytes().to_vec())
    } else {
        let mut v = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_be_bytes());
        }
        Obj::Str(v)
    }
}

pub(crate) fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0x0c | 0)
}

pub(crate) fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A forgiving parser over raw bytes, for trailers, xref stream dictionaries and signature dictionaries.
pub(crate) struct Parser<'a> {
    data: &'a [u8],
    pub(crate) pos: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl<'a> Parser<'a> {
    pub(crate) fn new(data: &'a [u8], pos: usize) -> Self {
        Self { data, pos, depth: 0 }
    }

    pub(crate) fn skip_ws(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.data.get(self.pos) {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Consumes `kw` (after whitespace) if it is next; keywords end at a delimiter or whitespace.
    pub(crate) fn eat_keyword(&mut self, kw: &[u8]) -> bool {
        self.skip_ws();
        let end = self.pos + kw.len();
        if self.data.get(self.pos..end) == Some(kw)
            && self.data.get(end).is_none_or(|&b| is_whitespace(b) || is_delimiter(b))
        {
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// Reads an unsigned integer token.
    pub(crate) fn uint(&mut self) -> Option<u64> {
        self.skip_ws();
        let start = self.pos;
        while self.data.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        if self.pos == start || self.pos - start > 19 {
            self.pos = start;
            return None;
        }
        std::str::from_utf8(&self.data[start..self.pos]).ok()?.parse().ok()
    }

    /// Parses one object; `N G R` becomes a reference.
    pub(crate) fn object(&mut self) -> Option<Obj> {
        self.skip_ws();
        let b = *self.data.get(self.pos)?;
        match b {
            b'/' => {
                self.pos += 1;
                Some(Obj::Name(self.name_body()))
            }
            b'(' => self.literal_string().map(Obj::Str),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => self.dict().map(Obj::Dict),
            b'<' => self.hex_string().map(Obj::Str),
            b'[' => {
                self.enter()?;
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.data.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        None => return None,
                        _ => items.push(self.object()?),
                    }
                }
                self.depth -= 1;
                Some(Obj::Array(items))
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => self.number_or_ref(),
            _ => {
                if self.eat_keyword(b"true") {
                    Some(Obj::Bool(true))
                } else if self.eat_keyword(b"false") {
                    Some(Obj::Bool(false))
                } else if self.eat_keyword(b"null") {
                    Some(Obj::Null)
                } else {
                    None
                }
            }
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    pub(crate) fn dict(&mut self) -> Option<Dict> {
        self.skip_ws();
        if self.data.get(self.pos..self.pos + 2) != Some(b"<<") {
            return None;
        }
        self.enter()?;
        self.pos += 2;
        let mut d = Dict::new();
        loop {
            self.skip_ws();
            match self.data.get(self.pos) {
                Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    break;
                }
                Some(b'/') => {
                    self.pos += 1;
                    let k = self.name_body();
                    let v = self.object()?;
                    d.0.push((k, v));
                }
                _ => return None,
            }
        }
        self.depth -= 1;
        Some(d)
    }

    fn name_body(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(&b) = self.data.get(self.pos) {
            if is_whitespace(b) || is_delimiter(b) {
                break;
            }
            self.pos += 1;
            if b == b'#'
                && let Some(v) = self
                    .data
                    .get(self.pos..self.pos + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                self.pos += 2;
                continue;
            }
            out.push(b);
        }
        out
    }

    fn number_or_ref(&mut self) -> Option<Obj> {
        let start = self.pos;
        let first = self.number()?;
        if let Obj::Int(n) = first {
            let save = self.pos;
            if let Some(g) = self.uint()
                && self.eat_keyword(b"R")
                && n >= 0
                && let (Ok(n), Ok(g)) = (u32::try_from(n), u16::try_from(g))
            {
                return Some(Obj::Ref(n, g));
            }
            self.pos = save;
        }
        if self.pos == start {
            return None;
        }
        Some(first)
    }

    fn number(&mut self) -> Option<Obj> {
        let start = self.pos;
        while self.data.get(self.pos).is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')) {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.data[start..self.pos]).ok()?;
        if let Ok(i) = text.parse::<i64>() {
            Some(Obj::Int(i))
        } else if let Ok(r) = text.parse::<f64>() {
            Some(Obj::Real(r))
        } else {
            self.pos = start;
            None
        }
    }

    fn literal_string(&mut self) -> Option<Vec<u8>> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut nesting = 1usize;
        loop {
            let b = *self.data.get(self.pos)?;
            self.pos += 1;
            match b {
                b'\\' => {
                    let e = *self.data.get(self.pos)?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.data.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.data.get(self.pos) {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                b'(' => {
                    nesting += 1;
                    out.push(b);
                }
                b')' => {
                    nesting -= 1;
                    if nesting == 0 {
                        return Some(out);
                    }
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
    }

    fn hex_string(&mut self) -> Option<Vec<u8>> {
        self.pos += 1;
        let mut nibbles = Vec::new();
        loop {
            let b = *self.data.get(self.pos)?;
            self.pos += 1;
            match b {
                b'>' => break,
                b if is_whitespace(b) => {}
                b => nibbles.push((b as char).to_digit(16)? as u8),
            }
        }
        if nibbles.len() % 2 == 1 {
            nibbles.push(0);
        }
        Some(nibbles.chunks(2).map(|c| (c[0] << 4) | c[1]).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_trailer_like_dict() {
        let src = b"<< /Size 12 /Root 1 0 R /ID [<AB01> (x\\)y)] /N#20a 1.5 /B true >>";
        let d = Parser::new(src, 0).dict().unwrap();
        assert_eq!(d.get("Size"), Some(&Obj::Int(12)));
        assert_eq!(d.get("Root"), Some(&Obj::Ref(1, 0)));
        assert_eq!(d.get("ID"), Some(&Obj::Array(vec![Obj::Str(vec![0xab, 1]), Obj::Str(b"x)y".to_vec())])));
        assert_eq!(d.get("N a"), Some(&Obj::Real(1.5)));
        let mut out = Vec::new();
        write_dict(&mut out, &d, None);
        assert_eq!(Parser::new(&out, 0).dict().unwrap(), d);
    }

    #[test]
    fn reals_have_no_exponent() {
        assert_eq!(fmt_real(1e-7), "0.0000001");
        assert_eq!(fmt_real(12.5), "12.5");
        assert_eq!(fmt_real(-3.0), "-3");
        assert_eq!(fmt_real(-0.0), "0");
        assert_eq!(fmt_real(f64::NAN), "0");
    }

    #[test]
    fn reals_read_from_a_document_are_written_back_as_they_were() {
        for text in ["595.303937007874", "841.889763779528", "0.333333", "12.5"] {
            let d = Parser::new(format!("<< /V {text} >>").as_bytes(), 0).dict().unwrap();
            let mut out = Vec::new();
            write_dict(&mut out, &d, None);
            assert_eq!(String::from_utf8(out).unwrap(), format!("<</V {text}>>"));
        }
    }
}
