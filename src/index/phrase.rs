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
use super::ordmap::{OrdMap, OrdMaps};
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

/// From this many candidates on, the segments' matches are found on all
/// cores (rayon's pool, work-stealing over segments): at x64 (14 segments)
/// 知识产权's 25,237 matches took 37.1 -> 24.2 ms, the NPC standing
/// committee's 64.6 -> 46.5 ms (BENCHMARKS.md, "Session 13"). A threshold
/// of 100 made no difference to 一级财政 (321 candidates) at x16 or x64.
/// Verifying one segment's candidates in pieces on both cores was tried
/// too: slower at x4 (one segment; the NPC standing committee 7.6 -> 8.1
/// ms), the pieces' hand-offs eat the gain.
const PARALLEL_CANDIDATES: u64 = 2_000;

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
        let readers = searcher.segment_readers();
        let found: Vec<Vec<Match>> =
            if candidates.count() >= PARALLEL_CANDIDATES && readers.len() > 1 {
                use rayon::prelude::*;
                readers
                    .par_iter()
                    .map(|reader| self.matches(reader, &candidates))
                    .collect::<tantivy::Result<_>>()?
            } else {
                readers
                    .iter()
                    .map(|reader| self.matches(reader, &candidates))
                    .collect::<tantivy::Result<_>>()?
            };
        let mut segments = HashMap::new();
        let mut doc_freq = 0;
        for (reader, found) in readers.iter().zip(found) {
            doc_freq += found.len() as u64;
            segments.insert(reader.segment_id(), Arc::new(found));
        }
        let docs = statistics_provider.total_num_docs()?;
        // Found nowhere: nothing is scored, no statistics needed.
        let (avg_len, avg_heading) = if doc_freq == 0 {
            (1.0, 1.0)
        } else if let Some(stats) = self.stored_stats(readers) {
            // The statistics written beside the segments' maps.
            (
                stats.tokens as Score / docs.max(1) as Score,
                stats.heading_words as Score / stats.max_docs.max(1) as Score,
            )
        } else {
            let tokens = statistics_provider.total_num_tokens(self.words)?;
            let heading = if self.heading > 0.0 {
                average_heading(searcher)?
            } else {
                1.0
            };
            (tokens as Score / docs.max(1) as Score, heading)
        };
        Ok(Box::new(ScoredWeight {
            query: self.clone(),
            candidates,
            segments,
            idf: idf(doc_freq, docs),
            avg_len: avg_len.max(1.0),
            avg_heading: avg_heading.max(1.0),
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

/// The statistics of all of a searcher's segments, summed.
struct Totals {
    tokens: u64,
    heading_words: u64,
    max_docs: u64,
}

impl ExactPhrase {
    /// The segments' statistics from their map files (see
    /// [`ordmap`](super::ordmap)), if every segment's map holds them
    /// (`None`: an index written before they were, or a read-only one
    /// without maps; the caller asks tantivy then).
    fn stored_stats(&self, readers: &[SegmentReader]) -> Option<Totals> {
        let mut totals = Totals {
            tokens: 0,
            heading_words: 0,
            max_docs: 0,
        };
        for reader in readers {
            let map = self.maps.stored(reader)?;
            let stats = map.as_ref().as_ref()?.stats()?;
            totals.tokens += stats.tokens;
            totals.heading_words += stats.heading_words;
            totals.max_docs += u64::from(reader.max_doc());
        }
        Some(totals)
    }

    /// Every document of `reader` that contains the phrase, in order.
    ///
    /// The candidates' texts are read in runs (see [`read_runs`]): a
    /// heading is written just before its text or is the text's start (see
    /// [`texts::Placed`](super::texts::Placed)), so one span holds both,
    /// and the spans of candidates near each other in `texts.bin` (the
    /// provisions of one document, typically) are read together.
    fn matches(
        &self,
        reader: &SegmentReader,
        candidates: &Arc<Candidates>,
    ) -> tantivy::Result<Vec<Match>> {
        if candidates.count() == 0 {
            // A phrase found nowhere (what start-up is measured with): no
            // column of the segment opened.
            return Ok(vec![]);
        }
        let ff = reader.fast_fields();
        let column = |name| -> tantivy::Result<_> { Ok(ff.u64(name)?.first_or_default_col(0)) };
        // The candidates' documents with their texts' places from the
        // segment's ordinal map when it holds them (format 3): then no
        // column is opened (tantivy decodes a blockwise one's block
        // headers whole on opening).
        let placed = self.maps.stored(reader).and_then(|map| {
            let map = map.as_ref().as_ref()?;
            map.placed_docs_of(in_range(map, candidates), reader.max_doc())
        });
        let spots: Vec<Spot> = match placed {
            Some(placed) if placed.is_empty() => return Ok(vec![]),
            Some(placed) => placed
                .into_iter()
                .map(|(doc, place)| Spot {
                    doc,
                    text_at: place.text_at,
                    text_len: u64::from(place.text_len),
                    head_at: place.head_at(),
                    head_len: u64::from(place.head_len),
                })
                .collect(),
            None => {
                let mut walk = ExactScorer::unpositioned(self, candidates, reader, false)?;
                let mut docs = vec![];
                let mut doc = walk.next_candidate(0);
                while doc != TERMINATED {
                    docs.push(doc);
                    doc = walk.next_candidate(doc + 1);
                }
                if docs.is_empty() {
                    return Ok(vec![]);
                }
                let (text_at, text_len) = (column(TEXT_AT)?, column(TEXT_LEN)?);
                let (head_at, head_len) = (column(HEAD_AT)?, column(HEAD_LEN)?);
                docs.into_iter()
                    .map(|doc| Spot {
                        doc,
                        text_at: text_at.get_val(doc),
                        text_len: text_len.get_val(doc),
                        head_at: head_at.get_val(doc),
                        head_len: head_len.get_val(doc),
                    })
                    .collect()
            }
        };
        let count = |t: &[u8]| self.needle.find_iter(t).count() as u32;
        let mut found = vec![None; spots.len()];
        read_runs(&self.texts, &spots, |i, windows| {
            let s = &spots[i];
            let slice = |from: u64, len: u64| windows.iter().find_map(|w| w.get(from, len));
            // Counting the occurrences is the verification.
            let tf = slice(s.text_at, s.text_len).map_or(0, count);
            if tf == 0 {
                return;
            }
            let heading_tf = if s.head_len == 0 {
                0
            } else {
                slice(s.head_at, s.head_len).map_or(0, count)
            };
            // A heading written before the text is in the words field too.
            let extra = if s.head_at < s.text_at { heading_tf } else { 0 };
            found[i] = Some(Match {
                doc: s.doc,
                tf: tf + extra,
                heading_tf,
            });
        });
        Ok(found.into_iter().flatten().collect())
    }
}

/// The candidates within the range of ordinals of `map`'s segment (none
/// when no candidate lies there).
fn in_range<'c>(map: &OrdMap, candidates: &'c Candidates) -> &'c [u32] {
    match map.ord_range() {
        Some((lo, hi)) if candidates.any_in(lo, hi) => {
            let sorted = &candidates.sorted;
            let from = sorted.partition_point(|&o| u64::from(o) < lo);
            let to = sorted.partition_point(|&o| u64::from(o) <= hi);
            &sorted[from..to]
        }
        _ => &[],
    }
}

/// Where a candidate's text and heading lie in `texts.bin`.
struct Spot {
    doc: DocId,
    text_at: u64,
    text_len: u64,
    head_at: u64,
    head_len: u64,
}

impl Spot {
    /// The bytes holding the text and the heading: one span when the
    /// heading touches the text or lies in it (as `texts` writes them),
    /// else the text's alone plus the heading's.
    fn spans(&self) -> ([u64; 2], Option<[u64; 2]>) {
        let text = [self.text_at, self.text_at.saturating_add(self.text_len)];
        if self.head_len == 0 {
            return (text, None);
        }
        let head = [self.head_at, self.head_at.saturating_add(self.head_len)];
        if head[1] >= text[0] && head[0] <= text[1] {
            ([text[0].min(head[0]), text[1].max(head[1])], None)
        } else {
            (text, Some(head))
        }
    }
}

/// Bytes between two spans read together rather than by two reads (a
/// positioned read's call costs about what copying a few KB does).
const RUN_GAP: u64 = 4 << 10;
/// The most bytes read at once.
const RUN_MAX: u64 = 1 << 20;

/// Bytes of `texts.bin` from `at` on.
#[derive(Clone, Copy)]
struct Window<'a> {
    at: u64,
    bytes: &'a [u8],
}

