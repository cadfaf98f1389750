//! Exact phrases: the texts that hold every character of the phrase and
//! every bucket of its adjacent character pairs (an intersection of
//! [`chars`](super::chars) postings, see `phrase_keys`) are the candidates;
//! each is verified by searching its folded text (see
//! [`texts`](super::texts)) for the folded phrase. Matching is therefore
//! exactly "the folded provision text contains the folded phrase", whatever
//! jieba made of either.
//!
//! The postings are keyed by text ordinal, not by tantivy document: a
//! segment's scorer walks its documents in order, reading each one's
//! ordinal from the `text_ord` fast field (in blocks) and testing it
//! against the candidates, and reads the text of a candidate only when the
//! walk reaches it (so a filter that seeks past documents saves their
//! verification). A one-character phrase needs no verification.
//!
//! Scoring is BM25 as if the phrase were one word: its occurrences in the
//! folded text are the term frequency, the provisions that contain it are
//! its document frequency, the provision's word count is the length (what
//! tantivy's term queries use, so the scores of words and phrases add up
//! comparably). With a heading weight, occurrences in the provision's
//! folded heading score once more, as BM25 over the heading (its word count
//! as the length). This is also how unquoted words are ranked (see
//! [`query`](super::query)): a word found inside a longer jieba word
//! (财政 in 加大/财政投入/力度) scores as the word.
//!
//! When scores are wanted, the weight finds every match of every segment
//! up front (the exact document frequency needs them all) and the scorers
//! replay them; without scores (counts, sets, `locate`) the scorer walks
//! lazily as described above.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use memchr::memmem::Finder;
use roaring::RoaringBitmap;
use tantivy::columnar::ColumnValues;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

use super::chars::{phrase_keys, CharPostings};
use super::heading::average_heading;
use super::ordmap::OrdMaps;
use super::schema::{HEADING_WORDS, HEAD_AT, HEAD_LEN, TEXT_AT, TEXT_LEN, TEXT_ORD};
use super::texts::TextStore;

/// BM25 parameters (tantivy's).
const K1: Score = 1.2;
const B: Score = 0.75;

/// Provisions whose folded text contains `needle`.
#[derive(Clone)]
pub struct ExactPhrase {
    needle: Arc<Finder<'static>>,
    /// The keys every text holding the needle holds (its characters and
    /// pair buckets).
    keys: Vec<u32>,
    postings: Arc<CharPostings>,
    texts: Arc<TextStore>,
    maps: Arc<OrdMaps>,
    /// The field whose lengths normalize the score.
    words: Field,
    single_char: bool,
    /// Weight of the heading's BM25 (0: headings not scored).
    heading: Score,
}

impl fmt::Debug for ExactPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ExactPhrase({:?})",
            String::from_utf8_lossy(self.needle.needle())
        )
    }
}

impl ExactPhrase {
    /// `None` when the phrase has no indexed character (empty or all spaces).
    pub fn new(
        folded: &str,
        postings: Arc<CharPostings>,
        texts: Arc<TextStore>,
        maps: Arc<OrdMaps>,
        words: Field,
    ) -> Option<ExactPhrase> {
        let keys = phrase_keys(folded);
        if keys.is_empty() {
            return None;
        }
        let mut it = folded.chars();
        let single_char = it.next().is_some() && it.next().is_none();
        Some(ExactPhrase {
            needle: Arc::new(Finder::new(folded.as_bytes()).into_owned()),
            keys,
            postings,
            texts,
            maps,
            words,
            single_char,
            heading: 0.0,
        })
    }

    /// Score occurrences in the heading too, with this weight.
    pub fn with_heading(mut self, weight: Score) -> ExactPhrase {
        self.heading = weight;
        self
    }
}

fn corrupt(e: crate::error::Error) -> TantivyError {
    TantivyError::DataCorruption(tantivy::error::DataCorruption::comment_only(e))
}

