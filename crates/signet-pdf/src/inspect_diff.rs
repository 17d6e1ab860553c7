//! What later revisions changed after a signature, judged against a whitelist: further
//! signatures (fields, widgets, their appearances), DSS, document timestamps and filling
//! existing form fields are allowed; any other change to an object that existed when the
//! signature was made is a modification (shadow attacks, incremental saving attacks).
//!
//! A certified document narrows or widens that list by its DocMDP level: P=1 allows no
//! further signatures and no form filling (document timestamps and DSS remain allowed, as
//! PAdES requires), P=3 also allows annotations.

use crate::api::DocMdp;
use crate::document::Document;
use crate::inspect::LaterChange;
use crate::obj::{Dict, Obj};
use std::collections::BTreeSet;

pub(crate) fn later_changes(doc: &Document, ends: &[u64], revision: usize, docmdp: Option<DocMdp>) -> Vec<LaterChange> {
    let data = doc.bytes();
    let Some(&signed_end) = ends.get(revision.wrapping_sub(1)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let old = match Document::open(data[..signed_end as usize].to_vec(), &doc.password) {
        Ok(o) => o,
        Err(e) => {
            out.push(LaterChange {
                revision,
                object: None,
                description: format!("the signed revision cannot be read on its own: {e}"),
                allowed: false,
            });
            return out;
        }
    };
    let old_catalog = old.catalog().unwrap_or_default();
    let old_acroform = old_catalog.get("AcroForm").and_then(Obj::as_ref);
    let old_dss = old_catalog.get("DSS").and_then(Obj::as_ref);
    // Bytes after the last `%%EOF` belong to no revision a reader has to accept, but a lax
    // reader may still parse objects from them (incremental saving attack without xref).
    if let Some(&last) = ends.last()
        && data[last as usize..].iter().any(|b| !crate::obj::is_whitespace(*b))
    {
        out.push(LaterChange {
            revision: ends.len() + 1,
            object: None,
            description: "bytes were appended after the last %%EOF".into(),
            allowed: false,
        });
    }
    let mut seen = BTreeSet::new();
    for (i, w) in ends.windows(2).enumerate().skip(revision - 1) {
        let rev_no = i + 2;
        let segment = &data[w[0] as usize..w[1] as usize];
        let mut ids = object_headers(segment);
        // Objects hidden in new object streams are checked like the others.
        for id in ids.clone() {
            ids.extend(objstm_members(doc, id));
        }
        if ids.is_empty() && !segment.iter().all(|b| crate::obj::is_whitespace(*b)) {
            out.push(LaterChange {
                revision: rev_no,
                object: None,
                description: "a revision without readable objects was appended".into(),
                allowed: false,
            });
        }
        for id in ids {
            if !seen.insert(id) {
                continue;
            }
            let before = old.object(id);
            let after = doc.object(id);
            if docmdp == Some(DocMdp::NoChanges)
                && before.is_none()
                && let Some(Obj::Dict(d)) = &after
                && d.get("ByteRange").is_some()
                && d.get("Type").and_then(Obj::as_name) != Some(b"DocTimeStamp")
            {
                out.push(LaterChange {
                    revision: rev_no,
                    object: Some(id),
                    description: "a signature was added to a document certified with no changes allowed (DocMDP P=1)"
                        .into(),
                    allowed: false,
                });
                continue;
            }
            let (allowed, description) = judge(
                doc,
                id,
                before.as_ref(),
                after.as_ref(),
                &Ctx { root: doc.tail.root, acroform: old_acroform, dss: old_dss, docmdp },
            );
            out.push(LaterChange { revision: rev_no, object: Some(id), description, allowed });
        }
    }
    out
}

struct Ctx {
    root: (u32, u16),
    acroform: Option<(u32, u16)>,
    dss: Option<(u32, u16)>,
    docmdp: Option<DocMdp>,
}

fn judge(doc: &Document, id: (u32, u16), before: Option<&Obj>, after: Option<&Obj>, ctx: &Ctx) -> (bool, String) {
    let Some(before) = before else {
        return (true, "new object".into());
    };
    let Some(after) = after else {
        return (false, "an object of the signed revision was removed".into());
    };
    if before == after {
        return (true, "rewritten unchanged".into());
    }
    let changed = |allowed: &[&str]| -> Option<Vec<String>> {
        let (Obj::Dict(a), Obj::Dict(b)) = (before, after) else { return None };
        let keys: BTreeSet<&[u8]> = a.0.iter().chain(b.0.iter()).map(|(k, _)| k.as_slice()).collect();
        let bad: Vec<String> = keys
            .into_iter()
            .filter(|k| a.0.iter().find(|(x, _)| x == k) != b.0.iter().find(|(x, _)| x == k))
            .filter(|k| !allowed.iter().any(|al| al.as_bytes() == *k))
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect();
        Some(bad)
    };
    let verdict = |bad: Option<Vec<String>>, ok: &str| match bad {
        Some(b) if b.is_empty() => (true, ok.to_string()),
        Some(b) => (false, format!("changed /{}", b.join(" /"))),
        None => (false, "changed its type".into()),
    };
    if id == ctx.root {
        return verdict(
            changed(&["AcroForm", "DSS", "Extensions", "Version"]),
            "catalog: form, DSS or extensions updated",
        );
    }
    if Some(id) == ctx.dss {
        return (true, "DSS updated".into());
    }
    // Metadata only (title, producer, dates), never drawn; writers refresh it on every save.
    if Some(id) == doc.tail.info {
        return (true, "document information updated".into());
    }
    if Some(id) == ctx.acroform {
        let grew = grows_with_signatures(
            doc,
            before.as_dict().and_then(|d| d.get("Fields")),
            after.as_dict().and_then(|d| d.get("Fields")),
        );
        let v =
            verdict(changed(&["Fields", "SigFlags", "DR", "DA", "NeedAppearances"]), "form: signature fields added");
        return if grew { v } else { (false, "form: existing fields removed or non-signature fields added".into()) };
    }
    match (before, after) {
        (Obj::Array(_), Obj::Array(_)) => {
            if grows_with_signatures(doc, Some(before), Some(after)) {
                (true, "array grew by signature fields or widgets".into())
            } else {
                (false, "an array of the signed revision changed".into())
            }
        }
        (Obj::Dict(a), Obj::Dict(_)) => {
            let ty = a.get("Type").and_then(Obj::as_name);
            let annotations_allowed = ctx.docmdp == Some(DocMdp::Annotations);
            if ty == Some(b"Page") {
                let grew = grows_with_signatures(doc, a.get("Annots"), after.as_dict().and_then(|d| d.get("Annots")));
                let v = verdict(changed(&["Annots"]), "page: signature widgets added");
                return if grew || !v.0 {
                    v
                } else if annotations_allowed {
                    (true, "page: annotations changed (allowed by DocMDP P=3)".into())
                } else {
                    (false, "page: annotations other than signature widgets added".into())
                };
            }
            let is_field = a.get("FT").is_some() || a.get("Parent").is_some();
            let is_widget = a.get("Subtype").and_then(Obj::as_name) == Some(b"Widget");
            if is_field || is_widget {
                let is_signature = a.get("FT").and_then(Obj::as_name) == Some(b"Sig");
                if ctx.docmdp == Some(DocMdp::NoChanges) && !is_signature && !is_widget {
                    return (false, "form field filled in a document certified with no changes allowed".into());
                }
                return verdict(changed(&["V", "AP", "AS", "MK"]), "form field filled or signed");
            }
            if annotations_allowed && (ty == Some(b"Annot") || a.get("Subtype").is_some() && a.get("Rect").is_some()) {
                return (true, "annotation changed (allowed by DocMDP P=3)".into());
            }
            (false, "changed".into())
        }
        _ => (false, "changed".into()),
    }
}

/// True when `after` holds every element of `before` and only adds signature fields/widgets.
fn grows_with_signatures(doc: &Document, before: Option<&Obj>, after: Option<&Obj>) -> bool {
    let arr = |o: Option<&Obj>| -> Vec<Obj> {
        o.and_then(|o| doc.resolve(o)).and_then(|o| o.as_array().map(<[Obj]>::to_vec)).unwrap_or_default()
    };
    let (b, a) = (arr(before), arr(after));
    if !b.iter().all(|x| a.contains(x)) {
        return false;
    }
    a.iter().filter(|x| !b.contains(x)).all(|x| is_signature_part(doc, x))
}

fn is_signature_part(doc: &Document, o: &Obj) -> bool {
    let Some(Obj::Dict(d)) = doc.resolve(o) else { return false };
    if d.get("FT").and_then(Obj::as_name) == Some(b"Sig") {
        return true;
    }
    if d.get("Subtype").and_then(Obj::as_name) == Some(b"Widget")
        && let Some(Obj::Dict(p)) = d.get("Parent").and_then(|p| doc.resolve(p))
    {
        return p.get("FT").and_then(Obj::as_name) == Some(b"Sig");
    }
    false
}

/// `N G obj` headers at line starts in a revision's bytes.
fn object_headers(seg: &[u8]) -> BTreeSet<(u32, u16)> {
    crate::tail::object_headers(seg).collect()
}

fn objstm_members(doc: &Document, id: (u32, u16)) -> Vec<(u32, u16)> {
    use hayro_syntax::object::{ObjectIdentifier, Stream};
    let Some(s) = doc.pdf.xref().get::<Stream<'_>>(ObjectIdentifier::new(id.0, i32::from(id.1))) else {
        return Vec::new();
    };
    let d: Dict = crate::document::convert_dict(s.dict());
    if d.get("Type").and_then(Obj::as_name) != Some(b"ObjStm") {
        return Vec::new();
    }
    let n = d.get("N").and_then(Obj::as_int).unwrap_or(0).clamp(0, 100_000) as usize;
    let Ok(body) = s.decoded() else { return Vec::new() };
    let mut p = crate::obj::Parser::new(&body, 0);
    let mut out = Vec::new();
    for _ in 0..n {
        let (Some(num), Some(_off)) = (p.uint(), p.uint()) else { break };
        if let Ok(num) = u32::try_from(num) {
            out.push((num, 0));
        }
    }
    out
}
