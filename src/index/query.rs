//! From the search AST to tantivy queries, using our own folding and
//! segmentation (never tantivy's QueryParser, which would turn a run of
//! Chinese into one phrase and cut it differently from the documents).
//!
//! A word is cut into the index's words ([`Reader::query_words`]); a
//! provision matches when its folded text contains each of them, as a word
//! or inside a longer one (财政 in 财政投入). Each scores like a word: BM25
//! over its occurrences in the text, plus BM25 over its occurrences in the
//! heading times [`HEADING_BOOST`] (an [`ExactPhrase`] with a heading
//! weight). A word of several parts also scores for the parts standing
//! together: verbatim, and within two words of each other. A quoted phrase
//! matches only verbatim and scores like a word.
//!
//! [`Reader::query_words`]: super::Reader::query_words

use std::sync::Arc;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query as TQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::chars::CharPostings;
use super::ordmap::OrdMaps;
use super::phrase::ExactPhrase;
use super::schema::Fields;
use super::texts::TextStore;
use crate::query::Query;
use crate::text::fold;

/// Weight of a heading match relative to body BM25.
pub const HEADING_BOOST: f32 = 3.0;
/// Weight of the parts of a word appearing near each other (as words).
pub const PROXIMITY_BOOST: f32 = 1.5;
/// Weight of the parts of a word appearing verbatim together (BM25 of the whole).
pub const VERBATIM_BOOST: f32 = 1.0;
/// Weight of a query word's occurrences as a jieba word of its own (word-level BM25).
pub const STANDALONE_BOOST: f32 = 1.0;

/// What query building needs from the open index.
pub struct Ctx<'a> {
    pub fields: &'a Fields,
    pub texts: &'a Arc<TextStore>,
    pub postings: &'a Arc<CharPostings>,
    pub maps: &'a Arc<OrdMaps>,
}

fn exact(ctx: &Ctx, folded: &str) -> Option<ExactPhrase> {
    ExactPhrase::new(
        folded,
        ctx.postings.clone(),
        ctx.texts.clone(),
        ctx.maps.clone(),
        ctx.fields.words,
    )
}

/// The exact-phrase query over folded text (matching; scored on the text alone).
pub fn exact_query(ctx: &Ctx, folded: &str) -> Option<Box<dyn TQuery>> {
    exact(ctx, folded).map(|q| Box::new(q) as Box<dyn TQuery>)
}

/// Folded text as a word: matched verbatim, scored in text and heading.
fn as_word(ctx: &Ctx, folded: &str) -> Option<Box<dyn TQuery>> {
    exact(ctx, folded).map(|q| Box::new(q.with_heading(HEADING_BOOST)) as Box<dyn TQuery>)
}

/// A query word: [`as_word`], plus BM25 of its standalone occurrences (a
/// jieba word of its own counts twice: 财政 alone says more than 财政部).
fn word(ctx: &Ctx, folded: &str) -> Option<Box<dyn TQuery>> {
    let q = as_word(ctx, folded)?;
    let alone = TermQuery::new(
        Term::from_field_text(ctx.fields.words, folded),
        IndexRecordOption::WithFreqs,
    );
    Some(Box::new(BooleanQuery::new(vec![
        (Occur::Must, q),
        (
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(alone), STANDALONE_BOOST)),
        ),
    ])))
}

fn nothing() -> Box<dyn TQuery> {
    Box::new(BooleanQuery::new(vec![]))
}

/// Cuts folded query text into the words the ranking uses.
pub type Segmenter<'a> = &'a dyn Fn(&str) -> Vec<String>;

fn leaf(ctx: &Ctx, raw: &str, exact: bool, seg: Segmenter) -> Box<dyn TQuery> {
    let f = ctx.fields;
    let folded = fold(raw);
    let folded = folded.trim();
    if exact {
        // Matched and ranked on the text alone: no segmentation, so no
        // dictionary to load.
        return as_word(ctx, folded).unwrap_or_else(nothing);
    }
    let mut words: Vec<String> = vec![];
    for w in seg(folded) {
        if !words.contains(&w) {
            words.push(w);
        }
    }
    if words.len() <= 1 {
        return word(ctx, words.first().map_or(folded, String::as_str)).unwrap_or_else(nothing);
    }
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![];
    for w in &words {
        match word(ctx, w) {
            Some(q) => clauses.push((Occur::Must, q)),
            None => return nothing(),
        }
    }
    if let Some(q) = as_word(ctx, folded) {
        clauses.push((Occur::Should, Box::new(BoostQuery::new(q, VERBATIM_BOOST))));
    }
    let terms: Vec<(usize, Term)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (i, Term::from_field_text(f.words, w)))
        .collect();
    clauses.push((
        Occur::Should,
        Box::new(BoostQuery::new(
            Box::new(PhraseQuery::new_with_offset_and_slop(terms, 2)),
            PROXIMITY_BOOST,
        )),
    ));
    Box::new(BooleanQuery::new(clauses))
}

/// Build the tantivy query for a parsed search query.
pub fn build(ctx: &Ctx, q: &Query, seg: Segmenter) -> Box<dyn TQuery> {
    match q {
        Query::Term(t) => leaf(ctx, t, false, seg),
        Query::Phrase(p) => leaf(ctx, p, true, seg),
        Query::And(qs) => {
            let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = qs
                .iter()
                .map(|q| match q {
                    Query::Not(inner) => (Occur::MustNot, build(ctx, inner, seg)),
                    _ => (Occur::Must, build(ctx, q, seg)),
                })
                .collect();
            if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Query::Or(qs) => Box::new(BooleanQuery::new(
            qs.iter()
                .map(|q| (Occur::Should, build(ctx, q, seg)))
                .collect(),
        )),
        Query::Not(inner) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery)),
            (Occur::MustNot, build(ctx, inner, seg)),
        ])),
    }
}
