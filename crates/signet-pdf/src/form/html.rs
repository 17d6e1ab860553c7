//! A deliberately small HTML reader for appended chunks: `h1`–`h3`, `p`, `div`, `br`,
//! `strong`/`b`, and `table`/`tr`/`td`/`th`. Other tags are ignored (their text kept);
//! `script`, `style` and `head` are dropped. Entities: the five XML ones, `&nbsp;` and
//! numeric references. This is not a browser: it is for generated, simple contract pages.

/// A run of text, bold or not. `\n` inside is a forced line break (`<br>`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) text: String,
    pub(crate) bold: bool,
}

/// A table cell: whether it is a header (`th`), and its text.
pub(crate) type Cell = (bool, Vec<Run>);

/// A block of the page flow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// `h1`..`h3` (level 1..3).
    Heading(u8, Vec<Run>),
    Paragraph(Vec<Run>),
    /// Rows of cells; a cell is `(is_header, runs)`.
    Table(Vec<Vec<Cell>>),
}

#[derive(Default)]
struct Reader {
    blocks: Vec<Block>,
    runs: Vec<Run>,
    heading: Option<u8>,
    bold: usize,
    skip: usize,
    table: Option<Vec<Vec<Cell>>>,
    cell: Option<Cell>,
}

impl Reader {
    fn text(&mut self, t: &str) {
        if self.skip > 0 {
            return;
        }
        let mut collapsed = String::new();
        let mut space = false;
        for c in t.chars() {
            if c.is_whitespace() && c != '\u{a0}' {
                space = true;
            } else {
                if space {
                    collapsed.push(' ');
                }
                space = false;
                collapsed.push(if c == '\u{a0}' { ' ' } else { c });
            }
        }
        if space {
            collapsed.push(' ');
        }
        if collapsed.is_empty() {
            return;
        }
        let bold = self.bold > 0 || self.heading.is_some() || self.cell.as_ref().is_some_and(|c| c.0);
        let target = match &mut self.cell {
            Some((_, runs)) => runs,
            None => &mut self.runs,
        };
        match target.last_mut() {
            Some(last) if last.bold == bold => last.text.push_str(&collapsed),
            _ => target.push(Run { text: collapsed, bold }),
        }
    }

    fn line_break(&mut self) {
        let target = match &mut self.cell {
            Some((_, runs)) => runs,
            None => &mut self.runs,
        };
        match target.last_mut() {
            Some(last) => last.text.push('\n'),
            None => target.push(Run { text: "\n".into(), bold: false }),
        }
    }

    /// Ends the current paragraph or heading, if it has any text.
    fn flush(&mut self) {
        let runs = tidy(std::mem::take(&mut self.runs));
        if runs.is_empty() {
            return;
        }
        match self.heading {
            Some(level) => self.blocks.push(Block::Heading(level, runs)),
            None => self.blocks.push(Block::Paragraph(runs)),
        }
    }

    fn end_cell(&mut self) {
        if let (Some((header, runs)), Some(table)) = (self.cell.take(), self.table.as_mut()) {
            if table.is_empty() {
                table.push(Vec::new());
            }
            if let Some(row) = table.last_mut() {
                row.push((header, tidy(runs)));
            }
        }
    }

    fn tag(&mut self, name: &str, closing: bool) {
        match (name, closing) {
            ("script" | "style" | "head" | "title", false) => self.skip += 1,
            ("script" | "style" | "head" | "title", true) => self.skip = self.skip.saturating_sub(1),
            ("br", _) => self.line_break(),
            ("strong" | "b", false) => self.bold += 1,
            ("strong" | "b", true) => self.bold = self.bold.saturating_sub(1),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) if self.table.is_none() => {
                self.flush();
                self.heading = Some(name.as_bytes()[1].saturating_sub(b'0').min(3));
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) if self.table.is_none() => {
                self.flush();
                self.heading = None;
            }
            ("p" | "div" | "li" | "ul" | "ol" | "body" | "html", _) if self.table.is_none() => self.flush(),
            ("table", false) => {
                self.flush();
                self.table = Some(Vec::new());
            }
            ("table", true) => {
                self.end_cell();
                if let Some(rows) = self.table.take() {
                    let rows: Vec<_> = rows.into_iter().filter(|r| !r.is_empty()).collect();
                    if !rows.is_empty() {
                        self.blocks.push(Block::Table(rows));
                    }
                }
            }
            ("tr", false) => {
                self.end_cell();
                if let Some(t) = self.table.as_mut() {
                    t.push(Vec::new());
                }
            }
            ("tr", true) => self.end_cell(),
            ("td" | "th", false) if self.table.is_some() => {
                self.end_cell();
                self.cell = Some((name == "th", Vec::new()));
            }
            ("td" | "th", true) => self.end_cell(),
            _ => {}
        }
    }
}

