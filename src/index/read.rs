//! Searching an index: filters, ranking, total counts, stored fields.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use tantivy::collector::{Collector, Count, DocSetCollector, SegmentCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, ReloadPolicy, Score, Searcher, SegmentOrdinal,
    SegmentReader, TantivyDocument, Term,
};

use super::chars::{self, CharPostings};
use super::ordmap::OrdMaps;
use super::schema::{self, Fields};
use super::state::Payload;
use super::texts::TextStore;
use super::{ierr, query};
use crate::corpus::ProvisionKind;
use crate::error::Result;
use crate::query::Query;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub provision_id: String,
    pub doc_id: String,
    pub seq: u64,
    pub kind: ProvisionKind,
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
    /// Only these provisions (by id; from `--instrument`).
    pub provisions: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct SearchResult {
    pub total: usize,
    pub hits: Vec<Hit>,
}

pub struct Reader {
    reader: IndexReader,
    fields: Fields,
    texts: Arc<TextStore>,
    postings: Arc<CharPostings>,
    maps: Arc<OrdMaps>,
    pub payload: Payload,
}

/// The character postings of the newest commit, which cover every text
/// `reader`'s (older or same) segments refer to. Chunks an update merged
/// away may vanish between reading a commit and opening them: then the
/// next commit is read.
///
/// The highest ordinal of a segment comes from its ordinal map (its last
/// pair; the map is kept in `maps` for the searches to come) and only
/// without one from its `text_ord` column, whose opening decodes a block
/// header per 512 documents: at x64 (4.3M provisions) that was ~4% of the
/// CPU of a search for a phrase found nowhere, and grew with the corpus.
fn open_postings(
    index: &Index,
    reader: &IndexReader,
    maps: &OrdMaps,
    gen_dir: &Path,
) -> Result<CharPostings> {
    let searcher = reader.searcher();
    let mut needed = 0;
    for segment in searcher.segment_readers() {
        if segment.max_doc() == 0 {
            continue;
        }
        let mapped = maps
            .stored(segment)
            .and_then(|m| m.as_ref().as_ref().map(|m| m.ord_range()));
        let highest = match mapped {
            Some(range) => range.map_or(0, |(_, hi)| hi),
            None => segment
                .fast_fields()
                .u64(schema::TEXT_ORD)
                .map_err(ierr)?
                .first_or_default_col(0)
                .max_value(),
        };
        needed = needed.max(highest + 1);
    }
    let mut last_err = None;
    for _ in 0..3 {
        let chunks = super::committed_chunks(index)?;
        if u64::from(chars::next_ordinal(&chunks)) < needed {
            return Err(crate::error::Error::index(format!(
                "the character postings in {} do not cover the index (run `policy-diff index --rebuild`)",
                gen_dir.display()
            )));
        }
        match CharPostings::open(gen_dir, &chunks) {
            Ok(p) => return Ok(p),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.expect("tried at least once"))
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
    /// Open the segments of the last commit, then map `texts.bin` of
    /// `gen_dir` and the character chunks of the last commit: in that order,
    /// because texts and chunks are synced before the commit that refers to
    /// them, the mapping covers every text these segments point at even
    /// when a writer commits in between.
    pub(super) fn new(index: Index, payload: Payload, gen_dir: &Path) -> Result<Reader> {
        let fields = schema::fields_of(&index.schema()).map_err(ierr)?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(ierr)?;
        let texts = TextStore::open(gen_dir)?;
        let maps = OrdMaps::new(gen_dir);
        let postings = open_postings(&index, &reader, &maps, gen_dir)?;
        Ok(Reader {
            reader,
            fields,
            texts: Arc::new(texts),
            postings: Arc::new(postings),
            maps: Arc::new(maps),
            payload,
        })
    }

    fn ctx(&self) -> query::Ctx<'_> {
        query::Ctx {
            fields: &self.fields,
            texts: &self.texts,
            postings: &self.postings,
            maps: &self.maps,
        }
    }

    pub fn num_provisions(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Ranked provisions matching `q` within `filter`: the top `limit` and the total.
    ///
    /// Queries with NOT are evaluated as sets (each positive leaf searched on
    /// its own, combined here) and ranked by their positive leaves: tantivy
    /// 0.27's exclusion of phrase scorers seeks backwards (tantivy#2811).
    pub fn search(&self, q: &Query, filter: &SearchFilter, limit: usize) -> Result<SearchResult> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let seg = |s: &str| self.query_words(s);
        let matched = if q.has_not() {
            Some(Arc::new(self.eval(&searcher, q)?))
        } else {
            None
        };
        let main: Box<dyn TQuery> = match &matched {
            None => query::build(&self.ctx(), q, &seg),
            Some(_) => {
                let mut should: Vec<(Occur, Box<dyn TQuery>)> = q
                    .positive_terms()
                    .into_iter()
                    .map(|leaf| (Occur::Should, query::build(&self.ctx(), leaf, &seg)))
                    .collect();
                should.push((
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
                ));
                Box::new(BooleanQuery::new(should))
            }
        };
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, main)];
        if let Some(ids) = &filter.doc_ids {
            clauses.push((Occur::Must, any_of(f.doc_id, ids)));
        }
        if !filter.topics.is_empty() {
            clauses.push((Occur::Must, any_of(f.topics, &filter.topics)));
        }
        if let Some(ids) = &filter.provisions {
            let terms = ids.iter().map(|id| Term::from_field_text(f.pid, id));
            clauses.push((
                Occur::Must,
                Box::new(tantivy::query::TermSetQuery::new(terms)),
            ));
        }
        let full = BooleanQuery::new(clauses);
        let collector = (TopDocs::with_limit(limit.max(1)).order_by_score(), Count);
        let (top, total) = match matched {
            None => searcher.search(&full, &collector),
            Some(set) => searcher.search(
                &full,
                &InSet {
                    inner: collector,
                    set,
                },
            ),
        }
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

    /// The set of provisions matching `q`, by set algebra over leaf searches.
    fn eval(&self, searcher: &Searcher, q: &Query) -> Result<HashSet<DocAddress>> {
        let all = || searcher.search(&AllQuery, &DocSetCollector).map_err(ierr);
        Ok(match q {
            Query::Term(_) | Query::Phrase(_) => searcher
                .search(
                    &*query::build(&self.ctx(), q, &|s: &str| self.query_words(s)),
                    &DocSetCollector,
                )
                .map_err(ierr)?,
            Query::Or(qs) => {
                let mut set = HashSet::new();
                for q in qs {
                    set.extend(self.eval(searcher, q)?);
                }
                set
            }
            Query::And(qs) => {
                let (neg, pos): (Vec<&Query>, Vec<&Query>) =
                    qs.iter().partition(|q| matches!(q, Query::Not(_)));
                let mut set = match pos.split_first() {
                    Some((first, rest)) => {
                        let mut s = self.eval(searcher, first)?;
                        for q in rest {
                            let other = self.eval(searcher, q)?;
                            s.retain(|d| other.contains(d));
                        }
                        s
                    }
                    None => all()?,
                };
                for q in neg {
                    if let Query::Not(inner) = q {
                        let other = self.eval(searcher, inner)?;
                        set.retain(|d| !other.contains(d));
                    }
                }
                set
            }
            Query::Not(inner) => {
                let other = self.eval(searcher, inner)?;
                let mut set = all()?;
                set.retain(|d| !other.contains(d));
                set
            }
        })
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
            // Written by `ProvisionKind::as_str`; the schema version keeps
            // an index of other names from being read.
            kind: ProvisionKind::parse(&s(f.kind)).unwrap_or(ProvisionKind::Text),
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

/// A collector that passes on only the documents of a precomputed set.
struct InSet<C> {
    inner: C,
    set: Arc<HashSet<DocAddress>>,
}

struct InSetSegment<S> {
    inner: S,
    ord: SegmentOrdinal,
    set: Arc<HashSet<DocAddress>>,
}

impl<C: Collector> Collector for InSet<C> {
    type Fruit = C::Fruit;
    type Child = InSetSegment<C::Child>;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(InSetSegment {
            inner: self.inner.for_segment(ord, segment)?,
            ord,
            set: self.set.clone(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for InSetSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.set.contains(&DocAddress::new(self.ord, doc)) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.inner.harvest()
    }
}

/// Longest word the query segmentation looks up, in characters.
const MAX_WORD_CHARS: usize = 12;

impl Reader {
    /// Cut folded query text into words of the index's own vocabulary,
    /// longest first from the left (runs of ASCII letters and digits stay
    /// whole, unknown characters stand alone). Every word found is a term
    /// the index holds, and no dictionary has to be loaded: a query costs
    /// milliseconds, not jieba's ~100 ms start-up. Exact matching never
    /// depends on this cut (unquoted words also match verbatim).
    pub fn query_words(&self, folded: &str) -> Vec<String> {
        let searcher = self.reader.searcher();
        let dicts: Vec<_> = searcher
            .segment_readers()
            .iter()
            .filter_map(|s| s.inverted_index(self.fields.words).ok())
            .collect();
        let known = |w: &str| {
            dicts
                .iter()
                .any(|d| d.terms().term_ord(w).ok().flatten().is_some())
        };
        let chars: Vec<(usize, char)> = folded.char_indices().collect();
        let end_of = |i: usize| chars.get(i).map(|c| c.0).unwrap_or(folded.len());
        let mut out = vec![];
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i].1;
            if !c.is_alphanumeric() {
                i += 1;
                continue;
            }
            if c.is_ascii_alphanumeric() {
                let mut j = i;
                while j < chars.len()
                    && (chars[j].1.is_ascii_alphanumeric() || (chars[j].1 == '.' && j > i))
                {
                    j += 1;
                }
                out.push(folded[chars[i].0..end_of(j)].to_string());
                i = j;
                continue;
            }
            let longest = (2..=MAX_WORD_CHARS.min(chars.len() - i))
                .rev()
                .find(|len| {
                    chars[i..i + len]
                        .iter()
                        .all(|(_, c)| c.is_alphanumeric() && !c.is_ascii())
                        && known(&folded[chars[i].0..end_of(i + len)])
                })
                .unwrap_or(1);
            out.push(folded[chars[i].0..end_of(i + longest)].to_string());
            i += longest;
        }
        out
    }
}

/// Where a phrase occurs, read from fast fields (no stored documents).
#[derive(Debug, Clone, Default)]
pub struct Located {
    /// All matching provisions.
    pub total: usize,
    /// Up to the cap: (provision id, document id).
    pub hits: Vec<(String, String)>,
}

impl Reader {
    /// Provisions whose folded text contains `folded` verbatim: how many,
    /// and the ids of up to `cap` of them. No stored documents are read: the
    /// ids come from fast fields, the check from `texts.bin`.
    pub fn locate(&self, folded: &str, cap: usize) -> Result<Located> {
        let Some(q) = query::exact_query(&self.ctx(), folded) else {
            return Ok(Located::default());
        };
        let searcher = self.reader.searcher();
        let (total, hits) = searcher
            .search(&*q, &LocateCollector { cap })
            .map_err(ierr)?;
        Ok(Located { total, hits })
    }

    /// The stored display text of a provision, by id.
    pub fn provision(&self, pid: &str) -> Result<Option<Hit>> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.pid, pid),
            IndexRecordOption::Basic,
        );
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())
            .map_err(ierr)?;
        match top.first() {
            Some((score, addr)) => {
                let d: TantivyDocument = searcher.doc(*addr).map_err(ierr)?;
                Ok(Some(self.hit(&d, *score)))
            }
            None => Ok(None),
        }
    }
}

