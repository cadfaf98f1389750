//! Builds `data/background.tsv`, the fixed background model of clause
//! alignment: how many clauses of a reference collection contain each word.
//! `cargo run --release --example build_background > data/background.tsv`
//!
//! The reference collection: the bundled seeds and the national laws of
//! `../shared/bench-corpus/laws` (read there, never copied). Words in fewer
//! than 2 clauses are left out (the model treats unseen words as rarest).
//!
//! With `--clauses`, prints instead every clause of that collection as its
//! words separated by spaces, one clause a line (the input of
//! `scripts/ppmi_vectors.py`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use policy_diff::compare::clauses::comparable;
use policy_diff::corpus::{extract, parse, Corpus};
use policy_diff::text::segment;

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            markdown_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") && !p.ends_with("_index.md") {
            out.push(p);
        }
    }
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut texts: Vec<(String, String)> = vec![];
    let corpus = Corpus::open(&repo.join("corpus")).expect("bundled corpus");
    for e in &corpus.catalog.documents {
        let text = std::fs::read_to_string(corpus.file_path(e)).expect("seed text");
        texts.push((e.id.clone(), text));
    }
    let mut files = vec![];
    markdown_files(&repo.join("../shared/bench-corpus/laws"), &mut files);
    for (i, f) in files.iter().enumerate() {
        let bytes = std::fs::read(f).expect("law file");
        if let Ok(x) = extract::extract(f, &bytes) {
            texts.push((format!("law-{i}"), x.text));
        }
    }
    let dump = std::env::args().any(|a| a == "--clauses");
    let mut df: HashMap<String, u32> = HashMap::new();
    let mut clauses = 0u32;
    for (id, text) in &texts {
        for p in parse(id, text).0.iter().filter(|p| p.is_substantive()) {
            for c in p.clauses() {
                clauses += 1;
                let folded = comparable(c.text(p));
                let mut words: Vec<&str> = segment::words_fine(&folded)
                    .into_iter()
                    .map(|w| w.text)
                    .filter(|w| !w.chars().all(|c| c.is_ascii_digit() || c == '.'))
                    .collect();
                if dump {
                    println!("{}", words.join(" "));
                    continue;
                }
                words.sort_unstable();
                words.dedup();
                for w in words {
                    *df.entry(w.to_string()).or_default() += 1;
                }
            }
        }
    }
    if dump {
        return;
    }
    let mut rows: Vec<(String, u32)> = df.into_iter().filter(|(_, n)| *n >= 2).collect();
    rows.sort();
    println!("# policy-diff background model: word -> clauses containing it");
    println!(
        "# built by examples/build_background.rs from {} documents (seeds + laws)",
        texts.len()
    );
    println!("#clauses\t{clauses}");
    for (w, n) in rows {
        println!("{w}\t{n}");
    }
}
