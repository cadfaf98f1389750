//! Renderers of a [`DocumentDiff`]: side-by-side terminal text, Markdown and
//! one self-contained HTML file. Pure: they return strings.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar;

use super::diff::{DocumentDiff, PairDiff, ProvisionRef, SideSummary};
use super::figures::FigureChange;
use super::worddiff::{Op, Span};
use crate::report::html_escape;

/// Terminal columns taken by `s` (CJK and full-width characters take two).
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// Text from a document, safe to print: control characters (escape
/// sequences) dropped, tabs and newlines kept as a space / line break.
fn printable(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter_map(|c| match c {
        '\n' => Some('\n'),
        '\t' | '\r' => Some(' '),
        c if c.is_control() => None,
        c => Some(c),
    })
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// One styled piece of a cell.
struct Piece<'a> {
    op: Op,
    text: &'a str,
}

/// Wrap styled pieces into lines of at most `width` columns. Deleted and
/// inserted text is coloured (`color`) or marked `[-…-]` / `{+…+}`.
fn wrap(pieces: &[Piece], width: usize, color: bool) -> Vec<(String, usize)> {
    let width = width.max(4);
    let mut lines: Vec<(String, usize)> = Vec::new();
    let mut line = String::new();
    let mut used = 0usize;
    let mut style: Option<&str> = None;
    let push_line = |lines: &mut Vec<(String, usize)>,
                     line: &mut String,
                     used: &mut usize,
                     style: Option<&str>| {
        if style.is_some() {
            line.push_str(RESET);
        }
        lines.push((std::mem::take(line), *used));
        *used = 0;
        if let Some(s) = style {
            line.push_str(s);
        }
    };
    for piece in pieces {
        let (open, close, code) = match (piece.op, color) {
            (Op::Equal, _) => ("", "", None),
            (Op::Delete, true) => ("", "", Some(RED)),
            (Op::Insert, true) => ("", "", Some(GREEN)),
            (Op::Delete, false) => ("[-", "-]", None),
            (Op::Insert, false) => ("{+", "+}", None),
        };
        if let Some(c) = code {
            line.push_str(c);
            style = Some(c);
        }
        let chars = open
            .chars()
            .chain(printable(piece.text))
            .chain(close.chars());
        for c in chars {
            if c == '\n' {
                push_line(&mut lines, &mut line, &mut used, style);
                continue;
            }
            let w = char_width(c);
            if used + w > width {
                push_line(&mut lines, &mut line, &mut used, style);
            }
            line.push(c);
            used += w;
        }
        if style.take().is_some() {
            line.push_str(RESET);
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push((line, used));
    }
    lines
}

fn side_by_side(out: &mut String, left: &[(String, usize)], right: &[(String, usize)], col: usize) {
    let empty = (String::new(), 0);
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).unwrap_or(&empty);
        let r = right.get(i).unwrap_or(&empty);
        let pad = col.saturating_sub(l.1);
        let _ = writeln!(out, "{}{} │ {}", l.0, " ".repeat(pad), r.0);
    }
}

fn plain(s: &str) -> String {
    printable(s)
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect()
}

