//! The policy-instrument evaluation: the hand-coded clauses of
//! `tests/eval/instruments/` (how they were coded: its GUIDE.md) against
//! the tool's codes. Shared by `tests/instruments_eval.rs` (floors) and
//! `examples/instruments_eval.rs` (the report in EVALUATION.md).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use policy_diff::instruments::review::kappa;
use policy_diff::instruments::{code_with, Framework, Settings};

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
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Part {
    Tune,
    Test,
    /// Coded later by a second annotator, from clauses in neither part,
    /// and never used to choose anything (GUIDE.md, "The held-out set").
    Held,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/eval/instruments")
}

pub fn load(part: Part) -> Vec<Item> {
    let file = match part {
        Part::Tune => "tune.tsv",
        Part::Test => "test.tsv",
        Part::Held => "held.tsv",
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
            Item {
                clause_id: f[0].to_string(),
                codes,
                text: f[3].to_string(),
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

/// Score the tool (framework `fw` with `settings`) against `items`.
pub fn evaluate(fw: &Framework, items: &[Item], settings: Settings) -> Scores {
    pool(&[(items, settings)], fw)
}

/// Score several parts, each coded with its own settings, as one set (the
/// held-out folds of a cross-validation).
pub fn pool(parts: &[(&[Item], Settings)], fw: &Framework) -> Scores {
    let subtypes: Vec<String> = fw.instruments.iter().map(|i| i.id.clone()).collect();
    let families: Vec<String> = fw.families.iter().map(|f| f.id.clone()).collect();
    let mut sub = vec![Prf::default(); subtypes.len()];
    let mut fam = vec![Prf::default(); families.len()];
    let (mut sub_pairs, mut fam_pairs, mut coded_pairs) = (vec![], vec![], vec![]);
    let mut coded = Prf::default();
    for (item, settings) in parts
        .iter()
        .flat_map(|(items, s)| items.iter().map(move |i| (i, *s)))
    {
        let got: BTreeSet<String> = code_with(fw, &item.text, settings)
            .into_iter()
            .map(|c| c.instrument)
            .collect();
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
        coded.add(g, t);
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
        clauses: parts.iter().map(|(items, _)| items.len()).sum(),
        subtype_micro: micro(&sub),
        family_micro: micro(&fam),
        subtypes: subtypes.into_iter().zip(sub).collect(),
        families: families.into_iter().zip(fam).collect(),
        subtype_kappa: kappa(&sub_pairs),
        family_kappa: kappa(&fam_pairs),
        coded,
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
