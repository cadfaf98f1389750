//! Searching an index: filters, ranking, total counts, stored fields.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query as TQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use super::schema::{self, Fields};
use super::state::Payload;
use super::{ierr, query};
use crate::error::Result;
use crate::search::query::Query;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub provision_id: String,
    pub doc_id: String,
    pub seq: u64,
    pub kind: String,
    pub heading: String,
    pub path: Vec<String>,
    pub text: String,
    pub responsible_units: Vec<String>,
    pub topics: Vec<String>,
    pub score: f32,
}

/// Restrictions on which provisions may match.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Only these documents (already resolved from --doc, --jurisdiction, --level, dates).
    pub doc_ids: Option<Vec<String>>,
    /// Provisions classified under any of these topics.
    pub topics: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SearchResult {
    pub total: usize,
    pub hits: Vec<Hit>,
}

pub struct Reader {
    reader: IndexReader,
    fields: Fields,
    pub payload: Payload,
}

fn any_of(field: tantivy::schema::Field, values: &[String]) -> Box<dyn TQuery> {
    Box::new(BooleanQuery::new(
        values
            .iter()
            .map(|v| {
                (
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    )) as Box<dyn TQuery>,
                )
            })
            .collect(),
    ))
}

impl Reader {
    pub(super) fn new(index: Index, payload: Payload) -> Result<Reader> {
        let fields = schema::fields_of(&index.schema()).map_err(ierr)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(ierr)?;
        Ok(Reader {
            reader,
            fields,
            payload,
        })
    }

    pub fn num_provisions(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Ranked provisions matching `q` within `filter`: the top `limit` and the total.
    pub fn search(&self, q: &Query, filter: &SearchFilter, limit: usize) -> Result<SearchResult> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, query::build(f, q))];
        if let Some(ids) = &filter.doc_ids {
            clauses.push((Occur::Must, any_of(f.doc_id, ids)));
        }
        if !filter.topics.is_empty() {
            clauses.push((Occur::Must, any_of(f.topics, &filter.topics)));
        }
        let full = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let (top, total) = searcher
            .search(
                &full,
                &(TopDocs::with_limit(limit.max(1)).order_by_score(), Count),
            )
            .map_err(ierr)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top.into_iter().take(limit) {
            let d: TantivyDocument = searcher.doc(addr).map_err(ierr)?;
            hits.push(self.hit(&d, score));
        }
        // Ties: document order.
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.doc_id.cmp(&b.doc_id))
                .then(a.seq.cmp(&b.seq))
        });
        Ok(SearchResult { total, hits })
    }

    fn hit(&self, d: &TantivyDocument, score: f32) -> Hit {
        let f = &self.fields;
        let s = |field| {
            d.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let list = |field| serde_json::from_str::<Vec<String>>(&s(field)).unwrap_or_default();
        Hit {
            provision_id: s(f.pid),
            doc_id: s(f.doc_id),
            seq: d.get_first(f.seq).and_then(|v| v.as_u64()).unwrap_or(0),
            kind: s(f.kind),
            heading: s(f.heading),
            path: list(f.path),
            text: s(f.text),
            responsible_units: list(f.units),
            topics: d
                .get_all(f.topics)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            score,
        }
    }
}
