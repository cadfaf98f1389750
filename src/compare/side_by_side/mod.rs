//! Side-by-side comparison of the provisions on one topic across
//! jurisdictions (or documents): `policy-diff compare`.
//!
//! Compute first, render second:
//! 1. [`classify_documents`] classifies every provision of the documents
//!    compared (in parallel; callers may keep the result), [`Selection::new`]
//!    keeps those on the topic, grouped by column, and counts the topic ×
//!    column coverage;
//! 2. the caller provides the [`SimilarityModel`]: document frequencies over
//!    every provision of the corpus, so that IDF sees every document (the
//!    CLI loads them from the cache beside the index);
//! 3. [`compare`] groups parallel provisions of different columns into rows
//!    (see [`rows`]; compared without the political formulae every document
//!    repeats, see [`FORMULAE`]), marks what they share, pulls out their
//!    figures and records the provenance;
//! 4. the renderers ([`markdown`], [`html`], [`json`], [`csv`]) turn the
//!    [`TopicComparison`] into text; they never fail and never touch files.
//!
//! Pure: nothing here touches files.

mod boilerplate;
mod html;
mod markdown;
mod marks;
pub mod rows;
mod selection;
mod table;

use std::ops::Range;

use serde::ser::{Serialize, Serializer};

use super::figures::{self, Figure};
use super::similarity::{ProvisionVector, SimilarityModel};
use crate::corpus::{citation, Provision};
use crate::text::fold;
use crate::topics::{Topic, THRESHOLD};

pub use boilerplate::{strip_formulae, without_boilerplate, FORMULAE};
pub use html::html;
pub use markdown::markdown;
pub use rows::{LINK_FACTOR, MAX_PER_COLUMN, ROW_THRESHOLD, SAME_MEASURE_THRESHOLD};
use selection::parallel_map;
pub use selection::{
    classify_documents, By, Candidate, Column, Compared, DocInfo, DocTopics, HeatRow, Heatmap,
    ProvisionTopics, Scored, Selection, NO_JURISDICTION,
};
pub use table::csv;

/// At most this many shared key terms per row.
pub const SHARED_TERMS: usize = 8;
/// A shared word is a key term only if it is this rare: IDF at least 3 (≈ ln 20),
/// i.e. in at most about one provision in twenty (开发区, 支持, 人才 are not).
pub const MIN_TERM_IDF: f64 = 3.0;

/// The topic compared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopicInfo {
    pub id: String,
    pub label: String,
    pub label_en: String,
    pub description: String,
}

impl From<&Topic> for TopicInfo {
    fn from(t: &Topic) -> Self {
        TopicInfo {
            id: t.id.clone(),
            label: t.label.clone(),
            label_en: t.label_en.clone(),
            description: t.description.clone(),
        }
    }
}

/// Settings of [`compare`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Minimum similarity of two provisions of different columns to share a row.
    pub threshold: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: ROW_THRESHOLD,
        }
    }
}

/// A provision in a cell of the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cell {
    pub doc_id: String,
    pub provision_id: String,
    pub heading: String,
    pub text: String,
    /// Topic score (see [`crate::topics::classify`]).
    pub score: f64,
    /// Matched topic terms as written (why the provision counts).
    pub evidence: Vec<String>,
    /// Headings above the provision, outermost first.
    pub path: Vec<String>,
    pub title: String,
    pub doc_number: String,
    /// Title, 文号, date and heading path.
    pub citation: String,
    /// Amounts, percentages, deadlines and target years in the text.
    pub figures: Vec<Figure>,
    /// Phrases of the text that another column of the row shares.
    pub shared: Vec<String>,
    /// Byte ranges of `text` holding those phrases (sorted, disjoint).
    #[serde(skip)]
    pub marks: Vec<Range<usize>>,
}

/// The provisions of a row, per column (a JSON object keyed by column name,
/// in column order; an empty list where a column has no counterpart).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cells(pub Vec<(String, Vec<Cell>)>);

