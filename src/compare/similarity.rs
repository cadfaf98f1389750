//! How alike are two provisions? A blend of IDF-weighted cosines over the
//! folded text, with a verbatim floor:
//!
//! - **body words** ([`WORD_SHARE`]): jieba words of the folded text (see
//!   [`crate::text::segment`]), sublinear term frequency times IDF; the
//!   trailing responsible-units note counts less ([`UNITS_WEIGHT`]);
//! - **body character bigrams** ([`BIGRAM_SHARE`]), IDF-weighted the same
//!   way: robust where jieba cuts two spellings of one phrase differently
//!   (经济开发区 / 开发区, 财政政策 / 财政);
//! - **heading** ([`HEADING_SHARE`]): words and bigrams of the headings, so a
//!   measure titled 提升本质安全水平 finds its namesake; when either provision
//!   has no heading of its own, the body word cosine stands in;
//! - **verbatim floor**: the squared plain bigram overlap
//!   (`strsim::sorensen_dice`), so copied text scores near 1 whatever its
//!   vocabulary.
//!
//! IDF is computed over the provisions the caller gives (the whole corpus, or
//! just the two documents compared), so boilerplate that every provision
//! repeats (开发区, 各县区, 责任单位, 以习近平新时代中国特色社会主义思想为指导…)
//! weighs little. Numbering markers (`5.`, `（三）`) and bare numbers are
//! ignored; numbers are left to [`super::figures`]. Identical folded text
//! scores exactly 1.0.

use std::collections::HashMap;

use crate::corpus::Provision;
use crate::text::bigrams::bigrams;
use crate::text::segment;

/// Share of the body word cosine in the blend.
pub const WORD_SHARE: f64 = 0.45;
/// Share of the body bigram cosine in the blend.
pub const BIGRAM_SHARE: f64 = 0.25;
/// Share of the heading word cosine in the blend (when either provision has
/// no heading of its own, the body word cosine stands in).
pub const HEADING_SHARE: f64 = 0.30;
/// Weight of the words of a trailing `（责任单位：…）` note.
pub const UNITS_WEIGHT: f32 = 0.6;

/// A sparse, unit-length vector: `(term key, weight)` sorted by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Sparse(pub(crate) Vec<(u64, f32)>);

impl Sparse {
    pub(crate) fn from_counts(counts: HashMap<u64, f32>, idf: impl Fn(u64) -> f32) -> Sparse {
        let mut v: Vec<(u64, f32)> = counts
            .into_iter()
            .map(|(k, tf)| {
                // Sublinear above one occurrence, linear below (down-weighted words).
                let tf = if tf >= 1.0 { 1.0 + tf.ln() } else { tf };
                (k, tf * idf(k))
            })
            .filter(|(_, w)| *w > 0.0)
            .collect();
        v.sort_unstable_by_key(|(k, _)| *k);
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut v {
                *w /= norm;
            }
        }
        Sparse(v)
    }

    pub(crate) fn dot(&self, other: &Sparse) -> f64 {
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j, mut sum) = (0, 0, 0.0f64);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += f64::from(a[i].1) * f64::from(b[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }
}

/// A provision prepared for comparison: build once with
/// [`SimilarityModel::vector`], compare many times with
/// [`SimilarityModel::similarity_of`].
#[derive(Debug, Clone)]
pub struct ProvisionVector {
    /// Folded text without the numbering marker.
    folded: String,
    words: Sparse,
    bigrams: Sparse,
    /// Heading words and bigrams; `None` when the provision has no heading
    /// of its own.
    heading: Option<(Sparse, Sparse)>,
    /// The word behind each key of `words`.
    terms: HashMap<u64, String>,
}

impl ProvisionVector {
    /// The folded text the vector was built from (numbering marker removed).
    pub fn folded(&self) -> &str {
        &self.folded
    }
}

/// IDF statistics over a set of provisions.
const MAGIC: &[u8] = b"policy-diff similarity v1\n";

