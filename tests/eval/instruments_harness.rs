//! The policy-instrument evaluation: the hand-coded clauses of
//! `tests/eval/instruments/` (how they were coded: its GUIDE.md) against
//! the tool's codes. Shared by `tests/instruments_eval.rs` (floors) and
//! `examples/instruments_eval.rs` (the report in EVALUATION.md).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use policy_diff::instruments::review::kappa;
use policy_diff::instruments::{clause_context, code, code_with, Framework, Settings};

/// The test clauses whose text repeats a tuning clause (the task table of
/// lyg-etdz-2021-54 repeats its items; GUIDE.md, "Known problems").
pub const TEST_COPIES_OF_TUNE: [&str; 16] = [
    "lyg-etdz-2021-54:7.1",
    "lyg-etdz-2021-54:9.2",
    "lyg-etdz-2021-54:11.1",
    "lyg-etdz-2021-54:13.1",
    "lyg-etdz-2021-54:15.1",
    "lyg-etdz-2021-54:17.3",
    "lyg-etdz-2021-54:51.1",
    "lyg-etdz-2021-54:75.1",
    "lyg-etdz-2021-54:19.2",
    "lyg-etdz-2021-54:21.2",
    "lyg-etdz-2021-54:21.5",
    "lyg-etdz-2021-54:29.1",
    "lyg-etdz-2021-54:35.1",
    "lyg-etdz-2021-54:43.2",
    "lyg-etdz-2021-54:63.1",
    "lyg-etdz-2021-54:81.1",
];

/// One hand-coded clause.
#[derive(Clone)]
pub struct Item {
    pub clause_id: String,
    /// Sub-type codes (empty: `none`).
    pub codes: BTreeSet<String>,
    pub text: String,
    /// Its headings as the tool reads them (`clause_context`), from the
    /// bundled corpus: what the learned layer reads beside the text.
    pub context: String,
}

/// The context of every clause of the bundled corpus, by clause id.
fn contexts() -> &'static std::collections::HashMap<String, String> {
    static CONTEXTS: std::sync::OnceLock<std::collections::HashMap<String, String>> =
        std::sync::OnceLock::new();
    CONTEXTS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let corpus = policy_diff::corpus::Corpus::open(&dir).expect("the bundled corpus");
        let mut map = std::collections::HashMap::new();
        for d in corpus.documents().expect("its documents") {
            for p in &d.provisions {
                let context = clause_context(p);
                for c in p.clauses() {
                    map.insert(c.id.clone(), context.clone());
                }
            }
        }
        map
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Part {
    Tune,
    Test,
    /// Coded later by a second annotator, from clauses in neither part,
    /// and never used to choose anything (GUIDE.md, "The held-out set").
    Held,
    /// The remaining clauses of the seeds, coded by two more annotators to
    /// train the learned layer (GUIDE.md, "The training set").
    Train,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/eval/instruments")
}

pub fn load(part: Part) -> Vec<Item> {
    let file = match part {
        Part::Tune => "tune.tsv",
        Part::Test => "test.tsv",
        Part::Held => "held.tsv",
        Part::Train => "train.tsv",
    };
    let text = std::fs::read_to_string(dir().join(file)).expect("annotation file");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= 4, "{file}: {l}");
            let codes = f[1]
                .split(';')
                .map(str::trim)
                .filter(|c| !c.is_empty() && *c != "none")
                .map(String::from)
                .collect();
            let context = contexts()
                .get(f[0])
                .unwrap_or_else(|| panic!("{file}: clause {} is not in the bundled corpus", f[0]))
                .clone();
            Item {
                clause_id: f[0].to_string(),
                codes,
                text: f[3].to_string(),
                context,
            }
        })
        .collect()
}

/// Counts of one label: true positives, false positives, false negatives.
#[derive(Default, Clone, Copy, Debug)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, gold: bool, got: bool) {
        match (gold, got) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => {}
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The figures of one run.
pub struct Scores {
    pub clauses: usize,
    /// Per label (sub-type or family), in framework order.
    pub subtypes: Vec<(String, Prf)>,
    pub families: Vec<(String, Prf)>,
    /// Micro-averaged over every (clause, label) decision.
    pub subtype_micro: Prf,
    pub family_micro: Prf,
    /// Cohen's kappa over every (clause, label) yes/no decision.
    pub subtype_kappa: f64,
    pub family_kappa: f64,
    /// Coded / uncoded agreement: does the clause state an instrument at all?
    pub coded: Prf,
    pub coded_kappa: f64,
}

