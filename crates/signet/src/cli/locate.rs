//! `signet locate`: where a keyword appears, in the coordinates `signet sign --at` takes.

use std::path::PathBuf;

use clap::Args;

use super::pdf_output::open_input;

/// Print the page and box of every occurrence of a keyword.
#[derive(Debug, Args)]
pub(super) struct LocateArgs {
    /// The PDF to search.
    input: PathBuf,
    /// The text to find (whitespace is ignored when matching).
    #[arg(long, value_name = "TEXT")]
    keyword: String,
    /// User password of an encrypted PDF.
    #[arg(long, value_name = "PW")]
    user_password: Option<String>,
}

/// Prints `page N: x1 y1 x2 y2` (visible-page points, origin bottom-left) per occurrence.
pub(super) fn run(args: LocateArgs) -> anyhow::Result<()> {
    let file = open_input(&args.input)?;
    let hits = signet_pdf::locate(std::io::BufReader::new(file), &args.keyword, args.user_password.as_deref())?;
    if hits.is_empty() {
        anyhow::bail!("keyword not found: {}", args.keyword);
    }
    for hit in hits {
        let [x1, y1, x2, y2] = hit.rect;
        println!("page {}: {x1:.2} {y1:.2} {x2:.2} {y2:.2}", hit.page);
    }
    Ok(())
}
