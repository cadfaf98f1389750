//! The clause-alignment evaluation (shared by `tests/align_eval.rs`, which
//! asserts floors, and `examples/align_eval.rs`, which prints the report).
//!
//! Reads the annotation files of `tests/eval/align/` (format and rules in
//! its GUIDE.md), resolves every fragment to the one clause that holds it,
//! runs the aligner and scores it.
//!
//! Scoring with a partial annotation: annotators did not mark every parallel
//! pair of two documents, only those of the clauses they annotated. A
//! predicted link is therefore **judged** when at least one of its clauses
//! is annotated (in any line); it is correct when the annotation links the
//! two clauses. Recall is over the annotated links. Provision pairs follow
//! the same rule one level up: the gold pairs are the provisions of the
//! gold links, a predicted pair is judged when either provision holds an
//! annotated clause.
#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use policy_diff::compare::clauses::{align_clauses, Settings};
use policy_diff::corpus::{Corpus, Provision};
use policy_diff::text::fold;

type Clause = (usize, usize);
/// Parallel clause links and provision pairs of one run.
pub type Run = (Vec<(Clause, Clause)>, Vec<(usize, usize)>);

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One annotation line.
#[derive(Debug, Clone)]
pub struct Line {
    pub kind: String,
    /// The clause(s) of A holding the fragment: one, or several when the
    /// document repeats the sentence (a task-table row restating a measure
    /// of the body); a link to any of them counts.
    pub a: Option<Vec<Clause>>,
    pub b: Option<Vec<Clause>>,
    pub tune: bool,
    pub note: String,
}

/// One annotated document pair, its provisions and resolved lines.
pub struct Set {
    pub name: String,
    pub a_name: String,
    pub b_name: String,
    pub a: Vec<Provision>,
    pub b: Vec<Provision>,
    pub lines: Vec<Line>,
}

fn load_doc(spec: &str) -> Result<Vec<Provision>, String> {
    let text = if let Some(rel) = spec.strip_prefix("laws/") {
        let path = repo().join("../shared/bench-corpus/laws").join(rel);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        policy_diff::corpus::extract::extract(&path, &bytes)
            .map_err(|e| e.to_string())?
            .text
    } else {
        let corpus = Corpus::open(&repo().join("corpus")).map_err(|e| e.to_string())?;
        let e = corpus.entry(spec).map_err(|e| e.to_string())?.clone();
        return Ok(corpus
            .document(&e)
            .map_err(|e| e.to_string())?
            .provisions
            .into_iter()
            .filter(|p| p.is_substantive())
            .collect());
    };
    let id = spec.replace(['/', '(', ')', ' '], "_");
    let provisions = policy_diff::corpus::parse(&id, &text).0;
    // The tuning/test split (by `seq` parity) predates the 题注 front matter
    // of laws (PARSE_VERSION 4), which moved every seq after it: number as
    // before, so that each part keeps its lines.
    let record = provisions
        .iter()
        .filter(|p| p.kind == policy_diff::corpus::ProvisionKind::Front && p.heading == "题注")
        .count();
    Ok(provisions
        .into_iter()
        .filter(|p| p.is_substantive())
        .map(|mut p| {
            p.seq = p.seq.saturating_sub(record);
            p
        })
        .collect())
}

