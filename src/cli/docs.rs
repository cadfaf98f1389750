//! `policy-diff docs`

use std::io::Write;

use serde::Serialize;

use policy_diff::corpus::catalog::EXPECTED_FIELDS;
use policy_diff::corpus::AsText;
use policy_diff::report::stale;
use policy_diff::Error;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// text, json or jsonl (one document per line).
    #[arg(long, default_value = "text", value_parser = super::formats(
        &[Format::Text, Format::Json, Format::Jsonl]))]
    pub format: Format,
    /// Only documents without a value for FIELD (jurisdiction, level,
    /// issuer, doc_number, date, title); repeated, those missing any of them.
    #[arg(long, value_name = "FIELD")]
    pub missing: Vec<String>,
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
    adopted: &'a str,
    amended: &'a str,
    kind: &'a str,
    implements: Vec<&'a str>,
    /// Substantive provisions: front matter (the 发文信息 block, signatures)
    /// is not counted, as in `diff` and `compare`.
    provisions: usize,
    hash: &'a str,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    for f in &args.missing {
        if !EXPECTED_FIELDS.contains(&f.as_str()) {
            return Err(Error::Usage(format!(
                "--missing: unknown field '{f}'\nhint: the fields are {}",
                EXPECTED_FIELDS.join(", ")
            ))
            .into());
        }
    }
    let corpus = ctx.corpus()?;
    // Provision counts come from the index (brought up to date first), so
    // listing documents does not parse them all.
    let reader = ctx.fresh_reader(&corpus)?;
    let count = |id: &str| {
        reader
            .payload
            .documents()
            .get(id)
            .map(|d| d.provisions)
            .unwrap_or(0)
    };
    let rows: Vec<DocRow> = corpus
        .catalog
        .documents
        .iter()
        .filter(|e| {
            args.missing.is_empty()
                || args
                    .missing
                    .iter()
                    .any(|f| e.missing().contains(&f.as_str()))
        })
        .map(|e| DocRow {
            id: &e.id,
            title: &e.title,
            jurisdiction: &e.jurisdiction,
            level: e.level.text(),
            issuer: &e.issuer,
            doc_number: &e.doc_number,
            date: e.date.text(),
            adopted: e.adopted.text(),
            amended: e.amended.text(),
            kind: e.kind.text(),
            implements: e.implements.iter().map(|i| i.doc_number.as_str()).collect(),
            provisions: count(&e.id),
            hash: &e.hash,
        })
        .collect();
    let mut out = stdout();
    match args.format {
        Format::Json => stale::json_list(&mut out, "documents", &rows, ctx.stale())?,
        Format::Jsonl => {
            for r in &rows {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
            stale::jsonl_end(&mut out, ctx.stale())?;
        }
        _ => {
            for r in &rows {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.id,
                    r.jurisdiction,
                    r.date,
                    if r.doc_number.is_empty() {
                        "—"
                    } else {
                        r.doc_number
                    },
                    r.title,
                    policy_diff::report::count(r.provisions, "provision")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}
