//! Undo the layout of PDF-extracted text: drop page numbers, the table of
//! contents, running headers and the 抄送/印发 footer; rejoin lines broken at
//! line and page ends; gather tab-separated rows into tables and 专栏 boxes.
//! Pure: text in, blocks out, plus a record of every dropped line.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::issuance::FOOTER_ORG_LINE;
use super::numbering::{
    at_most_chars, has_sentence_punct, is_digit, parse_marker, Marker, MarkerKind,
};
use crate::text::normalize::clean_line;
use crate::text::units::unit_note_start;

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
    /// A Markdown/HTML comment line (`<!-- INFO END -->`): markup, not text.
    Comment,
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

/// Display width: CJK and full-width chars count 2, others 1. Counted on
/// the UTF-8 bytes, without branches: an ASCII byte is a char of width 1,
/// a lead byte (0xC0 and up) one of width 2, continuation bytes (0x80 to
/// 0xBF, below -0x40 as `i8`) add nothing. Blocks of 64 bytes are summed
/// in a byte (at most 128), which compiles to SIMD.
fn width(s: &str) -> usize {
    let byte_width = |b: u8| u8::from(b as i8 >= -0x40) + u8::from(b >= 0xC0);
    let mut blocks = s.as_bytes().chunks_exact(64);
    let mut total = 0;
    for block in &mut blocks {
        total += usize::from(block.iter().fold(0u8, |acc, &b| acc + byte_width(b)));
    }
    total
        + blocks
            .remainder()
            .iter()
            .map(|&b| usize::from(byte_width(b)))
            .sum::<usize>()
}

/// Can `PAGE_NUMBER` or `BARE_NUMBER` match `t`? (Both start with a dash,
/// 第 or a digit; most lines are skipped without running them.)
fn may_be_page_number(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| matches!(c, '—' | '－' | '-' | '–' | '─' | '第') || is_digit(c))
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
            // A responsible-unit note (`text::units`' rule) closes a measure.
            let tail = &line[line.char_indices().rev().nth(119).map_or(0, |(i, _)| i)..];
            unit_note_start(tail).is_some() || matches!(chars.next(), Some('。' | '！' | '？'))
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

