//! How alike are two clauses? Two IDF-weighted cosines and a verbatim
//! measure, on the folded clause text with the political formulae cut out
//! (see [`crate::compare::side_by_side::FORMULAE`]):
//!
//! - **words** ([`WORD_SHARE`]): jieba search-mode words, sublinear term
//!   frequency times IDF;
//! - **character bigrams** ([`BIGRAM_SHARE`]): robust where jieba cuts two
//!   spellings of one phrase differently;
//! - **shared spans**: the share of the shorter clause covered by runs of at
//!   least [`SPAN_CHARS`] characters that the other clause has verbatim (the
//!   near-verbatim spans a local alignment finds). A short measure quoted
//!   inside a long sentence scores by this share, whatever the long
//!   sentence says besides.
//!
//! IDF comes from the clauses of the documents compared, blended with a
//! fixed background model shipped with the tool (`data/background.tsv`,
//! word document frequencies over the clauses of the bundled seeds and the
//! national laws, built by `examples/build_background.rs`). Nothing depends
//! on the rest of the corpus, so a comparison does not move when unrelated
//! documents join it.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::semantic::{self, WordVectors};
use crate::compare::similarity::{content_words, key, Sparse};
use crate::text::bigrams::bigrams;

/// Share of the word cosine in a clause score.
pub const WORD_SHARE: f64 = 0.5;
/// Share of the bigram cosine in a clause score.
pub const BIGRAM_SHARE: f64 = 0.5;
/// A clause keeping less than this share of its letters once the political
/// formulae are cut is boilerplate.
pub const BOILERPLATE_KEEP: f64 = 0.5;
/// Share of the word coverage of the shorter clause in a clause score (the
/// rest: the cosines). Long sentences that bundle several measures dilute a
/// cosine; coverage is not diluted by what the longer clause says besides.
pub const COVER_SHARE: f64 = 0.75;
/// IDF above which a shared word counts as rare evidence (about one clause
/// in 50 of the documents compared and of the background).
pub const RARE_IDF: f64 = 4.0;
/// Scale of the rare-word evidence: this much IDF above [`RARE_IDF`] gives 0.63.
pub const RARE_SCALE: f64 = 3.0;
/// How far rare-word evidence may raise a score above the cosine blend.
pub const RARE_RAISE: f64 = 0.3;
/// Weight of the rare-word evidence in a score.
pub const RARE_WEIGHT: f64 = 0.5;
/// A shorter clause with fewer letters or digits than this scores less
/// (by the square root of the shortfall).
pub const SHORT_CHARS: f64 = 12.0;
/// Share of the background model in a word's IDF (the rest: the documents compared).
pub const BACKGROUND_SHARE: f32 = 0.5;
/// Shortest verbatim run counted as a shared span, in characters.
pub const SPAN_CHARS: usize = 4;
/// A shorter clause with fewer letters or digits than this never scores by
/// its shared spans alone (a bare `支持开发区建设` is everywhere).
pub const SPAN_MIN_CHARS: usize = 10;
/// Shared spans count this much of their coverage towards the score.
pub const SPAN_WEIGHT: f64 = 0.9;
/// Share of the semantic cosine (word vectors, [`super::semantic`]) in a
/// clause score (the rest: the lexical blend).
pub const SEMANTIC_SHARE: f64 = 0.2;
/// Semantic cosine at or below which two clauses count as unrelated (the
/// cosine is rescaled from here to 1 before it is blended).
pub const SEMANTIC_FLOOR: f64 = 0.3;

/// Word document frequencies of the background model.
pub struct Background {
    /// Clauses the frequencies were counted over.
    pub clauses: u32,
    df: HashMap<u64, u32>,
}

impl Background {
    /// Parse `background.tsv`: a `#clauses\tN` line, then `word\tdf` lines.
    pub fn parse(text: &str) -> Background {
        let mut clauses = 0;
        let mut df = HashMap::new();
        for line in text.lines() {
            let Some((w, n)) = line.split_once('\t') else {
                continue;
            };
            let Ok(n) = n.trim().parse::<u32>() else {
                continue;
            };
            if w == "#clauses" {
                clauses = n;
            } else if !w.starts_with('#') {
                df.insert(key(w), n);
            }
        }
        Background { clauses, df }
    }

    /// The model shipped with the tool.
    pub fn builtin() -> &'static Background {
        static B: LazyLock<Background> =
            LazyLock::new(|| Background::parse(include_str!("../../../data/background.tsv")));
        &B
    }

    /// A fingerprint for provenance: clauses and words counted.
    pub fn describe(&self) -> String {
        format!("{} clauses, {} words", self.clauses, self.df.len())
    }
}

