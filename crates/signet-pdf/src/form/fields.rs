//! Reading the AcroForm: terminal text fields with their inherited attributes and widgets.

use crate::document::Document;
use crate::error::{PdfError, Result};
use crate::obj::{Dict, Obj};
use std::collections::{HashMap, HashSet};

/// Horizontal alignment of a text field (`/Q`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `/Q 0`.
    Left,
    /// `/Q 1`.
    Center,
    /// `/Q 2`.
    Right,
}

/// A text field of a template, as a caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TextField {
    /// Fully qualified name (`parent.child`), the key of a fill.
    pub name: String,
    /// 1-based page of its first widget.
    pub page: usize,
    /// The first widget's rectangle in user space `[x1, y1, x2, y2]`.
    pub rect: [f64; 4],
    /// Font size from `/DA`; 0 means "auto" (fit the box).
    pub font_size: f64,
    /// `/Q`.
    pub align: Align,
    /// `/Ff` bit 13.
    pub multiline: bool,
    /// `/MaxLen`, if any.
    pub max_len: Option<usize>,
    /// `/Ff` bit 25 (needs `max_len`): one character per equal cell.
    pub comb: bool,
}

/// A widget of a field: its object, page and rectangle.
#[derive(Debug, Clone)]
pub(crate) struct WidgetRef {
    pub(crate) id: (u32, u16),
    pub(crate) page: usize,
    pub(crate) rect: [f64; 4],
    /// Background and border from `/MK` and `/BS`, which a new appearance must draw again.
    pub(crate) decoration: Decoration,
}

/// A widget's background fill and border, as content-stream colour operators.
#[derive(Debug, Clone, Default)]
pub(crate) struct Decoration {
    /// Fill colour operator (`/MK /BG`).
    pub(crate) background: Option<String>,
    /// Stroke colour operator (`/MK /BC`) and width (`/BS /W`, default 1).
    pub(crate) border: Option<(String, f64)>,
}

/// A colour array of 1, 3 or 4 components as a fill (`stroke = false`) or stroke operator.
fn color_op(o: &Obj, stroke: bool) -> Option<String> {
    let v: Vec<f64> = o.as_array()?.iter().filter_map(Obj::as_number).collect();
    let op = match (v.len(), stroke) {
        (1, false) => "g",
        (1, true) => "G",
        (3, false) => "rg",
        (3, true) => "RG",
        (4, false) => "k",
        (4, true) => "K",
        _ => return None,
    };
    let nums: Vec<String> = v.iter().map(|x| crate::obj::fmt_real(*x)).collect();
    Some(format!("{} {op}", nums.join(" ")))
}

fn decoration(doc: &Document, w: &Dict) -> Decoration {
    let mk = w.get("MK").and_then(|m| doc.resolve(m)).and_then(|m| m.as_dict().cloned()).unwrap_or_default();
    let width = w
        .get("BS")
        .and_then(|b| doc.resolve(b))
        .and_then(|b| b.as_dict().and_then(|d| d.get("W").cloned()))
        .and_then(|x| x.as_number())
        .unwrap_or(1.0);
    Decoration {
        background: mk.get("BG").and_then(|c| doc.resolve(c)).and_then(|c| color_op(&c, false)),
        border: mk
            .get("BC")
            .and_then(|c| doc.resolve(c))
            .and_then(|c| color_op(&c, true))
            .filter(|_| width > 0.0)
            .map(|op| (op, width)),
    }
}

/// A terminal text field with everything filling needs.
#[derive(Debug, Clone)]
pub(crate) struct FieldInfo {
    pub(crate) public: TextField,
    /// The terminal field object (may be merged with its only widget).
    pub(crate) id: (u32, u16),
    pub(crate) widgets: Vec<WidgetRef>,
    /// Fill colour operator from `/DA` (e.g. `0 g`), or black.
    pub(crate) color: String,
}

const FF_MULTILINE: i64 = 1 << 12;
const FF_PASSWORD: i64 = 1 << 13;
const FF_COMB: i64 = 1 << 24;

/// Every terminal text field of the document, in AcroForm order. `NoForm` when there is none.
pub(crate) fn text_fields(doc: &Document) -> Result<Vec<FieldInfo>> {
    let catalog = doc.catalog()?;
    let form = catalog.get("AcroForm").and_then(|f| doc.resolve(f)).and_then(|f| f.as_dict().cloned());
    let Some(form) = form else { return Err(PdfError::NoForm) };
    let roots = form.get("Fields").and_then(|f| doc.resolve(f)).and_then(|f| f.as_array().map(<[Obj]>::to_vec));
    let default_da = form.get("DA").and_then(|d| doc.resolve(d)).and_then(|d| str_of(&d));
    let page_of = page_index(doc);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let inherited = Inherited { da: default_da, ..Inherited::default() };
    for r in roots.unwrap_or_default() {
        walk(doc, &r, "", &inherited, &page_of, &mut seen, &mut out, 0)?;
    }
    if out.is_empty() {
        return Err(PdfError::NoForm);
    }
    Ok(out)
}