/// `widths`: the width of each text line after `clean_line`.
fn geometry(widths: &[usize], kinds: &[LineKind]) -> Geometry {
    let mut widths: Vec<usize> = widths
        .iter()
        .zip(kinds)
        .filter(|(w, k)| **k == LineKind::Text && **w > 0)
        .map(|(w, _)| *w)
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
    // `text.split('\n')`, with the memchr crate's SIMD search.
    let mut lines: Vec<&str> = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..end]);
        start = end + 1;
    }
    lines.push(&text[start..]);
    for l in &mut lines {
        *l = l.strip_suffix('\r').unwrap_or(l);
    }
    let clean: Vec<&str> = lines.iter().map(|l| clean_line(l)).collect();
    let mut kinds: Vec<LineKind> = lines
        .iter()
        .map(|l| {
            let t = l.trim_end_matches(|c: char| c.is_whitespace());
            let t = t.trim_start_matches([' ', '\u{3000}', '\u{feff}']);
            if t.is_empty() {
                LineKind::Blank
            } else if memchr::memchr(b'\t', t.as_bytes()).is_some() {
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

    // Comment lines of Markdown sources.
    for i in 0..lines.len() {
        let t = clean[i];
        if kinds[i] == LineKind::Text && t.starts_with("<!--") && t.ends_with("-->") {
            drop(&mut kinds, i, DropReason::Comment);
        }
    }

    // Page numbers.
    for i in 0..lines.len() {
        let t = clean[i];
        if kinds[i] != LineKind::Text || !may_be_page_number(t) {
            continue;
        }
        if PAGE_NUMBER.is_match(t) {
            drop(&mut kinds, i, DropReason::PageNumber);
        } else if BARE_NUMBER.is_match(t) {
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
    if let Some(start) = (0..lines.len()).find(|&i| {
        kinds[i] == LineKind::Text && clean[i].starts_with('目') && TOC_TITLE.is_match(clean[i])
    }) {
        let mut end = start + 1;
        let mut entries = 0;
        while end < lines.len() {
            let t = clean[end];
            match kinds[end] {
                LineKind::Blank | LineKind::Dropped => {}
                _ if TOC_ENTRY.is_match(lines[end].trim_end()) && at_most_chars(t, 80) => {
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
    // The last 8 text lines and rows, in order.
    let mut tail: Vec<usize> = (0..n)
        .rev()
        .filter(|&i| matches!(kinds[i], LineKind::Text | LineKind::Row))
        .take(8)
        .collect();
    tail.reverse();
    if let Some(&start) = tail.iter().find(|&&i| FOOTER_START.is_match(clean[i])) {
        for i in start..n {
            if kinds[i] != LineKind::Blank {
                drop(&mut kinds, i, DropReason::Footer);
            }
        }
    }
    for &i in &tail {
        if kinds[i] == LineKind::Text && PRINTED.is_match(clean[i]) {
            drop(&mut kinds, i, DropReason::Footer);
            if let Some(p) = (0..i).rev().find(|&j| kinds[j] != LineKind::Blank) {
                if kinds[p] == LineKind::Text && FOOTER_ORG_LINE.is_match(clean[p]) {
                    drop(&mut kinds, p, DropReason::Footer);
                }
            }
        }
    }

    // Running headers: short unpunctuated lines repeated on many pages.
    // Whether a line counts depends on its text alone, so only the lines
    // counted can be repeats of a counted line.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut counted = vec![];
    for i in 0..n {
        if kinds[i] == LineKind::Text {
            let t = clean[i];
            if at_most_chars(t, 30)
                && !has_sentence_punct(t)
                && !t.contains(['（', '）', '〔', '〕', '(', ')', '“', '”', '《', '》'])
                && !is_structural_start(t)
            {
                *counts.entry(t).or_default() += 1;
                counted.push(i);
            }
        }
    }
    for i in counted {
        if kinds[i] == LineKind::Text && counts.get(clean[i]).is_some_and(|c| *c >= 3) {
            drop(&mut kinds, i, DropReason::RunningHeader);
        }
    }

    let widths: Vec<usize> = clean
        .iter()
        .zip(&kinds)
        .map(|(l, k)| if *k == LineKind::Text { width(l) } else { 0 })
        .collect();
    let geometry = geometry(&widths, &kinds);
    let (blocks, repeated) = assemble(&lines, &clean, &widths, &kinds, &geometry);
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

/// A paragraph being built.
struct Para<'a> {
    text: String,
    /// Its last physical line, that line's width and the marker it starts with.
    last: &'a str,
    last_width: usize,
    last_marker: Option<Marker<'a>>,
}

struct Assembler<'a, 'g> {
    geometry: &'g Geometry,
    blocks: Vec<Block>,
    para: Option<Para<'a>>,
    table: Option<Table>,
    repeated_headers: usize,
}

impl<'a> Assembler<'a, '_> {
    fn flush(&mut self) {
        if let Some(p) = self.para.take() {
            self.blocks.push(Block::Para(p.text));
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

    /// Does `next` continue the paragraph `p`? (`next_marked`: whether
    /// `next` starts with a marker.)
    fn continues(&self, p: &Para<'_>, next: &str, next_marked: bool) -> bool {
        let (last, last_marker) = (p.last, p.last_marker.as_ref());
        if next_marked {
            return false;
        }
        let full = p.last_width >= self.geometry.full;
        let heading = last_marker.is_some_and(|m| {
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
            let short_label = || at_most_chars(next, 20) && !has_sentence_punct(next);
            return full && !short_label();
        }
        if full || ends_open(last) {
            return true;
        }
        // Strip a leading marker: "一、总体要求" is a heading, not a sentence.
        let body = last_marker.map(|m| m.rest).unwrap_or(last);
        has_sentence_punct(body)
    }

    /// Text inside a 专栏 box: a wrapped cell, a row label, or a label's
    /// content (`marked`: whether the line starts with a marker).
    fn box_text(&mut self, line: &str, marked: bool) -> bool {
        let Some(table) = &mut self.table else {
            return false;
        };
        if marked {
            return false;
        }
        if let Some(row) = table.rows.last_mut() {
            if row.len() == 1 && at_most_chars(&row[0], 12) {
                row.push(line.to_string());
                return true;
            }
            let last = row.last_mut().expect("rows are never empty");
            if !last.is_empty() && !ends_terminal(last) {
                join_into(last, line);
                return true;
            }
        }
        if at_most_chars(line, 12) && !has_sentence_punct(line) {
            table.rows.push(vec![line.to_string()]);
            return true;
        }
        false
    }

    /// A text line, its width and its indentation.
    fn text(&mut self, line: &'a str, width: usize, indent: usize) {
        let marker = parse_marker(line);
        if self.table.as_ref().is_some_and(|t| t.is_box) && self.box_text(line, marker.is_some()) {
            return;
        }
        let kind = marker.as_ref().map(|m| m.kind);
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
        // A short unpunctuated line set far in (a signature right-aligned
        // by the PDF: "                连云港市人民政府") starts a block.
        let set_apart =
            indent >= SET_APART_INDENT && at_most_chars(line, 20) && !has_sentence_punct(line);
        if let Some(p) = &self.para {
            if !set_apart && self.continues(p, line, marker.is_some()) {
                let p = self.para.as_mut().expect("checked above");
                join_into(&mut p.text, line);
                p.last = line;
                p.last_width = width;
                p.last_marker = marker;
                return;
            }
        }
        self.flush();
        self.para = Some(Para {
            text: line.to_string(),
            last: line,
            last_width: width,
            last_marker: marker,
        });
    }

    fn row(&mut self, cells: Vec<String>) {
        if is_separator_row(&cells) {
            return;
        }
        if self.para.is_some() {
            // A caption-less table starts after a paragraph.
            if let Some(p) = self.para.take() {
                self.blocks.push(Block::Para(p.text));
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
/// `clean`: the lines after `clean_line`; `widths`: their widths.
/// Leading columns of indentation at or beyond which a short line is set
/// apart from the text above it (body text is indented by 0–4).
const SET_APART_INDENT: usize = 12;

/// Leading indentation of a raw line in columns (an ideographic space is two).
fn indent(line: &str) -> usize {
    line.chars()
        .take_while(|c| matches!(c, ' ' | '\u{3000}'))
        .map(|c| if c == ' ' { 1 } else { 2 })
        .sum()
}

fn assemble(
    lines: &[&str],
    clean: &[&str],
    widths: &[usize],
    kinds: &[LineKind],
    geometry: &Geometry,
) -> (Vec<Block>, Vec<usize>) {
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
            LineKind::Text => a.text(clean[i], widths[i], indent(line)),
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
    fn a_unit_note_ends_a_line_a_mention_does_not() {
        for (line, ends) in [
            ("推进路网改造（责任单位：市财政局）", true),
            ("给予支持〔牵头部门：市商务局〕", true),
            ("建立工作机制（责任主体：各县区）", true),
            // A bracket that closes a sentence ends it too.
            ("提高利用率（详见附件。）", true),
            // A label in passing is not a note.
            ("明确牵头单位和工作责任（详见附件）", false),
            ("压实责任（明确牵头单位和责任单位）", false),
        ] {
            assert_eq!(ends_terminal(line), ends, "{line}");
        }
    }

    #[test]
    fn width_counts_wide_chars_twice() {
        let reference =
            |s: &str| -> usize { s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() };
        let piece = "a中，ÿ😀 1２";
        for n in 0..40 {
            let s = piece.repeat(n);
            for cut in s.char_indices().map(|(i, _)| i) {
                assert_eq!(width(&s[cut..]), reference(&s[cut..]), "{:?}", &s[cut..]);
            }
        }
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