fn idf(n: f32, df: u32) -> f32 {
    ((n + 1.0) / (df as f32 + 1.0)).ln().max(0.0)
}

/// A clause prepared for comparison.
#[derive(Debug, Clone, Default)]
pub struct ClauseVector {
    /// Folded text, formulae cut out.
    pub folded: String,
    words: Sparse,
    bigrams: Sparse,
    /// Distinct content words with their IDF, sorted by key (for coverage).
    idf_words: Vec<(u64, f32)>,
    /// Their summed IDF.
    idf_mass: f32,
    /// Hashes of the character runs of [`SPAN_CHARS`], per position (0 where a
    /// run crosses punctuation), and the sorted set of them.
    grams: Vec<u64>,
    gram_set: Vec<u64>,
    /// Letters and digits.
    pub content: usize,
    /// IDF-weighted mean of the word vectors, unit length (empty when the
    /// model has no semantic share).
    dense: Vec<f32>,
}

/// The three measures behind a clause score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClauseScore {
    pub words: f64,
    pub bigrams: f64,
    /// Share of the shorter clause's IDF mass (its distinct words) that the
    /// longer clause has.
    pub cover: f64,
    /// Evidence of shared rare words, in [0, 1): `1 - exp(-x / RARE_SCALE)`
    /// where x sums, over the shared words, how far their IDF exceeds
    /// [`RARE_IDF`]. Not diluted by the length of either clause.
    pub rare: f64,
    /// Cosine of the clauses' word-vector means ([`super::semantic`]).
    pub semantic: f64,
    /// Share of the shorter clause covered by verbatim shared spans.
    pub spans_shorter: f64,
    /// Share of the longer clause covered.
    pub spans_longer: f64,
    /// The score in [0, 1].
    pub similarity: f64,
}

/// IDF statistics over the clauses compared, blended with a background.
pub struct ClauseModel {
    /// Share of the shorter clause's word coverage in the score.
    pub cover_share: f64,
    /// Shorter clauses than this (letters and digits) score less.
    pub short_chars: f64,
    /// Weight of the rare-word evidence (see [`ClauseScore::rare`]).
    pub rare_weight: f64,
    /// How far rare-word evidence may raise a score above the cosines.
    pub rare_raise: f64,
    /// Share of the semantic cosine in the score ([`SEMANTIC_SHARE`]).
    pub semantic_share: f64,
    /// See [`SEMANTIC_FLOOR`].
    pub semantic_floor: f64,
    /// The word vectors behind the semantic cosine.
    pub vectors: Option<&'static WordVectors>,
    clauses: u32,
    word_df: HashMap<u64, u32>,
    bigram_df: HashMap<u64, u32>,
    background: Option<&'static Background>,
}

/// The folded text of a clause as compared: formulae cut out.
/// Names of zone types, longer first: one kind of place for comparison
/// (a city's 开发区 measure and its 高新区 measure are parallel).
const ZONE_WORDS: &[&str] = &[
    "国家级经济技术开发区",
    "高新技术产业开发区",
    "经济技术开发区",
    "经济开发区",
    "高新区",
    "经开区",
    "开发区",
];

/// `folded` with every zone-type word written `开发区`.
fn zone_words(folded: &str) -> String {
    let mut s = folded.to_string();
    for w in ZONE_WORDS {
        if s.contains(w) {
            s = s.replace(w, "开发区");
        }
    }
    s
}

/// A clause that is mostly political formulae (`以习近平新时代中国特色社会主义
/// 思想为指导，深入贯彻落实…`): less than [`BOILERPLATE_KEEP`] of its letters
/// and digits remain once the formulae are cut. Such a clause states no
/// measure and is never linked (a stock sentence never makes two measures
/// look parallel).
pub fn is_boilerplate(text: &str) -> bool {
    let folded = crate::text::fold(text);
    formula_heavy(
        &folded,
        &crate::compare::side_by_side::strip_formulae(&folded),
    )
}

fn formula_heavy(folded: &str, stripped: &str) -> bool {
    let all = content_chars(folded);
    all > 0 && (content_chars(stripped) as f64) < BOILERPLATE_KEEP * all as f64
}

/// [`comparable`], or nothing for a boilerplate clause (see [`is_boilerplate`]).
pub fn comparable_measure(text: &str) -> String {
    let folded = crate::text::fold(text);
    let stripped = crate::compare::side_by_side::strip_formulae(&folded);
    if formula_heavy(&folded, &stripped) {
        String::new()
    } else {
        comparable_stripped(&stripped)
    }
}

