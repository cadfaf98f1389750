//! The provision-by-provision diff of two documents: aligned pairs with word
//! diffs and changed figures, what only one side has, a summary and the
//! provenance a report needs to be reproduced.

use serde::Serialize;

use super::align::CLOSE_THRESHOLD;
use super::clauses::{align_clauses, Background, ClauseAlignment, Link, LinkKind, Settings, Unit};
use super::figures::{self, FigureChange};
use super::worddiff::{self, Span, MIN_REUSED_CHARS};
use crate::corpus::{Document, Provision};

/// A document named in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocInfo {
    pub id: String,
    pub title: String,
}

/// A provision as reports cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvisionRef {
    pub doc_id: String,
    pub provision_id: String,
    pub heading: String,
    pub text: String,
}

impl From<&Provision> for ProvisionRef {
    fn from(p: &Provision) -> Self {
        ProvisionRef {
            doc_id: p.doc_id.clone(),
            provision_id: p.id.clone(),
            heading: p.heading.clone(),
            text: p.text.clone(),
        }
    }
}

/// A clause as reports cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseText {
    /// `{provision_id}.{n}`.
    pub id: String,
    pub text: String,
}

/// Two linked clauses (JSON: `{a, b, similarity, kind, …}`, ids as
/// `{provision_id}.{n}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseLink {
    pub a: String,
    pub b: String,
    /// In [0, 1], rounded to three decimals.
    pub similarity: f64,
    pub kind: LinkKind,
    pub a_text: String,
    pub b_text: String,
    /// Word diff of A's clause into B's (verbatim and close links only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<Span>,
    /// Figures that differ between the two clauses (verbatim and close
    /// links only: a figure changes only where both clauses state the same
    /// measure).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<FigureChange>,
}

/// Two aligned provisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairDiff {
    pub a: ProvisionRef,
    pub b: ProvisionRef,
    /// The best clause link of the pair, in [0, 1], rounded to three decimals.
    pub similarity: f64,
    /// Word diff of A's whole text into B's (the linked clauses' diffs are
    /// in `clauses`, and are what reports show).
    pub diff: Vec<Span>,
    /// Figures that differ within the pair's verbatim and close links.
    pub figures: Vec<FigureChange>,
    /// The clause links between the two provisions: verbatim and close
    /// first (in A's order), then related.
    pub clauses: Vec<ClauseLink>,
    /// Clauses of A's provision without a parallel link to anything in B.
    pub a_unlinked: Vec<ClauseText>,
    /// Clauses of B's provision without a parallel link to anything in A.
    pub b_unlinked: Vec<ClauseText>,
}

/// A related clause pair between provisions that are not paired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LooseRelated {
    pub a: ProvisionRef,
    pub b: ProvisionRef,
    pub clause: ClauseLink,
}

/// Measures (clauses) on one side: linked as parallel, only related, unique.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClauseCounts {
    pub clauses: usize,
    /// With a verbatim or close link.
    pub matched: usize,
    /// With a related link only.
    pub related: usize,
    /// Without any link.
    pub unique: usize,
}

/// Counts for one side of a diff.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SideSummary {
    /// Substantive provisions (front matter excluded).
    pub provisions: usize,
    /// Paired at similarity ≥ `close_threshold`.
    pub matched: usize,
    /// Paired, below `close_threshold`.
    pub partly_matched: usize,
    /// Without a counterpart.
    pub unique: usize,
    /// Letters and digits of the folded text (substantive provisions).
    pub chars: usize,
    /// Of those, how many the other document reuses (equal runs of at least
    /// `min_reused_chars` in the paired provisions' word diffs).
    pub reused_chars: usize,
    /// `reused_chars / chars`, rounded to three decimals.
    pub reused_share: f64,
    /// Measures: clauses matched, related and unique (clauses that are only
    /// political formulae are not counted).
    pub clauses: ClauseCounts,
    /// The same counts per topic (a provision counts under each of its topics).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub by_topic: std::collections::BTreeMap<String, TopicCounts>,
}

