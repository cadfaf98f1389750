//! `policy-diff add FILE...`

use std::path::PathBuf;

use policy_diff::corpus::meta::Detected;

use super::Ctx;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files to add.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Jurisdiction (otherwise derived from the issuer).
    #[arg(long)]
    pub jurisdiction: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// Document number (文号).
    #[arg(long)]
    pub doc_number: Option<String>,
    /// Date, YYYY-MM-DD.
    #[arg(long)]
    pub date: Option<String>,
    #[arg(long)]
    pub level: Option<String>,
    #[arg(long)]
    pub issuer: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    std::fs::create_dir_all(&ctx.corpus_dir)?;
    let mut corpus = ctx.corpus()?;
    let overrides = Detected {
        title: args.title,
        doc_number: args.doc_number,
        issuer: args.issuer,
        date: args.date,
        jurisdiction: args.jurisdiction,
        level: args.level,
        ..Default::default()
    };
    let mut failed = 0;
    for file in &args.files {
        match corpus.add_text(file, &overrides) {
            Ok(e) => eprintln!(
                "added {}: {} ({}, {})",
                file.display(),
                e.id,
                e.title,
                e.jurisdiction
            ),
            Err(e) => {
                failed += 1;
                eprintln!("policy-diff: error: {e}");
            }
        }
    }
    Ok(if failed > 0 { 2 } else { 0 })
}
