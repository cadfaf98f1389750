//! `policy-diff diff DOC_A DOC_B`: provision-by-provision alignment of two
//! documents, with word diffs and changed figures per pair.

use std::io::{IsTerminal, Write};

use policy_diff::app::diff::DiffRequest;
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
    let diff = ctx.diff(&DiffRequest {
        a: args.a,
        b: args.b,
        threshold: args.threshold,
    })?;

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