/// Numbers are left to the figures: digits (and the `.` `%` between and
/// after them) become a comma, so that `2022年12月底前` shares nothing with
/// `2022年年底前` but its words.
pub fn comparable(text: &str) -> String {
    comparable_stripped(&crate::compare::side_by_side::strip_formulae(
        &crate::text::fold(text),
    ))
}

/// [`comparable`] of text already folded, formulae cut.
fn comparable_stripped(stripped: &str) -> String {
    let folded = zone_words(stripped);
    let mut out = String::with_capacity(folded.len());
    let mut in_number = false;
    for c in folded.chars() {
        let numeric = c.is_ascii_digit() || (in_number && matches!(c, '.' | '%'));
        if numeric {
            if !in_number {
                out.push(',');
            }
        } else {
            out.push(c);
        }
        in_number = numeric;
    }
    out
}

fn content_chars(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

impl ClauseModel {
    /// Document frequencies over `folded` (each a clause's [`comparable`]
    /// text), blended with `background` when given.
    pub fn new<'a>(
        folded: impl IntoIterator<Item = &'a str>,
        background: Option<&'static Background>,
    ) -> ClauseModel {
        // Counted on all cores in blocks of texts, then merged.
        let texts: Vec<&str> = folded.into_iter().collect();
        let blocks: Vec<&[&str]> = texts.chunks(64).collect();
        let counted = crate::compare::side_by_side::parallel_map(&blocks, |block| {
            let mut word_df: HashMap<u64, u32> = HashMap::new();
            let mut bigram_df: HashMap<u64, u32> = HashMap::new();
            for f in block.iter() {
                let mut seen: Vec<u64> = content_words(f).iter().map(|w| key(w.text)).collect();
                seen.sort_unstable();
                seen.dedup();
                for k in seen {
                    *word_df.entry(k).or_default() += 1;
                }
                let mut seen: Vec<u64> = bigrams(f).collect();
                seen.sort_unstable();
                seen.dedup();
                for k in seen {
                    *bigram_df.entry(k).or_default() += 1;
                }
            }
            (word_df, bigram_df)
        });
        let mut word_df: HashMap<u64, u32> = HashMap::new();
        let mut bigram_df: HashMap<u64, u32> = HashMap::new();
        for (w, b) in counted {
            for (k, n) in w {
                *word_df.entry(k).or_default() += n;
            }
            for (k, n) in b {
                *bigram_df.entry(k).or_default() += n;
            }
        }
        let clauses = texts.len() as u32;
        ClauseModel {
            cover_share: COVER_SHARE,
            short_chars: SHORT_CHARS,
            rare_weight: RARE_WEIGHT,
            rare_raise: RARE_RAISE,
            semantic_share: SEMANTIC_SHARE,
            semantic_floor: SEMANTIC_FLOOR,
            vectors: None,
            clauses,
            word_df,
            bigram_df,
            background,
        }
    }

    /// Clauses the local statistics cover.
    pub fn clauses(&self) -> usize {
        self.clauses as usize
    }

    fn word_idf(&self, k: u64) -> f32 {
        let local = idf(
            self.clauses as f32,
            self.word_df.get(&k).copied().unwrap_or(0),
        );
        match self.background {
            Some(b) if b.clauses > 0 => {
                let bg = idf(b.clauses as f32, b.df.get(&k).copied().unwrap_or(0));
                (1.0 - BACKGROUND_SHARE) * local + BACKGROUND_SHARE * bg
            }
            _ => local,
        }
    }

    fn bigram_idf(&self, k: u64) -> f32 {
        idf(
            self.clauses as f32,
            self.bigram_df.get(&k).copied().unwrap_or(0),
        )
    }

    /// Prepare a clause given its [`comparable`] text.
    pub fn vector(&self, folded: &str) -> ClauseVector {
        let mut counts: HashMap<u64, f32> = HashMap::new();
        let words = content_words(folded);
        for w in &words {
            *counts.entry(key(w.text)).or_default() += 1.0;
        }
        let dense = match self.vectors {
            Some(t) if self.semantic_share > 0.0 => {
                let mut acc = vec![0.0f32; t.dims];
                let mut seen: Vec<&str> = words.iter().map(|w| w.text).collect();
                seen.sort_unstable();
                seen.dedup();
                for w in seen {
                    let k = key(w);
                    let tf = counts.get(&k).copied().unwrap_or(1.0);
                    let weight = (1.0 + tf.ln()) * self.word_idf(k);
                    if weight > 0.0 {
                        t.add_word(&mut acc, w, weight);
                    }
                }
                semantic::normalize(&mut acc);
                acc
            }
            _ => vec![],
        };
        let mut idf_words: Vec<(u64, f32)> =
            counts.keys().map(|&k| (k, self.word_idf(k))).collect();
        idf_words.sort_unstable_by_key(|x| x.0);
        let idf_mass = idf_words.iter().map(|x| x.1).sum();
        let words = Sparse::from_counts(counts, |k| self.word_idf(k));
        let mut counts: HashMap<u64, f32> = HashMap::new();
        for k in bigrams(folded) {
            *counts.entry(k).or_default() += 1.0;
        }
        let bigrams = Sparse::from_counts(counts, |k| self.bigram_idf(k));
        let chars: Vec<char> = folded.chars().collect();
        let grams: Vec<u64> = (0..chars.len())
            .map(|i| {
                let run = chars.get(i..i + SPAN_CHARS);
                match run {
                    Some(r) if r.iter().all(|c| c.is_alphanumeric()) => {
                        r.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
                            (h ^ u64::from(c as u32)).wrapping_mul(0x0100_0000_01b3)
                        }) | 1
                    }
                    _ => 0,
                }
            })
            .collect();
        let mut gram_set: Vec<u64> = grams.iter().copied().filter(|&g| g != 0).collect();
        gram_set.sort_unstable();
        gram_set.dedup();
        ClauseVector {
            content: content_chars(folded),
            folded: folded.to_string(),
            words,
            bigrams,
            idf_words,
            idf_mass,
            grams,
            gram_set,
            dense,
        }
    }

    /// The plain blend of the word and bigram cosines (for whole provisions).
    pub fn cosine(&self, a: &ClauseVector, b: &ClauseVector) -> f64 {
        WORD_SHARE * a.words.dot(&b.words) + BIGRAM_SHARE * a.bigrams.dot(&b.bigrams)
    }

    /// Score two prepared clauses; see the module documentation.
    pub fn score(&self, a: &ClauseVector, b: &ClauseVector) -> ClauseScore {
        if !a.folded.is_empty() && a.folded == b.folded {
            return ClauseScore {
                words: 1.0,
                bigrams: 1.0,
                cover: 1.0,
                rare: 1.0,
                semantic: 1.0,
                spans_shorter: 1.0,
                spans_longer: 1.0,
                similarity: 1.0,
            };
        }
        let words = a.words.dot(&b.words);
        let bigrams = a.bigrams.dot(&b.bigrams);
        let (short, long) = if a.content <= b.content {
            (a, b)
        } else {
            (b, a)
        };
        let (cover, rare_sum) = word_cover(short, long);
        let rare = 1.0 - (-rare_sum / RARE_SCALE).exp();
        let blend = WORD_SHARE * words + BIGRAM_SHARE * bigrams;
        let blend = (1.0 - self.cover_share) * blend + self.cover_share * cover;
        let sem = semantic::cosine(&a.dense, &b.dense);
        let blend = if self.semantic_share > 0.0 && !a.dense.is_empty() {
            let lifted =
                ((sem - self.semantic_floor) / (1.0 - self.semantic_floor)).clamp(0.0, 1.0);
            (1.0 - self.semantic_share) * blend + self.semantic_share * lifted
        } else {
            blend
        };
        // Short clauses (a list entry, a label) need more than a word or two.
        let blend = blend * (short.content as f64 / self.short_chars).min(1.0).sqrt();
        let (spans_shorter, spans_longer) = if bigrams > 0.05 {
            (coverage(short, long), coverage(long, short))
        } else {
            (0.0, 0.0)
        };
        let spans = if short.content >= SPAN_MIN_CHARS {
            SPAN_WEIGHT * spans_shorter
        } else {
            0.0
        };
        // Rare shared words raise a score, by at most `rare_raise` over the
        // cosines: alone they are a name or a term, not a measure.
        let raised = (self.rare_weight * rare).min(blend + self.rare_raise);
        ClauseScore {
            words,
            bigrams,
            cover,
            rare,
            semantic: sem,
            spans_shorter,
            spans_longer,
            similarity: blend.max(spans).max(raised).clamp(0.0, 1.0),
        }
    }
}