/// Whether any signature field carries a signature: a rewrite would break it, so such a
/// document cannot be a template.
pub(crate) fn has_signature(doc: &Document) -> bool {
    let Ok(catalog) = doc.catalog() else { return false };
    let form = catalog.get("AcroForm").and_then(|f| doc.resolve(f)).and_then(|f| f.as_dict().cloned());
    let roots = form
        .and_then(|f| f.get("Fields").and_then(|x| doc.resolve(x)))
        .and_then(|f| f.as_array().map(<[Obj]>::to_vec))
        .unwrap_or_default();
    let mut stack: Vec<(Obj, usize)> = roots.into_iter().map(|r| (r, 0)).collect();
    let mut seen = HashSet::new();
    while let Some((r, depth)) = stack.pop() {
        let Some(id) = r.as_ref() else { continue };
        if depth > 32 || !seen.insert(id) {
            continue;
        }
        let Some(d) = doc.dict(id) else { continue };
        if d.get("FT").and_then(Obj::as_name) == Some(b"Sig") && d.get("V").is_some_and(|v| !matches!(v, Obj::Null)) {
            return true;
        }
        if let Some(kids) = d.get("Kids").and_then(|k| doc.resolve(k)).and_then(|k| k.as_array().map(<[Obj]>::to_vec)) {
            stack.extend(kids.into_iter().map(|k| (k, depth + 1)));
        }
    }
    false
}

#[derive(Default, Clone)]
struct Inherited {
    ft: Option<Vec<u8>>,
    da: Option<String>,
    q: Option<i64>,
    ff: Option<i64>,
    max_len: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
fn walk(
    doc: &Document,
    r: &Obj,
    prefix: &str,
    parent: &Inherited,
    page_of: &HashMap<(u32, u16), usize>,
    seen: &mut HashSet<(u32, u16)>,
    out: &mut Vec<FieldInfo>,
    depth: usize,
) -> Result<()> {
    let Some(id) = r.as_ref() else { return Ok(()) };
    if depth > 32 || !seen.insert(id) {
        return Ok(());
    }
    let Some(d) = doc.dict(id) else { return Ok(()) };
    let partial = d.get("T").and_then(|t| doc.resolve(t)).and_then(|t| str_of(&t));
    let name = match (&partial, prefix.is_empty()) {
        (Some(t), true) => t.clone(),
        (Some(t), false) => format!("{prefix}.{t}"),
        (None, _) => prefix.to_string(),
    };
    let mut here = parent.clone();
    if let Some(ft) = d.get("FT").and_then(Obj::as_name) {
        here.ft = Some(ft.to_vec());
    }
    if let Some(da) = d.get("DA").and_then(|x| doc.resolve(x)).and_then(|x| str_of(&x)) {
        here.da = Some(da);
    }
    here.q = int(doc, &d, "Q").or(here.q);
    here.ff = int(doc, &d, "Ff").or(here.ff);
    here.max_len = int(doc, &d, "MaxLen").or(here.max_len);
    let kids = d.get("Kids").and_then(|k| doc.resolve(k)).and_then(|k| k.as_array().map(<[Obj]>::to_vec));
    // Kids with a /T are child fields; kids without are this field's widgets.
    let (child_fields, widget_kids): (Vec<Obj>, Vec<Obj>) = kids
        .unwrap_or_default()
        .into_iter()
        .partition(|k| k.as_ref().and_then(|id| doc.dict(id)).is_some_and(|kd| kd.get("T").is_some()));
    for k in &child_fields {
        walk(doc, k, &name, &here, page_of, seen, out, depth + 1)?;
    }
    if !child_fields.is_empty() || here.ft.as_deref() != Some(b"Tx") || partial.is_none() && prefix.is_empty() {
        return Ok(());
    }
    let mut widgets = Vec::new();
    let widget_ids: Vec<(u32, u16)> =
        if widget_kids.is_empty() { vec![id] } else { widget_kids.iter().filter_map(Obj::as_ref).collect() };
    for wid in widget_ids {
        let Some(wd) = doc.dict(wid) else { continue };
        let Some(rect) = wd.get("Rect").and_then(|r| doc.resolve(r)).and_then(|r| rect_of(&r)) else { continue };
        let page = page_of
            .get(&wid)
            .copied()
            .or_else(|| wd.get("P").and_then(Obj::as_ref).and_then(|p| page_of.get(&p).copied()))
            .unwrap_or(1);
        widgets.push(WidgetRef { id: wid, page, rect, decoration: decoration(doc, &wd) });
    }
    let Some(first) = widgets.first().cloned() else { return Ok(()) };
    let ff = here.ff.unwrap_or(0);
    if ff & FF_PASSWORD != 0 {
        return Ok(());
    }
    let (font_size, color) = parse_da(here.da.as_deref().unwrap_or(""));
    let max_len = here.max_len.and_then(|m| usize::try_from(m).ok()).filter(|m| *m > 0);
    out.push(FieldInfo {
        public: TextField {
            name,
            page: first.page,
            rect: first.rect,
            font_size,
            align: match here.q.unwrap_or(0) {
                1 => Align::Center,
                2 => Align::Right,
                _ => Align::Left,
            },
            multiline: ff & FF_MULTILINE != 0,
            max_len,
            comb: ff & FF_COMB != 0 && max_len.is_some(),
        },
        id,
        widgets,
        color,
    });
    Ok(())
}

/// Which page each annotation sits on (by the pages' /Annots, which is authoritative).
fn page_index(doc: &Document) -> HashMap<(u32, u16), usize> {
    let mut map = HashMap::new();
    for n in 1..=doc.page_count() {
        let Ok(page) = doc.page(n) else { continue };
        map.insert(page.id, n);
        let annots = doc
            .dict(page.id)
            .and_then(|p| p.get("Annots").cloned())
            .and_then(|a| doc.resolve(&a))
            .and_then(|a| a.as_array().map(<[Obj]>::to_vec))
            .unwrap_or_default();
        for a in annots.iter().filter_map(Obj::as_ref) {
            map.entry(a).or_insert(n);
        }
    }
    map
}

fn int(doc: &Document, d: &Dict, key: &str) -> Option<i64> {
    d.get(key).and_then(|v| doc.resolve(v)).and_then(|v| v.as_int())
}

/// A text string (PDFDocEncoding or UTF-16BE with BOM) as Rust text.
pub(crate) fn str_of(o: &Obj) -> Option<String> {
    let Obj::Str(b) = o else { return None };
    if b.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = b[2..].chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        Some(String::from_utf16_lossy(&units))
    } else if b.starts_with(&[0xef, 0xbb, 0xbf]) {
        Some(String::from_utf8_lossy(&b[3..]).into_owned())
    } else {
        Some(b.iter().map(|&c| char::from(c)).collect())
    }
}

