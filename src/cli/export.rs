//! `policy-diff export`: every provision as JSON lines or CSV.

use std::io::Write;

use serde::Serialize;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// One row per provision, or per clause (`clause_id` `{provision_id}.{n}`:
    /// the sentences alignment compares; headings and responsible-units
    /// notes are not clauses).
    #[arg(long, value_enum, default_value = "provision")]
    pub level: Level,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Provision,
    Clause,
}

#[derive(Serialize)]
struct ClauseRow<'a> {
    doc_id: &'a str,
    provision_id: &'a str,
    clause_id: &'a str,
    jurisdiction: &'a str,
    heading: &'a str,
    text: &'a str,
    topics: &'a [String],
    responsible_units: &'a [String],
}

#[derive(Serialize)]
struct Row<'a> {
    doc_id: &'a str,
    provision_id: &'a str,
    jurisdiction: &'a str,
    kind: policy_diff::corpus::ProvisionKind,
    heading: &'a str,
    path: &'a [String],
    text: &'a str,
    topics: Vec<String>,
    responsible_units: &'a [String],
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let corpus = ctx.corpus()?;
    ctx.refresh(&corpus)?;
    let tax = ctx.taxonomy()?;
    let docs = corpus.documents()?;
    let mut out = stdout();
    if args.level == Level::Clause {
        return clauses(&docs, tax, args.format);
    }
    let mut csv = (args.format == Format::Csv).then(|| csv::Writer::from_writer(Vec::new()));
    if let Some(w) = &mut csv {
        w.write_record([
            "doc_id",
            "provision_id",
            "jurisdiction",
            "kind",
            "heading",
            "path",
            "text",
            "topics",
            "responsible_units",
        ])?;
    }
    for d in &docs {
        for p in &d.provisions {
            let row = Row {
                doc_id: &d.entry.id,
                provision_id: &p.id,
                jurisdiction: &d.entry.jurisdiction,
                kind: p.kind,
                heading: &p.heading,
                path: &p.path,
                text: &p.text,
                topics: policy_diff::topics::topic_ids(tax, p),
                responsible_units: &p.responsible_units,
            };
            match &mut csv {
                Some(w) => {
                    let kind = serde_json::to_value(p.kind)?
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    w.write_record([
                        &*policy_diff::report::csv_safe(row.doc_id),
                        &*policy_diff::report::csv_safe(row.provision_id),
                        &*policy_diff::report::csv_safe(row.jurisdiction),
                        &kind,
                        &policy_diff::report::csv_safe(row.heading),
                        &policy_diff::report::csv_safe(&row.path.join(" > ")),
                        &policy_diff::report::csv_safe(row.text),
                        &row.topics.join(";"),
                        &policy_diff::report::csv_safe(&row.responsible_units.join(";")),
                    ])?;
                }
                None => {
                    serde_json::to_writer(&mut out, &row)?;
                    writeln!(out)?;
                }
            }
        }
    }
    if let Some(w) = csv {
        out.write_all(&w.into_inner()?)?;
    }
    out.flush()?;
    Ok(0)
}

/// `export --level clause`: one row per clause.
fn clauses(
    docs: &[policy_diff::corpus::Document],
    tax: &policy_diff::topics::Taxonomy,
    format: Format,
) -> anyhow::Result<i32> {
    let mut out = stdout();
    let mut csv = (format == Format::Csv).then(|| csv::Writer::from_writer(Vec::new()));
    if let Some(w) = &mut csv {
        w.write_record([
            "doc_id",
            "provision_id",
            "clause_id",
            "jurisdiction",
            "heading",
            "text",
            "topics",
            "responsible_units",
        ])?;
    }
    for d in docs {
        for p in &d.provisions {
            let topics = policy_diff::topics::topic_ids(tax, p);
            for c in p.clauses() {
                let row = ClauseRow {
                    doc_id: &d.entry.id,
                    provision_id: &p.id,
                    clause_id: &c.id,
                    jurisdiction: &d.entry.jurisdiction,
                    heading: &p.heading,
                    text: c.text(p),
                    topics: &topics,
                    responsible_units: &p.responsible_units,
                };
                match &mut csv {
                    Some(w) => {
                        use policy_diff::report::csv_safe;
                        w.write_record([
                            &*csv_safe(row.doc_id),
                            &*csv_safe(row.provision_id),
                            &*csv_safe(row.clause_id),
                            &*csv_safe(row.jurisdiction),
                            &*csv_safe(row.heading),
                            &*csv_safe(row.text),
                            &*csv_safe(&row.topics.join(";")),
                            &*csv_safe(&row.responsible_units.join(";")),
                        ])?
                    }
                    None => {
                        serde_json::to_writer(&mut out, &row)?;
                        writeln!(out)?;
                    }
                }
            }
        }
    }
    if let Some(w) = csv {
        out.write_all(&w.into_inner()?)?;
    }
    out.flush()?;
    Ok(0)
}
