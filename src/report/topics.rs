//! The topic × jurisdiction coverage matrix and topic explanations as text,
//! CSV, JSON lines and Markdown.

use std::io::{self, Write};

use crate::app::topics::TopicsExplained;
use crate::classify::topics::{self, Coverage};
use crate::report::{csv_safe, md_code, md_inline};

/// One row per topic: id, labels, a count per jurisdiction, total.
pub fn csv(out: &mut impl Write, cov: &Coverage) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    let mut header = vec!["id".to_string(), "label".into(), "label_en".into()];
    header.extend(cov.jurisdictions.iter().cloned());
    header.push("total".into());
    w.write_record(&header)?;
    for t in &cov.topics {
        let mut row = vec![
            csv_safe(&t.id).into_owned(),
            csv_safe(&t.label).into_owned(),
            csv_safe(&t.label_en).into_owned(),
        ];
        row.extend(
            cov.jurisdictions
                .iter()
                .map(|j| t.counts.get(j).to_string()),
        );
        row.push(t.total.to_string());
        w.write_record(&row)?;
    }
    w.flush()
}

/// One topic per line.
pub fn jsonl(out: &mut impl Write, cov: &Coverage) -> io::Result<()> {
    for t in &cov.topics {
        serde_json::to_writer(&mut *out, t)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Display width in a terminal: Chinese characters and full-width forms take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if crate::text::is_cjk(c) || crate::text::is_han(c) {
                2
            } else {
                1
            }
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

fn lpad(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// The matrix with aligned columns, then the topics and their aliases.
pub fn text(out: &mut impl Write, cov: &Coverage) -> io::Result<()> {
    let total: usize = cov.provisions.0.iter().map(|(_, n)| n).sum();
    writeln!(
        out,
        "taxonomy {} ({}) · threshold {} · {} provisions, {} on no topic",
        cov.taxonomy_version, cov.taxonomy_source, cov.threshold, total, cov.unclassified
    )?;
    writeln!(out)?;
    let id_w = cov
        .topics
        .iter()
        .map(|t| width(&t.id))
        .max()
        .unwrap_or(2)
        .max(2);
    let label_w = cov
        .topics
        .iter()
        .map(|t| width(&t.label))
        .max()
        .unwrap_or(5)
        .max(5);
    let col_w: Vec<usize> = cov.jurisdictions.iter().map(|j| width(j).max(5)).collect();
    let mut line = format!("{}  {}", pad("id", id_w), pad("label", label_w));
    for (j, w) in cov.jurisdictions.iter().zip(&col_w) {
        line.push_str(&format!("  {}", lpad(j, *w)));
    }
    line.push_str("  total");
    writeln!(out, "{}", line.trim_end())?;
    for t in &cov.topics {
        let mut line = format!("{}  {}", pad(&t.id, id_w), pad(&t.label, label_w));
        for (j, w) in cov.jurisdictions.iter().zip(&col_w) {
            line.push_str(&format!("  {}", lpad(&t.counts.get(j).to_string(), *w)));
        }
        line.push_str(&format!("  {}", lpad(&t.total.to_string(), 5)));
        writeln!(out, "{line}")?;
    }
    let mut line = format!("{}  {}", pad("", id_w), pad("(provisions)", label_w));
    for (j, w) in cov.jurisdictions.iter().zip(&col_w) {
        line.push_str(&format!(
            "  {}",
            lpad(&cov.provisions.get(j).to_string(), *w)
        ));
    }
    line.push_str(&format!("  {}", lpad(&total.to_string(), 5)));
    writeln!(out, "{line}")?;
    writeln!(out)?;
    writeln!(
        out,
        "Topics (--topic accepts the id, the label or an alias):"
    )?;
    for t in &cov.topics {
        writeln!(out, "  {}  {} / {}", t.id, t.label, t.label_en)?;
        if !t.aliases.is_empty() {
            writeln!(out, "      aliases: {}", t.aliases.join(", "))?;
        }
        writeln!(out, "      {}", t.description)?;
    }
    Ok(())
}

/// The matrix as a Markdown table.
pub fn markdown(out: &mut impl Write, cov: &Coverage) -> io::Result<()> {
    writeln!(
        out,
        "Taxonomy {} ({}), threshold {}.\n",
        md_inline(&cov.taxonomy_version),
        md_inline(&cov.taxonomy_source),
        cov.threshold
    )?;
    let mut head = "| topic | label |".to_string();
    let mut rule = "|---|---|".to_string();
    for j in &cov.jurisdictions {
        head.push_str(&format!(" {} |", md_inline(j)));
        rule.push_str("---:|");
    }
    writeln!(out, "{head} total |")?;
    writeln!(out, "{rule}---:|")?;
    for t in &cov.topics {
        let mut row = format!("| `{}` | {} |", md_code(&t.id), md_inline(&t.label));
        for j in &cov.jurisdictions {
            row.push_str(&format!(" {} |", t.counts.get(j)));
        }
        writeln!(out, "{row} {} |", t.total)?;
    }
    Ok(())
}

/// Every provision explained: its topics, then each topic's score parts
/// and evidence (* at or above the threshold).
pub fn explain_text(out: &mut impl Write, ex: &TopicsExplained) -> io::Result<()> {
    writeln!(
        out,
        "{} ({}) · taxonomy {} · threshold {}",
        ex.title,
        ex.doc_id,
        ex.taxonomy_version,
        topics::THRESHOLD
    )?;
    for r in &ex.rows {
        writeln!(out)?;
        let on = if r.topics.is_empty() {
            "—".to_string()
        } else {
            r.topics.join(", ")
        };
        writeln!(out, "{}  {}  → {on}", r.provision_id, r.heading)?;
        for s in &r.scores {
            writeln!(
                out,
                "  {} {:<14} {:>6.2}  heading {:.1} · parent {:.1} · body {:.2}/{} chars  [{}]",
                if s.score >= topics::THRESHOLD {
                    '*'
                } else {
                    ' '
                },
                s.topic,
                s.score,
                s.heading,
                s.parent,
                s.body,
                s.body_chars,
                s.evidence.join(" ")
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::topics::{Counts, TopicCoverage};

    #[test]
    fn markdown_escapes_labels_and_names_as_every_renderer_does() {
        let cov = Coverage {
            taxonomy_version: "1".into(),
            taxonomy_source: "my_topics.toml".into(),
            threshold: 2.5,
            jurisdictions: vec!["A|B".into()],
            provisions: Counts(vec![("A|B".into(), 3)]),
            unclassified: 0,
            topics: vec![TopicCoverage {
                id: "r_d|x".into(),
                label: "R&D *研发* <b>".into(),
                label_en: String::new(),
                description: String::new(),
                aliases: vec![],
                counts: Counts(vec![("A|B".into(), 2)]),
                documents: Counts(vec![("A|B".into(), 1)]),
                total: 2,
            }],
        };
        let mut out = vec![];
        markdown(&mut out, &cov).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Taxonomy 1 (my\\_topics.toml), threshold 2.5.\n\n\
             | topic | label | A\\|B | total |\n|---|---|---:|---:|\n\
             | `r_d\\|x` | R\\&D \\*研发\\* \\<b> | 2 | 2 |\n"
        );
    }
}
