//! One self-contained HTML file: the columns side by side (one table row per
//! aligned group), the row's sentences highlighted, figures and topic evidence per
//! provision, citations, a topic × column coverage heatmap and the
//! provenance. No scripts, no external resources; every string that comes
//! from a document or the catalog goes through [`html_escape`].

use std::fmt::Write as _;

use super::markdown::NO_COUNTERPART;
use super::marks::pieces;
use super::{figure_list, Cell, Row, TopicComparison};
use crate::report::html_escape;

const CSS: &str = "\
body{font-family:system-ui,'Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif;margin:1.5em;line-height:1.6;color:#222}\
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:left}\
table.compare{width:100%;table-layout:fixed}table.compare thead th{position:sticky;top:0;background:#f4f4f4;z-index:1}\
table.compare th.rowh,table.compare td.rowh{width:14em}\
td.rowh .n{display:inline-block;min-width:1.6em;font-weight:bold;color:#555}td.rowh .label{font-weight:bold}\
.sim,.cite,.ev,.fig,.id{color:#555;font-size:.85em}.id{font-family:monospace}\
td.none{color:#999;font-style:italic;background:#fafafa}\
.prov+.prov{border-top:1px dashed #ccc;margin-top:.6em;padding-top:.6em}.prov .head{font-weight:bold}\
.prov .text{white-space:pre-wrap;margin-top:.3em}mark{background:#fff3a8;padding:0 1px}\
.terms mark{font-size:.9em}.ev .term{background:#e8f0fe;border-radius:3px;padding:0 3px;margin-right:2px}\
table.heat td.n{text-align:right;min-width:4em}table.heat tr.current td,table.heat tr.current th{font-weight:bold;outline:2px solid #d62728}\
ul.prov-list{font-size:.9em}";

fn h(s: &str) -> String {
    html_escape(s)
}

fn text_with_marks(c: &Cell) -> String {
    let mut out = String::new();
    for (shared, piece) in pieces(&c.text, &c.marks) {
        if shared {
            let _ = write!(out, "<mark>{}</mark>", h(piece));
        } else {
            out.push_str(&h(piece));
        }
    }
    out
}

fn provision(out: &mut String, c: &Cell) {
    let _ = writeln!(out, "<div class=\"prov\">");
    let _ = writeln!(out, "<div class=\"head\">{}</div>", h(&c.heading_short()));
    let _ = writeln!(
        out,
        "<div class=\"cite\"><span class=\"id\">{}</span> · {}</div>",
        h(&c.provision_id),
        h(&c.citation)
    );
    let ev: Vec<String> = c
        .evidence
        .iter()
        .map(|e| format!("<span class=\"term\">{}</span>", h(e)))
        .collect();
    let _ = writeln!(
        out,
        "<div class=\"ev\">topic score {:.2} · evidence: {}</div>",
        c.score,
        ev.join(" ")
    );
    let _ = writeln!(
        out,
        "<div class=\"fig\">figures: {}</div>",
        h(&figure_list(&c.figures))
    );
    let _ = writeln!(out, "<div class=\"text\">{}</div>", text_with_marks(c));
    let _ = writeln!(out, "</div>");
}

fn row(out: &mut String, i: usize, r: &Row, columns: &[String]) {
    let _ = writeln!(out, "<tr id=\"row-{}\">", i + 1);
    let _ = write!(
        out,
        "<td class=\"rowh\"><span class=\"n\">{}</span> <span class=\"label\">{}</span><br>",
        i + 1,
        h(&r.label)
    );
    if r.columns_covered > 1 {
        let _ = write!(
            out,
            "<span class=\"sim\">similarity {:.3} · {} of {} columns</span>",
            r.similarity,
            r.columns_covered,
            columns.len()
        );
    } else {
        let _ = write!(out, "<span class=\"sim\">no counterpart</span>");
    }
    if !r.shared_terms.is_empty() {
        let terms: Vec<String> = r
            .shared_terms
            .iter()
            .map(|t| format!("<mark>{}</mark>", h(t)))
            .collect();
        let _ = write!(
            out,
            "<div class=\"terms sim\">shared: {}</div>",
            terms.join(" ")
        );
    }
    let _ = writeln!(out, "</td>");
    for col in columns {
        let cells = r.cells.get(col);
        if cells.is_empty() {
            let _ = writeln!(out, "<td class=\"none\">{}</td>", h(NO_COUNTERPART));
            continue;
        }
        let _ = writeln!(out, "<td>");
        for c in cells {
            provision(out, c);
        }
        let _ = writeln!(out, "</td>");
    }
    let _ = writeln!(out, "</tr>");
}