#[derive(Debug, Clone)]
pub struct SimilarityModel {
    provisions: usize,
    word_df: HashMap<u64, u32>,
    bigram_df: HashMap<u64, u32>,
}

pub(crate) fn key(word: &str) -> u64 {
    // FNV-1a: stable across processes and Rust versions (the document
    // frequencies are cached on disk, see `to_bytes`).
    word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The folded text of `p` with its numbering marker removed.
pub fn folded_body(p: &Provision) -> String {
    p.folded_body()
}

/// The folded heading of `p` without its numbering marker.
pub fn folded_heading(p: &Provision) -> String {
    p.folded_heading()
}

/// Words of a folded text that count for similarity: no bare numbers.
pub(crate) fn content_words(folded: &str) -> Vec<segment::Word<'_>> {
    segment::words_fine(folded)
        .into_iter()
        .filter(|w| !w.text.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .collect()
}

impl SimilarityModel {
    /// The model of a corpus: document frequencies over the substantive
    /// provisions of every document in `docs`.
    pub fn of_documents(docs: &[crate::corpus::Document]) -> Self {
        let all: Vec<&Provision> = docs
            .iter()
            .flat_map(|d| d.provisions.iter())
            .filter(|p| p.is_substantive())
            .collect();
        Self::new(&all)
    }

    /// Document frequencies over `all` (the corpus, or the documents compared).
    pub fn new(all: &[&Provision]) -> Self {
        let mut word_df: HashMap<u64, u32> = HashMap::new();
        let mut bigram_df: HashMap<u64, u32> = HashMap::new();
        for p in all {
            let body = folded_body(p);
            let mut seen: Vec<u64> = content_words(&body).iter().map(|w| key(w.text)).collect();
            seen.sort_unstable();
            seen.dedup();
            for k in seen {
                *word_df.entry(k).or_default() += 1;
            }
            let mut seen: Vec<u64> = bigrams(&body).collect();
            seen.sort_unstable();
            seen.dedup();
            for k in seen {
                *bigram_df.entry(k).or_default() += 1;
            }
        }
        SimilarityModel {
            provisions: all.len(),
            word_df,
            bigram_df,
        }
    }

    /// Serialize the document frequencies (for the on-disk cache).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + 12 * (self.word_df.len() + self.bigram_df.len()));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.provisions as u64).to_le_bytes());
        for table in [&self.word_df, &self.bigram_df] {
            out.extend_from_slice(&(table.len() as u64).to_le_bytes());
            let mut entries: Vec<(&u64, &u32)> = table.iter().collect();
            entries.sort_unstable();
            for (k, v) in entries {
                out.extend_from_slice(&k.to_le_bytes());
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// Read what `to_bytes` wrote; `None` if it is not such data.
    pub fn from_bytes(bytes: &[u8]) -> Option<SimilarityModel> {
        let mut rest = bytes.strip_prefix(MAGIC)?;
        let u64_at = |rest: &mut &[u8]| -> Option<u64> {
            let (head, tail) = rest.split_at_checked(8)?;
            *rest = tail;
            Some(u64::from_le_bytes(head.try_into().ok()?))
        };
        let provisions = u64_at(&mut rest)? as usize;
        let mut tables = vec![];
        for _ in 0..2 {
            let n = u64_at(&mut rest)? as usize;
            let mut table = HashMap::with_capacity(n.min(rest.len() / 12));
            for _ in 0..n {
                let k = u64_at(&mut rest)?;
                let (head, tail) = rest.split_at_checked(4)?;
                rest = tail;
                table.insert(k, u32::from_le_bytes(head.try_into().ok()?));
            }
            tables.push(table);
        }
        let bigram_df = tables.pop()?;
        let word_df = tables.pop()?;
        rest.is_empty().then_some(SimilarityModel {
            provisions,
            word_df,
            bigram_df,
        })
    }

    /// How many provisions the statistics were computed over.
    pub fn provisions(&self) -> usize {
        self.provisions
    }

    fn idf(&self, df: Option<&u32>) -> f32 {
        let n = self.provisions as f32;
        let df = df.copied().unwrap_or(0) as f32;
        ((n + 1.0) / (df + 1.0)).ln().max(0.0)
    }

    /// The IDF weight of one folded word (0 for words in every provision).
    pub fn word_weight(&self, folded_word: &str) -> f64 {
        f64::from(self.idf(self.word_df.get(&key(folded_word))))
    }

    /// Prepare `p` for comparison.
    pub fn vector(&self, p: &Provision) -> ProvisionVector {
        let folded = folded_body(p);
        let units_at = crate::text::units::unit_note_start(&folded).unwrap_or(folded.len());
        let mut counts: HashMap<u64, f32> = HashMap::new();
        let mut terms: HashMap<u64, String> = HashMap::new();
        let mut add = |word: &str, weight: f32| {
            let k = key(word);
            *counts.entry(k).or_default() += weight;
            terms.entry(k).or_insert_with(|| word.to_string());
        };
        for w in content_words(&folded) {
            let weight = if w.start >= units_at {
                UNITS_WEIGHT
            } else {
                1.0
            };
            add(w.text, weight);
        }
        let words = Sparse::from_counts(counts, |k| self.idf(self.word_df.get(&k)));
        let heading_text = folded_heading(p);
        // A heading that is the whole text is no heading of its own.
        let heading = (!heading_text.is_empty() && heading_text.len() < folded.len())
            .then(|| {
                let mut counts: HashMap<u64, f32> = HashMap::new();
                for w in content_words(&heading_text) {
                    *counts.entry(key(w.text)).or_default() += 1.0;
                }
                let words = Sparse::from_counts(counts, |k| self.idf(self.word_df.get(&k)));
                let mut counts: HashMap<u64, f32> = HashMap::new();
                for k in bigrams(&heading_text) {
                    *counts.entry(k).or_default() += 1.0;
                }
                let bigrams = Sparse::from_counts(counts, |k| self.idf(self.bigram_df.get(&k)));
                (words, bigrams)
            })
            .filter(|(w, b)| !w.0.is_empty() || !b.0.is_empty());
        let mut counts: HashMap<u64, f32> = HashMap::new();
        for k in bigrams(&folded[..units_at]) {
            *counts.entry(k).or_default() += 1.0;
        }
        let bigrams = Sparse::from_counts(counts, |k| self.idf(self.bigram_df.get(&k)));
        ProvisionVector {
            folded,
            words,
            bigrams,
            heading,
            terms,
        }
    }

    /// The shared words that contribute most to the word cosine of `a` and
    /// `b`, best first, with their contribution.
    pub fn shared_terms(
        &self,
        a: &ProvisionVector,
        b: &ProvisionVector,
        n: usize,
    ) -> Vec<(String, f64)> {
        let weights: HashMap<u64, f32> = b.words.0.iter().copied().collect();
        let mut shared: Vec<(String, f64)> = a
            .words
            .0
            .iter()
            .filter_map(|(k, w)| {
                let v = weights.get(k)?;
                Some((a.terms.get(k)?.clone(), f64::from(*w) * f64::from(*v)))
            })
            .collect();
        shared.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        shared.truncate(n);
        shared
    }

    /// The three cosines behind [`Self::similarity_of`]: body words, body
    /// bigrams, headings.
    pub fn cosines(&self, a: &ProvisionVector, b: &ProvisionVector) -> (f64, f64, f64) {
        let words = a.words.dot(&b.words);
        let heading = match (&a.heading, &b.heading) {
            (Some(x), Some(y)) => 0.5 * (x.0.dot(&y.0) + x.1.dot(&y.1)),
            _ => words,
        };
        (words, a.bigrams.dot(&b.bigrams), heading)
    }

    /// Similarity in [0, 1] of two prepared provisions; 1.0 for identical text.
    pub fn similarity_of(&self, a: &ProvisionVector, b: &ProvisionVector) -> f64 {
        if a.folded == b.folded {
            return 1.0;
        }
        let (words, bigrams, heading) = self.cosines(a, b);
        let blend = WORD_SHARE * words + BIGRAM_SHARE * bigrams + HEADING_SHARE * heading;
        // The verbatim floor only matters for near-copies; skip the cost otherwise.
        let floor = if blend >= 0.5 {
            strsim::sorensen_dice(&a.folded, &b.folded).powi(2)
        } else {
            0.0
        };
        blend.max(floor).clamp(0.0, 1.0)
    }

    /// Similarity in [0, 1] of two provisions; 1.0 for identical text.
    pub fn similarity(&self, a: &Provision, b: &Provision) -> f64 {
        self.similarity_of(&self.vector(a), &self.vector(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::ProvisionKind;

    fn prov(id: &str, number: &str, heading: &str, text: &str) -> Provision {
        Provision {
            id: id.into(),
            doc_id: "t".into(),
            seq: 1,
            kind: ProvisionKind::Item,
            number: Some(number.into()),
            heading: format!("{number} {heading}"),
            path: vec![],
            text: format!("{number} {heading}。{text}"),
            responsible_units: vec![],
        }
    }

    fn sample() -> Vec<Provision> {
        vec![
            prov("t:1", "1.", "提高土地集约利用水平", "坚持“亩产论英雄”导向，盘活存量用地，提高低效闲置土地利用强度。（责任单位：各县区、功能板块）"),
            prov("t:2", "（一）", "提升土地集约利用水平", "盘活利用存量土地，积极推进低效用地再开发，提高土地利用率。〔责任单位：各县（市、区）人民政府〕"),
            prov("t:3", "2.", "建设全面人才支撑体系", "推行人才“双落户”制度，建立高层次人才一站式服务中心。（责任单位：各县区、功能板块）"),
            prov("t:4", "3.", "提升开发区本质安全水平", "压实开发区区域安全主体责任，安全风险评估完成率100%。（责任单位：各县区、功能板块）"),
        ]
    }

    #[test]
    fn identical_is_one_and_range_holds() {
        let ps = sample();
        let refs: Vec<&Provision> = ps.iter().collect();
        let m = SimilarityModel::new(&refs);
        for a in &ps {
            assert_eq!(m.similarity(a, a), 1.0);
            for b in &ps {
                let s = m.similarity(a, b);
                assert!((0.0..=1.0).contains(&s), "{s}");
                assert!((s - m.similarity(b, a)).abs() < 1e-9, "symmetric");
            }
        }
        // The number marker does not matter.
        let mut renumbered = ps[0].clone();
        renumbered.number = Some("（九）".into());
        renumbered.heading = renumbered.heading.replacen("1.", "（九）", 1);
        renumbered.text = renumbered.text.replacen("1.", "（九）", 1);
        assert_eq!(m.similarity(&ps[0], &renumbered), 1.0);
    }

    #[test]
    fn parallel_beats_unrelated() {
        let ps = sample();
        let refs: Vec<&Provision> = ps.iter().collect();
        let m = SimilarityModel::new(&refs);
        let land = m.similarity(&ps[0], &ps[1]);
        assert!(land > m.similarity(&ps[0], &ps[2]) + 0.2, "{land}");
        assert!(land > m.similarity(&ps[1], &ps[3]) + 0.2, "{land}");
        // Boilerplate shared by everything weighs nothing.
        for w in segment::words_plain("责任单位") {
            assert_eq!(m.word_weight(w), 0.0, "{w}");
        }
        assert!(m.word_weight("各县区") < m.word_weight("人才"));
    }

    #[test]
    fn markers_and_units_note() {
        let p = &sample()[1];
        assert!(folded_body(p).starts_with("提升土地"));
        assert_eq!(folded_heading(p), "提升土地集约利用水平");
        let f = folded_body(p);
        let at = crate::text::units::unit_note_start(&f).unwrap();
        assert!(f[at..].starts_with("〔责任单位"));
    }
}