fn figure_line(f: &FigureChange) -> String {
    format!(
        "{} → {}",
        f.a.as_deref().map_or("—".to_string(), plain),
        f.b.as_deref().map_or("—".to_string(), plain)
    )
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The summary table's rows: label and how to read the value of one side.
fn summary_rows() -> [(&'static str, SideValue); 5] {
    [
        ("provisions", |x| x.provisions.to_string()),
        ("matched", |x| x.matched.to_string()),
        ("partly matched", |x| x.partly_matched.to_string()),
        ("unique", |x| x.unique.to_string()),
        ("text reused by the other", |x| pct(x.reused_share)),
    ]
}

type SideValue = fn(&SideSummary) -> String;

fn side_counts(s: &SideSummary) -> String {
    format!(
        "{} provisions: {} matched, {} partly matched, {} unique",
        s.provisions, s.matched, s.partly_matched, s.unique
    )
}

/// Side-by-side text for a terminal `width` columns wide; `color` uses ANSI
/// colours for deleted (red) and inserted (green) words instead of markers.
pub fn text(d: &DocumentDiff, width: usize, color: bool) -> String {
    let width = width.max(40);
    let col = (width - 3) / 2;
    let bold = |s: &str| {
        if color {
            format!("{BOLD}{s}{RESET}")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        bold(&format!("A  {}  {}", d.a.id, plain(&d.a.title)))
    );
    let _ = writeln!(
        out,
        "{}",
        bold(&format!("B  {}  {}", d.b.id, plain(&d.b.title)))
    );
    let s = &d.summary;
    let _ = writeln!(out, "A: {}", side_counts(&s.a));
    let _ = writeln!(out, "B: {}", side_counts(&s.b));
    let _ = writeln!(
        out,
        "{} pairs; B reuses {} of A's text, A reuses {} of B's",
        s.pairs,
        pct(s.a.reused_share),
        pct(s.b.reused_share)
    );
    let _ = writeln!(
        out,
        "threshold {} · policy-diff {}{}",
        d.provenance.threshold,
        d.provenance.version,
        if color {
            ""
        } else {
            " · [-deleted-] {+inserted+}"
        }
    );
    for pair in &d.pairs {
        let rule = format!("── {:.3} ", pair.similarity);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}{}",
            rule,
            "─".repeat(width.saturating_sub(display_width(&rule)))
        );
        let head = |r: &ProvisionRef| {
            let mut lines = wrap(
                &[Piece {
                    op: Op::Equal,
                    text: &r.provision_id,
                }],
                col,
                false,
            );
            lines.extend(wrap(
                &[Piece {
                    op: Op::Equal,
                    text: &r.heading,
                }],
                col,
                false,
            ));
            lines
        };
        let mut left = head(&pair.a);
        let mut right = head(&pair.b);
        if color {
            for l in left.iter_mut().chain(right.iter_mut()) {
                l.0 = format!("{BOLD}{}{RESET}", l.0);
            }
        }
        side_by_side(&mut out, &left, &right, col);
        let a_side: Vec<Piece> = pair
            .diff
            .iter()
            .filter(|s| s.op != Op::Insert)
            .map(|s| Piece {
                op: s.op,
                text: s.a_text(),
            })
            .collect();
        let b_side: Vec<Piece> = pair
            .diff
            .iter()
            .filter(|s| s.op != Op::Delete)
            .map(|s| Piece {
                op: s.op,
                text: s.b_text(),
            })
            .collect();
        side_by_side(
            &mut out,
            &wrap(&a_side, col, color),
            &wrap(&b_side, col, color),
            col,
        );
        if !pair.figures.is_empty() {
            let figs: Vec<String> = pair.figures.iter().map(figure_line).collect();
            let line = format!("figures: {}", figs.join(" · "));
            for (l, _) in wrap(
                &[Piece {
                    op: Op::Equal,
                    text: &line,
                }],
                width,
                color,
            ) {
                let _ = writeln!(
                    out,
                    "{}",
                    if color { format!("{DIM}{l}{RESET}") } else { l }
                );
            }
        }
    }
    for (label, list) in [("A", &d.only_a), ("B", &d.only_b)] {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            bold(&format!("Only in {label} ({}):", list.len()))
        );
        for r in list {
            let _ = writeln!(out, "  {}  {}", r.provision_id, plain(&r.heading));
        }
    }
    out
}

