//! `policy-diff export`: every provision as JSON lines or CSV.

use std::io::Write;

use serde::Serialize;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// jsonl (one object per line) or csv.
    #[arg(long, default_value = "jsonl", value_parser = super::formats(&[Format::Jsonl, Format::Csv]))]
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

/// Where rows go: JSON lines, or CSV whose every cell is made safe for
/// spreadsheets (one writer for both levels).
struct Sink {
    csv: Option<csv::Writer<Vec<u8>>>,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl Sink {
    fn new(format: Format, header: &[&str]) -> anyhow::Result<Sink> {
        let mut csv = (format == Format::Csv).then(|| csv::Writer::from_writer(Vec::new()));
        if let Some(w) = &mut csv {
            w.write_record(header)?;
        }
        Ok(Sink { csv, out: stdout() })
    }

    /// One row: `json` as a JSON line, or `cells` as a CSV record.
    fn row(&mut self, json: &impl Serialize, cells: &[&str]) -> anyhow::Result<()> {
        match &mut self.csv {
            Some(w) => {
                let safe: Vec<std::borrow::Cow<'_, str>> = cells
                    .iter()
                    .map(|c| policy_diff::report::csv_safe(c))
                    .collect();
                w.write_record(safe.iter().map(|c| c.as_bytes()))?;
            }
            None => {
                serde_json::to_writer(&mut self.out, json)?;
                writeln!(self.out)?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<i32> {
        if let Some(w) = self.csv.take() {
            self.out.write_all(&w.into_inner()?)?;
        }
        self.out.flush()?;
        Ok(0)
    }
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let corpus = ctx.corpus()?;
    ctx.refresh(&corpus)?;
    let tax = ctx.taxonomy()?;
    let docs = corpus.documents()?;
    if args.level == Level::Clause {
        return clauses(&docs, tax, args.format);
    }
    let mut sink = Sink::new(
        args.format,
        &[
            "doc_id",
            "provision_id",
            "jurisdiction",
            "kind",
            "heading",
            "path",
            "text",
            "topics",
            "responsible_units",
        ],
    )?;
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
            let kind = serde_json::to_value(p.kind)?
                .as_str()
                .unwrap_or_default()
                .to_string();
            sink.row(
                &row,
                &[
                    row.doc_id,
                    row.provision_id,
                    row.jurisdiction,
                    &kind,
                    row.heading,
                    &row.path.join(" > "),
                    row.text,
                    &row.topics.join(";"),
                    &row.responsible_units.join(";"),
                ],
            )?;
        }
    }
    sink.finish()
}

/// `export --level clause`: one row per clause.
fn clauses(
    docs: &[policy_diff::corpus::Document],
    tax: &policy_diff::topics::Taxonomy,
    format: Format,
) -> anyhow::Result<i32> {
    let mut sink = Sink::new(
        format,
        &[
            "doc_id",
            "provision_id",
            "clause_id",
            "jurisdiction",
            "heading",
            "text",
            "topics",
            "responsible_units",
        ],
    )?;
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
                sink.row(
                    &row,
                    &[
                        row.doc_id,
                        row.provision_id,
                        row.clause_id,
                        row.jurisdiction,
                        row.heading,
                        row.text,
                        &row.topics.join(";"),
                        &row.responsible_units.join(";"),
                    ],
                )?;
            }
        }
    }
    sink.finish()
}