fn heatmap(out: &mut String, c: &TopicComparison) {
    let hm = &c.coverage;
    let max = hm
        .topics
        .iter()
        .flat_map(|t| t.counts.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let _ = writeln!(out, "<h2>Coverage: provisions per topic</h2>");
    let _ = writeln!(out, "<table class=\"heat\"><thead><tr><th>topic</th>");
    for col in &hm.columns {
        let _ = write!(out, "<th>{}</th>", h(col));
    }
    let _ = writeln!(out, "</tr></thead><tbody>");
    for t in &hm.topics {
        let class = if t.id == c.topic.id {
            " class=\"current\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr{class}><th>{} <span class=\"id\">{}</span></th>",
            h(&t.label),
            h(&t.id)
        );
        for &n in &t.counts {
            let alpha = n as f64 / max as f64 * 0.85;
            let color = if alpha > 0.5 { "#fff" } else { "#222" };
            let _ = write!(
                out,
                "<td class=\"n\" style=\"background:rgba(31,119,180,{alpha:.2});color:{color}\">{n}</td>"
            );
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = write!(out, "<tr><th>(substantive provisions)</th>");
    for n in &hm.provisions {
        let _ = write!(out, "<td class=\"n\">{n}</td>");
    }
    let _ = writeln!(out, "</tr></tbody></table>");
}

fn provenance(out: &mut String, c: &TopicComparison) {
    let p = &c.provenance;
    let _ = writeln!(out, "<h2>Provenance</h2>\n<ul class=\"prov-list\">");
    for line in p.settings() {
        let _ = writeln!(out, "<li>{}</li>", h(&line));
    }
    let _ = writeln!(out, "<li>documents:<ul>");
    for d in &p.documents {
        let _ = writeln!(
            out,
            "<li><span class=\"id\">{}</span> 《{}》 {} ({}) <span class=\"id\">{}</span></li>",
            h(&d.id),
            h(&d.title),
            h(&d.doc_number),
            h(&d.column),
            h(&d.hash)
        );
    }
    let _ = writeln!(out, "</ul></li>\n</ul>");
}

/// The HTML report (one self-contained file).
pub fn html(c: &TopicComparison) -> String {
    let mut out = String::new();
    let title = format!("Compare: {} ({})", c.topic.label, c.topic.id);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    );
    let _ = writeln!(out, "<title>{}</title>", h(&title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(
        out,
        "<h1>Compare: {} / {} <span class=\"id\">{}</span></h1>",
        h(&c.topic.label),
        h(&c.topic.label_en),
        h(&c.topic.id)
    );
    let _ = writeln!(
        out,
        "<p>{} · one column per {}. A row is one measure: <mark>highlighted</mark> are the sentences that state it in each provision (a long provision may be in several rows); in a provision without counterpart, the phrases it shares.</p>",
        h(&c.topic.description),
        h(&c.scope())
    );
    let _ = writeln!(
        out,
        "<table class=\"compare\">\n<thead><tr><th class=\"rowh\">row</th>"
    );
    for info in &c.column_info {
        let _ = writeln!(
            out,
            "<th>{}<br><span class=\"sim\">{} provision{} · {}</span></th>",
            h(&info.label),
            info.provisions,
            if info.provisions == 1 { "" } else { "s" },
            h(&info.documents.join(", "))
        );
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for (i, r) in c.rows.iter().enumerate() {
        row(&mut out, i, r, &c.columns);
    }
    if c.rows.is_empty() {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"{}\">No provision of these documents is on this topic.</td></tr>",
            c.columns.len() + 1
        );
    }
    let _ = writeln!(out, "</tbody></table>");
    heatmap(&mut out, c);
    provenance(&mut out, c);
    let _ = writeln!(out, "</body>\n</html>");
    out
}
