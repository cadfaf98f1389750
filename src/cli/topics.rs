//! `policy-diff topics`: the taxonomy and the topic × jurisdiction coverage
//! matrix; `--explain ID` shows why provisions are (not) on a topic.

use std::io::Write;

use policy_diff::report::stale;
use policy_diff::report::topics as render;
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
    let mut out = stdout();
    if let Some(id) = &args.explain {
        let ex = ctx.explain_topics(id)?;
        match args.format {
            Format::Json => stale::json_list(&mut out, "rows", &ex.rows, ctx.stale())?,
            Format::Jsonl => {
                for r in &ex.rows {
                    serde_json::to_writer(&mut out, r)?;
                    writeln!(out)?;
                }
                stale::jsonl_end(&mut out, ctx.stale())?;
            }
            Format::Text => render::explain_text(&mut out, &ex)?,
            _ => {
                return Err(Error::Usage(
                    "topics --explain: use --format text, json or jsonl".into(),
                )
                .into())
            }
        }
        out.flush()?;
        return Ok(0);
    }
    let cov = ctx.coverage()?;
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ctx.with_stale(&cov))?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            render::jsonl(&mut out, &cov)?;
            stale::jsonl_end(&mut out, ctx.stale())?;
        }
        Format::Csv => render::csv(&mut out, &cov)?,
        Format::Md => render::markdown(&mut out, &cov)?,
        _ => render::text(&mut out, &cov)?,
    }
    out.flush()?;
    Ok(0)
}
