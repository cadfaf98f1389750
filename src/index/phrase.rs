//! Exact phrases: the provisions that hold every character of the phrase
//! (an intersection over the `chars` field) are the candidates; each is
//! verified by searching its folded text (see [`texts`](super::texts)) for
//! the folded phrase. Matching is therefore exactly "the folded provision
//! text contains the folded phrase", whatever jieba made of either.
//!
//! A one-character phrase needs no verification: the `chars` field holds
//! every character of every provision.
//!
//! Scoring is BM25 with the phrase's characters as terms (their summed IDF)
//! and the phrase's occurrence count as the term frequency.

use std::fmt;
use std::sync::Arc;

use memchr::memmem::Finder;
use tantivy::columnar::ColumnValues;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{
    Bm25Weight, BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

use super::schema::{TEXT_AT, TEXT_LEN};
use super::texts::TextStore;
use super::tokenize::indexed_chars;

/// Provisions whose folded text contains `needle`.
#[derive(Clone)]
pub struct ExactPhrase {
    needle: Arc<Finder<'static>>,
    /// The distinct characters of the needle, as `chars` terms.
    terms: Vec<Term>,
    texts: Arc<TextStore>,
    chars: Field,
    single_char: bool,
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
    pub fn new(folded: &str, chars: Field, texts: Arc<TextStore>) -> Option<ExactPhrase> {
        let terms: Vec<Term> = indexed_chars(folded)
            .into_iter()
            .map(|c| Term::from_field_text(chars, c.encode_utf8(&mut [0; 4])))
            .collect();
        if terms.is_empty() {
            return None;
        }
        let mut it = folded.chars();
        let single_char = it.next().is_some() && it.next().is_none();
        Some(ExactPhrase {
            needle: Arc::new(Finder::new(folded.as_bytes()).into_owned()),
            terms,
            texts,
            chars,
            single_char,
        })
    }
}

impl Query for ExactPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &self.terms)?),
            EnableScoring::Disabled { .. } => None,
        };
        let all_chars = BooleanQuery::new(
            self.terms
                .iter()
                .map(|t| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic));
                    (Occur::Must, q)
                })
                .collect(),
        );
        let candidates = all_chars.weight(EnableScoring::disabled_from_schema(scoring.schema()))?;
        Ok(Box::new(ExactWeight {
            query: self.clone(),
            candidates,
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for t in &self.terms {
            visitor(t, false);
        }
    }
}

struct ExactWeight {
    query: ExactPhrase,
    candidates: Box<dyn Weight>,
    bm25: Option<Bm25Weight>,
}

impl Weight for ExactWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let ff = reader.fast_fields();
        let norms = match &self.bm25 {
            Some(_) => Some(reader.get_fieldnorms_reader(self.query.chars)?),
            None => None,
        };
        let mut scorer = ExactScorer {
            candidates: self.candidates.scorer(reader, 1.0)?,
            at: ff.u64(TEXT_AT)?.first_or_default_col(0),
            len: ff.u64(TEXT_LEN)?.first_or_default_col(0),
            query: self.query.clone(),
            bm25: self.bm25.clone(),
            norms,
            boost,
        };
        let first = scorer.candidates.doc();
        if first != TERMINATED && !scorer.verify(first) {
            scorer.advance();
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #{doc} does not contain the phrase"
            )));
        }
        Ok(Explanation::new("exact phrase (BM25)", scorer.score()))
    }
}

struct ExactScorer {
    candidates: Box<dyn Scorer>,
    at: Arc<dyn ColumnValues<u64>>,
    len: Arc<dyn ColumnValues<u64>>,
    query: ExactPhrase,
    bm25: Option<Bm25Weight>,
    norms: Option<FieldNormReader>,
    boost: Score,
}

impl ExactScorer {
    fn text(&self, doc: DocId) -> Option<&[u8]> {
        self.query
            .texts
            .get(self.at.get_val(doc), self.len.get_val(doc))
    }

    fn verify(&self, doc: DocId) -> bool {
        self.query.single_char
            || self
                .text(doc)
                .is_some_and(|t| self.query.needle.find(t).is_some())
    }

    /// Occurrences of the phrase in `doc` (1 for a single character: not counted).
    fn term_freq(&self, doc: DocId) -> u32 {
        if self.query.single_char {
            return 1;
        }
        self.text(doc)
            .map(|t| self.query.needle.find_iter(t).count() as u32)
            .unwrap_or(1)
            .max(1)
    }
}

impl DocSet for ExactScorer {
    fn advance(&mut self) -> DocId {
        loop {
            let doc = self.candidates.advance();
            if doc == TERMINATED || self.verify(doc) {
                return doc;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        let doc = self.candidates.seek(target);
        if doc == TERMINATED || self.verify(doc) {
            doc
        } else {
            self.advance()
        }
    }

    fn doc(&self) -> DocId {
        self.candidates.doc()
    }

    fn size_hint(&self) -> u32 {
        self.candidates.size_hint()
    }

    fn cost(&self) -> u64 {
        // Reading and searching the text costs more than a posting.
        self.candidates.cost().saturating_mul(8)
    }
}

impl Scorer for ExactScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc();
        match (&self.bm25, &self.norms) {
            (Some(bm25), Some(norms)) => {
                self.boost * bm25.score(norms.fieldnorm_id(doc), self.term_freq(doc))
            }
            _ => self.boost,
        }
    }
}
