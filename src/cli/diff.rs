//! `policy-diff diff DOC_A DOC_B`: provision-by-provision alignment of two
//! documents, with word diffs and changed figures per pair.

use std::io::{IsTerminal, Write};

use policy_diff::compare::{self, render};
use policy_diff::Error;

use super::{stdout, Ctx, Format};

/// The widest side-by-side text output (wider than any terminal).
const MAX_WIDTH: usize = 1000;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The first document (A): id, 文号 or a unique part of the title.
    pub a: String,
    /// The second document (B): id, 文号 or a unique part of the title.
    pub b: String,
    /// Output: text (side by side), md, html or json.
    #[arg(long, default_value = "text",
          value_parser = super::formats(&[Format::Text, Format::Md, Format::Html, Format::Json]))]
    pub format: Format,
    /// Minimum score (0–1] of a clause link: two clauses stating the same
    /// measure. Provisions are paired by their links.
    #[arg(long, default_value_t = compare::clauses::CLOSE_THRESHOLD)]
    pub threshold: f64,
    /// Width of the side-by-side text output (default: $COLUMNS or 120; at most 1000).
    #[arg(long)]
    pub width: Option<usize>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    if !matches!(
        args.format,
        Format::Text | Format::Md | Format::Html | Format::Json
    ) {
        return Err(Error::Usage("diff supports --format text, md, html or json".into()).into());
    }
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        return Err(Error::Usage(format!(
            "--threshold must be in (0, 1], got {}",
            args.threshold
        ))
        .into());
    }
    let corpus = ctx.corpus()?;
    let entry_a = corpus.entry(&args.a)?.clone();
    let entry_b = corpus.entry(&args.b)?.clone();
    // The index is brought up to date (a reading command), though the
    // alignment itself needs only the two documents: IDF comes from them and
    // a fixed background, so the rest of the corpus never moves the result.
    ctx.refresh(&corpus)?;
    let (doc_a, doc_b) = (corpus.document(&entry_a)?, corpus.document(&entry_b)?);
    let tax = ctx.taxonomy()?;
    let topics = |p: &policy_diff::corpus::Provision| policy_diff::topics::topic_ids(tax, p);
    let settings = compare::clauses::Settings {
        close: args.threshold,
        related: compare::clauses::RELATED_THRESHOLD.min(args.threshold),
        ..Default::default()
    };
    let diff = compare::diff::diff_documents_by_topic(&doc_a, &doc_b, &settings, &topics);

    let mut out = stdout();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ctx.with_stale(&diff))?;
            writeln!(out)?;
        }
        Format::Md => out.write_all(render::markdown(&diff).as_bytes())?,
        Format::Html => out.write_all(render::html(&diff).as_bytes())?,
        _ => {
            let width = args
                .width
                .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
                .unwrap_or(120)
                // The renderer pads lines to this width: cap it.
                .min(MAX_WIDTH);
            let color = std::io::stdout().is_terminal();
            out.write_all(render::text(&diff, width, color).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(0)
}
