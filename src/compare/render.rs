//! Renderers of a [`DocumentDiff`]: side-by-side terminal text, Markdown and
//! one self-contained HTML file. Pure: they return strings.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar;

use super::clauses::LinkKind;
use super::diff::{ClauseLink, DocumentDiff, PairDiff, ProvisionRef, SideSummary};
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
fn summary_rows() -> [(&'static str, SideValue); 9] {
    [
        ("measures (clauses)", |x| x.clauses.clauses.to_string()),
        ("measures matched", |x| x.clauses.matched.to_string()),
        ("measures related only", |x| x.clauses.related.to_string()),
        ("measures unique", |x| x.clauses.unique.to_string()),
        ("provisions", |x| x.provisions.to_string()),
        ("provisions paired", |x| {
            (x.matched + x.partly_matched).to_string()
        }),
        ("provisions matched ≥ 0.6", |x| x.matched.to_string()),
        ("provisions unique", |x| x.unique.to_string()),
        ("text reused by the other", |x| pct(x.reused_share)),
    ]
}

type SideValue = fn(&SideSummary) -> String;

fn side_counts(s: &SideSummary) -> (String, String) {
    (
        format!(
            "{} (clauses): {} matched, {} related only, {} unique",
            crate::report::count(s.clauses.clauses, "measure"),
            s.clauses.matched,
            s.clauses.related,
            s.clauses.unique
        ),
        format!(
            "{}: {} paired, {} unique",
            crate::report::count(s.provisions, "provision"),
            s.matched + s.partly_matched,
            s.unique
        ),
    )
}

/// `verbatim 0.920  9.1 ↔ 18.2`
fn link_label(c: &ClauseLink) -> String {
    format!(
        "{} {:.3}  {} ↔ {}",
        c.kind.as_str(),
        c.similarity,
        clause_suffix(&c.a),
        clause_suffix(&c.b)
    )
}

/// The clause number part of a clause id (`9.1` of `lyg-2022-32:9.1`).
fn clause_suffix(id: &str) -> &str {
    id.rsplit_once(':').map_or(id, |(_, n)| n)
}

/// The two sides of a link as styled pieces: word diff inside parallel
/// links, plain text for related ones.
fn link_pieces(c: &ClauseLink) -> (Vec<Piece<'_>>, Vec<Piece<'_>>) {
    if c.diff.is_empty() {
        return (
            vec![Piece {
                op: Op::Equal,
                text: &c.a_text,
            }],
            vec![Piece {
                op: Op::Equal,
                text: &c.b_text,
            }],
        );
    }
    let a = c
        .diff
        .iter()
        .filter(|s| s.op != Op::Insert)
        .map(|s| Piece {
            op: s.op,
            text: s.a_text(),
        })
        .collect();
    let b = c
        .diff
        .iter()
        .filter(|s| s.op != Op::Delete)
        .map(|s| Piece {
            op: s.op,
            text: s.b_text(),
        })
        .collect();
    (a, b)
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
    for (label, side) in [("A", &s.a), ("B", &s.b)] {
        let (measures, provisions) = side_counts(side);
        let _ = writeln!(out, "{label}: {measures}");
        let _ = writeln!(out, "   {provisions}");
    }
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
        for c in &pair.clauses {
            let label = format!("  ╌ {} ", link_label(c));
            let _ = writeln!(
                out,
                "{}",
                if color {
                    format!("{DIM}{label}{RESET}")
                } else {
                    label
                }
            );
            let (a_side, b_side) = link_pieces(c);
            side_by_side(
                &mut out,
                &wrap(&a_side, col, color),
                &wrap(&b_side, col, color),
                col,
            );
        }
        if !pair.a_unlinked.is_empty() || !pair.b_unlinked.is_empty() {
            let _ = writeln!(out, "  ╌ one side only");
            let one_side = |list: &[super::diff::ClauseText]| {
                let mut lines = vec![];
                for c in list {
                    let t = format!("[{}] {}", clause_suffix(&c.id), c.text);
                    lines.extend(wrap(
                        &[Piece {
                            op: Op::Equal,
                            text: &t,
                        }],
                        col,
                        false,
                    ));
                }
                lines
            };
            side_by_side(
                &mut out,
                &one_side(&pair.a_unlinked),
                &one_side(&pair.b_unlinked),
                col,
            );
        }
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
    if !d.related.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            bold(&format!(
                "Related, not parallel ({}): same subject, likely different measures",
                d.related.len()
            ))
        );
        for r in &d.related {
            let _ = writeln!(out, "  ╌ {}", link_label(&r.clause));
            let (a, b) = link_pieces(&r.clause);
            side_by_side(&mut out, &wrap(&a, col, color), &wrap(&b, col, color), col);
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

/// Text for one line of Markdown: printable (`plain`), then
/// `report::md_inline` (backslashes, no HTML entities).
fn md(s: &str) -> String {
    crate::report::md_inline(&plain(s))
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
        let _ = writeln!(
            out,
            "similarity {:.3} · A `{}` · B `{}`\n",
            p.similarity,
            md(&p.a.provision_id),
            md(&p.b.provision_id)
        );
        let _ = writeln!(out, "| link | A | B |\n|---|---|---|");
        for c in &p.clauses {
            let (a, b) = if c.diff.is_empty() {
                (md(&c.a_text), md(&c.b_text))
            } else {
                (md_spans(&c.diff, Op::Delete), md_spans(&c.diff, Op::Insert))
            };
            let _ = writeln!(out, "| {} | {a} | {b} |", md(&link_label(c)));
        }
        for c in &p.a_unlinked {
            let _ = writeln!(
                out,
                "| A only `{}` | {} | |",
                md(clause_suffix(&c.id)),
                md(&c.text)
            );
        }
        for c in &p.b_unlinked {
            let _ = writeln!(
                out,
                "| B only `{}` | | {} |",
                md(clause_suffix(&c.id)),
                md(&c.text)
            );
        }
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
    if !d.related.is_empty() {
        let _ = writeln!(
            out,
            "\n## Related, not parallel ({})\n\n| similarity | A | B |\n|---|---|---|",
            d.related.len()
        );
        for r in &d.related {
            let _ = writeln!(
                out,
                "| {:.3} | `{}` {} | `{}` {} |",
                r.clause.similarity,
                md(&r.clause.a),
                md(&r.clause.a_text),
                md(&r.clause.b),
                md(&r.clause.b_text)
            );
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
        "- link threshold {}, related ≥ {}, ratio {}, provisions matched at ≥ {}; IDF over the {} clauses of the two documents and a background model ({})",
        p.threshold, p.related_threshold, p.ratio, p.close_threshold, p.idf_clauses, md(&p.background)
    );
    let _ = writeln!(out, "- {}", md(p.method));
}

const CSS: &str = "body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;margin:2em;line-height:1.6;color:#222}\
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:left}\
td.text{width:50%;white-space:pre-wrap}del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}\
.sim{color:#555;font-size:.9em}.id{font-family:monospace;color:#555;font-size:.85em}section{margin-top:2em}\
h2{border-bottom:1px solid #ccc}td.k{width:9em;font-size:.85em;color:#555;white-space:nowrap}\
td.text{width:45%}tr.l0 td{border-left:4px solid #4e79a7}tr.l1 td{border-left:4px solid #f28e2b}tr.l2 td{border-left:4px solid #59a14f}\
tr.l3 td{border-left:4px solid #b07aa1}tr.l4 td{border-left:4px solid #edc948}tr.l5 td{border-left:4px solid #76b7b2}\
tr.l0 td.text{background:#eef3f9}tr.l1 td.text{background:#fdf2e7}tr.l2 td.text{background:#eef6ed}tr.l3 td.text{background:#f6eff4}\
tr.l4 td.text{background:#fcf8e6}tr.l5 td.text{background:#eef7f6}tr.related td{color:#666;font-style:italic}tr.only td{color:#888}";

/// Link colours in the HTML report (one per link of a pair, cycling).
const PALETTE: usize = 6;

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
    let _ = writeln!(out, "<table class=\"links\"><tr><th class=\"k\">link</th><th><span class=\"id\">{}</span></th><th><span class=\"id\">{}</span></th></tr>", h(&p.a.provision_id), h(&p.b.provision_id));
    for (k, c) in p.clauses.iter().enumerate() {
        let (a, b) = if c.diff.is_empty() {
            (h(&c.a_text), h(&c.b_text))
        } else {
            (
                html_spans(&c.diff, Op::Delete),
                html_spans(&c.diff, Op::Insert),
            )
        };
        let class = match c.kind {
            LinkKind::Related => "related".to_string(),
            _ => format!("l{}", k % PALETTE),
        };
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><td class=\"k\">{}</td><td class=\"text\">{a}</td><td class=\"text\">{b}</td></tr>",
            h(&link_label(c))
        );
    }
    for c in &p.a_unlinked {
        let _ = writeln!(
            out,
            "<tr class=\"only\"><td class=\"k\">A only {}</td><td class=\"text\">{}</td><td></td></tr>",
            h(clause_suffix(&c.id)),
            h(&c.text)
        );
    }
    for c in &p.b_unlinked {
        let _ = writeln!(
            out,
            "<tr class=\"only\"><td class=\"k\">B only {}</td><td></td><td class=\"text\">{}</td></tr>",
            h(clause_suffix(&c.id)),
            h(&c.text)
        );
    }
    let _ = writeln!(out, "</table>");
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
    if !d.related.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Related, not parallel ({})</h2>\n<table>",
            d.related.len()
        );
        for r in &d.related {
            let _ = writeln!(
                out,
                "<tr class=\"related\"><td class=\"k\">{:.3}</td><td class=\"text\"><span class=\"id\">{}</span> {}</td><td class=\"text\"><span class=\"id\">{}</span> {}</td></tr>",
                r.clause.similarity,
                h(&r.clause.a),
                h(&r.clause.a_text),
                h(&r.clause.b),
                h(&r.clause.b_text)
            );
        }
        let _ = writeln!(out, "</table>");
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
        "<li>link threshold {}, related ≥ {}, ratio {}, provisions matched at ≥ {}; IDF over the {} clauses of the two documents and a background model ({})</li>",
        p.threshold, p.related_threshold, p.ratio, p.close_threshold, p.idf_clauses, h(&p.background)
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
        assert_eq!(md("a|b*c<d>"), "a\\|b\\*c\\<d>");
    }
}