/// Trims leading/trailing spaces of a block's text and drops empty runs.
fn tidy(mut runs: Vec<Run>) -> Vec<Run> {
    if let Some(first) = runs.first_mut() {
        first.text = first.text.trim_start_matches(' ').to_string();
    }
    if let Some(last) = runs.last_mut() {
        last.text = last.text.trim_end_matches([' ', '\n']).to_string();
    }
    for r in &mut runs {
        r.text = r.text.replace(" \n", "\n").replace("\n ", "\n");
    }
    runs.retain(|r| !r.text.is_empty());
    runs
}

/// Parses `html` into blocks.
pub(crate) fn parse(html: &str) -> Vec<Block> {
    let mut r = Reader::default();
    let mut rest = html;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                if let Some(after) = rest.strip_prefix("<!--") {
                    rest = after.find("-->").map_or("", |e| &after[e + 3..]);
                    continue;
                }
                let Some(end) = rest.find('>') else {
                    r.text(&decode(rest));
                    break;
                };
                let inner = &rest[1..end];
                rest = &rest[end + 1..];
                let closing = inner.starts_with('/');
                let name: String = inner
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if !name.is_empty() {
                    r.tag(&name, closing);
                }
            }
            Some(i) => {
                r.text(&decode(&rest[..i]));
                rest = &rest[i..];
            }
            None => {
                r.text(&decode(rest));
                break;
            }
        }
    }
    r.end_cell();
    if let Some(rows) = r.table.take() {
        let rows: Vec<_> = rows.into_iter().filter(|row| !row.is_empty()).collect();
        if !rows.is_empty() {
            r.blocks.push(Block::Table(rows));
        }
    }
    r.flush();
    r.blocks
}

fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // Entities are short: look for the `;` in the first 12 bytes (ASCII, so slicing is safe).
        let end = rest.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => ent
                    .strip_prefix("#x")
                    .or_else(|| ent.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_tables_and_entities() {
        let blocks = parse(
            "<html><head><title>x</title></head><body><h1>补充条款</h1><p>甲方&amp;乙方 <strong>同意</strong><br>第二行</p>\
             <table><tr><th>项目</th><th>金额</th></tr><tr><td>租金</td><td>&#165;1,000</td></tr></table></body></html>",
        );
        assert_eq!(blocks.len(), 3, "{blocks:?}");
        assert_eq!(blocks[0], Block::Heading(1, vec![Run { text: "补充条款".into(), bold: true }]));
        let Block::Paragraph(runs) = &blocks[1] else { panic!("{blocks:?}") };
        assert_eq!(runs[0].text, "甲方&乙方 ");
        assert!(runs[1].bold);
        assert_eq!(runs[1].text, "同意\n");
        assert_eq!(runs[2], Run { text: "第二行".into(), bold: false });
        let Block::Table(rows) = &blocks[2] else { panic!("{blocks:?}") };
        assert_eq!(rows.len(), 2);
        assert!(rows[0][0].0);
        assert_eq!(rows[1][1].1[0].text, "¥1,000");
    }

    #[test]
    fn malformed_html_never_panics() {
        for html in [
            "<",
            ">",
            "<<<>>>",
            "&",
            "&中文中文中文中文;",
            "&#xFFFFFFFF;",
            "&#99999999999;",
            "<table><td>x",
            "</td></tr></table><td>y",
            "<!-- open comment",
            "<p>a<br/>b</p></p></div>",
            "<h9>z</h9>",
            "<table><tr></tr></table>",
            "<script>alert(1)</script>text",
            "\u{0}<b>\u{7f}</b>",
        ] {
            let _ = parse(html);
        }
        assert_eq!(
            parse("a &amp b &#x4E2D;"),
            vec![Block::Paragraph(vec![Run { text: "a &amp b 中".into(), bold: false }])]
        );
    }
}