struct LocateCollector {
    cap: usize,
}

struct LocateSegment {
    pid: tantivy::columnar::StrColumn,
    doc: tantivy::columnar::StrColumn,
    cap: usize,
    total: usize,
    hits: Vec<(String, String)>,
}

impl Collector for LocateCollector {
    type Fruit = (usize, Vec<(String, String)>);
    type Child = LocateSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<LocateSegment> {
        let ff = segment.fast_fields();
        let column = |name: &str| -> tantivy::Result<tantivy::columnar::StrColumn> {
            ff.str(name)?.ok_or_else(|| {
                tantivy::TantivyError::SchemaError(format!("{name} is not a fast field"))
            })
        };
        Ok(LocateSegment {
            pid: column("pid")?,
            doc: column("doc_id")?,
            cap: self.cap,
            total: 0,
            hits: vec![],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(usize, Vec<(String, String)>)>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut total = 0;
        let mut hits = vec![];
        for (t, h) in fruits {
            total += t;
            hits.extend(h);
        }
        hits.truncate(self.cap);
        Ok((total, hits))
    }
}

impl SegmentCollector for LocateSegment {
    type Fruit = (usize, Vec<(String, String)>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        if self.hits.len() < self.cap {
            let read = |col: &tantivy::columnar::StrColumn| {
                let mut s = String::new();
                if let Some(ord) = col.term_ords(doc).next() {
                    let _ = col.ord_to_str(ord, &mut s);
                }
                s
            };
            self.hits.push((read(&self.pid), read(&self.doc)));
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.total, self.hits)
    }
}