/// BM25's inverse document frequency (tantivy's formula).
fn idf(doc_freq: u64, docs: u64) -> Score {
    let doc_freq = doc_freq.min(docs);
    let x = ((docs - doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
    (1.0 + x).ln()
}

#[derive(Clone, Copy)]
struct Bm25 {
    idf: Score,
    avg_len: Score,
}

impl Bm25 {
    fn score(&self, tf: u32, len: u32) -> Score {
        let tf = tf as Score;
        let norm = K1 * (1.0 - B + B * len as Score / self.avg_len);
        self.idf * tf * (K1 + 1.0) / (tf + norm)
    }
}

/// The candidate ordinals: sorted (for the segments' ordinal maps, see
/// [`ordmap`](super::ordmap)) and, built only if a segment without a map
/// has to be walked, as bitsets of the 65,536-ordinal blocks that hold any
/// (one table lookup and one bit test per document walked; memory follows
/// the candidates, not the highest ordinal: a table entry per block
/// between the lowest and highest candidate, and 8 KB per block holding
/// one).
struct Candidates {
    set: RoaringBitmap,
    sorted: Vec<u32>,
    walk: std::sync::OnceLock<Blocks>,
    /// Few among the texts (under one in [`SPARSE`]): their texts are read
    /// with positioned reads rather than through the mapping (see
    /// [`TextStore::read`]).
    sparse: bool,
}

/// Candidates under one text in this many are read, not touched in the
/// mapping (a 64 KB fault-around window holds ~160 texts; at x16 the NPC
/// standing committee's 15,328 matches of 1.1M texts were 15% slower read,
/// 知识产权's 25,237 of 4.4M at x64 22% faster).
const SPARSE: u64 = 100;

struct Blocks {
    /// The block of the lowest candidate.
    base: u64,
    /// Per block from `base` on: 1 + its bitset's index in `bits` (0: none).
    table: Vec<u32>,
    bits: Vec<[u64; 1024]>,
}

impl Candidates {
    fn new(set: RoaringBitmap, ordinals: u64) -> Candidates {
        Candidates {
            sorted: set.iter().collect(),
            sparse: set.len().saturating_mul(SPARSE) < ordinals,
            set,
            walk: std::sync::OnceLock::new(),
        }
    }

    fn blocks(&self) -> &Blocks {
        self.walk.get_or_init(|| {
            let set = &self.set;
            let base = set.min().map_or(0, |m| u64::from(m >> 16));
            let blocks = set.max().map_or(0, |m| u64::from(m >> 16) - base + 1);
            let mut table = vec![0u32; blocks as usize];
            let mut bits: Vec<[u64; 1024]> = vec![];
            for o in set {
                let slot = &mut table[(u64::from(o >> 16) - base) as usize];
                if *slot == 0 {
                    bits.push([0; 1024]);
                    *slot = bits.len() as u32;
                }
                let low = o as usize & 0xffff;
                bits[*slot as usize - 1][low / 64] |= 1 << (low % 64);
            }
            Blocks { base, table, bits }
        })
    }

    fn count(&self) -> u64 {
        self.set.len()
    }

    /// Is any candidate in `lo..=hi`?
    fn any_in(&self, lo: u64, hi: u64) -> bool {
        let hi = u32::try_from(hi).unwrap_or(u32::MAX);
        u32::try_from(lo).is_ok_and(|lo| lo <= hi && self.set.range_cardinality(lo..=hi) > 0)
    }
}

impl Blocks {
    #[inline]
    fn contains(&self, ord: u64) -> bool {
        let block = (ord >> 16).wrapping_sub(self.base);
        match usize::try_from(block).ok().and_then(|b| self.table.get(b)) {
            Some(&slot) if slot != 0 => {
                let low = ord as usize & 0xffff;
                self.bits[slot as usize - 1][low / 64] & (1 << (low % 64)) != 0
            }
            _ => false,
        }
    }
}

impl Query for ExactPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let set = self
            .postings
            .containing_all(&self.keys)
            .map_err(corrupt)?
            .unwrap_or_default();
        let candidates = Arc::new(Candidates::new(set, self.postings.ordinals()));
        let EnableScoring::Enabled {
            searcher,
            statistics_provider,
        } = scoring
        else {
            return Ok(Box::new(ExactWeight {
                query: self.clone(),
                candidates,
            }));
        };
        let mut segments = HashMap::new();
        let mut doc_freq = 0;
        for reader in searcher.segment_readers() {
            let found = self.matches(reader, &candidates)?;
            doc_freq += found.len() as u64;
            segments.insert(reader.segment_id(), Arc::new(found));
        }
        let docs = statistics_provider.total_num_docs()?;
        let tokens = statistics_provider.total_num_tokens(self.words)?;
        let heading = if self.heading > 0.0 {
            average_heading(searcher)?
        } else {
            1.0
        };
        Ok(Box::new(ScoredWeight {
            query: self.clone(),
            candidates,
            segments,
            idf: idf(doc_freq, docs),
            avg_len: (tokens as Score / docs.max(1) as Score).max(1.0),
            avg_heading: heading,
        }))
    }
}

/// One matching document of a segment: occurrences in its text (plus its
/// heading when the heading is not part of the text) and in its heading.
#[derive(Clone, Copy, Debug)]
struct Match {
    doc: DocId,
    tf: u32,
    heading_tf: u32,
}

