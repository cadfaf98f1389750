//! `policy-diff reuse DOC`: passages of a document found nearly verbatim in
//! other documents, longest first, with who said them first.

use std::io::Write;

use policy_diff::report::reuse as render;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The document: id (from `docs`), 文号 or a unique part of the title.
    pub doc: String,
    /// text, json or md.
    #[arg(long, default_value = "text",
          value_parser = super::formats(&[Format::Text, Format::Json, Format::Md]))]
    pub format: Format,
    /// Also list stock phrases found in most documents.
    #[arg(long)]
    pub boilerplate: bool,
    /// How many passages to show (text and md).
    #[arg(long, short = 'n', default_value_t = 30)]
    pub limit: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let report = ctx.reuse(&args.doc, args.boilerplate)?;
    let mut out = stdout();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ctx.with_stale(&report))?;
            writeln!(out)?;
        }
        Format::Md => render::markdown(&mut out, &report, args.limit)?,
        _ => render::text(&mut out, &report, args.limit)?,
    }
    out.flush()?;
    Ok(0)
}
