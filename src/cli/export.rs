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
    /// The policy-fragment number of the papers (document-section-item-clause).
    fragment: &'a str,
    jurisdiction: &'a str,
    heading: &'a str,
    text: &'a str,
    topics: &'a [String],
    /// Instrument codes (built-in framework), with the cue terms as evidence.
    instruments: Vec<&'a str>,
    instrument_evidence: Vec<String>,
    /// The analyst's codes from `instruments --import-review` (empty until
    /// reviewed): the column to fill in when reviewing the table.
    analyst_code: &'a str,
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
    /// The document's text was recognized by OCR: Tesseract's mean word
    /// confidence (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    ocr_confidence: Option<f64>,
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

    /// The CSV, or the JSON lines' last line: `{"stale": …}` when the
    /// index is behind the corpus (CSV has no place for it: the notice on
    /// stderr says it).
    fn finish(mut self, stale: Option<&policy_diff::app::Stale>) -> anyhow::Result<i32> {
        match self.csv.take() {
            Some(w) => self.out.write_all(&w.into_inner()?)?,
            None => policy_diff::report::stale::jsonl_end(&mut self.out, stale)?,
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
    let stale = ctx.stale();
    if args.level == Level::Clause {
        let reviews = policy_diff::instruments::Reviews::load(&ctx.corpus_dir)?;
        return clauses(&docs, tax, &reviews, args.format, ctx.stale());
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
            "ocr_confidence",
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
                ocr_confidence: d.entry.ocr.parse().ok(),
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
                    &d.entry.ocr,
                ],
            )?;
        }
    }
    sink.finish(stale)
}

/// `export --level clause`: one row per clause.
fn clauses(
    docs: &[policy_diff::corpus::Document],
    tax: &policy_diff::topics::Taxonomy,
    reviews: &policy_diff::instruments::Reviews,
    format: Format,
    stale: Option<&policy_diff::app::Stale>,
) -> anyhow::Result<i32> {
    let fw = policy_diff::instruments::Framework::resolve(None)?;
    let mut sink = Sink::new(
        format,
        &[
            "doc_id",
            "provision_id",
            "clause_id",
            "fragment",
            "jurisdiction",
            "heading",
            "text",
            "topics",
            "instruments",
            "instrument_evidence",
            "analyst_code",
            "responsible_units",
        ],
    )?;
    for (n, d) in docs.iter().enumerate() {
        let fragments = policy_diff::instruments::fragment_numbers(n + 1, &d.provisions);
        for (p, fragment) in d.provisions.iter().zip(&fragments) {
            let topics = policy_diff::topics::topic_ids(tax, p);
            let context = policy_diff::instruments::clause_context(p);
            for c in p.clauses() {
                let text = c.text(p);
                let codes = if p.is_substantive() {
                    policy_diff::instruments::code(&fw, text, &context)
                } else {
                    vec![]
                };
                let fragment = format!("{fragment}-{}", c.n);
                // The analyst's codes of an earlier review, kept by text.
                let analyst = reviews.codes_for(text).map(|codes| {
                    if codes.is_empty() {
                        "none".to_string()
                    } else {
                        codes.join(";")
                    }
                });
                let row = ClauseRow {
                    doc_id: &d.entry.id,
                    provision_id: &p.id,
                    clause_id: &c.id,
                    fragment: &fragment,
                    jurisdiction: &d.entry.jurisdiction,
                    heading: &p.heading,
                    text,
                    topics: &topics,
                    instruments: codes.iter().map(|c| c.instrument.as_str()).collect(),
                    instrument_evidence: codes
                        .iter()
                        .map(|c| format!("{}: {}", c.instrument, c.evidence.join("、")))
                        .collect(),
                    analyst_code: analyst.as_deref().unwrap_or(""),
                    responsible_units: &p.responsible_units,
                };
                sink.row(
                    &row,
                    &[
                        row.doc_id,
                        row.provision_id,
                        row.clause_id,
                        row.fragment,
                        row.jurisdiction,
                        row.heading,
                        row.text,
                        &row.topics.join(";"),
                        &row.instruments.join(";"),
                        &row.instrument_evidence.join("; "),
                        row.analyst_code,
                        &row.responsible_units.join(";"),
                    ],
                )?;
            }
        }
    }
    sink.finish(stale)
}