/// Sørensen–Dice coefficient of the character bigram multisets.
fn dice(x: &str, y: &str) -> f64 {
    let grams = |s: &str| {
        let c: Vec<char> = s.chars().collect();
        let mut g: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g
    };
    let (gx, gy) = (grams(x), grams(y));
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < gx.len() && j < gy.len() {
        match gx[i].cmp(&gy[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / (gx.len() + gy.len()).max(1) as f64
}

/// (provision index, clause index) of the clause holding `fragment`; several
/// only when their texts are the same sentence (one holds the other, or
/// they share 90% of their bigrams).
fn resolve(ps: &[Provision], fragment: &str) -> Result<Vec<Clause>, String> {
    let f = fold(fragment);
    let mut hits = vec![];
    for (i, p) in ps.iter().enumerate() {
        for (k, c) in p.clauses().iter().enumerate() {
            if fold(c.text(p)).contains(&f) {
                hits.push((i, k));
            }
        }
    }
    let text = |&(i, k): &Clause| fold(ps[i].clauses()[k].text(&ps[i]));
    let repeated = hits.len() > 1
        && hits.iter().all(|h| {
            let x = text(h);
            let y = text(&hits[0]);
            x.contains(&y) || y.contains(&x) || dice(&x, &y) >= 0.9
        });
    match hits.as_slice() {
        [_] => Ok(hits),
        _ if repeated => Ok(hits),
        [] => Err(format!("fragment {fragment:?} is in no clause")),
        many => Err(format!(
            "fragment {fragment:?} is in {} clauses ({})",
            many.len(),
            many.iter()
                .map(|&(i, k)| ps[i].clauses()[k].id.clone())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Load one annotation file.
pub fn load(path: &Path) -> Result<Set, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (mut a_name, mut b_name) = (String::new(), String::new());
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("#! a:") {
            a_name = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("#! b:") {
            b_name = v.trim().to_string();
        }
    }
    let a = load_doc(&a_name)?;
    let b = load_doc(&b_name)?;
    let mut lines = vec![];
    let mut errors = vec![];
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (kind, fa, fb) = (
            cols[0],
            cols.get(1).copied().unwrap_or(""),
            cols.get(2).copied().unwrap_or(""),
        );
        let ra = (!fa.is_empty()).then(|| resolve(&a, fa)).transpose();
        let rb = (!fb.is_empty()).then(|| resolve(&b, fb)).transpose();
        match (ra, rb) {
            (Ok(ca), Ok(cb)) => {
                let side = match (&ca, &cb) {
                    (Some(x), _) => &a[x[0].0],
                    (None, Some(y)) => &b[y[0].0],
                    _ => {
                        errors.push(format!("line {}: no fragment", n + 1));
                        continue;
                    }
                };
                lines.push(Line {
                    kind: kind.to_string(),
                    a: ca,
                    b: cb,
                    tune: side.seq % 2 == 0,
                    note: cols.get(3).copied().unwrap_or("").to_string(),
                });
            }
            (Err(e), _) | (_, Err(e)) => errors.push(format!("line {}: {e}", n + 1)),
        }
    }
    if !errors.is_empty() {
        return Err(format!("{}:\n  {}", path.display(), errors.join("\n  ")));
    }
    Ok(Set {
        name: path.file_stem().unwrap().to_string_lossy().into_owned(),
        a_name,
        b_name,
        a,
        b,
        lines,
    })
}

/// Every annotation file of `tests/eval/align/`, sorted by name.
pub fn load_all() -> Vec<Set> {
    let dir = repo().join("tests/eval/align");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| load(p).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// Which part of the set to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Tune,
    Test,
    All,
}

impl Part {
    fn has(self, l: &Line) -> bool {
        match self {
            Part::Tune => l.tune,
            Part::Test => !l.tune,
            Part::All => true,
        }
    }
}

/// True positives, judged predictions, gold items.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub tp: usize,
    pub judged: usize,
    pub gold: usize,
    pub found: usize,
}

impl Counts {
    pub fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.judged += o.judged;
        self.gold += o.gold;
        self.found += o.found;
    }
    pub fn precision(&self) -> f64 {
        if self.judged == 0 {
            1.0
        } else {
            self.tp as f64 / self.judged as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            1.0
        } else {
            self.found as f64 / self.gold as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Scores of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    pub clauses: Counts,
    pub provisions: Counts,
    /// Secondary provision pairs (a provision's second, third… partner:
    /// splits and merges): correct and judged.
    pub secondary_tp: usize,
    pub secondary_judged: usize,
    /// Gold only_a/only_b clauses left without a parallel link, and how many.
    pub unique_kept: usize,
    pub unique: usize,
    /// Gold related pairs linked as parallel, and how many.
    pub related_linked: usize,
    pub related: usize,
}

impl Scores {
    pub fn add(&mut self, o: Scores) {
        self.clauses.add(o.clauses);
        self.provisions.add(o.provisions);
        self.secondary_tp += o.secondary_tp;
        self.secondary_judged += o.secondary_judged;
        self.unique_kept += o.unique_kept;
        self.unique += o.unique;
        self.related_linked += o.related_linked;
        self.related += o.related;
    }
}

/// The clauses `lines` annotate, on each side.
fn annotated(lines: &[&Line]) -> (BTreeSet<Clause>, BTreeSet<Clause>) {
    let side = |pick: fn(&Line) -> Option<&Vec<Clause>>| {
        lines
            .iter()
            .filter_map(|l| pick(l))
            .flatten()
            .copied()
            .collect()
    };
    (side(|l| l.a.as_ref()), side(|l| l.b.as_ref()))
}

/// Score predicted parallel clause links (and provision pairs) against `set`.
pub fn score(
    set: &Set,
    part: Part,
    links: &[(Clause, Clause)],
    pairs: &[(usize, usize)],
) -> Scores {
    let lines: Vec<&Line> = set.lines.iter().filter(|l| part.has(l)).collect();
    let gold: Vec<(&Vec<Clause>, &Vec<Clause>)> = lines
        .iter()
        .filter(|l| l.kind == "link")
        .map(|l| (l.a.as_ref().unwrap(), l.b.as_ref().unwrap()))
        .collect();
    let is_gold =
        |x: &Clause, y: &Clause| gold.iter().any(|(ga, gb)| ga.contains(x) && gb.contains(y));
    let (annotated_a, annotated_b) = annotated(&lines);
    let predicted: BTreeSet<(Clause, Clause)> = links.iter().copied().collect();
    let mut s = Scores::default();
    for (x, y) in &predicted {
        if annotated_a.contains(x) || annotated_b.contains(y) {
            s.clauses.judged += 1;
            if is_gold(x, y) {
                s.clauses.tp += 1;
            }
        }
    }
    s.clauses.gold = gold.len();
    s.clauses.found = gold
        .iter()
        .filter(|(ga, gb)| {
            predicted
                .iter()
                .any(|(x, y)| ga.contains(x) && gb.contains(y))
        })
        .count();

    // Provision level: a gold pair is any provision pair a gold link may fall in.
    let gold_p: Vec<(BTreeSet<usize>, BTreeSet<usize>)> = gold
        .iter()
        .map(|(ga, gb)| {
            (
                ga.iter().map(|c| c.0).collect(),
                gb.iter().map(|c| c.0).collect(),
            )
        })
        .collect();
    let mut gold_p_dedup: Vec<(BTreeSet<usize>, BTreeSet<usize>)> = vec![];
    for g in gold_p {
        if !gold_p_dedup.contains(&g) {
            gold_p_dedup.push(g);
        }
    }
    // A predicted pair is judged when one of the links behind it is.
    let predicted_p: BTreeSet<(usize, usize)> = pairs.iter().copied().collect();
    for (x, y) in &predicted_p {
        let judged = predicted.iter().any(|(ca, cb)| {
            ca.0 == *x && cb.0 == *y && (annotated_a.contains(ca) || annotated_b.contains(cb))
        });
        if judged {
            s.provisions.judged += 1;
            let ok = gold_p_dedup
                .iter()
                .any(|(ga, gb)| ga.contains(x) && gb.contains(y));
            if ok {
                s.provisions.tp += 1;
            }
            // Secondary: not the first (best) partner of one of its
            // provisions (`pairs` come best first): a split or a merge.
            let first_a = pairs.iter().find(|(a, _)| a == x).map(|p| p.1);
            let first_b = pairs.iter().find(|(_, b)| b == y).map(|p| p.0);
            if first_a != Some(*y) || first_b != Some(*x) {
                s.secondary_judged += 1;
                if ok {
                    s.secondary_tp += 1;
                }
            }
        }
    }
    s.provisions.gold = gold_p_dedup.len();
    s.provisions.found = gold_p_dedup
        .iter()
        .filter(|(ga, gb)| {
            predicted_p
                .iter()
                .any(|(x, y)| ga.contains(x) && gb.contains(y))
        })
        .count();

    for l in &lines {
        match l.kind.as_str() {
            "only_a" => {
                s.unique += 1;
                let a = l.a.as_ref().unwrap();
                if !predicted.iter().any(|(x, _)| a.contains(x)) {
                    s.unique_kept += 1;
                }
            }
            "only_b" => {
                s.unique += 1;
                let b = l.b.as_ref().unwrap();
                if !predicted.iter().any(|(_, y)| b.contains(y)) {
                    s.unique_kept += 1;
                }
            }
            "related" => {
                s.related += 1;
                let (a, b) = (l.a.as_ref().unwrap(), l.b.as_ref().unwrap());
                if predicted
                    .iter()
                    .any(|(x, y)| a.contains(x) && b.contains(y))
                {
                    s.related_linked += 1;
                }
            }
            _ => {}
        }
    }
    s
}

/// Parallel links and provision pairs of the clause aligner on `set`.
pub fn run(set: &Set, settings: &Settings) -> Run {
    let a: Vec<&Provision> = set.a.iter().collect();
    let b: Vec<&Provision> = set.b.iter().collect();
    let al = align_clauses(&a, &b, settings);
    let links = al
        .links
        .iter()
        .filter(|l| l.kind.is_parallel())
        .map(|l| {
            let (ua, ub) = (&al.a[l.a], &al.b[l.b]);
            (
                (ua.provision, ua.clause.n - 1),
                (ub.provision, ub.clause.n - 1),
            )
        })
        .collect();
    let mut pp = al.provision_pairs();
    pp.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
    let pairs = pp.iter().map(|p| (p.a, p.b)).collect();
    (links, pairs)
}

/// The whole-provision aligner this replaced (IDF over the two documents and
/// the bundled corpus, default threshold): its provision pairs, and as
/// clause links every clause pair inside a paired provision (what a reader
/// of the old report had to sort out by eye).
pub fn run_before(set: &Set) -> Run {
    use policy_diff::compare::{align, SimilarityModel, PAIR_THRESHOLD};
    let corpus = Corpus::open(&repo().join("corpus")).unwrap();
    let seeds = corpus.documents().unwrap();
    let mut all: Vec<&Provision> = seeds.iter().flat_map(|d| d.provisions.iter()).collect();
    let seed_ids: BTreeSet<&str> = seeds.iter().map(|d| d.entry.id.as_str()).collect();
    for p in set.a.iter().chain(&set.b) {
        if !seed_ids.contains(p.doc_id.as_str()) {
            all.push(p);
        }
    }
    let model = SimilarityModel::new(&all);
    let a: Vec<&Provision> = set.a.iter().collect();
    let b: Vec<&Provision> = set.b.iter().collect();
    let al = align(&model, &a, &b, PAIR_THRESHOLD);
    let mut by_score = al.pairs.clone();
    by_score.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
    let pairs: Vec<(usize, usize)> = by_score.iter().map(|p| (p.a, p.b)).collect();
    let mut links = vec![];
    for &(i, j) in &pairs {
        for x in 0..set.a[i].clauses().len() {
            for y in 0..set.b[j].clauses().len() {
                links.push(((i, x), (j, y)));
            }
        }
    }
    (links, pairs)
}

/// Scores of `settings` over every set.
pub fn evaluate(sets: &[Set], part: Part, settings: &Settings) -> Scores {
    let mut total = Scores::default();
    for set in sets {
        let (links, pairs) = run(set, settings);
        total.add(score(set, part, &links, &pairs));
    }
    total
}

/// Clause scores of the gold links and of the gold related pairs (for the
/// score distribution).
pub fn gold_scores(set: &Set, settings: &Settings) -> (Vec<f64>, Vec<f64>) {
    use policy_diff::compare::clauses::comparable_measure as comparable;
    let a: Vec<&Provision> = set.a.iter().collect();
    let b: Vec<&Provision> = set.b.iter().collect();
    let ua = policy_diff::compare::clauses::units(&a);
    let ub = policy_diff::compare::clauses::units(&b);
    let fa: Vec<String> = ua.iter().map(|u| comparable(u.text())).collect();
    let fb: Vec<String> = ub.iter().map(|u| comparable(u.text())).collect();
    let model = settings.model(fa.iter().chain(&fb).map(String::as_str));
    let mut va: Vec<_> = fa.iter().chain(&fb).map(|f| model.vector(f)).collect();
    policy_diff::compare::clauses::model::center(&mut va);
    let vb = va.split_off(fa.len());
    let index_a: HashMap<Clause, usize> = ua
        .iter()
        .enumerate()
        .map(|(k, u)| ((u.provision, u.clause.n - 1), k))
        .collect();
    let index_b: HashMap<Clause, usize> = ub
        .iter()
        .enumerate()
        .map(|(k, u)| ((u.provision, u.clause.n - 1), k))
        .collect();
    let mut links = vec![];
    let mut related = vec![];
    for l in &set.lines {
        if let (Some(x), Some(y)) = (&l.a, &l.b) {
            let (i, j) = (index_a[&x[0]], index_b[&y[0]]);
            let s = model.score(&va[i], &vb[j]).similarity;
            match l.kind.as_str() {
                "link" => links.push(s),
                "related" => related.push(s),
                _ => {}
            }
        }
    }
    (links, related)
}

/// The tuning part's errors of `settings` on `set`, for reading: false
/// positives (judged, not annotated) and misses, with their scores. Never
/// used on the test part.
pub fn tuning_errors(set: &Set, settings: &Settings) -> Vec<String> {
    let (links, _) = run(set, settings);
    let lines: Vec<&Line> = set.lines.iter().filter(|l| l.tune).collect();
    let text_a = |c: &Clause| set.a[c.0].clauses()[c.1].text(&set.a[c.0]).to_string();
    let text_b = |c: &Clause| set.b[c.0].clauses()[c.1].text(&set.b[c.0]).to_string();
    let (ann_a, ann_b) = annotated(&lines);
    let mut out = vec![];
    for (x, y) in &links {
        let gold = lines.iter().any(|l| {
            l.kind == "link"
                && l.a.as_ref().unwrap().contains(x)
                && l.b.as_ref().unwrap().contains(y)
        });
        if !gold && (ann_a.contains(x) || ann_b.contains(y)) {
            out.push(format!("FP  {}  <->  {}", text_a(x), text_b(y)));
        }
    }
    for l in lines.iter().filter(|l| l.kind == "link") {
        let (ga, gb) = (l.a.as_ref().unwrap(), l.b.as_ref().unwrap());
        if !links.iter().any(|(x, y)| ga.contains(x) && gb.contains(y)) {
            out.push(format!(
                "MISS {}  <->  {}   [{}]",
                text_a(&ga[0]),
                text_b(&gb[0]),
                l.note
            ));
        }
    }
    out
}

/// Rows of `compare` as sets of clause ids (`{provision_id}.{n}`) per row,
/// over every topic of the built-in taxonomy, the seeds compared one column
/// per document. A provision shown whole contributes all its clauses.
pub fn compare_rows() -> Vec<Vec<String>> {
    use policy_diff::compare::side_by_side::{self as sbs, By, Options, Selection};
    use policy_diff::compare::SimilarityModel;
    use policy_diff::topics::Taxonomy;
    let corpus = Corpus::open(&repo().join("corpus")).unwrap();
    let docs = corpus.documents().unwrap();
    let refs: Vec<&policy_diff::corpus::Document> = docs.iter().collect();
    let all: Vec<&Provision> = docs
        .iter()
        .flat_map(|d| d.provisions.iter())
        .filter(|p| p.is_substantive())
        .collect();
    let model = SimilarityModel::new(&all);
    let tax = Taxonomy::builtin();
    let mut rows = vec![];
    for topic in tax.topics() {
        let sel = Selection::of_documents(&tax, topic, &refs, By::Doc);
        let c = sbs::compare(&sel, &model, &Options::default());
        for r in &c.rows {
            let mut ids = vec![];
            for cell in r.cells.all() {
                if cell.clauses.is_empty() {
                    let p = all.iter().find(|p| p.id == cell.provision_id).unwrap();
                    ids.extend(p.clauses().into_iter().map(|k| k.id));
                } else {
                    ids.extend(cell.clauses.iter().map(|k| k.id.clone()));
                }
            }
            rows.push(ids);
        }
    }
    rows
}

/// The rows of `compare` before clause alignment, from
/// `tests/eval/compare_before.tsv` (`topic<TAB>provision ids` per row, as
/// the whole-provision `compare --by doc` of commit c8aed23 made them), as
/// clause ids: every clause of every provision of a row.
pub fn compare_rows_before() -> Vec<Vec<String>> {
    let corpus = Corpus::open(&repo().join("corpus")).unwrap();
    let docs = corpus.documents().unwrap();
    let text = std::fs::read_to_string(repo().join("tests/eval/compare_before.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (_, ids) = l.split_once('\t').unwrap();
            ids.split_whitespace()
                .flat_map(|pid| {
                    let p = docs
                        .iter()
                        .flat_map(|d| d.provisions.iter())
                        .find(|p| p.id == pid)
                        .unwrap_or_else(|| panic!("{pid}"));
                    p.clauses().into_iter().map(|k| k.id)
                })
                .collect()
        })
        .collect()
}

/// Same-row placement against the seed sets: a row places clause x of A and
/// clause y of B together; judged when x or y is annotated, correct when the
/// annotation links them. Recall is over the annotated links (of the part).
pub fn score_rows(sets: &[Set], part: Part, rows: &[Vec<String>]) -> Counts {
    let mut total = Counts::default();
    for set in sets.iter().filter(|s| !s.name.starts_with("laws")) {
        let lines: Vec<&Line> = set.lines.iter().filter(|l| part.has(l)).collect();
        let id_a = |c: &Clause| set.a[c.0].clauses()[c.1].id.clone();
        let id_b = |c: &Clause| set.b[c.0].clauses()[c.1].id.clone();
        let gold: Vec<(Vec<String>, Vec<String>)> = lines
            .iter()
            .filter(|l| l.kind == "link")
            .map(|l| {
                (
                    l.a.as_ref().unwrap().iter().map(id_a).collect(),
                    l.b.as_ref().unwrap().iter().map(id_b).collect(),
                )
            })
            .collect();
        let ann_a: BTreeSet<String> = lines
            .iter()
            .filter_map(|l| l.a.as_ref())
            .flatten()
            .map(id_a)
            .collect();
        let ann_b: BTreeSet<String> = lines
            .iter()
            .filter_map(|l| l.b.as_ref())
            .flatten()
            .map(id_b)
            .collect();
        let (pa, pb) = (
            format!("{}:", set.a[0].doc_id),
            format!("{}:", set.b[0].doc_id),
        );
        let mut together: BTreeSet<(String, String)> = BTreeSet::new();
        for r in rows {
            for x in r.iter().filter(|x| x.starts_with(&pa)) {
                for y in r.iter().filter(|y| y.starts_with(&pb)) {
                    together.insert((x.clone(), y.clone()));
                }
            }
        }
        for (x, y) in &together {
            if ann_a.contains(x) || ann_b.contains(y) {
                total.judged += 1;
                if gold.iter().any(|(ga, gb)| ga.contains(x) && gb.contains(y)) {
                    total.tp += 1;
                }
            }
        }
        total.gold += gold.len();
        total.found += gold
            .iter()
            .filter(|(ga, gb)| {
                together
                    .iter()
                    .any(|(x, y)| ga.contains(x) && gb.contains(y))
            })
            .count();
    }
    total
}

/// How often the gold partner of an annotated link of `part` is the best
/// partner of its clause, scored by `measure` over every clause of the other
/// side: (links, gold best for A's clause, gold best for B's clause, both).
/// Tells what competitive linking can reach with a given score.
pub fn gold_ranks(
    set: &Set,
    part: Part,
    settings: &Settings,
    measure: &dyn Fn(&policy_diff::compare::clauses::ClauseScore) -> f64,
) -> (usize, usize, usize, usize) {
    use policy_diff::compare::clauses::comparable_measure as comparable;
    let a: Vec<&Provision> = set.a.iter().collect();
    let b: Vec<&Provision> = set.b.iter().collect();
    let ua = policy_diff::compare::clauses::units(&a);
    let ub = policy_diff::compare::clauses::units(&b);
    let fa: Vec<String> = ua.iter().map(|u| comparable(u.text())).collect();
    let fb: Vec<String> = ub.iter().map(|u| comparable(u.text())).collect();
    let model = settings.model(fa.iter().chain(&fb).map(String::as_str));
    let mut va: Vec<_> = fa.iter().chain(&fb).map(|f| model.vector(f)).collect();
    policy_diff::compare::clauses::model::center(&mut va);
    let vb = va.split_off(fa.len());
    let index = |u: &[policy_diff::compare::clauses::Unit]| -> HashMap<Clause, usize> {
        u.iter()
            .enumerate()
            .map(|(k, u)| ((u.provision, u.clause.n - 1), k))
            .collect()
    };
    let (index_a, index_b) = (index(&ua), index(&ub));
    let (mut n, mut best_a, mut best_b, mut both) = (0, 0, 0, 0);
    for l in set.lines.iter().filter(|l| l.kind == "link" && part.has(l)) {
        let (x, y) = (l.a.as_ref().unwrap(), l.b.as_ref().unwrap());
        let (i, j) = (index_a[&x[0]], index_b[&y[0]]);
        let gold = measure(&model.score(&va[i], &vb[j]));
        // Every clause annotated as a partner of this link's clauses (a long
        // clause may have several).
        let links = set.lines.iter().filter(|m| m.kind == "link");
        let golds_b: Vec<usize> = links
            .clone()
            .filter(|m| m.a.as_ref().unwrap().iter().any(|c| x.contains(c)))
            .flat_map(|m| m.b.as_ref().unwrap().iter().map(|c| index_b[c]))
            .collect();
        let golds_a: Vec<usize> = links
            .filter(|m| m.b.as_ref().unwrap().iter().any(|c| y.contains(c)))
            .flat_map(|m| m.a.as_ref().unwrap().iter().map(|c| index_a[c]))
            .collect();
        let top_a = (0..vb.len())
            .filter(|k| !golds_b.contains(k) && vb[*k].content > 0)
            .all(|k| measure(&model.score(&va[i], &vb[k])) < gold);
        let top_b = (0..va.len())
            .filter(|k| !golds_a.contains(k) && va[*k].content > 0)
            .all(|k| measure(&model.score(&va[k], &vb[j])) < gold);
        n += 1;
        best_a += usize::from(top_a);
        best_b += usize::from(top_b);
        both += usize::from(top_a && top_b);
    }
    (n, best_a, best_b, both)
}
