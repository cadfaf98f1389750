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
    /// Do not update the index now (the next command that reads it will).
    #[arg(long)]
    pub no_index: bool,
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
    let files: Vec<&std::path::Path> = args.files.iter().map(|f| f.as_path()).collect();
    let mut failed = 0;
    let mut added = 0;
    for (file, result) in files.iter().zip(corpus.add_texts(&files, &overrides)) {
        match result {
            Ok(e) => {
                added += 1;
                eprintln!(
                    "added {}: {} ({}, {})",
                    file.display(),
                    e.id,
                    e.title,
                    e.jurisdiction
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("policy-diff: error: {e}");
            }
        }
    }
    if added > 0 && !args.no_index {
        let summary = ctx.update_index(&corpus, false)?;
        eprintln!("{}", summary.line());
    }
    if files.len() > 1 {
        eprintln!("{added} added, {failed} refused");
    }
    Ok(if failed > 0 { 2 } else { 0 })
}
