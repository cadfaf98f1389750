//! Reuse reports as text and Markdown.

use std::io::Write;

use crate::compare::reuse::Report;

fn share(r: &Report) -> f64 {
    if r.total_chars == 0 {
        0.0
    } else {
        100.0 * r.reused_chars as f64 / r.total_chars as f64
    }
}

/// For a reader: the share reused, then each passage with its sources.
pub fn text(out: &mut impl Write, r: &Report, limit: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "{} ({}, {}): {:.1}% of its text appears nearly verbatim elsewhere",
        r.title,
        r.doc_id,
        r.date,
        share(r)
    )?;
    for p in r.passages.iter().take(limit) {
        writeln!(out)?;
        let label = if p.boilerplate {
            format!("boilerplate, in {} other documents", p.documents)
        } else {
            format!("{} chars", p.chars)
        };
        writeln!(out, "[{}] {}  ({label})", p.provision_id, p.heading)?;
        writeln!(out, "    {}", p.text)?;
        for s in &p.sources {
            writeln!(
                out,
                "    = {} [{}] 《{}》 {}  similarity {:.2}",
                s.doc_id, s.provision_id, s.title, s.date, s.similarity
            )?;
        }
        if let Some(c) = &p.common_source {
            writeln!(
                out,
                "    all implement {} 《{}》: likely common source",
                c.doc_number, c.title
            )?;
        } else if let Some(first) = &p.first_said_by {
            writeln!(out, "    first said by: {first}")?;
        }
    }
    Ok(())
}

/// A Markdown table of the passages.
pub fn markdown(out: &mut impl Write, r: &Report, limit: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "# Reuse in 《{}》 ({})\n",
        crate::report::md_inline(&r.title),
        r.doc_id
    )?;
    writeln!(
        out,
        "{:.1}% of the text appears nearly verbatim in other documents.\n",
        share(r)
    )?;
    writeln!(
        out,
        "| passage | provision | found in | first said by |\n|---|---|---|---|"
    )?;
    for p in r.passages.iter().take(limit) {
        let sources: Vec<String> = if p.boilerplate {
            vec![format!("boilerplate ({} documents)", p.documents)]
        } else {
            p.sources
                .iter()
                .map(|s| format!("{} {} ({})", s.provision_id, s.date, s.similarity))
                .collect()
        };
        let cell = crate::report::md_inline;
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&p.text),
            p.provision_id,
            cell(&sources.join("; ")),
            match &p.common_source {
                Some(c) => cell(&format!("common source {}", c.doc_number)),
                None => cell(p.first_said_by.as_deref().unwrap_or("—")),
            }
        )?;
    }
    Ok(())
}