impl ExactPhrase {
    /// Every document of `reader` that contains the phrase, in order.
    fn matches(
        &self,
        reader: &SegmentReader,
        candidates: &Arc<Candidates>,
    ) -> tantivy::Result<Vec<Match>> {
        let mut walk = ExactScorer::unpositioned(self, candidates, reader)?;
        let ff = reader.fast_fields();
        let head_at = ff.u64(HEAD_AT)?.first_or_default_col(0);
        let head_len = ff.u64(HEAD_LEN)?.first_or_default_col(0);
        let count = |t: &[u8]| self.needle.find_iter(t).count() as u32;
        let mut out = vec![];
        let mut heading = vec![];
        // Counting the occurrences is the verification: one pass per text.
        let mut doc = walk.next_candidate(0);
        while doc != TERMINATED {
            let tf = walk.text(doc).map_or(0, count);
            if tf > 0 {
                let text_at = walk.at.get_val(doc);
                let (at, len) = (head_at.get_val(doc), head_len.get_val(doc));
                let heading_tf = if len == 0 {
                    0
                } else if candidates.sparse {
                    if self.texts.read(at, len, &mut heading) {
                        count(&heading)
                    } else {
                        0
                    }
                } else {
                    self.texts.get(at, len).map_or(0, count)
                };
                // A heading written before the text is in the words field too.
                let extra = if head_at.get_val(doc) < text_at {
                    heading_tf
                } else {
                    0
                };
                out.push(Match {
                    doc,
                    tf: tf + extra,
                    heading_tf,
                });
            }
            doc = walk.next_candidate(doc + 1);
        }
        Ok(out)
    }
}

/// Scores from the matches found by the weight.
struct ScoredWeight {
    query: ExactPhrase,
    candidates: Arc<Candidates>,
    segments: HashMap<SegmentId, Arc<Vec<Match>>>,
    idf: Score,
    avg_len: Score,
    avg_heading: Score,
}

impl Weight for ScoredWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let matches = match self.segments.get(&reader.segment_id()) {
            Some(m) => m.clone(),
            None => Arc::new(self.query.matches(reader, &self.candidates)?),
        };
        Ok(Box::new(ScoredScorer {
            matches,
            i: 0,
            norms: reader.get_fieldnorms_reader(self.query.words)?,
            heading_words: reader
                .fast_fields()
                .u64(HEADING_WORDS)?
                .first_or_default_col(0),
            body: Bm25 {
                idf: self.idf,
                avg_len: self.avg_len,
            },
            head: Bm25 {
                idf: self.idf,
                avg_len: self.avg_heading,
            },
            heading: self.query.heading,
            boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #{doc} does not contain the phrase"
            )));
        }
        Ok(Explanation::new(
            "occurrences in text and heading (BM25)",
            scorer.score(),
        ))
    }
}

struct ScoredScorer {
    matches: Arc<Vec<Match>>,
    i: usize,
    norms: FieldNormReader,
    heading_words: Arc<dyn ColumnValues<u64>>,
    body: Bm25,
    head: Bm25,
    heading: Score,
    boost: Score,
}

impl DocSet for ScoredScorer {
    fn advance(&mut self) -> DocId {
        if self.i < self.matches.len() {
            self.i += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        self.i += self.matches[self.i..].partition_point(|m| m.doc < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.matches.get(self.i).map_or(TERMINATED, |m| m.doc)
    }

    fn size_hint(&self) -> u32 {
        (self.matches.len() - self.i) as u32
    }
}

impl Scorer for ScoredScorer {
    fn score(&mut self) -> Score {
        let Some(m) = self.matches.get(self.i) else {
            return 0.0;
        };
        let mut s = self.body.score(m.tf, self.norms.fieldnorm(m.doc));
        if m.heading_tf > 0 && self.heading > 0.0 {
            let len = self.heading_words.get_val(m.doc).max(1) as u32;
            s += self.heading * self.head.score(m.heading_tf, len);
        }
        self.boost * s
    }
}

/// Matching without scores: a lazy walk.
struct ExactWeight {
    query: ExactPhrase,
    candidates: Arc<Candidates>,
}

impl Weight for ExactWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorer = ExactScorer::new(&self.query, &self.candidates, reader)?;
        scorer.boost = boost;
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #{doc} does not contain the phrase"
            )));
        }
        Ok(Explanation::new(
            "exact phrase (not scored)",
            scorer.score(),
        ))
    }
}

/// Documents read from the ordinal column at a time.
const BLOCK: usize = 256;

