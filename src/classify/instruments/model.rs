//! The learned layer of instrument coding (pure). One logistic regression
//! per instrument over three kinds of features of a clause:
//!
//! - its character 1–3-grams in [`model_text`] form, weighted by TF-IDF
//!   (sublinear term frequency, `1 + ln tf`; smoothed IDF) and scaled to
//!   unit length, for the grams in the model's vocabulary;
//! - the same of its context (the headings above it and its provision's
//!   heading, [`clause_context`](super::clause_context)), with a vocabulary
//!   of its own, scaled to the model's context weight: a clause such as
//!   "到2025年达到300个" says which instrument it is only through the
//!   heading it stands under;
//! - the codes the cue-term rules ([`scores`](super::code) and
//!   [`explain_with`](super::code::explain_with)) give it: one feature per
//!   instrument and per family, 1 when coded.
//!
//! An instrument is coded when its probability reaches the model's
//! threshold. The model file (`data/instruments/<framework>.model`, text) is
//! written by `tests/eval/instruments/train_model.py` from the hand-coded
//! clauses of `train.tsv` and `tune.tsv` (never `test.tsv` or `held.tsv`),
//! which also chose the threshold by cross-validation; EVALUATION.md has the
//! figures. File format, one record a line, tab-separated:
//!
//! ```text
//! policy-diff-instrument-model  1
//! labels     <instrument id> …              (the order of every weight list)
//! threshold  <probability>
//! ngrams     <min n>  <max n>
//! context    <weight of the context block>   (optional; 0 when absent)
//! intercept  <weight per label> …
//! rule       <instrument or family id>  <weight per label> …
//! gram       <n-gram>  <idf>  <weight per label> …     (of the clause)
//! cgram      <n-gram>  <idf>  <weight per label> …     (of the context;
//!                                 weights already multiplied by its weight)
//! ```
//!
//! Lines starting with `#` are comments.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A trained model.
#[derive(Debug)]
pub struct Model {
    /// The instruments it codes, in the order of every weight list.
    pub labels: Vec<String>,
    /// The probability an instrument needs.
    pub threshold: f64,
    min_n: usize,
    max_n: usize,
    intercept: Vec<f32>,
    rules: HashMap<String, Vec<f32>>,
    grams: Vocabulary,
    context_grams: Vocabulary,
    /// A hash of the file (framework fingerprints include it).
    pub hash: String,
}

/// Grams with their IDF and their weight per label. A gram of at most
/// three characters is looked up by its characters packed in one `u64`
/// (every clause looks up each of its 1–3-grams: no string is built).
#[derive(Debug, Default)]
struct Vocabulary {
    index: HashMap<u64, u32, BuildHasherDefault<PackedHasher>>,
    grams: Vec<String>,
    idf: Vec<f32>,
    /// `grams.len()` rows of one weight per label.
    weights: Vec<f32>,
}

/// The characters of a gram of one to three characters in one number.
fn pack(chars: &[char]) -> Option<u64> {
    if chars.is_empty() || chars.len() > 3 {
        return None;
    }
    // 21 bits a character, each offset by one so that lengths differ.
    Some(
        chars
            .iter()
            .fold(0u64, |k, &c| (k << 21) | (u64::from(c) + 1)),
    )
}

/// A hasher for packed grams (already well spread: one multiplication).
#[derive(Default)]
struct PackedHasher(u64);

