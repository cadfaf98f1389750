//! `policy-diff topics`: the taxonomy and the topic × jurisdiction coverage
//! matrix; `--explain ID` shows why provisions are (not) on a topic.

use std::io::Write;

use policy_diff::corpus::Document;
use policy_diff::topics::{self, Coverage, Taxonomy};
use policy_diff::Error;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// text, json, jsonl (one topic per line), csv or md.
    #[arg(long, default_value = "text", value_parser = super::formats(
        &[Format::Text, Format::Json, Format::Jsonl, Format::Csv, Format::Md]))]
    pub format: Format,
    /// Instead of the matrix, show the topic scores of a document
    /// (`lyg-2022-32`) or provision (`lyg-2022-32:9`): every topic with
    /// evidence, its score parts and matched terms.
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let tax = ctx.taxonomy()?;
    let corpus = ctx.corpus()?;
    ctx.refresh(&corpus)?;
    if let Some(id) = &args.explain {
        let (doc_id, seq) = match id.split_once(':') {
            Some((d, s)) => (d, Some(s)),
            None => (id.as_str(), None),
        };
        let entry = corpus
            .entry(doc_id)
            .map_err(|_| unknown_explain_id(tax, &corpus, id, doc_id))?;
        let doc = corpus.document(entry)?;
        let provisions: Vec<_> = match seq {
            None => doc.provisions.iter().collect(),
            Some(s) => vec![s
                .parse::<usize>()
                .ok()
                .and_then(|n| doc.provisions.get(n.wrapping_sub(1)))
                .ok_or_else(|| Error::Unknown {
                    what: "provision",
                    name: id.clone(),
                    suggestions: vec![format!("{doc_id}:1 … {doc_id}:{}", doc.provisions.len())],
                })?],
        };
        return explain(tax, &doc, &provisions, args.format);
    }
    let docs = corpus.documents()?;
    let cov = topics::coverage(tax, &docs);
    let mut out = stdout();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ctx.with_stale(&cov))?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for t in &cov.topics {
                serde_json::to_writer(&mut out, t)?;
                writeln!(out)?;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            let mut header = vec!["id".to_string(), "label".into(), "label_en".into()];
            header.extend(cov.jurisdictions.iter().cloned());
            header.push("total".into());
            w.write_record(&header)?;
            for t in &cov.topics {
                let mut row = vec![
                    policy_diff::report::csv_safe(&t.id).into_owned(),
                    policy_diff::report::csv_safe(&t.label).into_owned(),
                    policy_diff::report::csv_safe(&t.label_en).into_owned(),
                ];
                row.extend(
                    cov.jurisdictions
                        .iter()
                        .map(|j| t.counts.get(j).to_string()),
                );
                row.push(t.total.to_string());
                w.write_record(&row)?;
            }
            w.flush()?;
        }
        Format::Md => markdown(&mut out, &cov)?,
        Format::Text => text(&mut out, &cov)?,
        Format::Html => {
            return Err(Error::Usage(
                "topics: --format html is not supported (use text, json, jsonl, csv or md)".into(),
            )
            .into())
        }
    }
    out.flush()?;
    Ok(0)
}

/// `--explain X` where X names no document: say what the argument should
/// be, suggest close document ids (or list them), and point a topic name to
/// the commands that take one.
fn unknown_explain_id(
    tax: &Taxonomy,
    corpus: &policy_diff::corpus::Corpus,
    id: &str,
    doc_id: &str,
) -> Error {
    let ids: Vec<&str> = corpus
        .catalog
        .documents
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    let mut msg = format!(
        "unknown document '{doc_id}': topics --explain takes a document id (lyg-2022-32) or a provision id (lyg-2022-32:9)\nhint: "
    );
    let suggestions = policy_diff::error::suggest(doc_id, ids.iter().copied());
    if suggestions.is_empty() {
        msg.push_str(&format!(
            "the documents are {} (`policy-diff docs` lists them)",
            ids.join(", ")
        ));
    } else {
        msg.push_str(&format!("did you mean {}?", suggestions.join(", ")));
    }
    if let Ok(topic) = tax.resolve(id) {
        msg.push_str(&format!(
            "\nhint: '{id}' is a topic: `policy-diff search -t {0} …` or `policy-diff compare --topic {0}` show its provisions",
            topic.id
        ));
    }
    Error::Usage(msg)
}

/// Display width in a terminal: Chinese characters and full-width forms take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if policy_diff::text::is_cjk(c) || policy_diff::text::is_han(c) {
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

fn text(out: &mut impl Write, cov: &Coverage) -> anyhow::Result<()> {
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

fn markdown(out: &mut impl Write, cov: &Coverage) -> anyhow::Result<()> {
    let esc = |s: &str| s.replace('|', "\\|");
    writeln!(
        out,
        "Taxonomy {} ({}), threshold {}.\n",
        esc(&cov.taxonomy_version),
        esc(&cov.taxonomy_source),
        cov.threshold
    )?;
    let mut head = "| topic | label |".to_string();
    let mut rule = "|---|---|".to_string();
    for j in &cov.jurisdictions {
        head.push_str(&format!(" {} |", esc(j)));
        rule.push_str("---:|");
    }
    writeln!(out, "{head} total |")?;
    writeln!(out, "{rule}---:|")?;
    for t in &cov.topics {
        let mut row = format!("| `{}` | {} |", esc(&t.id), esc(&t.label));
        for j in &cov.jurisdictions {
            row.push_str(&format!(" {} |", t.counts.get(j)));
        }
        writeln!(out, "{row} {} |", t.total)?;
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct ExplainRow<'a> {
    provision_id: &'a str,
    heading: &'a str,
    kind: policy_diff::corpus::ProvisionKind,
    threshold: f64,
    topics: Vec<String>,
    scores: Vec<topics::Explained>,
}

fn explain(
    tax: &Taxonomy,
    doc: &Document,
    provisions: &[&policy_diff::corpus::Provision],
    format: Format,
) -> anyhow::Result<i32> {
    let rows: Vec<ExplainRow> = provisions
        .iter()
        .map(|p| {
            let scores = topics::explain(tax, p);
            ExplainRow {
                provision_id: &p.id,
                heading: &p.heading,
                kind: p.kind,
                threshold: topics::THRESHOLD,
                topics: scores
                    .iter()
                    .filter(|s| s.score >= topics::THRESHOLD)
                    .map(|s| s.topic.clone())
                    .collect(),
                scores,
            }
        })
        .collect();
    let mut out = stdout();
    match format {
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
        Format::Text => {
            writeln!(
                out,
                "{} ({}) · taxonomy {} · threshold {}",
                doc.entry.title,
                doc.entry.id,
                tax.version,
                topics::THRESHOLD
            )?;
            for r in &rows {
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
                        if s.score >= topics::THRESHOLD { '*' } else { ' ' },
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
        }
        _ => {
            return Err(
                Error::Usage("topics --explain: use --format text, json or jsonl".into()).into(),
            )
        }
    }
    out.flush()?;
    Ok(0)
}
