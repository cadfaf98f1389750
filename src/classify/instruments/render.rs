//! The instruments report as text, Markdown, HTML (tables and a stacked bar
//! of family shares per column, inline SVG) and CSV (long format: one row
//! per column × instrument × topic, for pivot tables). JSON is the
//! [`Report`](super::Report) serialized.

use std::fmt::Write as _;

use super::Report;
use crate::report::{csv_safe, html_escape, md_inline};

fn label_of<'r>(r: &'r Report, instrument: &'r str) -> &'r str {
    r.framework
        .instruments
        .iter()
        .find(|(id, _, _)| id == instrument)
        .map_or(instrument, |(_, _, l)| l.as_str())
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Rows of the main table: (instrument id, label, per-column counts).
fn rows(r: &Report) -> Vec<(String, String, Vec<usize>)> {
    r.framework
        .instruments
        .iter()
        .map(|(id, _, label)| {
            let counts = r
                .columns
                .iter()
                .map(|c| c.instruments.get(id).copied().unwrap_or(0))
                .collect();
            (id.clone(), label.clone(), counts)
        })
        .collect()
}

fn summary_line(r: &Report) -> String {
    let clauses: usize = r.columns.iter().map(|c| c.clauses).sum();
    let uncoded: usize = r.columns.iter().map(|c| c.uncoded).sum();
    format!(
        "{} ({}) · {} · {} left uncoded (no measure stated, or no instrument reaches {}) · one column per {}",
        r.framework.label,
        r.framework.version,
        crate::report::count(clauses, "clause"),
        uncoded,
        r.threshold,
        r.by
    )
}

/// Plain text for a terminal.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", summary_line(r));
    let _ = write!(out, "{:<24}", "instrument");
    for c in &r.columns {
        let _ = write!(out, "\t{}", c.name);
    }
    let _ = writeln!(out);
    for (id, label, counts) in rows(r) {
        let _ = write!(out, "{:<24}", format!("{id} {label}"));
        for n in counts {
            let _ = write!(out, "\t{n}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out);
    for (fid, flabel) in &r.framework.families {
        let _ = write!(out, "{:<24}", format!("{fid} {flabel} share"));
        for c in &r.columns {
            let share = c.families.get(fid).map_or(0.0, |f| f.share);
            let _ = write!(out, "\t{}", pct(share));
        }
        let _ = writeln!(out);
    }
    let _ = write!(out, "{:<24}", "uncoded clauses");
    for c in &r.columns {
        let _ = write!(out, "\t{} of {}", c.uncoded, c.clauses);
    }
    let _ = writeln!(out);
    out
}

/// Markdown: the instrument × column table with family shares, then the
/// instrument × topic table.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Policy instruments\n\n{}\n",
        md_inline(&summary_line(r))
    );
    let _ = writeln!(out, "## Instruments per {}\n", r.by);
    let mut header = "| instrument |".to_string();
    let mut rule = "|---|".to_string();
    for c in &r.columns {
        let _ = write!(header, " {} |", md_inline(&c.name));
        rule.push_str("---:|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for (id, label, counts) in rows(r) {
        let mut line = format!("| {} `{}` |", md_inline(&label), md_inline(&id));
        for n in counts {
            let _ = write!(line, " {n} |");
        }
        let _ = writeln!(out, "{line}");
    }
    for (fid, flabel) in &r.framework.families {
        let mut line = format!("| **{} share** |", md_inline(flabel));
        for c in &r.columns {
            let f = c.families.get(fid);
            let _ = write!(
                line,
                " {} ({}) |",
                pct(f.map_or(0.0, |f| f.share)),
                f.map_or(0, |f| f.count)
            );
        }
        let _ = writeln!(out, "{line}");
    }
    let mut line = "| uncoded clauses |".to_string();
    for c in &r.columns {
        let _ = write!(line, " {} of {} |", c.uncoded, c.clauses);
    }
    let _ = writeln!(out, "{line}");
    cross_markdown(&mut out, r);
    out
}

fn cross_markdown(out: &mut String, r: &Report) {
    let used: Vec<usize> = (0..r.cross.topics.len())
        .filter(|&k| r.cross.counts.values().any(|v| v[k] > 0))
        .collect();
    let _ = writeln!(out, "\n## Instruments × topics\n");
    let mut header = "| instrument |".to_string();
    let mut rule = "|---|".to_string();
    for &k in &used {
        let _ = write!(header, " {} |", md_inline(&r.cross.topics[k]));
        rule.push_str("---:|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for (id, _, label) in &r.framework.instruments {
        let counts = &r.cross.counts[id];
        let mut line = format!("| {} |", md_inline(label));
        for &k in &used {
            let _ = write!(line, " {} |", counts[k]);
        }
        let _ = writeln!(out, "{line}");
    }
}

/// Colours of the families in the bars (cycled).
const PALETTE: [&str; 6] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1",
];

/// One self-contained HTML page: the bars, the tables.
pub fn html(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Policy instruments</title>\n<style>body{{font-family:system-ui,\"PingFang SC\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;line-height:1.6;margin:1.5rem auto;max-width:72rem;padding:0 1rem}}table{{border-collapse:collapse;margin:1rem 0}}th,td{{border:1px solid #ccc;padding:.25rem .5rem}}td.n{{text-align:right}}.legend span{{display:inline-block;width:.9rem;height:.9rem;margin:0 .3rem 0 1rem;vertical-align:middle}}</style></head><body>"
    );
    let _ = writeln!(
        out,
        "<h1>Policy instruments</h1>\n<p>{}</p>",
        html_escape(&summary_line(r))
    );
    // Stacked bars: one per column, family shares.
    let bar_h = 22;
    let label_w = 220;
    let width = 640;
    let height = r.columns.len() * (bar_h + 8) + 8;
    let _ = writeln!(
        out,
        "<svg role=\"img\" aria-label=\"family shares per column\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">",
        label_w + width,
        label_w + width
    );
    for (n, c) in r.columns.iter().enumerate() {
        let y = 8 + n * (bar_h + 8);
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>",
            label_w - 8,
            y + bar_h - 6,
            html_escape(&c.name)
        );
        let mut x = label_w as f64;
        for (k, (fid, flabel)) in r.framework.families.iter().enumerate() {
            let share = c.families.get(fid).map_or(0.0, |f| f.share);
            let w = share * width as f64;
            if w > 0.0 {
                let _ = writeln!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bar_h}\" fill=\"{}\"><title>{} {}</title></rect>",
                    PALETTE[k % PALETTE.len()],
                    html_escape(flabel),
                    pct(share)
                );
            }
            x += w;
        }
    }
    let _ = writeln!(out, "</svg>\n<p class=\"legend\">");
    for (k, (_, flabel)) in r.framework.families.iter().enumerate() {
        let _ = write!(
            out,
            "<span style=\"background:{}\"></span>{}",
            PALETTE[k % PALETTE.len()],
            html_escape(flabel)
        );
    }
    let _ = writeln!(
        out,
        "</p>\n<h2>Instruments per {}</h2>\n<table><thead><tr><th>instrument</th>",
        html_escape(&r.by)
    );
    for c in &r.columns {
        let _ = write!(out, "<th>{}</th>", html_escape(&c.name));
    }
    let _ = writeln!(out, "</tr></thead><tbody>");
    for (id, label, counts) in rows(r) {
        let _ = write!(
            out,
            "<tr><td>{} <code>{}</code></td>",
            html_escape(&label),
            html_escape(&id)
        );
        for n in counts {
            let _ = write!(out, "<td class=\"n\">{n}</td>");
        }
        let _ = writeln!(out, "</tr>");
    }
    for (fid, flabel) in &r.framework.families {
        let _ = write!(out, "<tr><th>{} share</th>", html_escape(flabel));
        for c in &r.columns {
            let share = c.families.get(fid).map_or(0.0, |f| f.share);
            let _ = write!(out, "<td class=\"n\">{}</td>", pct(share));
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table>");
    let _ = writeln!(
        out,
        "<h2>Instruments × topics</h2>\n<table><thead><tr><th>instrument</th>"
    );
    let used: Vec<usize> = (0..r.cross.topics.len())
        .filter(|&k| r.cross.counts.values().any(|v| v[k] > 0))
        .collect();
    for &k in &used {
        let _ = write!(out, "<th>{}</th>", html_escape(&r.cross.topics[k]));
    }
    let _ = writeln!(out, "</tr></thead><tbody>");
    for (id, _, _) in &r.framework.instruments {
        let _ = write!(out, "<tr><td>{}</td>", html_escape(label_of(r, id)));
        for &k in &used {
            let _ = write!(out, "<td class=\"n\">{}</td>", r.cross.counts[id][k]);
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table>\n</body></html>");
    out
}

/// CSV, long format: `column,instrument,family,label,codes,family_share`
/// per column and instrument, then `topic,instrument,…` rows of the cross
/// table with `column` = `(all)`. Every cell made safe for spreadsheets.
pub fn csv<W: std::io::Write>(r: &Report, w: W) -> std::io::Result<()> {
    let mut out = ::csv::Writer::from_writer(w);
    let mut put = |fields: &[String]| {
        out.write_record(fields.iter().map(|f| csv_safe(f).into_owned()))
            .map_err(std::io::Error::other)
    };
    put(&[
        "column",
        "topic",
        "instrument",
        "family",
        "label",
        "codes",
        "family_share",
    ]
    .map(String::from))?;
    for c in &r.columns {
        for (id, family, label) in &r.framework.instruments {
            let share = c.families.get(family).map_or(0.0, |f| f.share);
            put(&[
                c.name.clone(),
                String::new(),
                id.clone(),
                family.clone(),
                label.clone(),
                c.instruments.get(id).copied().unwrap_or(0).to_string(),
                format!("{share:.4}"),
            ])?;
        }
    }
    for (id, family, label) in &r.framework.instruments {
        for (k, t) in r.cross.topics.iter().enumerate() {
            let n = r.cross.counts[id][k];
            if n > 0 {
                put(&[
                    "(all)".into(),
                    t.clone(),
                    id.clone(),
                    family.clone(),
                    label.clone(),
                    n.to_string(),
                    String::new(),
                ])?;
            }
        }
    }
    out.flush()
}
