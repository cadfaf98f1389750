//! Metadata detection over the laws bench corpus (EVALUATION.md takes its
//! figures from here): `cargo run --release --example meta_eval`.
//!
//! Prints how many documents get no jurisdiction, level, issuer, date or
//! 文号, the values found most often, and the accuracy on the annotated
//! sample `tests/eval/meta/sample.tsv`. `META_EVAL_LIST=field` lists the
//! files missing that field.

#[path = "../tests/eval/meta_harness.rs"]
mod meta_harness;

use std::collections::BTreeMap;

use meta_harness::{detect_file, law_files, laws_dir, load_sample, score_sample};

fn main() {
    let root = laws_dir();
    let files = law_files(&root);
    let list = std::env::var("META_EVAL_LIST").ok();
    if list.as_deref() == Some("all") {
        for f in &files {
            let Some(d) = detect_file(f) else { continue };
            let cols: Vec<&str> = [
                "issuer",
                "jurisdiction",
                "level",
                "adopted",
                "amended",
                "date",
                "doc_number",
            ]
            .iter()
            .map(|c| meta_harness::field(&d, c))
            .collect();
            println!(
                "{}\t{}",
                f.strip_prefix(&root).unwrap_or(f).display(),
                cols.join("\t")
            );
        }
        return;
    }
    let fields = ["jurisdiction", "level", "issuer", "date", "doc_number"];
    let mut missing: BTreeMap<&str, usize> = BTreeMap::new();
    let mut values: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    let mut either = 0;
    let mut amended = 0;
    for f in &files {
        let Some(d) = detect_file(f) else { continue };
        for field in fields {
            let v = meta_harness::field(&d, field);
            if v.is_empty() {
                *missing.entry(field).or_default() += 1;
                if list.as_deref() == Some(field) {
                    println!("{}", f.strip_prefix(&root).unwrap_or(f).display());
                }
            } else if field != "date" && field != "doc_number" {
                *values
                    .entry(field)
                    .or_default()
                    .entry(v.to_string())
                    .or_default() += 1;
            }
        }
        if d.jurisdiction.is_none() || d.level.is_none() {
            either += 1;
        }
        if d.amended.is_some() {
            amended += 1;
        }
    }
    if list.is_some() {
        return;
    }
    println!("{} documents in {}", files.len(), root.display());
    for field in fields {
        println!("no {field}: {}", missing.get(field).copied().unwrap_or(0));
    }
    println!("no jurisdiction or no level: {either}");
    println!("with an amendment date: {amended}");
    for (field, counts) in &values {
        let mut v: Vec<_> = counts.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = v.iter().take(8).map(|(k, n)| format!("{k} {n}")).collect();
        println!("{field}: {} values; {}", counts.len(), top.join(", "));
    }
    let sample = load_sample();
    let s = score_sample(&sample);
    println!(
        "annotated sample: {} documents, {} values, {} correct ({:.1}%)",
        sample.len(),
        s.values,
        s.correct,
        100.0 * s.correct as f64 / s.values.max(1) as f64
    );
    for (field, (ok, n)) in &s.per_field {
        println!("  {field}: {ok}/{n}");
    }
    for e in &s.errors {
        println!("  wrong: {e}");
    }
}
