//! Undo the layout of PDF-extracted text: drop page numbers, the table of
//! contents, running headers and the 抄送/印发 footer; rejoin lines broken at
//! line and page ends; gather tab-separated rows into tables and 专栏 boxes.
//! Pure: text in, blocks out, plus a record of every dropped line.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::numbering::{has_sentence_punct, parse_marker, MarkerKind};
use crate::text::normalize::clean_line;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Running text, lines rejoined.
    Para(String),
    Table(Table),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// `专栏 1 新医药产业重点任务`, `表 1：…`, or none.
    pub caption: Option<String>,
    /// A 专栏 box rather than a data table.
    pub is_box: bool,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    PageNumber,
    TableOfContents,
    RunningHeader,
    Footer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// 0-based line number in the input.
    pub line: usize,
    pub reason: DropReason,
}

#[derive(Debug, Default)]
pub struct Layout {
    pub blocks: Vec<Block>,
    pub dropped: Vec<Dropped>,
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[—－\-–─]+\s*\d{1,4}\s*[—－\-–─]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})$").unwrap()
});
static BARE_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{1,3}$").unwrap());
static TOC_TITLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^目\s*录$").unwrap());
static TOC_ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\t|[.…·．]{2,}|\s{2,})\s*\d{1,3}$").unwrap());
static FOOTER_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:抄\s*送|抄\s*报)\s*[:：]").unwrap());
static PRINTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d〇零一二三四五六七八九十]{1,3}\s*月\s*[\d〇零一二三四五六七八九十]{1,3}\s*日\s*印\s*发$").unwrap()
});
static ORG_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\S{2,40}(?:办公室|办公厅|人民政府|委员会|管委会|政府|局|厅|部|委|办)$").unwrap()
});

/// Display width: CJK and full-width chars count 2, others 1.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Does a line end a sentence (so a break after it is a real paragraph end)?
fn ends_terminal(line: &str) -> bool {
    let mut chars = line
        .chars()
        .rev()
        .skip_while(|c| matches!(c, '”' | '’' | '」' | '』' | '"'));
    match chars.next() {
        Some('。' | '！' | '？' | '!' | '?' | '；' | ';' | '：' | ':' | '…') => true,
        Some('）' | '〕' | ')' | '】' | ']') => {
            // A responsible-unit note closes a measure.
            let tail: String = line
                .chars()
                .rev()
                .take(120)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            tail.contains("责任单位")
                || tail.contains("牵头单位")
                || tail.contains("责任部门")
                || matches!(chars.next(), Some('。' | '！' | '？'))
        }
        _ => false,
    }
}

/// Does a line end in the middle of a clause (a break after it is never real)?
fn ends_open(line: &str) -> bool {
    matches!(
        line.chars().last(),
        Some('，' | '、' | '（' | '《' | '“' | '(' | ',' | '—' | '-' | '＋' | '+')
    )
}

fn is_structural_start(line: &str) -> bool {
    parse_marker(line).is_some()
}

/// Join two pieces of one paragraph: no space between CJK, one between words.
fn join_into(buf: &mut String, next: &str) {
    let a = buf.chars().last();
    let b = next.chars().next();
    if let (Some(a), Some(b)) = (a, b) {
        if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() {
            buf.push(' ');
        }
    }
    buf.push_str(next);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Text,
    Row,
    Dropped,
}

/// Per-document line geometry: does this text wrap every line (003/004), and at what width?
struct Geometry {
    /// Display width from which a line counts as full (wrapped, not ended).
    full: usize,
}

fn geometry(lines: &[&str], kinds: &[LineKind]) -> Geometry {
    let mut widths: Vec<usize> = lines
        .iter()
        .zip(kinds)
        .filter(|(_, k)| **k == LineKind::Text)
        .map(|(l, _)| width(clean_line(l)))
        .filter(|w| *w > 0)
        .collect();
    if widths.len() < 8 {
        return Geometry { full: usize::MAX };
    }
    widths.sort_unstable();
    let p90 = widths[widths.len() * 9 / 10];
    let threshold = p90 * 85 / 100;
    let near_full = widths.iter().filter(|w| **w >= threshold).count();
    let wrapped = p90 <= 140 && near_full * 2 >= widths.len();
    Geometry {
        full: if wrapped { threshold } else { usize::MAX },
    }
}

