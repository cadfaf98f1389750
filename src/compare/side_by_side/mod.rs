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
//! 3. [`compare`] groups the clauses that state one measure into rows (see
//!    [`measures`]: clause links between every two documents, political
//!    formulae cut out, see [`FORMULAE`]), highlights each row's clauses in
//!    their provisions, pulls out figures and records the provenance;
//! 4. the renderers ([`markdown`], [`html`], [`json`], [`csv`]) turn the
//!    [`TopicComparison`] into text; they never fail and never touch files.
//!
//! Pure: nothing here touches files.

mod boilerplate;
mod html;
mod markdown;
mod marks;
pub mod measures;
mod selection;
mod table;

use std::ops::Range;

use serde::ser::{Serialize, Serializer};

use super::figures::{self, Figure};
use super::similarity::{ProvisionVector, SimilarityModel};
use crate::classify::topics::{Topic, THRESHOLD};
use crate::corpus::{citation, Provision};
use crate::text::fold;

pub use boilerplate::{strip_formulae, without_boilerplate, FORMULAE};
pub use html::html;
pub use markdown::markdown;
/// Default minimum score of a clause link that puts two clauses in one row
/// (the link threshold of `diff`).
pub const ROW_THRESHOLD: f64 = crate::compare::clauses::CLOSE_THRESHOLD;
pub(crate) use selection::parallel_map;
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
    /// Minimum score of a clause link that puts two clauses in one row.
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
    /// Topic score (see [`crate::classify::topics::classify`]).
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
    /// The clauses of this provision that state the row's measure (empty
    /// when the provision is shown whole in a row of its own).
    pub clauses: Vec<crate::compare::diff::ClauseText>,
    /// Byte ranges of `text` to highlight (sorted, disjoint): the row's
    /// clauses, or the shared phrases when the row has no clauses.
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
    /// The row's shortest clause (the measure in the fewest words), or the
    /// heading of a provision shown whole.
    pub label: String,
    /// Mean score of the clause links inside the row (0 for a provision
    /// shown whole in a row of its own).
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
    /// Minimum score of a clause link that puts two clauses in one row.
    pub row_threshold: f64,
    /// The clause-link settings (as in `diff`).
    pub clause_settings: crate::compare::clauses::Settings,
    /// Provisions the IDF weights of shared terms were computed over.
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
                "topic threshold {}; clause link threshold {} (ratio {}, background IDF {}); shared terms weighed over {} provisions",
                self.topic_threshold, self.row_threshold, self.clause_settings.ratio, self.clause_settings.background, self.idf_provisions
            ),
            self.method.to_string(),
        ]
    }
}

/// How rows are formed, for provenance.
pub const METHOD: &str = "provisions classified under the topic (score >= topic_threshold) and cut into \
clauses; clauses of every two documents linked as in `diff` (IDF over every clause of the documents \
compared and a fixed background, formulae and numbers cut out; a link is its shorter clause's best pair, at >= row_threshold); \
rows: links merged strongest first into clusters of at most one clause per document, a row per cluster \
spanning two documents or more, the row's clauses highlighted in their provisions (a provision may be in \
several rows); a provision with no clause in a row gets a row of its own";

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
            "{} · {} on the topic · {}, {} with counterparts in several columns",
            self.by.name(),
            crate::report::count(total, "provision"),
            crate::report::count(self.rows.len(), "row"),
            self.aligned_rows()
        )
    }
}