impl Cells {
    pub fn get(&self, column: &str) -> &[Cell] {
        self.0
            .iter()
            .find(|(c, _)| c == column)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// All provisions of the row.
    pub fn all(&self) -> impl Iterator<Item = &Cell> {
        self.0.iter().flat_map(|(_, v)| v)
    }
}

impl Serialize for Cells {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::report::serialize_pairs(&self.0, s)
    }
}

/// Provisions of different columns that address the same measure (or one
/// provision without a counterpart).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// The heading of the strongest provision (highest topic score).
    pub label: String,
    /// Mean similarity of the row's provisions across columns (0 when the
    /// row has one column).
    pub similarity: f64,
    /// Columns with at least one provision.
    pub columns_covered: usize,
    /// Rare words the columns share (see [`MIN_TERM_IDF`]), most telling first.
    pub shared_terms: Vec<String>,
    pub cells: Cells,
}

/// What produced a comparison.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Provenance {
    pub tool: &'static str,
    pub version: &'static str,
    /// The documents compared, with their content hashes.
    pub documents: Vec<DocInfo>,
    pub taxonomy_version: String,
    pub taxonomy_fingerprint: String,
    pub taxonomy_source: String,
    /// A provision is on the topic when its score reaches this.
    pub topic_threshold: f64,
    /// Minimum similarity for two provisions of different columns to share a row.
    pub row_threshold: f64,
    /// Every member of a row is at least `row_threshold * link_factor`
    /// similar to the members of the other columns.
    pub link_factor: f64,
    /// Minimum similarity of two provisions of one column in the same row.
    pub same_measure_threshold: f64,
    pub max_per_column: usize,
    /// Provisions the IDF weights were computed over.
    pub idf_provisions: usize,
    pub method: &'static str,
}

impl Provenance {
    /// The run's settings as plain sentences (tool, taxonomy, thresholds,
    /// method), for renderers to escape and wrap; the document list is
    /// rendered separately.
    pub fn settings(&self) -> [String; 4] {
        [
            format!("{} {}", self.tool, self.version),
            format!("taxonomy {} ({}), fingerprint {}", self.taxonomy_version, self.taxonomy_source, self.taxonomy_fingerprint),
            format!(
                "topic threshold {}; row threshold {} (link factor {}, same measure {}, at most {} per column); IDF over {} provisions",
                self.topic_threshold, self.row_threshold, self.link_factor, self.same_measure_threshold, self.max_per_column, self.idf_provisions
            ),
            self.method.to_string(),
        ]
    }
}

/// How rows are formed, for provenance.
pub const METHOD: &str = "provisions classified under the topic (score >= topic_threshold); \
similarity: IDF-weighted cosine of jieba words, character bigrams and headings (as in `diff`), \
IDF over the corpus, boilerplate formulae cut out; rows: greedy agglomeration of cross-column pairs at >= row_threshold, \
best first, a provision joining a row only if it is >= row_threshold * link_factor similar to \
every member of the other columns; a second provision of one column only if >= \
same_measure_threshold similar to that column's member; each provision in at most one row";

/// The comparison of one topic across columns (the JSON shape of
/// `policy-diff compare --format json`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopicComparison {
    pub topic: TopicInfo,
    pub by: By,
    /// Column names, in order (keys of every row's `cells`).
    pub columns: Vec<String>,
    /// Per column: its documents and counts.
    pub column_info: Vec<Column>,
    /// Strongest first: rows with counterparts in more columns, then by topic score.
    pub rows: Vec<Row>,
    /// Topic × column counts over the documents compared.
    pub coverage: Heatmap,
    pub provenance: Provenance,
}

impl TopicComparison {
    /// Rows whose provisions come from at least two columns.
    pub fn aligned_rows(&self) -> usize {
        self.rows.iter().filter(|r| r.columns_covered > 1).count()
    }