/// Turn extracted text into blocks.
pub fn layout(text: &str) -> Layout {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut kinds: Vec<LineKind> = lines
        .iter()
        .map(|l| {
            let t = l.trim_end_matches(|c: char| c.is_whitespace());
            let t = t.trim_start_matches([' ', '\u{3000}', '\u{feff}']);
            if t.is_empty() {
                LineKind::Blank
            } else if t.contains('\t') {
                LineKind::Row
            } else {
                LineKind::Text
            }
        })
        .collect();
    let mut dropped = Vec::new();
    let mut drop = |kinds: &mut Vec<LineKind>, i: usize, reason: DropReason| {
        if kinds[i] != LineKind::Dropped {
            kinds[i] = LineKind::Dropped;
            dropped.push(Dropped { line: i, reason });
        }
    };

    // Page numbers.
    for i in 0..lines.len() {
        let t = clean_line(lines[i]);
        if kinds[i] == LineKind::Text && PAGE_NUMBER.is_match(t) {
            drop(&mut kinds, i, DropReason::PageNumber);
        } else if kinds[i] == LineKind::Text && BARE_NUMBER.is_match(t) {
            // A bare number between two text lines is a page number, not a table cell.
            let neighbour = |range: &mut dyn Iterator<Item = usize>| {
                range
                    .map(|j| kinds[j])
                    .find(|k| *k != LineKind::Blank && *k != LineKind::Dropped)
            };
            let prev = neighbour(&mut (0..i).rev());
            let next = neighbour(&mut (i + 1..lines.len()));
            if prev != Some(LineKind::Row) && next != Some(LineKind::Row) {
                drop(&mut kinds, i, DropReason::PageNumber);
            }
        }
    }

    // Table of contents: a 目录 line and the entries with page numbers after it.
    if let Some(start) = (0..lines.len())
        .find(|&i| kinds[i] == LineKind::Text && TOC_TITLE.is_match(clean_line(lines[i])))
    {
        let mut end = start + 1;
        let mut entries = 0;
        while end < lines.len() {
            let t = clean_line(lines[end]);
            match kinds[end] {
                LineKind::Blank | LineKind::Dropped => {}
                _ if TOC_ENTRY.is_match(lines[end].trim_end()) && t.chars().count() <= 80 => {
                    entries += 1
                }
                _ => break,
            }
            end += 1;
        }
        if entries >= 2 {
            for i in start..end {
                if kinds[i] != LineKind::Blank {
                    drop(&mut kinds, i, DropReason::TableOfContents);
                }
            }
        }
    }

    // Footer: 抄送 … to the end, and the "… 印发" line with the office above it.
    let n = lines.len();
    let last_text: Vec<usize> = (0..n)
        .filter(|&i| matches!(kinds[i], LineKind::Text | LineKind::Row))
        .collect();
    let tail = &last_text[last_text.len().saturating_sub(8)..];
    if let Some(&start) = tail
        .iter()
        .find(|&&i| FOOTER_START.is_match(clean_line(lines[i])))
    {
        for i in start..n {
            if kinds[i] != LineKind::Blank {
                drop(&mut kinds, i, DropReason::Footer);
            }
        }
    }
    for &i in tail {
        if kinds[i] == LineKind::Text && PRINTED.is_match(clean_line(lines[i])) {
            drop(&mut kinds, i, DropReason::Footer);
            if let Some(p) = (0..i).rev().find(|&j| kinds[j] != LineKind::Blank) {
                if kinds[p] == LineKind::Text && ORG_LINE.is_match(clean_line(lines[p])) {
                    drop(&mut kinds, p, DropReason::Footer);
                }
            }
        }
    }

    // Running headers: short unpunctuated lines repeated on many pages.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for i in 0..n {
        if kinds[i] == LineKind::Text {
            let t = clean_line(lines[i]);
            let bracketed = t.contains(['（', '）', '〔', '〕', '(', ')', '“', '”', '《', '》']);
            if t.chars().count() <= 30
                && !has_sentence_punct(t)
                && !bracketed
                && !is_structural_start(t)
            {
                *counts.entry(t).or_default() += 1;
            }
        }
    }
    for i in 0..n {
        if kinds[i] == LineKind::Text && counts.get(clean_line(lines[i])).is_some_and(|c| *c >= 3) {
            drop(&mut kinds, i, DropReason::RunningHeader);
        }
    }

    let geometry = geometry(&lines, &kinds);
    let (blocks, repeated) = assemble(&lines, &kinds, &geometry);
    dropped.extend(repeated.into_iter().map(|line| Dropped {
        line,
        reason: DropReason::RunningHeader,
    }));
    dropped.sort_by_key(|d| d.line);
    Layout { blocks, dropped }
}

