//! `policy-diff search QUERY`

use std::io::{IsTerminal, Write};

use policy_diff::app::search::SearchRequest;
use policy_diff::corpus::Level;
use policy_diff::report::search as render;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Words, "exact phrases", AND / OR / NOT, +word / -word, parentheses.
    /// Options may come before or after it (`人才 -公寓 -n 3`).
    pub query: Vec<String>,
    /// Only these jurisdictions: a province or city in Chinese or pinyin
    /// (江苏, 连云港, nantong: everything in it), or a jurisdiction in full or
    /// by an unambiguous part (开发区).
    #[arg(long, short = 'j')]
    pub jurisdiction: Vec<String>,
    /// Only these documents: id (from `docs`), 文号 or a unique part of the title.
    #[arg(long, short = 'd')]
    pub doc: Vec<String>,
    /// Only provisions on these topics (id or Chinese label).
    #[arg(long, short = 't')]
    pub topic: Vec<String>,
    /// Only provisions with a clause coded with this policy instrument or
    /// family (`supply.talent`, `人才培养与引进`, `demand`, `需求型`; built-in
    /// framework); repeat for any of several.
    #[arg(long, short = 'i', value_name = "I")]
    pub instrument: Vec<String>,
    /// Only documents of these levels (city, national-level development zone, ...).
    #[arg(long)]
    pub level: Vec<String>,
    /// Only documents dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Only documents dated on or before this date.
    #[arg(long)]
    pub to: Option<String>,
    /// How many hits to show (at most the number of indexed provisions).
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// text, json, jsonl (one hit per line), csv or md.
    #[arg(long, default_value = "text", value_parser = super::formats(
        &[Format::Text, Format::Json, Format::Jsonl, Format::Csv, Format::Md]))]
    pub format: Format,
    /// Show how the query is parsed and segmented.
    #[arg(long)]
    pub explain: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let res = ctx.search(&SearchRequest {
        query: args.query.join(" "),
        jurisdictions: args.jurisdiction,
        docs: args.doc,
        topics: args.topic,
        instruments: args.instrument,
        levels: args.level.into_iter().map(Level::from).collect(),
        from: args.from,
        to: args.to,
        limit: args.limit,
        explain: args.explain,
    })?;
    let mut out = stdout();
    if args.explain {
        render::explain(&mut out, &res)?;
    }
    match args.format {
        Format::Json => render::json(&mut out, &res, ctx.stale())?,
        Format::Jsonl => {
            render::jsonl(&mut out, &res)?;
            policy_diff::report::stale::jsonl_end(&mut out, ctx.stale())?;
        }
        Format::Csv => render::csv(&mut out, &res)?,
        Format::Md => render::markdown(&mut out, &res)?,
        _ => render::text(&mut out, &res, std::io::stdout().is_terminal())?,
    }
    out.flush()?;
    ctx.mark("printed");
    Ok(0)
}
