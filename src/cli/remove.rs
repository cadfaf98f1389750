//! `policy-diff remove DOC_ID...`

use policy_diff::corpus::Corpus;

use super::Ctx;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The documents to remove: ids (as listed by `docs`), 文号 or unique parts of titles.
    #[arg(required = true, value_name = "DOC_ID")]
    pub ids: Vec<String>,
    /// Do not update the index now (the next command that reads it will).
    #[arg(long)]
    pub no_index: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    ctx.sweep_interrupted_add()?;
    let (mut corpus, _lock) = Corpus::open_for_writing(&ctx.corpus_dir, ctx.observer())?;
    // Every document must exist before anything is removed.
    let ids = corpus.doc_ids(&args.ids)?;
    for id in &ids {
        if corpus.catalog.get(id).is_none() {
            continue; // named twice
        }
        let e = corpus.remove(id)?;
        println!("removed {}: 《{}》", e.id, e.title);
    }
    if !args.no_index {
        match ctx.update_index(&corpus, false) {
            Ok(summary) => eprintln!("{}", summary.line()),
            Err(e) => {
                // As `add` says it: the corpus changed, the index did not.
                eprintln!(
                    "policy-diff: error: the documents are out of the corpus, but updating the index failed \
                     (the next command that reads the index will try again; until then searches answer from \
                     the last index): {e}"
                );
                return Ok(1);
            }
        }
    }
    Ok(0)
}