fn split_row(line: &str) -> Vec<String> {
    let line = line.trim_end_matches(|c: char| c.is_whitespace());
    let line = line.trim_start_matches([' ', '\u{3000}', '\u{feff}']);
    line.split('\t')
        .map(|c| clean_line(c).to_string())
        .collect()
}

fn is_separator_row(cells: &[String]) -> bool {
    cells.iter().all(|c| {
        c.chars()
            .all(|ch| matches!(ch, '-' | '—' | ':' | '|' | ' '))
    })
}

/// Is this row the continuation of the previous one (a cell that wrapped)?
fn is_continuation_row(cells: &[String]) -> bool {
    let non_empty: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
    cells.first().is_some_and(|c| c.is_empty())
        && non_empty.len() == 1
        && !non_empty[0].chars().all(|c| c.is_ascii_digit())
}

struct Assembler<'g> {
    geometry: &'g Geometry,
    blocks: Vec<Block>,
    /// The paragraph being built and its last physical line.
    para: Option<(String, String)>,
    table: Option<Table>,
    repeated_headers: usize,
}

impl Assembler<'_> {
    fn flush(&mut self) {
        if let Some((text, _)) = self.para.take() {
            self.blocks.push(Block::Para(text));
        }
        if let Some(t) = self.table.take() {
            if t.rows.is_empty() {
                if let Some(c) = t.caption {
                    self.blocks.push(Block::Para(c));
                }
            } else {
                self.blocks.push(Block::Table(t));
            }
        }
    }

    /// Does `next` continue the paragraph whose last physical line is `last`?
    fn continues(&self, last: &str, next: &str) -> bool {
        if is_structural_start(next) {
            return false;
        }
        let full = width(last) >= self.geometry.full;
        let heading = parse_marker(last).is_some_and(|m| {
            matches!(
                m.kind,
                MarkerKind::Part
                    | MarkerKind::Chapter
                    | MarkerKind::Section
                    | MarkerKind::Attachment
                    | MarkerKind::Markdown(_)
            )
        });
        if heading && !full {
            return false;
        }
        if ends_terminal(last) {
            // After a sentence end only a full line continues, and never into
            // a short unpunctuated line (a heading or a signature).
            let short_label = !has_sentence_punct(next) && next.chars().count() <= 20;
            return full && !short_label;
        }
        if full || ends_open(last) {
            return true;
        }
        // Strip a leading marker: "一、总体要求" is a heading, not a sentence.
        let body = parse_marker(last).map(|m| m.rest).unwrap_or(last);
        has_sentence_punct(body)
    }

    /// Text inside a 专栏 box: a wrapped cell, a row label, or a label's content.
    fn box_text(&mut self, line: &str) -> bool {
        let Some(table) = &mut self.table else {
            return false;
        };
        if is_structural_start(line) {
            return false;
        }
        if let Some(row) = table.rows.last_mut() {
            if row.len() == 1 && row[0].chars().count() <= 12 {
                row.push(line.to_string());
                return true;
            }
            let last = row.last_mut().expect("rows are never empty");
            if !last.is_empty() && !ends_terminal(last) {
                join_into(last, line);
                return true;
            }
        }
        if line.chars().count() <= 12 && !has_sentence_punct(line) {
            table.rows.push(vec![line.to_string()]);
            return true;
        }
        false
    }

    fn text(&mut self, line: &str) {
        if self.table.as_ref().is_some_and(|t| t.is_box) && self.box_text(line) {
            return;
        }
        let kind = parse_marker(line).map(|m| m.kind);
        if matches!(kind, Some(MarkerKind::Box | MarkerKind::TableCaption)) {
            self.flush();
            self.table = Some(Table {
                caption: Some(line.to_string()),
                is_box: kind == Some(MarkerKind::Box),
                rows: vec![],
            });
            return;
        }
        if self.table.is_some() {
            self.flush();
        }
        if let Some((buf, last)) = &self.para {
            if self.continues(last, line) {
                let mut buf = buf.clone();
                join_into(&mut buf, line);
                self.para = Some((buf, line.to_string()));
                return;
            }
        }
        self.flush();
        self.para = Some((line.to_string(), line.to_string()));
    }

    fn row(&mut self, cells: Vec<String>) {
        if is_separator_row(&cells) {
            return;
        }
        if self.para.is_some() {
            // A caption-less table starts after a paragraph.
            if let Some((text, _)) = self.para.take() {
                self.blocks.push(Block::Para(text));
            }
        }
        let table = self.table.get_or_insert_with(Table::default);
        // A header row repeated at the top of each page.
        if table.rows.first().is_some_and(|first| *first == cells)
            && cells.iter().any(|c| c == "序号")
        {
            self.repeated_headers += 1;
            return;
        }
        if is_continuation_row(&cells) {
            if let Some(prev) = table.rows.last_mut() {
                let (i, cell) = cells
                    .iter()
                    .enumerate()
                    .find(|(_, c)| !c.is_empty())
                    .unwrap();
                let target = i.min(prev.len() - 1);
                join_into(&mut prev[target], cell);
                return;
            }
        }
        // Drop empty trailing cells but keep interior empties (column positions).
        let mut cells = cells;
        while cells.len() > 1 && cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        if cells.iter().all(|c| c.is_empty()) {
            return;
        }
        table.rows.push(cells);
    }
}

