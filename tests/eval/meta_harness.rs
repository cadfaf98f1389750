//! Shared by `tests/meta_eval.rs` and `examples/meta_eval.rs`: the laws
//! bench corpus, detection as `add` does it, and the annotated sample
//! `tests/eval/meta/sample.tsv`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use policy_diff::corpus::{extract, meta, Field};

pub fn laws_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench-corpus/laws")
}

/// Every document of the laws corpus (the `_index.md` listings are not documents).
pub fn law_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![];
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md")
                && p.file_name().is_some_and(|n| n != "_index.md")
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Metadata of a file as `add` detects it.
pub fn detect_file(path: &Path) -> Option<meta::Detected> {
    let bytes = std::fs::read(path).ok()?;
    let text = extract::extract(path, &bytes).ok()?.text;
    Some(meta::detect(&text))
}

pub fn field<'a>(d: &'a meta::Detected, name: &str) -> &'a str {
    d.value(&Field::parse(name))
        .unwrap_or_else(|| panic!("unknown field {name}"))
}

/// The fields annotated in the sample, in the TSV's column order after `file`.
pub const SAMPLE_FIELDS: [&str; 6] = [
    "issuer",
    "jurisdiction",
    "level",
    "adopted",
    "amended",
    "date",
];

pub struct Annotated {
    /// Relative to the laws corpus.
    pub file: String,
    pub expected: BTreeMap<&'static str, String>,
}

/// `tests/eval/meta/sample.tsv`: `file`, then the fields; `-` for none.
pub fn load_sample() -> Vec<Annotated> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/eval/meta/sample.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = vec![];
    for line in text.lines().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() > SAMPLE_FIELDS.len(),
            "{}: too few columns in {line:?}",
            path.display()
        );
        let expected = SAMPLE_FIELDS
            .iter()
            .zip(&cols[1..])
            .map(|(f, v)| {
                (
                    *f,
                    if *v == "-" {
                        String::new()
                    } else {
                        v.to_string()
                    },
                )
            })
            .collect();
        out.push(Annotated {
            file: cols[0].to_string(),
            expected,
        });
    }
    out
}

#[derive(Default)]
pub struct SampleScore {
    pub values: usize,
    pub correct: usize,
    pub per_field: BTreeMap<&'static str, (usize, usize)>,
    pub errors: Vec<String>,
}

pub fn score_sample(sample: &[Annotated]) -> SampleScore {
    let root = laws_dir();
    let mut s = SampleScore::default();
    for a in sample {
        let d =
            detect_file(&root.join(&a.file)).unwrap_or_else(|| panic!("{} is readable", a.file));
        for (f, want) in &a.expected {
            let got = field(&d, f);
            let e = s.per_field.entry(f).or_default();
            e.1 += 1;
            s.values += 1;
            if got == want {
                e.0 += 1;
                s.correct += 1;
            } else {
                s.errors
                    .push(format!("{}: {f}: want {want:?}, got {got:?}", a.file));
            }
        }
    }
    s
}