/// Remove the mean word-vector direction of `vs` (the clauses compared) from
/// each of them, then scale back to unit length. Averaged word vectors share
/// one large common direction (any two policy sentences have a cosine near
/// 0.5); what is left is what sets a clause apart from the others.
pub fn center(vs: &mut [ClauseVector]) {
    let Some(dims) = vs.iter().map(|v| v.dense.len()).find(|&d| d > 0) else {
        return;
    };
    let mut mean = vec![0.0f32; dims];
    let mut n = 0.0f32;
    for v in vs.iter().filter(|v| v.dense.len() == dims) {
        mean.iter_mut().zip(&v.dense).for_each(|(m, x)| *m += x);
        n += 1.0;
    }
    mean.iter_mut().for_each(|m| *m /= n);
    for v in vs.iter_mut().filter(|v| v.dense.len() == dims) {
        v.dense.iter_mut().zip(&mean).for_each(|(x, m)| *x -= m);
        semantic::normalize(&mut v.dense);
    }
}

/// Share of `short`'s IDF mass that `long` has too, and the rare-word sum
/// (see [`ClauseScore::rare`]).
fn word_cover(short: &ClauseVector, long: &ClauseVector) -> (f64, f64) {
    if short.idf_mass <= 0.0 {
        return (0.0, 0.0);
    }
    let mut rare = 0.0f64;
    let (a, b) = (&short.idf_words, &long.idf_words);
    let (mut i, mut j, mut shared) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += a[i].1;
                rare += (f64::from(a[i].1) - RARE_IDF).max(0.0);
                i += 1;
                j += 1;
            }
        }
    }
    (f64::from(shared / short.idf_mass).min(1.0), rare)
}

