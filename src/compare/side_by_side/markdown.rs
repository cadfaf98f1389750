//! Markdown: an overview table (one line per row, one column per
//! jurisdiction/document), then one section per row with the provisions'
//! figures side by side and their full texts (the row's sentences in bold), the
//! coverage table and the provenance.

use std::fmt::Write as _;

use super::marks::pieces;
use super::{figure_list, Cell, Row, TopicComparison};
use crate::report::md_inline as md;

/// What an empty cell says.
pub(crate) const NO_COUNTERPART: &str = "—  no counterpart";

fn cell_summary(cells: &[Cell]) -> String {
    if cells.is_empty() {
        return NO_COUNTERPART.to_string();
    }
    cells
        .iter()
        .map(|c| format!("{} `{}`", md(&c.heading_short()), md(&c.provision_id)))
        .collect::<Vec<_>>()
        .join("<br>")
}

impl Cell {
    /// The heading, cut to a table-friendly length.
    pub(crate) fn heading_short(&self) -> String {
        const MAX: usize = 40;
        if self.heading.chars().count() <= MAX {
            self.heading.clone()
        } else {
            let mut s: String = self.heading.chars().take(MAX - 1).collect();
            s.push('…');
            s
        }
    }
}

fn table_header(out: &mut String, first: &[&str], columns: &[String]) {
    let mut head = String::from("|");
    let mut rule = String::from("|");
    for f in first {
        let _ = write!(head, " {f} |");
        rule.push_str("---|");
    }
    for c in columns {
        let _ = write!(head, " {} |", md(c));
        rule.push_str("---|");
    }
    let _ = writeln!(out, "{head}\n{rule}");
}

fn text_with_marks(c: &Cell) -> String {
    let mut out = String::new();
    for (shared, piece) in pieces(&c.text, &c.marks) {
        if shared {
            let _ = write!(out, "**{}**", md(piece));
        } else {
            out.push_str(&md(piece));
        }
    }
    out
}

fn row_section(out: &mut String, i: usize, r: &Row, columns: &[String]) {
    let _ = writeln!(out, "\n## Row {}: {}\n", i + 1, md(&r.label));
    let mut line = if r.columns_covered > 1 {
        format!(
            "similarity {:.3} · in {} of {} columns",
            r.similarity,
            r.columns_covered,
            columns.len()
        )
    } else {
        "no counterpart in the other columns".to_string()
    };
    if !r.shared_terms.is_empty() {
        let terms: Vec<String> = r.shared_terms.iter().map(|t| md(t)).collect();
        let _ = write!(line, " · shared terms: {}", terms.join(", "));
    }
    let _ = writeln!(out, "{line}\n");
    table_header(out, &[""], columns);
    let mut provs = String::from("| provisions |");
    let mut figs = String::from("| figures |");
    for c in columns {
        let cells = r.cells.get(c);
        let _ = write!(provs, " {} |", cell_summary(cells));
        let f = if cells.is_empty() {
            "—".to_string()
        } else {
            cells
                .iter()
                .map(|x| md(&figure_list(&x.figures)))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let _ = write!(figs, " {f} |");
    }
    let _ = writeln!(out, "{provs}\n{figs}");
    for col in columns {
        let cells = r.cells.get(col);
        if cells.is_empty() {
            let _ = writeln!(out, "\n**{}**: {NO_COUNTERPART}", md(col));
            continue;
        }
        for c in cells {
            let _ = writeln!(out, "\n### {} · {}\n", md(col), md(&c.heading_short()));
            let _ = writeln!(out, "`{}` · {}\n", md(&c.provision_id), md(&c.citation));
            let ev: Vec<String> = c.evidence.iter().map(|e| md(e)).collect();
            let _ = writeln!(
                out,
                "topic score {:.2} · evidence: {}\n",
                c.score,
                ev.join(", ")
            );
            let _ = writeln!(out, "> {}", text_with_marks(c));
        }
    }
}

/// The Markdown report.
pub fn markdown(c: &TopicComparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Compare: {} / {} (`{}`)\n",
        md(&c.topic.label),
        md(&c.topic.label_en),
        md(&c.topic.id)
    );
    let _ = writeln!(
        out,
        "One column per {}. A row is one measure: the sentences that state it are in **bold** in each provision (a long provision may be in several rows); a provision without counterpart is shown whole, its shared phrases in bold.\n",
        c.scope()
    );
    let _ = writeln!(
        out,
        "| column | documents | provisions on the topic |\n|---|---|---|"
    );
    for col in &c.column_info {
        let docs: Vec<String> = col
            .documents
            .iter()
            .map(|d| format!("`{}`", md(d)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} of {} |",
            md(&col.label),
            docs.join(", "),
            col.provisions,
            col.substantive
        );
    }
    if c.rows.is_empty() {
        let _ = writeln!(out, "\nNo provision of these documents is on this topic.");
    } else {
        let _ = writeln!(out, "\n## Overview\n");
        table_header(&mut out, &["#", "row", "similarity"], &c.columns);
        for (i, r) in c.rows.iter().enumerate() {
            let sim = if r.columns_covered > 1 {
                format!("{:.3}", r.similarity)
            } else {
                "—".to_string()
            };
            let mut line = format!("| {} | {} | {sim} |", i + 1, md(&r.label));
            for col in &c.columns {
                let _ = write!(line, " {} |", cell_summary(r.cells.get(col)));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    for (i, r) in c.rows.iter().enumerate() {
        row_section(&mut out, i, r, &c.columns);
    }
    let _ = writeln!(out, "\n## Coverage: provisions per topic\n");
    table_header(&mut out, &["topic"], &c.coverage.columns);
    for t in &c.coverage.topics {
        let mark = if t.id == c.topic.id { "**" } else { "" };
        let mut line = format!("| {mark}{} `{}`{mark} |", md(&t.label), md(&t.id));
        for n in &t.counts {
            let _ = write!(line, " {n} |");
        }
        let _ = writeln!(out, "{line}");
    }
    let mut line = String::from("| (substantive provisions) |");
    for n in &c.coverage.provisions {
        let _ = write!(line, " {n} |");
    }
    let _ = writeln!(out, "{line}");
    provenance(&mut out, c);
    out
}

fn provenance(out: &mut String, c: &TopicComparison) {
    let p = &c.provenance;
    let _ = writeln!(out, "\n## Provenance\n");
    for line in p.settings() {
        let _ = writeln!(out, "- {}", md(&line));
    }
    let _ = writeln!(out, "- documents:");
    for d in &p.documents {
        let number = if d.doc_number.is_empty() {
            String::new()
        } else {
            format!(" {}", md(&d.doc_number))
        };
        let _ = writeln!(
            out,
            "  - `{}` 《{}》{number} ({}): `{}`",
            md(&d.id),
            md(&d.title),
            md(&d.column),
            md(&d.hash)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(md("a|b*c<d>\te"), "a\\|b\\*c\\<d> · e");
        assert_eq!(md("<script>"), "\\<script>");
        assert_eq!(md("it's"), "it's");
    }
}