struct ExactScorer {
    doc: DocId,
    max_doc: DocId,
    /// The segment's candidate documents, in order, when its ordinal map
    /// gave them (else the segment is walked), and the next one to try.
    docs: Option<Vec<DocId>>,
    next: usize,
    ords: Arc<dyn ColumnValues<u64>>,
    /// Ordinals of documents `block_start..block_start + block.len()`.
    block: Vec<u64>,
    block_start: DocId,
    at: Arc<dyn ColumnValues<u64>>,
    len: Arc<dyn ColumnValues<u64>>,
    candidates: Arc<Candidates>,
    query: ExactPhrase,
    boost: Score,
    /// The text read last.
    buf: Vec<u8>,
}

impl ExactScorer {
    /// Positioned on the first match of the segment.
    fn new(
        query: &ExactPhrase,
        candidates: &Arc<Candidates>,
        reader: &SegmentReader,
    ) -> tantivy::Result<ExactScorer> {
        let mut scorer = ExactScorer::unpositioned(query, candidates, reader)?;
        scorer.doc = scorer.next_from(0);
        Ok(scorer)
    }

    /// Before the first candidate (`doc` is 0 whether or not it matches).
    fn unpositioned(
        query: &ExactPhrase,
        candidates: &Arc<Candidates>,
        reader: &SegmentReader,
    ) -> tantivy::Result<ExactScorer> {
        let ff = reader.fast_fields();
        let ords = ff.u64(TEXT_ORD)?.first_or_default_col(u64::MAX);
        let max_doc = reader.max_doc();
        // A segment none of whose ordinals is a candidate has none.
        let docs = if !candidates.any_in(ords.min_value(), ords.max_value()) {
            Some(vec![])
        } else {
            query
                .maps
                .get(reader)?
                .as_ref()
                .as_ref()
                .map(|map| map.docs_of(&candidates.sorted, max_doc))
        };
        Ok(ExactScorer {
            doc: 0,
            max_doc,
            docs,
            next: 0,
            ords,
            block: vec![],
            block_start: 0,
            at: ff.u64(TEXT_AT)?.first_or_default_col(0),
            len: ff.u64(TEXT_LEN)?.first_or_default_col(0),
            candidates: candidates.clone(),
            query: query.clone(),
            boost: 1.0,
            buf: vec![],
        })
    }

    fn ordinal(&mut self, doc: DocId) -> u64 {
        let i = doc.wrapping_sub(self.block_start) as usize;
        if i >= self.block.len() {
            let n = BLOCK.min((self.max_doc - doc) as usize);
            self.block.resize(n, 0);
            self.ords.get_range(u64::from(doc), &mut self.block);
            self.block_start = doc;
            return self.block[0];
        }
        self.block[i]
    }

    /// The first candidate (not yet verified) at or after `doc`, in
    /// increasing order of `doc` from one call to the next.
    fn next_candidate(&mut self, mut doc: DocId) -> DocId {
        if let Some(docs) = &self.docs {
            self.next += docs[self.next..].partition_point(|&d| d < doc);
            return match docs.get(self.next) {
                Some(&d) => {
                    self.next += 1;
                    d
                }
                None => TERMINATED,
            };
        }
        let blocks = self.candidates.clone();
        let blocks = blocks.blocks();
        while doc < self.max_doc {
            let ord = self.ordinal(doc);
            if blocks.contains(ord) {
                return doc;
            }
            doc += 1;
        }
        TERMINATED
    }

    /// The first matching document at or after `doc`.
    fn next_from(&mut self, doc: DocId) -> DocId {
        let mut doc = self.next_candidate(doc);
        while doc != TERMINATED && !self.verify(doc) {
            doc = self.next_candidate(doc + 1);
        }
        doc
    }

    /// The folded text of `doc` (read when the candidates are sparse, see
    /// [`TextStore::read`]).
    fn text(&mut self, doc: DocId) -> Option<&[u8]> {
        let (at, len) = (self.at.get_val(doc), self.len.get_val(doc));
        if self.candidates.sparse {
            self.query
                .texts
                .read(at, len, &mut self.buf)
                .then_some(&self.buf[..])
        } else {
            self.query.texts.get(at, len)
        }
    }

    fn verify(&mut self, doc: DocId) -> bool {
        if self.query.single_char {
            return true;
        }
        let needle = self.query.needle.clone();
        self.text(doc).is_some_and(|t| needle.find(t).is_some())
    }
}

impl DocSet for ExactScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.next_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.doc = self.next_from(target);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.candidates.count().min(u64::from(self.max_doc)) as u32
    }

    fn cost(&self) -> u64 {
        // Walking the segment's ordinals, plus reading the candidates' texts.
        u64::from(self.max_doc) + self.candidates.count().saturating_mul(8)
    }
}

impl Scorer for ExactScorer {
    fn score(&mut self) -> Score {
        self.boost
    }
}