/// Matched / partly matched / unique provisions on one topic.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopicCounts {
    pub matched: usize,
    pub partly_matched: usize,
    pub unique: usize,
    /// The topic's provisions' clauses.
    pub clauses: ClauseCounts,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub pairs: usize,
    pub a: SideSummary,
    pub b: SideSummary,
}

/// What produced a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    pub tool: &'static str,
    pub version: &'static str,
    pub a_hash: String,
    pub b_hash: String,
    /// Minimum score of a clause link (a pair needs one).
    pub threshold: f64,
    /// Kept for older readers: equal to `threshold` (any number of partners
    /// now follows from the clause links).
    pub split_threshold: f64,
    /// Kept for older readers: 0, no limit.
    pub max_partners: usize,
    /// Pairs at or above this similarity count as matched.
    pub close_threshold: f64,
    pub min_reused_chars: usize,
    /// How many provisions the IDF weights were computed over (the two
    /// documents': nothing else in the corpus weighs in).
    pub idf_provisions: usize,
    /// How many clauses.
    pub idf_clauses: usize,
    /// The fixed background model blended into word IDF.
    pub background: String,
    /// The word-vector table behind the semantic part of a clause score
    /// ("none" when it has no share).
    pub word_vectors: String,
    /// Share of the semantic cosine in a clause score.
    pub semantic_share: f64,
    /// Added to the clause scores of two provisions when one cites the other
    /// by article.
    pub citation_bonus: f64,
    /// Minimum score of a related clause pair.
    pub related_threshold: f64,
    /// A link must reach this share of the best score of its longer clause
    /// (its shorter clause: the best).
    pub ratio: f64,
    pub method: &'static str,
}

/// The diff of two documents (JSON shape of `policy-diff diff --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentDiff {
    pub a: DocInfo,
    pub b: DocInfo,
    /// In A's order (then B's).
    pub pairs: Vec<PairDiff>,
    pub only_a: Vec<ProvisionRef>,
    pub only_b: Vec<ProvisionRef>,
    /// Related clause pairs between provisions that are not paired.
    pub related: Vec<LooseRelated>,
    pub summary: Summary,
    pub provenance: Provenance,
}