    /// The report's scope after "one column per": `jurisdiction · 13
    /// provisions on the topic · 10 rows, 2 with counterparts in several
    /// columns` (shared by the Markdown and HTML reports).
    pub fn scope(&self) -> String {
        let total: usize = self.column_info.iter().map(|x| x.provisions).sum();
        format!(
            "{} · {} provisions on the topic · {} rows, {} with counterparts in several columns",
            match self.by {
                By::Jurisdiction => "jurisdiction",
                By::Doc => "document",
            },
            total,
            self.rows.len(),
            self.aligned_rows()
        )
    }
}

/// Group the selected provisions into rows and prepare them for display.
pub fn compare(sel: &Selection, model: &SimilarityModel, opts: &Options) -> TopicComparison {
    let provisions: Vec<&Provision> = sel.candidates.iter().map(|c| c.provision).collect();
    let vectors: Vec<ProvisionVector> =
        parallel_map(&provisions, |p| model.vector(&without_boilerplate(p)));
    let columns: Vec<usize> = sel.candidates.iter().map(|c| c.column).collect();
    let scores: Vec<f64> = sel.candidates.iter().map(|c| c.topic.score).collect();
    let groups = rows::group(model, &vectors, &columns, &scores, opts.threshold);

    let built: Vec<Row> = parallel_map(&groups, |g| build_row(sel, model, &vectors, g));
    let mut order: Vec<(usize, &rows::Group)> = groups.iter().enumerate().collect();
    order.sort_by(|(i, a), (j, b)| {
        b.columns
            .cmp(&a.columns)
            .then(b.best_score.total_cmp(&a.best_score))
            .then(b.similarity.total_cmp(&a.similarity))
            .then(i.cmp(j))
    });
    let mut built: Vec<Option<Row>> = built.into_iter().map(Some).collect();
    let rows = order
        .into_iter()
        .filter_map(|(i, _)| built[i].take())
        .collect();

    TopicComparison {
        topic: sel.topic.clone(),
        by: sel.by,
        columns: sel.columns.iter().map(|c| c.name.clone()).collect(),
        column_info: sel.columns.clone(),
        rows,
        coverage: sel.heatmap.clone(),
        provenance: Provenance {
            tool: "policy-diff",
            version: env!("CARGO_PKG_VERSION"),
            documents: sel.documents.clone(),
            taxonomy_version: sel.taxonomy_version.clone(),
            taxonomy_fingerprint: sel.taxonomy_fingerprint.clone(),
            taxonomy_source: sel.taxonomy_source.clone(),
            topic_threshold: THRESHOLD,
            row_threshold: opts.threshold,
            link_factor: LINK_FACTOR,
            same_measure_threshold: SAME_MEASURE_THRESHOLD.max(opts.threshold),
            max_per_column: MAX_PER_COLUMN,
            idf_provisions: model.provisions(),
            method: METHOD,
        },
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Longest label shown, in characters.
const LABEL_CHARS: usize = 60;

fn build_row(
    sel: &Selection,
    model: &SimilarityModel,
    vectors: &[ProvisionVector],
    g: &rows::Group,
) -> Row {
    let strongest = g
        .members
        .iter()
        .copied()
        .max_by(|&a, &b| {
            sel.candidates[a]
                .topic
                .score
                .total_cmp(&sel.candidates[b].topic.score)
                .then(b.cmp(&a))
        })
        .expect("a row has members");
    let label = short_label(&sel.candidates[strongest].provision.heading);

    // The bodies (without responsible-units notes), folded: a key term is
    // shared when the bodies of at least two columns have it.
    let bodies: Vec<(usize, String)> = g
        .members
        .iter()
        .map(|&m| {
            let p = sel.candidates[m].provision;
            (
                sel.candidates[m].column,
                fold(&p.text[..marks::body_end(p)]),
            )
        })
        .collect();
    let in_columns = |term: &str| {
        let mut cols: Vec<usize> = bodies
            .iter()
            .filter(|(_, b)| b.contains(term))
            .map(|(c, _)| *c)
            .collect();
        cols.sort_unstable();
        cols.dedup();
        cols.len()
    };
    // Shared terms: summed contributions over the cross-column pairs.
    let mut shared: Vec<(String, f64)> = vec![];
    for (k, &a) in g.members.iter().enumerate() {
        for &b in &g.members[k + 1..] {
            if sel.candidates[a].column == sel.candidates[b].column {
                continue;
            }
            for (term, w) in model.shared_terms(&vectors[a], &vectors[b], SHARED_TERMS * 3) {
                if term.chars().count() < 2
                    || model.word_weight(&term) < MIN_TERM_IDF
                    || in_columns(&term) < 2
                {
                    continue;
                }
                match shared.iter_mut().find(|(t, _)| *t == term) {
                    Some((_, x)) => *x += w,
                    None => shared.push((term, w)),
                }
            }
        }
    }
    // Search-mode words overlap (高层 / 层次 / 高层次): keep the longest.
    let all_terms: Vec<String> = shared.iter().map(|(t, _)| t.clone()).collect();
    shared.retain(|(t, _)| {
        !all_terms
            .iter()
            .any(|o| o.len() > t.len() && o.contains(t.as_str()))
    });
    shared.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    shared.truncate(SHARED_TERMS);
    let shared_terms: Vec<String> = shared.into_iter().map(|(t, _)| t).collect();

    let mut cells: Vec<(String, Vec<Cell>)> = sel
        .columns
        .iter()
        .map(|c| (c.name.clone(), vec![]))
        .collect();
    for &m in &g.members {
        let cand = &sel.candidates[m];
        let p = cand.provision;
        let others: Vec<&str> = g
            .members
            .iter()
            .filter(|&&o| sel.candidates[o].column != cand.column)
            .map(|&o| sel.candidates[o].provision.text.as_str())
            .collect();
        let marks = marks::shared_ranges(&p.text, marks::body_end(p), &others, &shared_terms);
        cells[cand.column].1.push(Cell {
            doc_id: p.doc_id.clone(),
            provision_id: p.id.clone(),
            heading: p.heading.clone(),
            text: p.text.clone(),
            score: cand.topic.score,
            evidence: cand.topic.evidence.clone(),
            path: p.path.clone(),
            title: cand.doc.entry.title.clone(),
            doc_number: cand.doc.entry.doc_number.clone(),
            citation: citation(&cand.doc.entry, p),
            figures: figures::extract(&p.text),
            shared: marks
                .iter()
                .map(|r| p.text[r.clone()].to_string())
                .collect(),
            marks,
        });
    }
    for (_, v) in &mut cells {
        v.sort_by_key(|c| {
            let doc = sel.documents.iter().position(|d| d.id == c.doc_id);
            let seq = c
                .provision_id
                .rsplit_once(':')
                .and_then(|(_, s)| s.parse::<usize>().ok());
            (doc, seq)
        });
    }
    Row {
        label,
        similarity: round3(g.similarity),
        columns_covered: g.columns,
        shared_terms,
        cells: Cells(cells),
    }
}

/// A heading short enough for a row label.
fn short_label(heading: &str) -> String {
    let h = heading.trim();
    if h.chars().count() <= LABEL_CHARS {
        return h.to_string();
    }
    let mut s: String = h.chars().take(LABEL_CHARS - 1).collect();
    s.push('…');
    s
}

/// `--format json`: one pretty-printed JSON document and a newline.
pub fn json(c: &TopicComparison) -> String {
    let mut s = serde_json::to_string_pretty(c).expect("a comparison serializes");
    s.push('\n');
    s
}

/// Display form of a figure list: "2022年12月底前, 100%" or "no figures".
pub(crate) fn figure_list(figs: &[Figure]) -> String {
    let mut seen: Vec<&str> = vec![];
    for f in figs {
        if !seen.contains(&f.text.as_str()) {
            seen.push(&f.text);
        }
    }
    if seen.is_empty() {
        "no figures".to_string()
    } else {
        seen.join(", ")
    }
}
