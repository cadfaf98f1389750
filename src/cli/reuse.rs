//! `policy-diff reuse DOC`: passages of a document found nearly verbatim in
//! other documents, longest first, with who said them first.

use std::io::Write;

use policy_diff::search::reuse::{reuse, Report};

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The document: id (from `docs`), 文号 or a unique part of the title.
    pub doc: String,
    /// text, json or md.
    #[arg(long, default_value = "text",
          value_parser = super::formats(&[Format::Text, Format::Json, Format::Md]))]
    pub format: Format,
    /// Also list stock phrases found in most documents.
    #[arg(long)]
    pub boilerplate: bool,
    /// How many passages to show (text and md).
    #[arg(long, short = 'n', default_value_t = 30)]
    pub limit: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let corpus = ctx.corpus()?;
    let entry = corpus.entry(&args.doc)?.clone();
    let reader = ctx.fresh_reader(&corpus)?;
    let doc = corpus.document(&entry)?;
    let mut report = reuse(&reader, &corpus.catalog, &doc)?;
    if !args.boilerplate {
        report.passages.retain(|p| !p.boilerplate);
    }
    let mut out = stdout();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ctx.with_stale(&report))?;
            writeln!(out)?;
        }
        Format::Md => write_md(&mut out, &report, args.limit)?,
        Format::Text => write_text(&mut out, &report, args.limit)?,
        other => {
            return Err(policy_diff::Error::Usage(format!(
                "reuse: format {other:?} is not supported (text, json, md)"
            ))
            .into())
        }
    }
    out.flush()?;
    Ok(0)
}

fn share(r: &Report) -> f64 {
    if r.total_chars == 0 {
        0.0
    } else {
        100.0 * r.reused_chars as f64 / r.total_chars as f64
    }
}

fn write_text(out: &mut impl Write, r: &Report, limit: usize) -> std::io::Result<()> {
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

fn write_md(out: &mut impl Write, r: &Report, limit: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "# Reuse in 《{}》 ({})\n",
        policy_diff::report::md_inline(&r.title),
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
        let cell = policy_diff::report::md_inline;
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