/// Escape for Markdown text (and inline HTML): HTML-escape, then backslash
/// the characters Markdown would interpret.
fn md(s: &str) -> String {
    let escaped = html_escape(&plain(s));
    let mut out = String::with_capacity(escaped.len());
    for c in escaped.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '|' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn md_spans(spans: &[Span], side: Op) -> String {
    let mut out = String::new();
    for s in spans {
        match (s.op, side) {
            (Op::Equal, Op::Delete) => out.push_str(&md(s.a_text())),
            (Op::Equal, _) => out.push_str(&md(s.b_text())),
            (Op::Delete, Op::Delete) => {
                let _ = write!(out, "<del>{}</del>", md(&s.text));
            }
            (Op::Insert, Op::Insert) => {
                let _ = write!(out, "<ins>{}</ins>", md(&s.text));
            }
            _ => {}
        }
    }
    out
}

fn md_figures(figs: &[FigureChange]) -> String {
    figs.iter()
        .map(|f| md(&figure_line(f)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A readable Markdown report: summary, a table of pairs, each pair's word
/// diff (`<del>`/`<ins>`), what only one side has, provenance.
pub fn markdown(d: &DocumentDiff) -> String {
    let mut out = String::new();
    let s = &d.summary;
    let _ = writeln!(out, "# Diff: {} ↔ {}\n", md(&d.a.title), md(&d.b.title));
    let _ = writeln!(out, "| | A | B |\n|---|---|---|");
    let _ = writeln!(
        out,
        "| document | `{}` {} | `{}` {} |",
        md(&d.a.id),
        md(&d.a.title),
        md(&d.b.id),
        md(&d.b.title)
    );
    for (label, f) in summary_rows() {
        let _ = writeln!(out, "| {label} | {} | {} |", f(&s.a), f(&s.b));
    }
    let topics: std::collections::BTreeSet<&String> =
        s.a.by_topic.keys().chain(s.b.by_topic.keys()).collect();
    if !topics.is_empty() {
        let _ = writeln!(out, "\n## By topic (matched / partly matched / unique)\n");
        let _ = writeln!(out, "| topic | A | B |\n|---|---|---|");
        let cell = |side: &super::diff::SideSummary, t: &String| match side.by_topic.get(t) {
            Some(c) => format!("{} / {} / {}", c.matched, c.partly_matched, c.unique),
            None => "—".to_string(),
        };
        for t in topics {
            let _ = writeln!(out, "| {} | {} | {} |", md(t), cell(&s.a, t), cell(&s.b, t));
        }
    }
    let _ = writeln!(out, "\n## Pairs ({})\n", d.pairs.len());
    let _ = writeln!(
        out,
        "| # | A | B | similarity | changed figures |\n|---|---|---|---|---|"
    );
    for (i, p) in d.pairs.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} `{}` | {} `{}` | {:.3} | {} |",
            i + 1,
            md(&p.a.heading),
            md(&p.a.provision_id),
            md(&p.b.heading),
            md(&p.b.provision_id),
            p.similarity,
            md_figures(&p.figures)
        );
    }
    for (i, p) in d.pairs.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n### Pair {}: {} ↔ {}\n",
            i + 1,
            md(&p.a.heading),
            md(&p.b.heading)
        );
        let _ = writeln!(out, "similarity {:.3}\n", p.similarity);
        let _ = writeln!(
            out,
            "**A** `{}`: {}\n",
            md(&p.a.provision_id),
            md_spans(&p.diff, Op::Delete)
        );
        let _ = writeln!(
            out,
            "**B** `{}`: {}",
            md(&p.b.provision_id),
            md_spans(&p.diff, Op::Insert)
        );
        if !p.figures.is_empty() {
            let _ = writeln!(out, "\n| figure | A | B |\n|---|---|---|");
            for f in &p.figures {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    md(&format!("{:?}", f.kind).to_lowercase()),
                    md(f.a.as_deref().unwrap_or("—")),
                    md(f.b.as_deref().unwrap_or("—"))
                );
            }
        }
    }
    for (label, list) in [("A", &d.only_a), ("B", &d.only_b)] {
        let _ = writeln!(out, "\n## Only in {label} ({})\n", list.len());
        for r in list {
            let _ = writeln!(out, "- `{}` {}", md(&r.provision_id), md(&r.heading));
        }
    }
    provenance_md(&mut out, d);
    out
}

fn provenance_md(out: &mut String, d: &DocumentDiff) {
    let p = &d.provenance;
    let _ = writeln!(out, "\n## Provenance\n");
    let _ = writeln!(out, "- {} {}", p.tool, p.version);
    let _ = writeln!(out, "- A `{}`: {}", md(&d.a.id), md(&p.a_hash));
    let _ = writeln!(out, "- B `{}`: {}", md(&d.b.id), md(&p.b_hash));
    let _ = writeln!(
        out,
        "- threshold {}, split threshold {}, matched at ≥ {}, IDF over {} provisions",
        p.threshold, p.split_threshold, p.close_threshold, p.idf_provisions
    );
    let _ = writeln!(out, "- {}", md(p.method));
}

const CSS: &str = "body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;margin:2em;line-height:1.6;color:#222}\
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:left}\
td.text{width:50%;white-space:pre-wrap}del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}\
.sim{color:#555;font-size:.9em}.id{font-family:monospace;color:#555;font-size:.85em}section{margin-top:2em}\
h2{border-bottom:1px solid #ccc}";

fn h(s: &str) -> String {
    html_escape(s)
}

fn html_spans(spans: &[Span], side: Op) -> String {
    let mut out = String::new();
    for s in spans {
        match (s.op, side) {
            (Op::Equal, Op::Delete) => out.push_str(&h(s.a_text())),
            (Op::Equal, _) => out.push_str(&h(s.b_text())),
            (Op::Delete, Op::Delete) => {
                let _ = write!(out, "<del>{}</del>", h(&s.text));
            }
            (Op::Insert, Op::Insert) => {
                let _ = write!(out, "<ins>{}</ins>", h(&s.text));
            }
            _ => {}
        }
    }
    out
}

fn html_pair(out: &mut String, i: usize, p: &PairDiff) {
    let _ = writeln!(out, "<section id=\"pair-{}\">", i + 1);
    let _ = writeln!(
        out,
        "<h3>Pair {}: {} ↔ {} <span class=\"sim\">similarity {:.3}</span></h3>",
        i + 1,
        h(&p.a.heading),
        h(&p.b.heading),
        p.similarity
    );
    let _ = writeln!(out, "<table><tr><th><span class=\"id\">{}</span></th><th><span class=\"id\">{}</span></th></tr>", h(&p.a.provision_id), h(&p.b.provision_id));
    let _ = writeln!(
        out,
        "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td></tr></table>",
        html_spans(&p.diff, Op::Delete),
        html_spans(&p.diff, Op::Insert)
    );
    if !p.figures.is_empty() {
        let _ = writeln!(
            out,
            "<table class=\"figures\"><tr><th>figure</th><th>A</th><th>B</th></tr>"
        );
        for f in &p.figures {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                h(&format!("{:?}", f.kind).to_lowercase()),
                h(f.a.as_deref().unwrap_or("—")),
                h(f.b.as_deref().unwrap_or("—"))
            );
        }
        let _ = writeln!(out, "</table>");
    }
    let _ = writeln!(out, "</section>");
}