impl Window<'_> {
    /// The bytes `from..from + len`, if this window holds them all.
    fn get(&self, from: u64, len: u64) -> Option<&[u8]> {
        let start = usize::try_from(from.checked_sub(self.at)?).ok()?;
        self.bytes
            .get(start..start.checked_add(usize::try_from(len).ok()?)?)
    }
}

/// Calls `each(i, windows)` for every spot `i`, with windows of
/// `texts.bin` that hold its text and heading (none holds a span the file
/// does not). The spans are read with positioned reads (see
/// [`TextStore::read`]), a run of nearby ones at a time: at x16 this took
/// 知识产权's 12,652 reads to 2,478 and its CPU down by about a fifth; for
/// dense candidates (the NPC standing committee, 发展) it also costs less
/// than the mapping, whose faults map and unmap the pages around each text
/// (BENCHMARKS.md, "Phrase search, read in runs").
fn read_runs(texts: &TextStore, spots: &[Spot], mut each: impl FnMut(usize, &[Window])) {
    let mut bufs = [vec![], vec![]];
    // Calls `then` with a window of each span read.
    let mut with = |spans: &[[u64; 2]], then: &mut dyn FnMut(&[Window])| {
        let mut windows = Vec::with_capacity(2);
        for (span, buf) in spans.iter().zip(bufs.iter_mut()) {
            if let Some(bytes) = texts.read(span[0], span[1] - span[0], buf) {
                windows.push(Window { at: span[0], bytes });
            }
        }
        then(&windows);
    };
    let mut spans: Vec<(u64, u64, usize)> = Vec::with_capacity(spots.len());
    for (i, s) in spots.iter().enumerate() {
        match s.spans() {
            (main, None) => spans.push((main[0], main[1], i)),
            // A heading apart from its text (`texts` writes none, but none
            // is assumed away): the two read alone.
            (text, Some(head)) => with(&[text, head], &mut |w| each(i, w)),
        }
    }
    spans.sort_unstable();
    let mut first = 0;
    while first < spans.len() {
        let (lo, mut hi, _) = spans[first];
        let mut end = first + 1;
        while let Some(&(s, e, _)) = spans.get(end) {
            if s > hi.saturating_add(RUN_GAP) || e.saturating_sub(lo) > RUN_MAX {
                break;
            }
            hi = hi.max(e);
            end += 1;
        }
        with(&[[lo, hi]], &mut |w| {
            for &(_, _, i) in &spans[first..end] {
                each(i, w);
            }
        });
        first = end;
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
        if matches.is_empty() {
            // Nothing to score: no column opened.
            return Ok(Box::new(tantivy::query::EmptyScorer));
        }
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
    /// The `text_ord` column, when the segment is walked.
    ords: Option<Arc<dyn ColumnValues<u64>>>,
    /// Ordinals of documents `block_start..block_start + block.len()`.
    block: Vec<u64>,
    block_start: DocId,
    /// Where the texts lie (`text_at`, `text_len`), if the scorer reads
    /// them and the segment has candidates (else no column is opened).
    places: Option<[Arc<dyn ColumnValues<u64>>; 2]>,
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
        let mut scorer = ExactScorer::unpositioned(query, candidates, reader, true)?;
        scorer.doc = scorer.next_from(0);
        Ok(scorer)
    }

    /// Before the first candidate (`doc` is 0 whether or not it matches);
    /// verifying them if `read_texts` (else only
    /// [`next_candidate`](Self::next_candidate) is used).
    fn unpositioned(
        query: &ExactPhrase,
        candidates: &Arc<Candidates>,
        reader: &SegmentReader,
        read_texts: bool,
    ) -> tantivy::Result<ExactScorer> {
        let ff = reader.fast_fields();
        let max_doc = reader.max_doc();
        // A segment none of whose ordinals is a candidate has none. Its
        // ordinal map gives its documents, looking up only the candidates
        // in its range of ordinals (a segment of an `add`, or of one writer
        // thread's blocks, holds a narrow one).
        let of_map = |map: &OrdMap| map.docs_of(in_range(map, candidates), max_doc);
        // A map at hand (in memory or in its file) needs no `text_ord`
        // column; else the column's range is checked before a map is
        // computed from it, and a segment without one is walked.
        let (docs, ords) = match query.maps.stored(reader).filter(|m| m.is_some()) {
            Some(map) => (map.as_ref().as_ref().map(of_map), None),
            None => {
                let ords = ff.u64(TEXT_ORD)?.first_or_default_col(u64::MAX);
                let docs = if candidates.any_in(ords.min_value(), ords.max_value()) {
                    query.maps.get(reader)?.as_ref().as_ref().map(of_map)
                } else {
                    Some(vec![])
                };
                (docs, Some(ords))
            }
        };
        let places = if read_texts && docs.as_ref().is_none_or(|d| !d.is_empty()) {
            let column = |name| -> tantivy::Result<_> { Ok(ff.u64(name)?.first_or_default_col(0)) };
            Some([column(TEXT_AT)?, column(TEXT_LEN)?])
        } else {
            None
        };
        Ok(ExactScorer {
            doc: 0,
            max_doc,
            docs,
            next: 0,
            ords,
            block: vec![],
            block_start: 0,
            places,
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
            match &self.ords {
                Some(ords) => ords.get_range(u64::from(doc), &mut self.block),
                // Only a segment without an ordinal map is walked, and
                // its column is open.
                None => self.block.fill(u64::MAX),
            }
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
        let [at, len] = self.places.as_ref()?;
        let (at, len) = (at.get_val(doc), len.get_val(doc));
        if self.candidates.sparse {
            self.query.texts.read(at, len, &mut self.buf)
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

#[cfg(test)]
mod tests {
    use super::super::texts::{Ordinals, Placed, TextSink};
    use super::*;

    /// Every spot gets windows holding its text and heading, whether the
    /// heading leads the text, starts it, or (not written so, but handled)
    /// lies apart; spots far apart are read in separate runs, and a span
    /// past the file's end gets no window.
    #[test]
    fn runs_hold_each_spots_text_and_heading() {
        let dir = tempfile::tempdir().unwrap();
        let sink = TextSink::open(dir.path(), 0).unwrap();
        let far = "间隔".repeat(4000); // 24,000 bytes: past RUN_GAP
        let placed = sink
            .append_led(
                [
                    ("第一条", "人才公寓"),
                    ("", "土地出让金"),
                    ("", far.as_str()),
                    ("专栏", "财政资金"),
                ],
                &mut Ordinals::default(),
            )
            .unwrap();
        sink.sync().unwrap();
        let store = TextStore::open(dir.path()).unwrap();
        let spot = |doc: DocId, p: &Placed, text: &str, head: u64, head_len: u64| Spot {
            doc,
            text_at: p.at,
            text_len: text.len() as u64,
            head_at: head,
            head_len,
        };
        let spots = vec![
            // The heading written just before the text.
            spot(0, &placed[0], "人才公寓", placed[0].lead_at, 9),
            // The text's start as its heading.
            spot(1, &placed[1], "土地出让金", placed[1].at, 6),
            // After the long gap, a heading lying apart (the first's).
            spot(3, &placed[3], "财政资金", placed[0].lead_at, 9),
            // Past the end of the file.
            Spot {
                doc: 4,
                text_at: placed[3].at,
                text_len: 1 << 20,
                head_at: 0,
                head_len: 0,
            },
        ];
        let mut seen = vec![];
        read_runs(&store, &spots, |i, windows| {
            let s = &spots[i];
            let get = |at, len| windows.iter().find_map(|w: &Window| w.get(at, len));
            let text = get(s.text_at, s.text_len).map(|t| String::from_utf8_lossy(t).into_owned());
            let head = get(s.head_at, s.head_len).map(|t| String::from_utf8_lossy(t).into_owned());
            seen.push((s.doc, text, head, windows.len()));
        });
        seen.sort();
        let some = |t: &str| Some(t.to_string());
        assert_eq!(
            seen,
            vec![
                (0, some("人才公寓"), some("第一条"), 1),
                (1, some("土地出让金"), some("土地"), 1),
                (3, some("财政资金"), some("第一条"), 2),
                (4, None, None, 0),
            ]
        );
        // The first two are near: one run; the fourth stands alone.
        let mut runs = vec![];
        read_runs(&store, &spots[..2], |_, w| runs.push(w[0].at));
        assert_eq!(runs, vec![placed[0].lead_at, placed[0].lead_at]);
    }
}
