//! Lays HTML blocks out on A4 pages with the fill font: headings, paragraphs and bordered
//! tables with equal columns, wrapped by character and paginated. Bold is drawn as fill plus
//! a thin stroke (one bundled face has no bold weight).

use super::font::FontUse;
use super::html::{Block, Cell, Run};
use super::layout::{show, wrap_ranges};
use crate::error::{PdfError, Result};
use crate::obj::fmt_real;

/// A4 in points.
pub(crate) const PAGE: [f64; 2] = [595.28, 841.89];
const MARGIN: f64 = 56.7;
const BODY: f64 = 11.0;
const TABLE: f64 = 10.0;
const LEADING: f64 = 1.55;
const CELL_PAD: f64 = 4.0;

struct Pager<'a, 'f> {
    font: &'a mut FontUse<'f>,
    context: String,
    pages: Vec<String>,
    /// Distance of the cursor below the top of the content area.
    y: f64,
    max_pages: usize,
}

/// A line of text: characters with their boldness.
type Line = Vec<(char, bool)>;

impl Pager<'_, '_> {
    fn content_h() -> f64 {
        PAGE[1] - 2.0 * MARGIN
    }
    fn content_w() -> f64 {
        PAGE[0] - 2.0 * MARGIN
    }
    fn page(&mut self) -> &mut String {
        if self.pages.is_empty() {
            self.pages.push(String::new());
        }
        self.pages.last_mut().expect("a page exists")
    }
    fn new_page(&mut self) -> Result<()> {
        if self.pages.len() >= self.max_pages {
            return Err(PdfError::InvalidRequest(format!(
                "the appended content needs more than {} pages",
                self.max_pages
            )));
        }
        self.pages.push(String::new());
        self.y = 0.0;
        Ok(())
    }
    /// Makes room for `h` points, starting a new page when the current one is full.
    fn room(&mut self, h: f64) -> Result<()> {
        if self.pages.is_empty() {
            self.new_page()?;
        }
        if self.y + h > Self::content_h() && self.y > 0.0 {
            self.new_page()?;
        }
        Ok(())
    }

    fn lines(&self, runs: &[Run], size: f64, max_w: f64) -> Vec<Line> {
        let styled: Line = runs.iter().flat_map(|r| r.text.chars().map(move |c| (c, r.bold))).collect();
        let chars: Vec<char> = styled.iter().map(|(c, _)| *c).collect();
        wrap_ranges(self.font, &chars, size, max_w).into_iter().map(|r| styled[r].to_vec()).collect()
    }

    /// Text-showing operators for one line at (x, baseline) in page space.
    fn draw_line(&mut self, line: &Line, x: f64, baseline: f64, size: f64) -> Result<String> {
        let mut ops = format!(
            "BT /{} {} Tf {} {} Td\n",
            super::appearance::FONT_RES,
            fmt_real(size),
            fmt_real(x),
            fmt_real(baseline)
        );
        let mut i = 0;
        while i < line.len() {
            let bold = line[i].1;
            let j = line[i..].iter().position(|(_, b)| *b != bold).map_or(line.len(), |p| i + p);
            let text: String = line[i..j].iter().map(|(c, _)| *c).collect();
            ops.push_str(if bold { "2 Tr " } else { "0 Tr " });
            ops.push_str(&show(self.font, &text, &self.context)?);
            ops.push_str(" Tj\n");
            i = j;
        }
        ops.push_str("ET\n");
        Ok(ops)
    }

    fn text_block(&mut self, runs: &[Run], size: f64, before: f64, after: f64) -> Result<()> {
        let lines = self.lines(runs, size, Self::content_w());
        self.room(before + size * LEADING)?;
        if self.y > 0.0 {
            self.y += before;
        }
        for line in &lines {
            self.room(size * LEADING)?;
            let baseline = PAGE[1] - MARGIN - self.y - size * 1.15;
            let ops = self.draw_line(line, MARGIN, baseline, size)?;
            self.page().push_str(&ops);
            self.y += size * LEADING;
        }
        self.y += after;
        Ok(())
    }

    fn table(&mut self, rows: &[Vec<Cell>]) -> Result<()> {
        let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let col_w = Self::content_w() / cols as f64;
        let line_h = TABLE * LEADING;
        self.room(line_h + 2.0 * CELL_PAD)?;
        if self.y > 0.0 {
            self.y += 4.0;
        }
        for row in rows {
            let cells: Vec<Vec<Line>> =
                row.iter().map(|(_, runs)| self.lines(runs, TABLE, col_w - 2.0 * CELL_PAD)).collect();
            let n_lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let row_h = n_lines as f64 * line_h + 2.0 * CELL_PAD;
            if row_h > Self::content_h() {
                return Err(PdfError::InvalidRequest("a table row of an HTML chunk is taller than a page".into()));
            }
            self.room(row_h)?;
            let top = PAGE[1] - MARGIN - self.y;
            let mut ops = String::from("q 0.5 w 0 G\n");
            for c in 0..cols {
                let x = MARGIN + c as f64 * col_w;
                ops.push_str(&format!(
                    "{} {} {} {} re S\n",
                    fmt_real(x),
                    fmt_real(top - row_h),
                    fmt_real(col_w),
                    fmt_real(row_h)
                ));
            }
            ops.push_str("Q\n");
            for (c, lines) in cells.iter().enumerate() {
                for (l, line) in lines.iter().enumerate() {
                    let baseline = top - CELL_PAD - l as f64 * line_h - TABLE * 1.15;
                    let x = MARGIN + c as f64 * col_w + CELL_PAD;
                    ops.push_str(&self.draw_line(line, x, baseline, TABLE)?);
                }
            }
            self.page().push_str(&ops);
            self.y += row_h;
        }
        self.y += 8.0;
        Ok(())
    }
}

/// Renders the blocks; returns one content stream per page (at most `max_pages`).
pub(crate) fn render(
    font: &mut FontUse<'_>,
    blocks: &[Block],
    context: &str,
    max_pages: usize,
) -> Result<Vec<Vec<u8>>> {
    let mut p = Pager { font, context: context.to_string(), pages: Vec::new(), y: 0.0, max_pages };
    for block in blocks {
        match block {
            Block::Heading(level, runs) => {
                let size = match level {
                    1 => 20.0,
                    2 => 16.0,
                    _ => 13.0,
                };
                p.text_block(runs, size, 8.0, 6.0)?;
            }
            Block::Paragraph(runs) => p.text_block(runs, BODY, 4.0, 4.0)?,
            Block::Table(rows) => p.table(rows)?,
        }
    }
    if p.pages.is_empty() {
        p.new_page()?;
    }
    Ok(p.pages
        .into_iter()
        .map(|ops| format!("q 0 g 0 G {} w\n{}Q\n", fmt_real(BODY * 0.03), ops).into_bytes())
        .collect())
}
