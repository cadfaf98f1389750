//! `policy-diff instruments`: every clause coded by policy instrument
//! (政策工具), counted per jurisdiction or document and crossed with topics;
//! `--explain CLAUSE` shows why a clause carries what it carries.

use std::io::Write;

use policy_diff::compare::side_by_side::By;
use policy_diff::corpus::Document;
use policy_diff::instruments::{self as inst, Framework};

use super::{stdout, Ctx, Format};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByArg {
    Province,
    City,
    Jurisdiction,
    #[value(alias = "document")]
    Doc,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One column per province, city, jurisdiction or document.
    #[arg(long, value_enum, default_value = "jurisdiction")]
    pub by: ByArg,
    /// Only these jurisdictions (as `search -j`: 江苏, 连云港, a zone).
    #[arg(long = "jurisdiction", short = 'j', value_name = "J")]
    pub jurisdictions: Vec<String>,
    /// Only these documents (id, 文号 or a unique part of the title).
    #[arg(long = "doc", short = 'd', value_name = "D")]
    pub docs: Vec<String>,
    /// The instrument framework: a built-in one (`rothwell-zegveld`, the
    /// default; `mcdonnell-elmore`) or a TOML file in the same format.
    #[arg(long, value_name = "NAME|FILE")]
    pub framework: Option<String>,
    /// text, md, html (with the family shares as stacked bars), json or csv.
    #[arg(long, default_value = "text", value_parser = super::formats(
        &[Format::Text, Format::Md, Format::Html, Format::Json, Format::Csv]))]
    pub format: Format,
    /// Show how one clause (`lyg-2022-32:9.2`) is coded: every instrument's
    /// cue terms and score against the threshold.
    #[arg(long, value_name = "CLAUSE")]
    pub explain: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let fw = Framework::resolve(args.framework.as_deref())?;
    let corpus = ctx.corpus()?;
    if let Some(id) = &args.explain {
        return explain(ctx, &corpus, &fw, id, args.format);
    }
    let jurisdictions = args
        .jurisdictions
        .iter()
        .map(|j| corpus.jurisdictions(j))
        .collect::<policy_diff::Result<Vec<Vec<String>>>>()?
        .concat();
    let doc_ids = args
        .docs
        .iter()
        .map(|d| corpus.entry(d).map(|e| e.id.clone()))
        .collect::<policy_diff::Result<Vec<String>>>()?;
    let entries: Vec<_> = corpus
        .catalog
        .documents
        .iter()
        .filter(|e| {
            (jurisdictions.is_empty() && doc_ids.is_empty())
                || jurisdictions.contains(&e.jurisdiction)
                || doc_ids.contains(&e.id)
        })
        .collect();
    let docs: Vec<Document> = entries
        .iter()
        .map(|e| corpus.document(e))
        .collect::<policy_diff::Result<_>>()?;
    let refs: Vec<&Document> = docs.iter().collect();
    let tax = ctx.taxonomy()?;
    let coded = inst::code_documents(&fw, tax, &refs);
    let by = match args.by {
        ByArg::Province => By::Province,
        ByArg::City => By::City,
        ByArg::Jurisdiction => By::Jurisdiction,
        ByArg::Doc => By::Doc,
    };
    let column_of = |doc_id: &str| {
        entries
            .iter()
            .find(|e| e.id == doc_id)
            .map(|e| by.column_of(e))
            .unwrap_or_default()
    };
    let report = inst::report(&fw, tax, &coded, by.name(), column_of);
    let mut out = stdout();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Md => out.write_all(inst::markdown(&report).as_bytes())?,
        Format::Html => out.write_all(inst::html(&report).as_bytes())?,
        Format::Csv => inst::csv(&report, &mut out)?,
        _ => out.write_all(inst::text(&report).as_bytes())?,
    }
    out.flush()?;
    Ok(0)
}

#[derive(serde::Serialize)]
struct Explained<'a> {
    clause_id: &'a str,
    text: &'a str,
    threshold: f64,
    framework: &'a str,
    coded: Vec<&'a str>,
    scores: &'a [inst::Code],
}

fn explain(
    _ctx: &Ctx,
    corpus: &policy_diff::corpus::Corpus,
    fw: &Framework,
    id: &str,
    format: Format,
) -> anyhow::Result<i32> {
    let unknown = || policy_diff::Error::Unknown {
        what: "clause",
        name: id.to_string(),
        suggestions: vec![],
    };
    let (pid, _) = id.rsplit_once('.').ok_or_else(unknown)?;
    let (doc, seq) = pid.rsplit_once(':').ok_or_else(unknown)?;
    let entry = corpus.entry(doc)?;
    let document = corpus.document(entry)?;
    let p = seq
        .parse::<usize>()
        .ok()
        .and_then(|n| document.provisions.get(n.wrapping_sub(1)))
        .ok_or_else(unknown)?;
    let clauses = p.clauses();
    let c = clauses
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| policy_diff::Error::Unknown {
            what: "clause",
            name: id.to_string(),
            suggestions: clauses.iter().take(5).map(|c| c.id.clone()).collect(),
        })?;
    let text = c.text(p);
    let scores = inst::scores(fw, text);
    let coded: Vec<&str> = scores
        .iter()
        .filter(|s| s.score >= inst::THRESHOLD)
        .map(|s| s.instrument.as_str())
        .collect();
    let mut out = stdout();
    if format == Format::Json {
        let e = Explained {
            clause_id: &c.id,
            text,
            threshold: inst::THRESHOLD,
            framework: &fw.id,
            coded,
            scores: &scores,
        };
        serde_json::to_writer_pretty(&mut out, &e)?;
        writeln!(out)?;
    } else {
        writeln!(out, "[{}] {text}", c.id)?;
        writeln!(out, "framework {} · threshold {}", fw.id, inst::THRESHOLD)?;
        if scores.is_empty() {
            writeln!(out, "no cue term of any instrument: uncoded")?;
        }
        for s in &scores {
            let mark = if s.score >= inst::THRESHOLD {
                "coded"
            } else {
                "below"
            };
            writeln!(
                out,
                "  {mark:<5} {:<24} {:.2}  {}",
                s.instrument,
                s.score,
                s.evidence.join("、")
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}