/// Group the selected provisions into rows and prepare them for display.
pub fn compare(sel: &Selection, model: &SimilarityModel, opts: &Options) -> TopicComparison {
    let provisions: Vec<&Provision> = sel.candidates.iter().map(|c| c.provision).collect();
    let vectors: Vec<ProvisionVector> =
        parallel_map(&provisions, |p| model.vector(&without_boilerplate(p)));
    // Words only: the word vectors lowered same-row F1 on the tuning part
    // (0.347 → 0.325, EVALUATION.md), and rows cite no articles.
    let settings = crate::compare::clauses::Settings {
        close: opts.threshold,
        semantic: 0.0,
        ..Default::default()
    };
    let groups = measures::group(sel, &settings);

    let built: Vec<Row> = parallel_map(&groups, |g| build_row(sel, model, &vectors, g));
    let mut order: Vec<(usize, &measures::MeasureGroup)> = groups.iter().enumerate().collect();
    order.sort_by(|(i, a), (j, b)| {
        b.columns
            .cmp(&a.columns)
            .then(b.members.len().min(2).cmp(&a.members.len().min(2)))
            .then(b.similarity.total_cmp(&a.similarity))
            .then(b.best_score.total_cmp(&a.best_score))
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
            clause_settings: settings,
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
    g: &measures::MeasureGroup,
) -> Row {
    let ids: Vec<usize> = g.members.iter().map(|(i, _)| *i).collect();
    let strongest = ids
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
    // A measure row is named by its shortest clause (the measure in the
    // fewest words); a provision shown whole by its heading.
    let shortest = g
        .members
        .iter()
        .flat_map(|(m, ks)| {
            let p = sel.candidates[*m].provision;
            let clauses = p.clauses();
            ks.iter()
                .filter_map(|&k| clauses.get(k).map(|c| c.text(p).to_string()))
                .collect::<Vec<_>>()
        })
        .min_by_key(|t| (t.chars().count(), t.clone()));
    let label = match shortest {
        Some(t) => short_label(t.trim_end_matches(['。', '；', ';'])),
        None => short_label(&sel.candidates[strongest].provision.heading),
    };

    // What each member says in the row: its row clauses, else its body
    // (without the responsible-units note).
    let said: Vec<String> = g
        .members
        .iter()
        .map(|(m, ks)| {
            let p = sel.candidates[*m].provision;
            if ks.is_empty() {
                p.text[..p.body_end()].to_string()
            } else {
                let clauses = p.clauses();
                ks.iter()
                    .filter_map(|&k| clauses.get(k).map(|c| c.text(p).to_string()))
                    .collect::<Vec<_>>()
                    .join("")
            }
        })
        .collect();
    // Folded: a key term is shared when what two columns say has it.
    let bodies: Vec<(usize, String)> = g
        .members
        .iter()
        .zip(&said)
        .map(|((m, _), t)| (sel.candidates[*m].column, fold(t)))
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
    for (k, &a) in ids.iter().enumerate() {
        for &b in &ids[k + 1..] {
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
    for (n, (m, ks)) in g.members.iter().enumerate() {
        let cand = &sel.candidates[*m];
        let p = cand.provision;
        let others: Vec<&str> = g
            .members
            .iter()
            .zip(&said)
            .enumerate()
            .filter(|(o, ((x, _), _))| *o != n && sel.candidates[*x].column != cand.column)
            .map(|(_, (_, t))| t.as_str())
            .collect();
        let all_clauses = p.clauses();
        let row_clauses: Vec<&crate::corpus::Clause> =
            ks.iter().filter_map(|&k| all_clauses.get(k)).collect();
        // Shared phrases: of the whole body for a provision shown whole, of
        // each row clause otherwise (word diffs of short texts).
        let phrases: Vec<Range<usize>> = if row_clauses.is_empty() {
            marks::shared_ranges(&p.text, p.body_end(), &others, &shared_terms)
        } else {
            row_clauses
                .iter()
                .flat_map(|c| {
                    let t = c.text(p);
                    marks::shared_ranges(t, t.len(), &others, &shared_terms)
                        .into_iter()
                        .map(|r| c.range.start + r.start..c.range.start + r.end)
                })
                .collect()
        };
        // Shared phrases inside the row's clauses (all of them when the
        // provision is shown whole).
        let inside = |r: &Range<usize>| {
            row_clauses.is_empty()
                || row_clauses
                    .iter()
                    .any(|c| r.start >= c.range.start && r.end <= c.range.end)
        };
        let shared_phrases: Vec<String> = phrases
            .iter()
            .filter(|r| inside(r))
            .map(|r| p.text[r.clone()].to_string())
            .collect();
        let marks: Vec<Range<usize>> = if row_clauses.is_empty() {
            phrases
        } else {
            row_clauses.iter().map(|c| c.range.clone()).collect()
        };
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
            shared: shared_phrases,
            clauses: row_clauses
                .iter()
                .map(|c| crate::compare::diff::ClauseText {
                    id: c.id.clone(),
                    text: c.text(p).to_string(),
                })
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
