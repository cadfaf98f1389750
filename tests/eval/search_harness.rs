//! The search-ranking evaluation (shared by `tests/search_eval.rs`, which
//! asserts floors, and `examples/search_eval.rs`, which prints the report).
//!
//! `tests/eval/search/queries.tsv` lists the queries, `judgments.tsv` the
//! graded provisions (how they were graded: GUIDE.md there). A judged
//! provision is found by its document's source file name and the first
//! characters of its text (not by its id, which depends on the order
//! documents were added and on the parser's numbering); a provision a
//! ranking returns that nobody judged counts as grade 0.
//!
//! Measures, per query, then averaged over the queries: nDCG@10 (gain
//! 2^grade - 1, log2 discount, the ideal ranking from every judged grade of
//! the query) and P@5 (the share of the first five hits graded 2 or 3).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use policy_diff::corpus::Corpus;
use policy_diff::text::fold;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data(name: &str) -> String {
    let path = repo().join("tests/eval/search").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

#[derive(Debug, Clone)]
pub struct Query {
    pub text: String,
    /// word, topic or phrase
    pub kind: String,
}

pub fn queries() -> Vec<Query> {
    rows(&data("queries.tsv"))
        .map(|r| Query {
            text: r[0].to_string(),
            kind: r[1].to_string(),
        })
        .collect()
}

/// Per query: provision id (in `corpus`) → grade.
pub type Gold = HashMap<String, HashMap<String, u32>>;

/// The judgments resolved against `corpus`: each judged line's document
/// (by source file name) and provision (whose folded text starts with the
/// fragment).
pub fn gold(corpus: &Corpus) -> Gold {
    let text = data("judgments.tsv");
    let mut by_source: HashMap<&str, Vec<&policy_diff::corpus::Entry>> = HashMap::new();
    for e in &corpus.catalog.documents {
        by_source.entry(e.source.as_str()).or_default().push(e);
    }
    let mut docs: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut out = Gold::new();
    for r in rows(&text) {
        let (query, grade, source, fragment) = (r[0], r[2], r[3], fold(r[4]));
        let mut found = vec![];
        for e in by_source.get(source).into_iter().flatten() {
            let provisions = docs.entry(e.id.clone()).or_insert_with(|| {
                corpus
                    .document(e)
                    .expect("judged document parses")
                    .provisions
                    .iter()
                    .map(|p| (p.id.clone(), fold(&p.text)))
                    .collect()
            });
            found.extend(
                provisions
                    .iter()
                    .filter(|(_, t)| t.trim_start().starts_with(fragment.trim()))
                    .map(|(id, _)| id.clone()),
            );
        }
        // The same text in two documents (a law's two versions with one
        // file name in two folders): both carry the grade.
        assert!(
            !found.is_empty(),
            "judgment {query:?} {} ({source}, {fragment:?}) matches no provision",
            r[1]
        );
        let grades = out.entry(query.to_string()).or_default();
        for id in found {
            grades.insert(id, grade.parse().expect("grade"));
        }
    }
    out
}

#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub ndcg10: f64,
    pub p5: f64,
}

/// nDCG@10 and P@5 of one ranking.
pub fn score(ranked: &[String], grades: &HashMap<String, u32>) -> Scores {
    let gain = |g: u32| f64::from((1u32 << g) - 1);
    let discount = |i: usize| (i as f64 + 2.0).log2();
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, id)| gain(grades.get(id).copied().unwrap_or(0)) / discount(i))
        .sum();
    let mut ideal: Vec<u32> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &g)| gain(g) / discount(i))
        .sum();
    let relevant = ranked
        .iter()
        .take(5)
        .filter(|id| grades.get(*id).copied().unwrap_or(0) >= 2)
        .count();
    Scores {
        ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        p5: relevant as f64 / 5.0,
    }
}

/// Per query scores and their means, for a ranking function (query → ids).
pub fn evaluate(
    gold: &Gold,
    rank: &mut dyn FnMut(&str) -> Vec<String>,
) -> (Vec<(Query, Scores)>, Scores) {
    let mut per = vec![];
    let mut mean = Scores::default();
    let qs = queries();
    for q in &qs {
        let grades = gold.get(&q.text).cloned().unwrap_or_default();
        let s = score(&rank(&q.text), &grades);
        mean.ndcg10 += s.ndcg10 / qs.len() as f64;
        mean.p5 += s.p5 / qs.len() as f64;
        per.push((q.clone(), s));
    }
    (per, mean)
}

/// A corpus of the seeds and the laws bench corpus (read in place from
/// `../shared/`, added in file-name order), in `dir`.
pub fn seeds_and_laws(dir: &Path) -> PathBuf {
    let corpus_dir = dir.join("corpus");
    std::fs::create_dir_all(&corpus_dir).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("../shared/seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    let mut stack = vec![repo().join("../shared/bench-corpus/laws")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md")
                && p.file_name().unwrap() != "_index.md"
            {
                files.push(p);
            }
        }
    }
    files.sort();
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    let added = c
        .add_files(&refs, &Default::default())
        .into_iter()
        .filter(|r| r.is_ok())
        .count();
    assert!(added > 1500, "{added} documents added");
    corpus_dir
}