/// Share of `x`'s characters inside runs of [`SPAN_CHARS`] that `y` has too.
fn coverage(x: &ClauseVector, y: &ClauseVector) -> f64 {
    if x.content == 0 {
        return 0.0;
    }
    let mut covered_until = 0usize;
    let mut covered = 0usize;
    for (i, &g) in x.grams.iter().enumerate() {
        if g != 0 && y.gram_set.binary_search(&g).is_ok() {
            let from = i.max(covered_until);
            let to = i + SPAN_CHARS;
            covered += to.saturating_sub(from);
            covered_until = to;
        }
    }
    (covered as f64 / x.content as f64).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(texts: &[&str]) -> (ClauseModel, Vec<ClauseVector>) {
        let folded: Vec<String> = texts.iter().map(|t| comparable(t)).collect();
        let m = ClauseModel::new(folded.iter().map(String::as_str), None);
        let v = folded.iter().map(|f| m.vector(f)).collect();
        (m, v)
    }

    #[test]
    fn identical_parallel_unrelated() {
        let (m, v) = model(&[
            "支持经济开发区建立产业招商联盟和招商引资智库，强化招商产业研究。",
            "支持经济开发区建立产业招商联盟和招商引资智库，强化招商产业研究。",
            "鼓励开发区建立产业招商联盟，开展招商产业研究。",
            "鼓励经济开发区建设人才公寓、职工公寓、青年公寓。",
            "提高开发区财政自主权，支持实行一级财政管理体制。",
        ]);
        assert_eq!(m.score(&v[0], &v[1]).similarity, 1.0);
        let parallel = m.score(&v[0], &v[2]).similarity;
        let unrelated = m.score(&v[0], &v[3]).similarity;
        assert!(parallel > unrelated + 0.2, "{parallel} vs {unrelated}");
        assert!(m.score(&v[3], &v[4]).similarity < 0.15);
    }

    #[test]
    fn a_short_clause_inside_a_long_one() {
        let (m, v) = model(&[
            "引入市场化招商方式。",
            "逐步实施经济开发区招商去行政化改革，引入市场化招商方式，探索多元投资主体进入公司化招商机构的运作模式。",
            "建立重大招商项目分级快速反应机制，推进项目市场化运作方式。",
        ]);
        // Too short to score by spans alone, but the words carry it.
        let s = m.score(&v[0], &v[1]);
        assert!(s.spans_shorter > 0.9, "{s:?}");
        assert!(s.similarity > m.score(&v[0], &v[2]).similarity);
    }

    #[test]
    fn formulae_do_not_make_clauses_parallel() {
        let (m, v) = model(&[
            "以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的十九大精神，建设人才公寓。",
            "以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的十九大精神，加强安全生产监管。",
        ]);
        assert!(m.score(&v[0], &v[1]).similarity < 0.3);
    }

    #[test]
    fn background_parses() {
        let b = Background::parse("#clauses\t100\n人才\t7\nbad line\n开发区\tx\n");
        assert_eq!(b.clauses, 100);
        assert_eq!(b.df.len(), 1);
    }
}
