//! The search-ranking evaluation report (EVALUATION.md takes its figures
//! from here): nDCG@10 and P@5 per query and on average over the judged
//! queries of `tests/eval/search/`.
//!
//! `cargo run --release --example search_eval` builds a corpus of the seeds
//! and the laws bench corpus in a temporary directory and ranks with this
//! build's library. `-- --corpus C --index I [--binary B]` uses an existing
//! corpus and index instead; with `--binary`, the hits are those of
//! `B --corpus C --index I search Q -n 10 --format json` (how the figures of
//! an older build are taken).

#[path = "../tests/eval/search_harness.rs"]
mod harness;

use std::path::PathBuf;
use std::process::Command;

use policy_diff::corpus::{Corpus, Provision};
use policy_diff::index::{IndexDir, Options, SearchFilter, Topics};
use policy_diff::query::parse;

fn no_topics(_: &Provision, _: &str, _: &str) -> Vec<String> {
    vec![]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    let tmp = tempfile::tempdir().unwrap();
    let corpus_dir = arg("--corpus").unwrap_or_else(|| harness::seeds_and_laws(tmp.path()));
    let index_dir = arg("--index").unwrap_or_else(|| tmp.path().join("index"));
    let corpus = Corpus::open(&corpus_dir).unwrap();
    let gold = harness::gold(&corpus);
    let (per, mean) = match arg("--binary") {
        Some(binary) => harness::evaluate(&gold, &mut |q| {
            let out = Command::new(&binary)
                .arg("--corpus")
                .arg(&corpus_dir)
                .arg("--index")
                .arg(&index_dir)
                .args(["search", q, "-n", "10", "--format", "json"])
                .output()
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["provision_id"].as_str().unwrap().to_string())
                .collect()
        }),
        None => {
            let index = IndexDir::new(&index_dir);
            let options = Options {
                rebuild: false,
                observer: &policy_diff::app::Quiet,
                topics: Topics {
                    version: "none".into(),
                    classify: &no_topics,
                },
            };
            index.update(&corpus, &options).unwrap();
            let reader = index.reader().unwrap();
            harness::evaluate(&gold, &mut |q| {
                reader
                    .search(&parse(q).unwrap(), &SearchFilter::default(), 10)
                    .unwrap()
                    .hits
                    .into_iter()
                    .map(|h| h.provision_id)
                    .collect()
            })
        }
    };
    println!("| query | kind | nDCG@10 | P@5 |\n|---|---|---|---|");
    for (q, s) in &per {
        println!(
            "| {} | {} | {:.3} | {:.2} |",
            q.text, q.kind, s.ndcg10, s.p5
        );
    }
    for kind in ["word", "topic", "phrase"] {
        let of: Vec<_> = per.iter().filter(|(q, _)| q.kind == kind).collect();
        let n = of.len() as f64;
        println!(
            "| mean of {} {kind} queries | | {:.3} | {:.3} |",
            of.len(),
            of.iter().map(|(_, s)| s.ndcg10).sum::<f64>() / n,
            of.iter().map(|(_, s)| s.p5).sum::<f64>() / n
        );
    }
    println!(
        "| **mean of all {} queries** | | **{:.3}** | **{:.3}** |",
        per.len(),
        mean.ndcg10,
        mean.p5
    );
}