impl Hasher for PackedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, k: u64) {
        self.0 = (k ^ (k >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Vocabulary {
    fn insert(&mut self, gram: &str, idf: f32, weights: Vec<f32>) -> Result<(), String> {
        let chars: Vec<char> = gram.chars().collect();
        let key = pack(&chars).ok_or("a gram must have one to three characters")?;
        let n = self.grams.len() as u32;
        if self.index.insert(key, n).is_some() {
            return Err(format!("gram '{gram}' twice"));
        }
        self.grams.push(gram.to_string());
        self.idf.push(idf);
        self.weights.extend(weights);
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.grams.is_empty()
    }
}

thread_local! {
    /// The context block's sums of the last clause coded on this thread,
    /// with its model's address and its context: a provision's clauses
    /// share one context, and are coded one after another.
    static LAST_CONTEXT: RefCell<(usize, String, Vec<f64>)> = const {
        RefCell::new((0, String::new(), Vec::new()))
    };
}

/// The model's view of one clause.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// The probability of each label, in [`Model::labels`] order.
    pub probabilities: Vec<f64>,
    /// For each label, the grams of the clause that raise it most
    /// (largest contribution first, at most three, each at least two
    /// characters long, letters and digits only), as they appear in
    /// [`model_text`].
    pub grams: Vec<Vec<String>>,
}

/// The form of a clause the model reads: [`fold`](crate::text::fold), with
/// every run of whitespace made one space and the ends trimmed. The
/// training script reads texts in this form (`examples/instrument_features.rs`).
pub fn model_text(text: &str) -> String {
    let folded = crate::text::fold(text);
    let mut out = String::with_capacity(folded.len());
    let mut space = false;
    for c in folded.trim().chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

impl Model {
    /// Parse a model file; `Err` names the line.
    pub fn parse(text: &str) -> Result<Model, String> {
        let mut labels: Vec<String> = vec![];
        let mut threshold = None;
        let (mut min_n, mut max_n) = (1, 3);
        let mut intercept = vec![];
        let mut rules = HashMap::new();
        let mut grams = Vocabulary::default();
        let mut context_grams = Vocabulary::default();
        let mut header = false;
        for (n, line) in text.lines().enumerate() {
            let at = |m: &str| format!("line {}: {m}", n + 1);
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let weights = |from: usize| -> Result<Vec<f32>, String> {
                let w: Vec<f32> = f[from..]
                    .iter()
                    .map(|x| x.parse::<f32>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| at(&format!("bad number: {e}")))?;
                if w.len() != labels.len() {
                    return Err(at(&format!(
                        "{} weights for {} labels",
                        w.len(),
                        labels.len()
                    )));
                }
                Ok(w)
            };
            match f[0] {
                "policy-diff-instrument-model" if n == 0 => {
                    if f.get(1) != Some(&"1") {
                        return Err(at("unknown model version"));
                    }
                    header = true;
                }
                _ if !header => return Err(at("not a policy-diff instrument model")),
                "labels" => labels = f[1..].iter().map(|s| s.to_string()).collect(),
                "threshold" => {
                    threshold = f.get(1).and_then(|x| x.parse::<f64>().ok());
                    if threshold.is_none() {
                        return Err(at("bad threshold"));
                    }
                }
                "ngrams" => {
                    let p = |i: usize| f.get(i).and_then(|x| x.parse::<usize>().ok());
                    match (p(1), p(2)) {
                        (Some(a), Some(b)) if 1 <= a && a <= b && b <= 3 => (min_n, max_n) = (a, b),
                        _ => return Err(at("bad n-gram range")),
                    }
                }
                "intercept" => intercept = weights(1)?,
                "rule" if f.len() > 2 => {
                    rules.insert(f[1].to_string(), weights(2)?);
                }
                "context" => {
                    if !f
                        .get(1)
                        .and_then(|x| x.parse::<f64>().ok())
                        .is_some_and(|w| w >= 0.0)
                    {
                        return Err(at("bad context weight"));
                    }
                }
                "gram" | "cgram" if f.len() > 3 => {
                    let idf = f[2]
                        .parse::<f32>()
                        .map_err(|e| at(&format!("bad idf: {e}")))?;
                    let into = if f[0] == "gram" {
                        &mut grams
                    } else {
                        &mut context_grams
                    };
                    into.insert(f[1], idf, weights(3)?).map_err(|e| at(&e))?;
                }
                other => return Err(at(&format!("unknown record '{other}'"))),
            }
        }
        let threshold = threshold.ok_or("no threshold")?;
        if labels.is_empty() || intercept.len() != labels.len() {
            return Err("no labels or no intercept".into());
        }
        Ok(Model {
            labels,
            threshold,
            min_n,
            max_n,
            intercept,
            rules,
            grams,
            context_grams,
            hash: blake3::hash(text.as_bytes()).to_hex()[..16].to_string(),
        })
    }

    /// The model's probabilities for a clause under `context` (its
    /// headings, [`clause_context`](super::clause_context)) whose rule codes
    /// are `rule_codes` (instrument ids; their families count too).
    pub fn predict(&self, text: &str, context: &str, rule_codes: &[(&str, &str)]) -> Prediction {
        let labels = self.labels.len();
        let mut z: Vec<f64> = self.intercept.iter().map(|&w| f64::from(w)).collect();
        // The three largest positive contributions of grams of two or more
        // characters, per label.
        let mut top: Vec<Vec<(f64, u32)>> = vec![Vec::with_capacity(4); labels];
        let v = &self.grams;
        for (i, x) in self.block(v, text) {
            let row = &v.weights[i as usize * labels..(i as usize + 1) * labels];
            let g = &v.grams[i as usize];
            let long = g.chars().nth(1).is_some() && g.chars().all(char::is_alphanumeric);
            for (k, wk) in row.iter().enumerate() {
                let c = x * f64::from(*wk);
                z[k] += c;
                if c > 0.0 && long {
                    let t = &mut top[k];
                    let at = t
                        .iter()
                        .position(|&(d, j)| {
                            c > d || (c == d && v.grams[i as usize] < v.grams[j as usize])
                        })
                        .unwrap_or(t.len());
                    if at < 3 {
                        t.insert(at, (c, i));
                        t.truncate(3);
                    }
                }
            }
        }
        let me = self as *const Model as usize;
        LAST_CONTEXT.with(|last| {
            let mut last = last.borrow_mut();
            if last.0 != me || last.1 != context {
                let mut sums = vec![0.0; labels];
                let c = &self.context_grams;
                for (i, x) in self.block(c, context) {
                    let row = &c.weights[i as usize * labels..(i as usize + 1) * labels];
                    for (k, wk) in row.iter().enumerate() {
                        sums[k] += x * f64::from(*wk);
                    }
                }
                *last = (me, context.to_string(), sums);
            }
            for (zk, s) in z.iter_mut().zip(&last.2) {
                *zk += s;
            }
        });
        let mut features: Vec<&str> = vec![];
        for (id, family) in rule_codes {
            features.push(id);
            if !features.contains(family) {
                features.push(family);
            }
        }
        for f in features {
            if let Some(w) = self.rules.get(f) {
                for (k, wk) in w.iter().enumerate() {
                    z[k] += f64::from(*wk);
                }
            }
        }
        let grams = top
            .into_iter()
            .map(|t| {
                t.into_iter()
                    .map(|(_, i)| v.grams[i as usize].clone())
                    .collect()
            })
            .collect();
        Prediction {
            probabilities: z.into_iter().map(|z| 1.0 / (1.0 + (-z).exp())).collect(),
            grams,
        }
    }

    /// The grams of `text` in `vocabulary` (their rows) with their TF-IDF
    /// values scaled to unit length, in row order.
    fn block(&self, vocabulary: &Vocabulary, text: &str) -> Vec<(u32, f64)> {
        if vocabulary.is_empty() {
            return vec![];
        }
        let t: Vec<char> = model_text(text).chars().collect();
        let mut tf: Vec<(u32, u32)> = vec![];
        for n in self.min_n..=self.max_n.min(t.len()) {
            for w in t.windows(n) {
                if let Some(&i) = pack(w).and_then(|k| vocabulary.index.get(&k)) {
                    tf.push((i, 1));
                }
            }
        }
        tf.sort_unstable();
        tf.dedup_by(|b, a| {
            let same = a.0 == b.0;
            if same {
                a.1 += b.1;
            }
            same
        });
        let mut values: Vec<(u32, f64)> = tf
            .into_iter()
            .map(|(i, count)| {
                let idf = f64::from(vocabulary.idf[i as usize]);
                (i, (1.0 + f64::from(count).ln()) * idf)
            })
            .collect();
        let norm = values.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
        for v in &mut values {
            v.1 = if norm > 0.0 { v.1 / norm } else { 0.0 };
        }
        values
    }
}

/// The model of the built-in Rothwell & Zegveld framework.
pub fn builtin(framework: &str) -> Option<&'static Model> {
    use std::sync::OnceLock;
    static RZ: OnceLock<Model> = OnceLock::new();
    match framework {
        "rothwell-zegveld" => Some(RZ.get_or_init(|| {
            Model::parse(include_str!(
                "../../../data/instruments/rothwell-zegveld.model"
            ))
            .expect("the built-in instrument model parses (tested)")
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "policy-diff-instrument-model\t1\n\
        labels\ta.x\tb.y\n\
        threshold\t0.5\n\
        ngrams\t1\t2\n\
        intercept\t-1\t-1\n\
        rule\ta.x\t3\t0\n\
        rule\tb\t0\t0.5\n\
        gram\t人才\t2.0\t4\t-1\n\
        gram\t人\t1.0\t0\t0\n";

    #[test]
    fn model_text_folds_and_squeezes_whitespace() {
        // fold drops whitespace next to CJK characters (PDF extraction
        // noise) and makes other runs one space; the ends are trimmed.
        assert_eq!(model_text("  ＡＢ\t\n人才  引进 "), "ab人才引进");
        assert_eq!(model_text(" Ａ \t Ｂ \n"), "a b");
    }

    #[test]
    fn a_tiny_model_scores_grams_and_rule_codes() {
        let m = Model::parse(TINY).unwrap();
        // "人才": grams 人 (idf 1), 才 (not in the vocabulary), 人才 (idf 2):
        // x = (1, 2) / sqrt(5); z(a.x) = -1 + 4 * 2 / sqrt(5).
        let p = m.predict("人才", "", &[]);
        let z = -1.0 + 8.0 / 5f64.sqrt();
        assert!((p.probabilities[0] - 1.0 / (1.0 + (-z).exp())).abs() < 1e-6);
        assert_eq!(p.grams[0], vec!["人才".to_string()]);
        assert!(p.grams[1].is_empty(), "a negative weight is no evidence");
        // A rule code adds its weight, and its family's.
        let q = m.predict("无关", "", &[("a.x", "a"), ("b.z", "b")]);
        assert!((q.probabilities[0] - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-6);
        assert!((q.probabilities[1] - 1.0 / (1.0 + (0.5f64).exp())).abs() < 1e-6);
    }

    #[test]
    fn the_context_is_a_block_of_its_own() {
        let m = Model::parse(&format!("{TINY}context\t2\ncgram\t人才\t1.0\t3\t0\n")).unwrap();
        // The context "人才" has one known gram, so its unit value is 1 and
        // a.x gains 3 (weights are stored already multiplied by 2); the
        // clause's own grams are read from the clause vocabulary only.
        let p = m.predict("无关", "人才", &[]);
        assert!((p.probabilities[0] - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-6);
        assert!(
            p.grams[0].is_empty(),
            "context grams are not the clause's evidence"
        );
        let bad = format!("{TINY}context\t-1\n");
        assert!(Model::parse(&bad).unwrap_err().starts_with("line 10:"));
    }

    #[test]
    fn a_malformed_model_names_the_line() {
        let bad = TINY.replace("gram\t人才\t2.0\t4\t-1", "gram\t人才\t2.0\t4");
        let e = Model::parse(&bad).unwrap_err();
        assert!(e.starts_with("line 8:"), "{e}");
        assert!(Model::parse("labels\ta\n")
            .unwrap_err()
            .starts_with("line 1:"));
    }

    #[test]
    fn the_builtin_model_parses_and_covers_its_framework() {
        let m = builtin("rothwell-zegveld").expect("a model");
        let fw = crate::classify::instruments::Framework::builtin("rothwell-zegveld").unwrap();
        for l in &m.labels {
            assert!(fw.instruments.iter().any(|i| &i.id == l), "{l}");
        }
        assert!(builtin("mcdonnell-elmore").is_none());
    }
}