/// How the alignment is computed, for provenance.
pub const METHOD: &str = "clauses (sentences; headings and responsible-units notes apart) scored by \
IDF-weighted cosines of jieba words and character bigrams blended with the share of the shorter clause's \
word weight the other has, then with the cosine of IDF-weighted mean word vectors (a fixed table, \
centred on the two documents), raised by shared rare words and verbatim shared spans and, between two \
provisions one of which cites the other by article (…法第八条所称), by a fixed bonus; IDF over the two \
documents' clauses blended with a fixed background model; political formulae and numbers cut out; \
a link is the best pair of its shorter clause and within `ratio` of the best of its longer clause, \
at >= threshold (verbatim when shared spans cover both); provision pairs follow from the links";

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn content_chars(text: &str) -> usize {
    crate::text::fold(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .count()
}

/// Diff two documents: align the clauses of their substantive provisions
/// (front matter excluded) with `settings`, pair the provisions the links
/// join, word-diff and compare figures inside parallel links.
pub fn diff_documents(a: &Document, b: &Document, settings: &Settings) -> DocumentDiff {
    diff_documents_by_topic(a, b, settings, &|_| Vec::new())
}

fn clause_text(u: &Unit<'_>) -> ClauseText {
    ClauseText {
        id: u.clause.id.clone(),
        text: u.text().to_string(),
    }
}

fn clause_link(al: &ClauseAlignment<'_>, l: &Link) -> ClauseLink {
    let (ua, ub) = (&al.a[l.a], &al.b[l.b]);
    let (ta, tb) = (ua.text(), ub.text());
    let parallel = l.kind.is_parallel();
    ClauseLink {
        a: ua.clause.id.clone(),
        b: ub.clause.id.clone(),
        similarity: round3(l.score.similarity),
        kind: l.kind,
        a_text: ta.to_string(),
        b_text: tb.to_string(),
        diff: if parallel {
            worddiff::diff_words(ta, tb)
        } else {
            vec![]
        },
        figures: if parallel {
            figures::changes_in(ta, &figures::extract(ta), tb, &figures::extract(tb))
        } else {
            vec![]
        },
    }
}

/// [`diff_documents`], with each side's counts also broken down by the
/// topics `topics` assigns.
pub fn diff_documents_by_topic(
    a: &Document,
    b: &Document,
    settings: &Settings,
    topics: &dyn Fn(&Provision) -> Vec<String>,
) -> DocumentDiff {
    let pa: Vec<&Provision> = a.provisions.iter().filter(|p| p.is_substantive()).collect();
    let pb: Vec<&Provision> = b.provisions.iter().filter(|p| p.is_substantive()).collect();
    let al = align_clauses(&pa, &pb, settings);
    let status_a = al.status_a();
    let status_b = al.status_b();

    let mut pairs = Vec::new();
    let mut reused_a = vec![0usize; pa.len()];
    let mut reused_b = vec![0usize; pb.len()];
    // Best similarity of each provision's pairs; None when unpaired.
    let mut best_a: Vec<Option<f64>> = vec![None; pa.len()];
    let mut best_b: Vec<Option<f64>> = vec![None; pb.len()];
    let provision_pairs = al.provision_pairs();
    for pair in &provision_pairs {
        let (x, y) = (pa[pair.a], pb[pair.b]);
        let spans = worddiff::diff_words(&x.text, &y.text);
        let clauses: Vec<ClauseLink> = pair
            .links
            .iter()
            .map(|&k| clause_link(&al, &al.links[k]))
            .collect();
        let reused = worddiff::reused_chars(&spans);
        reused_a[pair.a] += reused;
        reused_b[pair.b] += reused;
        for best in [&mut best_a[pair.a], &mut best_b[pair.b]] {
            *best = Some(best.map_or(pair.similarity, |s| s.max(pair.similarity)));
        }
        // Clauses without a parallel link anywhere and not shown in a link
        // of this pair.
        let shown: Vec<&str> = clauses
            .iter()
            .flat_map(|c| [c.a.as_str(), c.b.as_str()])
            .collect();
        let unlinked = |units: &[Unit<'_>], status: &[Option<LinkKind>], provision: usize| {
            units
                .iter()
                .zip(status)
                .filter(|(u, s)| {
                    u.provision == provision
                        && !s.is_some_and(LinkKind::is_parallel)
                        && !shown.contains(&u.clause.id.as_str())
                })
                .map(|(u, _)| clause_text(u))
                .collect::<Vec<_>>()
        };
        pairs.push(PairDiff {
            a: x.into(),
            b: y.into(),
            similarity: round3(pair.similarity),
            figures: clauses.iter().flat_map(|c| c.figures.clone()).collect(),
            a_unlinked: unlinked(&al.a, &status_a, pair.a),
            b_unlinked: unlinked(&al.b, &status_b, pair.b),
            clauses,
            diff: spans,
        });
    }
    // Provisions without a clause that states a measure (a bare title, a
    // figures-only table, formulae) pair when their texts are the same.
    for (i, x) in pa.iter().enumerate() {
        if best_a[i].is_some() {
            continue;
        }
        let body = x.folded_body();
        if body.is_empty() {
            continue;
        }
        if let Some(j) = (0..pb.len()).find(|&j| best_b[j].is_none() && pb[j].folded_body() == body)
        {
            best_a[i] = Some(1.0);
            best_b[j] = Some(1.0);
            pairs.push(PairDiff {
                a: (*x).into(),
                b: pb[j].into(),
                similarity: 1.0,
                diff: worddiff::diff_words(&x.text, &pb[j].text),
                figures: vec![],
                clauses: vec![],
                a_unlinked: vec![],
                b_unlinked: vec![],
            });
            let chars = content_chars(&x.text);
            reused_a[i] += chars;
            reused_b[j] += chars;
        }
    }
    let order =
        |r: &ProvisionRef, ps: &[&Provision]| ps.iter().position(|p| p.id == r.provision_id);
    pairs.sort_by_key(|p| (order(&p.a, &pa), order(&p.b, &pb)));
    let related: Vec<LooseRelated> = al
        .loose_related(&provision_pairs)
        .into_iter()
        .map(|k| {
            let l = &al.links[k];
            LooseRelated {
                a: al.a[l.a].p.into(),
                b: al.b[l.b].p.into(),
                clause: clause_link(&al, l),
            }
        })
        .collect();

    let side = |ps: &[&Provision],
                reused: &[usize],
                best: &[Option<f64>],
                units: &[Unit<'_>],
                status: &[Option<LinkKind>]| {
        let mut s = SideSummary {
            provisions: ps.len(),
            ..Default::default()
        };
        let mut per_provision = vec![ClauseCounts::default(); ps.len()];
        for (u, st) in units.iter().zip(status) {
            // Political formulae state no measure: not counted.
            if st.is_none() && crate::compare::clauses::is_boilerplate(u.text()) {
                continue;
            }
            let c = &mut per_provision[u.provision];
            c.clauses += 1;
            match st {
                Some(k) if k.is_parallel() => c.matched += 1,
                Some(_) => c.related += 1,
                None => c.unique += 1,
            }
        }
        let add = |into: &mut ClauseCounts, c: &ClauseCounts| {
            into.clauses += c.clauses;
            into.matched += c.matched;
            into.related += c.related;
            into.unique += c.unique;
        };
        for (i, p) in ps.iter().enumerate() {
            let chars = content_chars(&p.text);
            s.chars += chars;
            s.reused_chars += reused[i].min(chars);
            add(&mut s.clauses, &per_provision[i]);
            let status = match best[i] {
                Some(x) if x >= CLOSE_THRESHOLD => 0,
                Some(_) => 1,
                None => 2,
            };
            let bump = |c: &mut TopicCounts| match status {
                0 => c.matched += 1,
                1 => c.partly_matched += 1,
                _ => c.unique += 1,
            };
            match status {
                0 => s.matched += 1,
                1 => s.partly_matched += 1,
                _ => s.unique += 1,
            }
            for t in topics(p) {
                let entry = s.by_topic.entry(t).or_default();
                bump(entry);
                add(&mut entry.clauses, &per_provision[i]);
            }
        }
        s.reused_share = if s.chars == 0 {
            0.0
        } else {
            round3(s.reused_chars as f64 / s.chars as f64)
        };
        s
    };
    let summary = Summary {
        pairs: pairs.len(),
        a: side(&pa, &reused_a, &best_a, &al.a, &status_a),
        b: side(&pb, &reused_b, &best_b, &al.b, &status_b),
    };
    let paired_a: Vec<bool> = (0..pa.len()).map(|i| best_a[i].is_some()).collect();
    let paired_b: Vec<bool> = (0..pb.len()).map(|j| best_b[j].is_some()).collect();

    DocumentDiff {
        a: DocInfo {
            id: a.entry.id.clone(),
            title: a.entry.title.clone(),
        },
        b: DocInfo {
            id: b.entry.id.clone(),
            title: b.entry.title.clone(),
        },
        pairs,
        only_a: (0..pa.len())
            .filter(|&i| !paired_a[i])
            .map(|i| pa[i].into())
            .collect(),
        only_b: (0..pb.len())
            .filter(|&j| !paired_b[j])
            .map(|j| pb[j].into())
            .collect(),
        related,
        summary,
        provenance: Provenance {
            tool: "policy-diff",
            version: env!("CARGO_PKG_VERSION"),
            a_hash: a.entry.hash.clone(),
            b_hash: b.entry.hash.clone(),
            threshold: settings.close,
            split_threshold: settings.close,
            max_partners: 0,
            close_threshold: CLOSE_THRESHOLD,
            min_reused_chars: MIN_REUSED_CHARS,
            idf_provisions: pa.len() + pb.len(),
            idf_clauses: al.idf_clauses,
            background: if settings.background {
                Background::builtin().describe()
            } else {
                "none".to_string()
            },
            word_vectors: if settings.semantic > 0.0 {
                crate::compare::clauses::semantic::WordVectors::builtin().describe()
            } else {
                "none".to_string()
            },
            semantic_share: settings.semantic,
            citation_bonus: settings.cite,
            related_threshold: settings.related,
            ratio: settings.ratio,
            method: METHOD,
        },
    }
}