/// Assemble blocks; also returns the lines of repeated table headers.
fn assemble(lines: &[&str], kinds: &[LineKind], geometry: &Geometry) -> (Vec<Block>, Vec<usize>) {
    let mut a = Assembler {
        geometry,
        blocks: Vec::new(),
        para: None,
        table: None,
        repeated_headers: 0,
    };
    let mut repeated = vec![];
    for (i, (line, kind)) in lines.iter().zip(kinds).enumerate() {
        match kind {
            LineKind::Blank | LineKind::Dropped => {}
            LineKind::Text => a.text(clean_line(line)),
            LineKind::Row => {
                let before = a.repeated_headers;
                a.row(split_row(line));
                if a.repeated_headers > before {
                    repeated.push(i);
                }
            }
        }
    }
    a.flush();
    (a.blocks, repeated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str) -> Vec<String> {
        layout(text)
            .blocks
            .into_iter()
            .map(|b| match b {
                Block::Para(p) => p,
                Block::Table(t) => format!("TABLE{:?}", t.rows),
            })
            .collect()
    }

    #[test]
    fn rejoins_page_breaks_and_keeps_headings() {
        let text = "一、总体要求\n\n（一）指导思想\n\n5. 加大财政政策支持力度。提高开发区财政自主权，支持\n\n有条件的开发区实行“一级财政”管理体制。\n\n（二）产业集聚集约发展工程\n";
        assert_eq!(
            paras(text),
            vec![
                "一、总体要求",
                "（一）指导思想",
                "5. 加大财政政策支持力度。提高开发区财政自主权，支持有条件的开发区实行“一级财政”管理体制。",
                "（二）产业集聚集约发展工程"
            ]
        );
    }

    #[test]
    fn drops_page_numbers_toc_and_footer() {
        let text = "目 录\n第一章 现实基础\t6\n第一节 回顾\t6\n\n第一章 现实基础\n\n发展很快，\n\n— 3 —\n\n成效明显。\n\n抄送：市委各部门。\n\n连云港市人民政府办公室\n\n2022年4月2日印发\n";
        let l = layout(text);
        assert_eq!(paras(text), vec!["第一章 现实基础", "发展很快，成效明显。"]);
        let reasons: Vec<DropReason> = l.dropped.iter().map(|d| d.reason).collect();
        assert!(reasons.contains(&DropReason::PageNumber));
        assert!(reasons.contains(&DropReason::TableOfContents));
        assert!(reasons.contains(&DropReason::Footer));
    }

    #[test]
    fn box_rows_and_wrapped_cells() {
        let text = "专栏 4 新业态产业重点任务\n\n产业化\n\n“一带一路”供应链基地；朝阳\n\n\t电商文旅小镇等。\n重大平台\t综保区跨境电商服务平台等。\n\n第四节 聚力发展\n";
        let l = layout(text);
        match &l.blocks[0] {
            Block::Table(t) => {
                assert!(t.is_box);
                assert_eq!(
                    t.rows,
                    vec![
                        vec![
                            "产业化".to_string(),
                            "“一带一路”供应链基地；朝阳电商文旅小镇等。".into()
                        ],
                        vec!["重大平台".into(), "综保区跨境电商服务平台等。".into()]
                    ]
                );
            }
            other => panic!("expected a box, got {other:?}"),
        }
        assert_eq!(l.blocks[1], Block::Para("第四节 聚力发展".into()));
    }
}