fn family_of(code: &str) -> String {
    code.split('.').next().unwrap_or(code).to_string()
}

/// Score the cue-term rules alone (framework `fw` with `settings`) against `items`.
pub fn evaluate(fw: &Framework, items: &[Item], settings: Settings) -> Scores {
    pool(&[(items, settings)], fw)
}

/// Score several parts, each coded with its own settings by the cue-term
/// rules alone, as one set (the held-out folds of a cross-validation).
pub fn pool(parts: &[(&[Item], Settings)], fw: &Framework) -> Scores {
    score(
        fw,
        parts
            .iter()
            .flat_map(|(items, s)| items.iter().map(move |i| (i, *s)))
            .map(|(item, settings)| {
                let got = code_with(fw, &item.text, settings)
                    .into_iter()
                    .map(|c| c.instrument)
                    .collect();
                (item, got)
            }),
        parts.iter().map(|(items, _)| items.len()).sum(),
    )
}

/// Score the shipped coding (the rules, then the framework's learned
/// model) against `items`.
pub fn shipped(fw: &Framework, items: &[Item]) -> Scores {
    score(
        fw,
        items.iter().map(|item| {
            let got = code(fw, &item.text, &item.context)
                .into_iter()
                .map(|c| c.instrument)
                .collect();
            (item, got)
        }),
        items.len(),
    )
}

fn score<'a>(
    fw: &Framework,
    coded: impl Iterator<Item = (&'a Item, BTreeSet<String>)>,
    clauses: usize,
) -> Scores {
    let subtypes: Vec<String> = fw.instruments.iter().map(|i| i.id.clone()).collect();
    let families: Vec<String> = fw.families.iter().map(|f| f.id.clone()).collect();
    let mut sub = vec![Prf::default(); subtypes.len()];
    let mut fam = vec![Prf::default(); families.len()];
    let (mut sub_pairs, mut fam_pairs, mut coded_pairs) = (vec![], vec![], vec![]);
    let mut coded_prf = Prf::default();
    for (item, got) in coded {
        for (k, s) in subtypes.iter().enumerate() {
            let (g, t) = (item.codes.contains(s), got.contains(s));
            sub[k].add(g, t);
            sub_pairs.push((g, t));
        }
        let gold_f: BTreeSet<String> = item.codes.iter().map(|c| family_of(c)).collect();
        let got_f: BTreeSet<String> = got.iter().map(|c| family_of(c)).collect();
        for (k, f) in families.iter().enumerate() {
            let (g, t) = (gold_f.contains(f), got_f.contains(f));
            fam[k].add(g, t);
            fam_pairs.push((g, t));
        }
        let (g, t) = (!item.codes.is_empty(), !got.is_empty());
        coded_prf.add(g, t);
        coded_pairs.push((g, t));
    }
    let micro = |v: &[Prf]| {
        v.iter().fold(Prf::default(), |a, p| Prf {
            tp: a.tp + p.tp,
            fp: a.fp + p.fp,
            fn_: a.fn_ + p.fn_,
        })
    };
    Scores {
        clauses,
        subtype_micro: micro(&sub),
        family_micro: micro(&fam),
        subtypes: subtypes.into_iter().zip(sub).collect(),
        families: families.into_iter().zip(fam).collect(),
        subtype_kappa: kappa(&sub_pairs),
        family_kappa: kappa(&fam_pairs),
        coded: coded_prf,
        coded_kappa: kappa(&coded_pairs),
    }
}

/// The cross-validation fold (of 5) of a tuning clause: by provision, so
/// that the clauses of one provision stay together.
pub fn fold(item: &Item) -> usize {
    let provision: usize = item
        .clause_id
        .rsplit_once(':')
        .and_then(|(_, p)| p.split('.').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    provision / 2 % 5
}
