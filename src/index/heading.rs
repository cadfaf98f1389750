//! Heading matches without a heading field: the `words` field starts with
//! the heading's words (the text's own first words when the text starts with
//! its heading, as 97% of the laws corpus's provisions do; otherwise the
//! heading is cut separately and put in front), and the `heading_words` fast
//! field says how many there are. A word is in the heading when one of its
//! positions is below that count.
//!
//! Until schema 8 the heading's words were a second indexed field, which
//! cost 8% of the index build for postings that repeated the text's.
//!
//! Score: BM25 with the word's IDF over the `words` field, its heading
//! occurrences as the term frequency and the heading's word count as the
//! length (the average from an evenly spread sample of the documents), so
//! a short heading about the word outranks a long first sentence that
//! mentions it.

use tantivy::columnar::ColumnValues;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

use super::schema::HEADING_WORDS;

const K1: Score = 1.2;
const B: Score = 0.75;
/// Documents read to estimate the average heading length.
const SAMPLE: u32 = 2048;

/// Provisions whose heading holds the `words` term `term`.
#[derive(Clone, Debug)]
pub struct HeadingTerm {
    term: Term,
}

impl HeadingTerm {
    pub fn new(term: Term) -> HeadingTerm {
        HeadingTerm { term }
    }
}

impl Query for HeadingTerm {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                searcher,
                statistics_provider,
            } => {
                let docs = statistics_provider.total_num_docs()?;
                let df = statistics_provider.doc_freq(&self.term)?.min(docs);
                let x = ((docs - df) as Score + 0.5) / (df as Score + 0.5);
                Some(((1.0 + x).ln(), average_heading(searcher)?))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(HeadingWeight {
            term: self.term.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, true);
    }
}

/// The average number of heading words, from up to [`SAMPLE`] documents
/// spread evenly over the segments.
fn average_heading(searcher: &tantivy::Searcher) -> tantivy::Result<Score> {
    let total: u64 = searcher
        .segment_readers()
        .iter()
        .map(|s| u64::from(s.max_doc()))
        .sum();
    let step = (total / u64::from(SAMPLE)).max(1) as u32;
    let (mut sum, mut n) = (0u64, 0u64);
    for segment in searcher.segment_readers() {
        let column = segment
            .fast_fields()
            .u64(HEADING_WORDS)?
            .first_or_default_col(0);
        for doc in (0..segment.max_doc()).step_by(step as usize) {
            sum += column.get_val(doc);
            n += 1;
        }
    }
    Ok((sum as Score / n.max(1) as Score).max(1.0))
}

struct HeadingWeight {
    term: Term,
    /// IDF and average heading length, when scoring.
    bm25: Option<(Score, Score)>,
}

impl Weight for HeadingWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let index = reader.inverted_index(self.term.field())?;
        let Some(postings) =
            index.read_postings(&self.term, IndexRecordOption::WithFreqsAndPositions)?
        else {
            return Ok(Box::new(EmptyScorer));
        };
        let mut scorer = HeadingScorer {
            postings,
            heading: reader
                .fast_fields()
                .u64(HEADING_WORDS)?
                .first_or_default_col(0),
            positions: vec![],
            tf: 0,
            len: 0,
            bm25: self.bm25.map(|(idf, avg)| (idf * boost, avg)),
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #{doc} does not have the word in its heading"
            )));
        }
        Ok(Explanation::new("heading word (BM25)", scorer.score()))
    }
}

struct HeadingScorer {
    postings: SegmentPostings,
    /// Per document, how many leading words are the heading's.
    heading: std::sync::Arc<dyn ColumnValues<u64>>,
    positions: Vec<u32>,
    /// Occurrences in the heading of the current document, and its length.
    tf: u32,
    len: u64,
    /// Weight (IDF times boost) and average heading length.
    bm25: Option<(Score, Score)>,
}

impl HeadingScorer {
    /// Move forward from the current posting to the first document with the
    /// word in its heading.
    fn settle(&mut self) -> DocId {
        loop {
            let doc = self.postings.doc();
            if doc == TERMINATED {
                return doc;
            }
            let n = self.heading.get_val(doc);
            if n > 0 {
                self.postings.positions(&mut self.positions);
                // Positions come in increasing order.
                self.tf = self.positions.partition_point(|&p| u64::from(p) < n) as u32;
                self.len = n;
                if self.tf > 0 {
                    return doc;
                }
            }
            self.postings.advance();
        }
    }
}

impl DocSet for HeadingScorer {
    fn advance(&mut self) -> DocId {
        if self.postings.doc() == TERMINATED {
            return TERMINATED;
        }
        self.postings.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        self.postings.seek(target);
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for HeadingScorer {
    fn score(&mut self) -> Score {
        match self.bm25 {
            Some((w, avg)) => {
                let tf = self.tf as Score;
                let norm = K1 * (1.0 - B + B * self.len as Score / avg);
                w * tf * (K1 + 1.0) / (tf + norm)
            }
            None => 1.0,
        }
    }
}
