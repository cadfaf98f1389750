//! `policy-diff index [--rebuild]`

use std::io::Write;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Start from nothing instead of updating what changed.
    #[arg(long)]
    pub rebuild: bool,
    /// text or json.
    #[arg(long, default_value = "text", value_parser = super::formats(&[Format::Text, Format::Json]))]
    pub format: Format,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let corpus = ctx.corpus()?;
    let summary = ctx.update_index(&corpus, args.rebuild)?;
    let mut out = stdout();
    if args.format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", summary.line())?;
    }
    out.flush()?;
    Ok(0)
}
