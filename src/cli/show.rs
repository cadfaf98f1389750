//! `policy-diff show ID`: a document's outline, or one provision in full.

use std::io::Write;

use policy_diff::corpus::AsText;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A document (id `lyg-2022-32`, 文号 `连政发〔2022〕32号` or a unique part of
    /// its title) or a provision id (`lyg-2022-32:17`).
    pub id: String,
    /// text or json.
    #[arg(long, default_value = "text", value_parser = super::formats(&[Format::Text, Format::Json]))]
    pub format: Format,
    /// With a provision id: list its clauses (`lyg-2022-32:9.2`), the units
    /// that alignment compares; the heading and the responsible-units note
    /// are not clauses.
    #[arg(long)]
    pub clauses: bool,
}

#[derive(serde::Serialize)]
struct ClauseOut<'a> {
    id: &'a str,
    text: &'a str,
}

#[derive(serde::Serialize)]
struct WithClauses<'a> {
    #[serde(flatten)]
    provision: &'a policy_diff::corpus::Provision,
    clauses: Vec<ClauseOut<'a>>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let (doc, index) = ctx.document(&args.id)?;
    let mut out = stdout();
    match index {
        Some(i) => {
            let p = &doc.provisions[i];
            let clauses = if args.clauses { p.clauses() } else { vec![] };
            if args.format == Format::Json && args.clauses {
                let with = WithClauses {
                    provision: p,
                    clauses: clauses
                        .iter()
                        .map(|c| ClauseOut {
                            id: &c.id,
                            text: c.text(p),
                        })
                        .collect(),
                };
                serde_json::to_writer_pretty(&mut out, &ctx.with_stale(&with))?;
                writeln!(out)?;
            } else if args.format == Format::Json {
                serde_json::to_writer_pretty(&mut out, &ctx.with_stale(p))?;
                writeln!(out)?;
            } else if args.clauses {
                writeln!(out, "{}", p.heading)?;
                writeln!(out, "{}", policy_diff::corpus::citation(&doc.entry, p))?;
                writeln!(out)?;
                for c in &clauses {
                    writeln!(out, "[{}] {}", c.id, c.text(p))?;
                }
                if !p.responsible_units.is_empty() {
                    writeln!(out, "\n责任单位: {}", p.responsible_units.join("、"))?;
                }
            } else {
                writeln!(out, "{}", p.heading)?;
                writeln!(out, "{}", policy_diff::corpus::citation(&doc.entry, p))?;
                if let Some(note) = ocr_note(&doc.entry) {
                    writeln!(out, "{note}")?;
                }
                writeln!(out)?;
                writeln!(out, "{}", p.text)?;
                if !p.responsible_units.is_empty() {
                    writeln!(out, "\n责任单位: {}", p.responsible_units.join("、"))?;
                }
            }
        }
        None => {
            if args.format == Format::Json {
                policy_diff::report::stale::json_list(
                    &mut out,
                    "provisions",
                    &doc.provisions,
                    ctx.stale(),
                )?;
            } else {
                writeln!(out, "{} ({})", doc.entry.title, doc.entry.id)?;
                // Only the fields the document has: no `河南省 ·  · —`.
                let e = &doc.entry;
                let fields: Vec<&str> = [
                    e.jurisdiction.text(),
                    e.issuer.text(),
                    e.doc_number.text(),
                    e.date.text(),
                ]
                .into_iter()
                .map(|f| f.trim())
                .filter(|f| !f.is_empty())
                .collect();
                if !fields.is_empty() {
                    writeln!(out, "{}", fields.join(" · "))?;
                }
                if let Some(note) = ocr_note(e) {
                    writeln!(out, "{note}")?;
                }
                let mut last_path: Vec<String> = vec![];
                for p in &doc.provisions {
                    for (depth, h) in p.path.iter().enumerate() {
                        if last_path.get(depth) != Some(h) {
                            writeln!(out, "{}{}", "  ".repeat(depth), h)?;
                        }
                    }
                    last_path = p.path.clone();
                    writeln!(out, "{}[{}] {}", "  ".repeat(p.path.len()), p.id, p.heading)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(0)
}

/// `OCR: …` for a document whose text was recognized by OCR.
fn ocr_note(e: &policy_diff::corpus::Entry) -> Option<String> {
    (!e.ocr.is_empty()).then(|| {
        format!(
            "OCR: text recognized from a scan by Tesseract, mean word confidence {}%; \
             check quotations against the original ({})",
            e.ocr,
            if e.original.is_empty() {
                &e.source
            } else {
                &e.original
            }
        )
    })
}
