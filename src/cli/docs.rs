//! `policy-diff docs`

use std::io::Write;

use serde::Serialize;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Serialize)]
struct DocRow<'a> {
    id: &'a str,
    title: &'a str,
    jurisdiction: &'a str,
    level: &'a str,
    issuer: &'a str,
    doc_number: &'a str,
    date: &'a str,
    kind: &'a str,
    implements: Vec<&'a str>,
    provisions: usize,
    hash: &'a str,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let corpus = ctx.corpus()?;
    let docs = corpus.documents()?;
    let rows: Vec<DocRow> = docs
        .iter()
        .map(|d| DocRow {
            id: &d.entry.id,
            title: &d.entry.title,
            jurisdiction: &d.entry.jurisdiction,
            level: &d.entry.level,
            issuer: &d.entry.issuer,
            doc_number: &d.entry.doc_number,
            date: &d.entry.date,
            kind: &d.entry.kind,
            implements: d
                .entry
                .implements
                .iter()
                .map(|i| i.doc_number.as_str())
                .collect(),
            provisions: d.provisions.len(),
            hash: &d.entry.hash,
        })
        .collect();
    let mut out = stdout();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for r in &rows {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
        }
        _ => {
            for r in &rows {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{} provisions",
                    r.id,
                    r.jurisdiction,
                    r.date,
                    if r.doc_number.is_empty() {
                        "—"
                    } else {
                        r.doc_number
                    },
                    r.title,
                    r.provisions
                )?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}