pub(crate) fn rect_of(o: &Obj) -> Option<[f64; 4]> {
    let a = o.as_array()?;
    if a.len() != 4 {
        return None;
    }
    let mut r = [0.0; 4];
    for (i, v) in a.iter().enumerate() {
        r[i] = v.as_number()?;
    }
    Some([r[0].min(r[2]), r[1].min(r[3]), r[0].max(r[2]), r[1].max(r[3])])
}

/// Font size and fill colour operator from a default-appearance string such as
/// `/Helv 12 Tf 0 0 1 rg`.
pub(crate) fn parse_da(da: &str) -> (f64, String) {
    let tokens: Vec<&str> = da.split_whitespace().collect();
    let mut size = 0.0;
    let mut color = "0 g".to_string();
    for (i, t) in tokens.iter().enumerate() {
        let nums = |n: usize| -> Option<Vec<f64>> {
            (i >= n).then(|| tokens[i - n..i].iter().map(|x| x.parse::<f64>().ok()).collect::<Option<Vec<_>>>())?
        };
        match *t {
            "Tf" => size = nums(1).map(|v| v[0]).unwrap_or(0.0),
            "g" => color = nums(1).map(|v| format!("{} g", v[0])).unwrap_or(color),
            "rg" => color = nums(3).map(|v| format!("{} {} {} rg", v[0], v[1], v[2])).unwrap_or(color),
            "k" => color = nums(4).map(|v| format!("{} {} {} {} k", v[0], v[1], v[2], v[3])).unwrap_or(color),
            _ => {}
        }
    }
    (if size.is_finite() && size >= 0.0 { size } else { 0.0 }, color)
}

#[cfg(test)]
mod tests {
    use super::parse_da;

    #[test]
    fn default_appearance_size_and_colour() {
        assert_eq!(parse_da("/Helv 12 Tf 0 g"), (12.0, "0 g".to_string()));
        assert_eq!(parse_da("/Helv 0 Tf .1 .1 .1 rg"), (0.0, "0.1 0.1 0.1 rg".to_string()));
        assert_eq!(parse_da("0 0 0 1 k /F1 9.5 Tf"), (9.5, "0 0 0 1 k".to_string()));
        assert_eq!(parse_da(""), (0.0, "0 g".to_string()));
        assert_eq!(parse_da("/F Tf -3 Tf"), (0.0, "0 g".to_string()), "garbage and negative sizes mean auto");
    }
}