/// One self-contained HTML file: two columns per pair, deletions in `<del>`,
/// insertions in `<ins>`, every document string escaped.
pub fn html(d: &DocumentDiff) -> String {
    let mut out = String::new();
    let s = &d.summary;
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">"
    );
    let _ = writeln!(out, "<title>{} ↔ {}</title>", h(&d.a.title), h(&d.b.title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<h1>{} ↔ {}</h1>", h(&d.a.title), h(&d.b.title));
    let _ = writeln!(
        out,
        "<table class=\"summary\"><tr><th></th><th>A</th><th>B</th></tr>"
    );
    let _ = writeln!(
        out,
        "<tr><td>document</td><td><span class=\"id\">{}</span> {}</td><td><span class=\"id\">{}</span> {}</td></tr>",
        h(&d.a.id),
        h(&d.a.title),
        h(&d.b.id),
        h(&d.b.title)
    );
    for (label, f) in summary_rows() {
        let _ = writeln!(
            out,
            "<tr><td>{label}</td><td>{}</td><td>{}</td></tr>",
            f(&s.a),
            f(&s.b)
        );
    }
    let _ = writeln!(out, "</table>");
    let _ = writeln!(out, "<h2>Pairs ({})</h2>", d.pairs.len());
    for (i, p) in d.pairs.iter().enumerate() {
        html_pair(&mut out, i, p);
    }
    for (label, list) in [("A", &d.only_a), ("B", &d.only_b)] {
        let _ = writeln!(out, "<h2>Only in {label} ({})</h2>", list.len());
        let _ = writeln!(out, "<table>");
        for r in list {
            let _ = writeln!(
                out,
                "<tr><td><span class=\"id\">{}</span><br>{}</td><td>{}</td></tr>",
                h(&r.provision_id),
                h(&r.heading),
                h(&r.text)
            );
        }
        let _ = writeln!(out, "</table>");
    }
    let p = &d.provenance;
    let _ = writeln!(out, "<h2>Provenance</h2>\n<ul>");
    let _ = writeln!(out, "<li>{} {}</li>", h(p.tool), h(p.version));
    let _ = writeln!(
        out,
        "<li>A <span class=\"id\">{}</span>: {}</li>",
        h(&d.a.id),
        h(&p.a_hash)
    );
    let _ = writeln!(
        out,
        "<li>B <span class=\"id\">{}</span>: {}</li>",
        h(&d.b.id),
        h(&p.b_hash)
    );
    let _ = writeln!(
        out,
        "<li>threshold {}, split threshold {}, matched at ≥ {}, IDF over {} provisions</li>",
        p.threshold, p.split_threshold, p.close_threshold, p.idf_provisions
    );
    let _ = writeln!(out, "<li>{}</li>\n</ul>", h(p.method));
    let _ = writeln!(out, "</body>\n</html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("开发区"), 6);
        assert_eq!(display_width("（一）"), 6);
        assert_eq!(display_width("3—4个"), 5);
        assert_eq!(display_width("ＡＢ"), 4);
    }

    #[test]
    fn wrapping_respects_double_width() {
        let pieces = [Piece {
            op: Op::Equal,
            text: "提升开发区本质安全水平",
        }];
        let lines = wrap(&pieces, 9, false);
        // 4 CJK chars (8 columns) per line; never 9 columns of a split char.
        assert!(lines.iter().all(|(_, w)| *w <= 9));
        assert_eq!(lines[0].0, "提升开发");
        let joined: String = lines.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(joined, "提升开发区本质安全水平");
    }

    #[test]
    fn markers_without_colour_and_no_escapes_from_text() {
        let pieces = [
            Piece {
                op: Op::Equal,
                text: "提高",
            },
            Piece {
                op: Op::Delete,
                text: "土地\x1b[2J",
            },
        ];
        let lines = wrap(&pieces, 40, false);
        assert_eq!(lines[0].0, "提高[-土地[2J-]");
        let coloured = wrap(&pieces, 40, true);
        assert!(coloured[0].0.contains(RED) && coloured[0].0.ends_with(RESET));
        assert_eq!(coloured[0].0.matches('\x1b').count(), 2);
    }

    #[test]
    fn markdown_escapes() {
        assert_eq!(md("a|b*c<d>"), "a\\|b\\*c&lt;d&gt;");
    }
}
