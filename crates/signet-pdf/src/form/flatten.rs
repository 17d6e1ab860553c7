//! Page dictionaries for the rewrite (inherited attributes made explicit), and flattening:
//! each widget's appearance drawn into its page's content at the widget's rectangle
//! (ISO 32000 §12.5.5's mapping of the form's transformed BBox onto /Rect), the widget
//! removed from `/Annots` and its field from the form.

use super::fields::rect_of;
use super::output::Copier;
use super::output::Output;
use crate::document::Document;
use crate::error::Result;
use crate::obj::{Dict, Obj, fmt_real};
use std::collections::HashSet;

/// One appearance to draw on a page.
pub(crate) struct Draw {
    /// The form XObject, already in output numbering.
    pub(crate) xobject: Obj,
    pub(crate) bbox: [f64; 4],
    pub(crate) matrix: [f64; 6],
    pub(crate) rect: [f64; 4],
}

const INHERITABLE: [&str; 4] = ["Resources", "MediaBox", "CropBox", "Rotate"];

/// The page's dictionary with inherited attributes copied in and `/Parent` set to `parent`
/// (references still in the source numbering).
pub(crate) fn page_dict(doc: &Document, id: (u32, u16), parent: Obj) -> Dict {
    let mut page = doc.dict(id).unwrap_or_default();
    let mut up = page.get("Parent").and_then(Obj::as_ref);
    let mut depth = 0;
    while let Some(pid) = up {
        let Some(node) = doc.dict(pid) else { break };
        for key in INHERITABLE {
            if page.get(key).is_none()
                && let Some(v) = node.get(key)
            {
                page.set(key, v.clone());
            }
        }
        up = node.get("Parent").and_then(Obj::as_ref);
        depth += 1;
        if depth > 64 {
            break;
        }
    }
    if page.get("MediaBox").is_none() {
        page.set("MediaBox", Obj::rect([0.0, 0.0, 595.28, 841.89]));
    }
    if page.get("Resources").is_none() {
        page.set("Resources", Obj::Dict(Dict::new()));
    }
    page.set("Parent", parent);
    page
}

/// The widget's current normal appearance, if it is a single stream: (reference, BBox, Matrix).
pub(crate) fn existing_appearance(doc: &Document, widget: (u32, u16)) -> Option<(Obj, [f64; 4], [f64; 6])> {
    let w = doc.dict(widget)?;
    let ap = doc.resolve(w.get("AP")?)?;
    let n = ap.as_dict()?.get("N")?.clone();
    let id = n.as_ref()?;
    let stream = doc.dict(id)?;
    let bbox = rect_of(&doc.resolve(stream.get("BBox")?)?)?;
    let matrix = stream
        .get("Matrix")
        .and_then(|m| doc.resolve(m))
        .and_then(|m| {
            let a = m.as_array()?;
            let v: Vec<f64> = a.iter().filter_map(Obj::as_number).collect();
            <[f64; 6]>::try_from(v).ok()
        })
        .unwrap_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    Some((n, bbox, matrix))
}

/// Adds the draws to the page: the old content wrapped in `q … Q`, then each appearance
/// placed with `cm` and `Do`; flattened widgets leave `/Annots`.
pub(crate) fn draw_on_page(
    doc: &Document,
    out: &mut Output,
    page: &mut Dict,
    draws: &[Draw],
    removed_widgets: &HashSet<(u32, u16)>,
) -> Result<()> {
    let mut resources =
        page.get("Resources").and_then(|r| doc.resolve(r)).and_then(|r| r.as_dict().cloned()).unwrap_or_default();
    let mut xobjects =
        resources.get("XObject").and_then(|x| doc.resolve(x)).and_then(|x| x.as_dict().cloned()).unwrap_or_default();
    let mut ops = String::from("Q\n");
    for (i, d) in draws.iter().enumerate() {
        let name = format!("SgnFlat{i}");
        xobjects.set(&name, d.xobject.clone());
        let cm = fit(d.bbox, d.matrix, d.rect);
        ops.push_str(&format!(
            "q {} {} {} {} {} {} cm /{name} Do Q\n",
            fmt_real(cm[0]),
            fmt_real(cm[1]),
            fmt_real(cm[2]),
            fmt_real(cm[3]),
            fmt_real(cm[4]),
            fmt_real(cm[5])
        ));
    }
    resources.set("XObject", Obj::Dict(xobjects));
    page.set("Resources", Obj::Dict(resources));
    let before = out.add_flate(Dict::new(), b"q\n");
    let after = out.add_flate(Dict::new(), ops.as_bytes());
    let mut contents = vec![super::output::out_ref(before)];
    match page.get("Contents").and_then(|c| doc.resolve(c)) {
        Some(Obj::Array(a)) => contents.extend(a),
        Some(Obj::Dict(_)) => contents.extend(page.get("Contents").cloned()),
        _ => {}
    }
    contents.push(super::output::out_ref(after));
    page.set("Contents", Obj::Array(contents));
    if let Some(annots) =
        page.get("Annots").and_then(|a| doc.resolve(a)).and_then(|a| a.as_array().map(<[Obj]>::to_vec))
    {
        let kept: Vec<Obj> =
            annots.into_iter().filter(|a| a.as_ref().is_none_or(|id| !removed_widgets.contains(&id))).collect();
        if kept.is_empty() {
            page.0.retain(|(k, _)| k != b"Annots");
        } else {
            page.set("Annots", Obj::Array(kept));
        }
    }
    Ok(())
}

/// The matrix that maps the appearance (BBox transformed by Matrix) onto the rectangle.
fn fit(bbox: [f64; 4], m: [f64; 6], rect: [f64; 4]) -> [f64; 6] {
    let pts = [(bbox[0], bbox[1]), (bbox[2], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[3])];
    let t: Vec<(f64, f64)> =
        pts.iter().map(|(x, y)| (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])).collect();
    let (x0, x1) = t.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = t.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let sx = if x1 - x0 > 0.0 { (rect[2] - rect[0]) / (x1 - x0) } else { 1.0 };
    let sy = if y1 - y0 > 0.0 { (rect[3] - rect[1]) / (y1 - y0) } else { 1.0 };
    [sx, 0.0, 0.0, sy, rect[0] - x0 * sx, rect[1] - y0 * sy]
}

/// The field tree without the removed terminal fields: parents whose kids change are
/// overridden in the copier, parents left without kids disappear too.
pub(crate) fn prune_fields(
    doc: &Document,
    copier: &mut Copier<'_>,
    roots: &[Obj],
    removed: &HashSet<(u32, u16)>,
    depth: usize,
) -> Vec<Obj> {
    let mut kept = Vec::new();
    for r in roots {
        let Some(id) = r.as_ref() else { continue };
        if removed.contains(&id) {
            continue;
        }
        let Some(mut d) = doc.dict(id) else { continue };
        let kids = d.get("Kids").and_then(|k| doc.resolve(k)).and_then(|k| k.as_array().map(<[Obj]>::to_vec));
        match kids {
            Some(kids)
                if depth < 32
                    && kids
                        .iter()
                        .any(|k| k.as_ref().and_then(|i| doc.dict(i)).is_some_and(|kd| kd.get("T").is_some())) =>
            {
                let new_kids = prune_fields(doc, copier, &kids, removed, depth + 1);
                if new_kids.is_empty() {
                    continue;
                }
                if new_kids.len() != kids.len() {
                    d.set("Kids", Obj::Array(new_kids));
                    copier.set_override(id, Obj::Dict(d));
                }
                kept.push(r.clone());
            }
            _ => kept.push(r.clone()),
        }
    }
    kept
}
