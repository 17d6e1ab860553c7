//! Robustness sweep: searches a keyword in and signs every PDF in a directory (invisible
//! signature, dummy container), never panicking, and checks each output with our own inspection: the new signature must
//! cover the whole file and the output must reopen. Prints a summary by outcome.
//!
//! Usage: corpus DIR [OUTDIR]   (outputs are written to OUTDIR when given, e.g. for qpdf --check)

use signet_pdf::{ContainerSigner, Coverage, SignRequest, SubFilter};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

struct Dummy;

impl ContainerSigner for Dummy {
    fn max_container_len(&self) -> usize {
        64
    }
    fn sub_filter(&self) -> SubFilter {
        SubFilter::CadesDetached
    }
    fn sign(&self, r: &mut dyn Read) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        std::io::copy(r, &mut std::io::sink())?;
        Ok(vec![0x30, 0x03, 0x02, 0x01, 0x01])
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        eprintln!("usage: corpus DIR [OUTDIR]");
        std::process::exit(2);
    };
    let out_dir = args.get(2);
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    entries.sort();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for path in entries {
        let Ok(data) = std::fs::read(&path) else { continue };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // Keyword search walks every page's content (fonts, form XObjects): no panic either.
        let located = std::panic::catch_unwind(|| signet_pdf::locate(Cursor::new(&data), "the", None));
        match located {
            Err(_) => {
                println!("PANIC (locate) {name}");
                *outcomes.entry("panic in locate".into()).or_default() += 1;
            }
            Ok(Ok(hits)) if !hits.is_empty() => *outcomes.entry("locate: hits".into()).or_default() += 1,
            Ok(_) => {}
        }
        let result = std::panic::catch_unwind(|| {
            let mut out = Vec::new();
            let signed = signet_pdf::sign(Cursor::new(&data), &mut out, &SignRequest::default(), &Dummy);
            (signed, out)
        });
        let key = match result {
            Err(_) => {
                println!("PANIC {name}");
                "panic".to_string()
            }
            Ok((Err(e), _)) => {
                let kind = format!("{e:?}");
                let kind = kind.split(['(', ' ', '{']).next().unwrap_or("error").to_string();
                println!("refused {name}: {e}");
                format!("refused: {kind}")
            }
            Ok((Ok(_), out)) => {
                let check = signet_pdf::inspect(Cursor::new(&out), None);
                let ok = check.as_ref().is_ok_and(|i| {
                    i.signatures.last().is_some_and(|s| s.coverage == Coverage::EntireFile && s.problems.is_empty())
                });
                if let Some(d) = out_dir {
                    let _ = std::fs::write(std::path::Path::new(d).join(&name), &out);
                }
                if ok {
                    "signed".to_string()
                } else {
                    println!("BAD OUTPUT {name}: {:?}", check.map(|i| i.signatures.last().map(|s| s.problems.clone())));
                    "signed, bad output".to_string()
                }
            }
        };
        *outcomes.entry(key).or_default() += 1;
    }
    for (k, v) in outcomes {
        println!("{v:5}  {k}");
    }
}
