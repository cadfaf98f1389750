//! Clause links between two lists of provisions: which sentence of A states
//! the same measure as which sentence of B, in any order and across
//! provision boundaries (one long item of A may answer three short items of
//! B and the reverse).
//!
//! 1. Every clause pair is scored ([`super::model`]).
//! 2. A pair is a **link** when its score reaches the close threshold and is
//!    within [`Settings::ratio`] of the best score of both of its clauses
//!    (competitive linking: a clause may keep several partners only when
//!    they are about equally good). Its kind is `verbatim` when shared spans
//!    cover both clauses (at least [`VERBATIM_COVERAGE`]), else `close`.
//! 3. A clause left without a link may keep one **related** partner: its
//!    best pair (the first of equal ones), when that reaches the related
//!    threshold. Related links are
//!    shown, never counted as parallel measures.
//!
//! Provision pairs follow from the links (see [`ClauseAlignment::provision_pairs`]).

use serde::Serialize;

use super::model::{
    comparable, comparable_measure, Background, ClauseModel, ClauseScore, ClauseVector,
};
use super::semantic::WordVectors;
use crate::corpus::{Clause, Provision};

/// Default minimum score of a link (a parallel measure). Chosen on the
/// tuning part of `tests/eval/align/` (see EVALUATION.md).
pub const CLOSE_THRESHOLD: f64 = 0.36;
/// Default minimum score of a related pair.
pub const RELATED_THRESHOLD: f64 = 0.30;
/// A link's score must be at least this share of the best score of each of
/// its clauses.
pub const RATIO: f64 = 1.0;
/// Weight of the provisions' similarity added to a clause score.
pub const CONTEXT: f64 = 0.0;
/// The same for the shorter clause of a link: it states one measure, so
/// its link must be its best pair.
pub const RATIO_SHORT: f64 = 1.0;
/// Added to the score of every clause pair of two provisions when one cites
/// the other by article (`企业所得税法第八条所称…` in an implementing
/// regulation, against the law's `第八条`).
pub const CITE: f64 = 0.4;
/// A pair at least this strong that is its shorter clause's best pair is a
/// link whatever else its longer clause is linked to (a long sentence that
/// bundles two measures answers two short ones). Above 1: never.
pub const SECOND: f64 = 2.0;
/// Shared spans covering at least this share of both clauses: verbatim.
pub const VERBATIM_COVERAGE: f64 = 0.8;

/// How two linked clauses relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// The same wording (shared spans cover both clauses).
    Verbatim,
    /// The same measure in other words.
    Close,
    /// The same subject, likely a different measure (shown, not counted).
    Related,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Verbatim => "verbatim",
            LinkKind::Close => "close",
            LinkKind::Related => "related",
        }
    }

    /// Verbatim or close: a parallel measure.
    pub fn is_parallel(self) -> bool {
        self != LinkKind::Related
    }
}

/// Thresholds of [`align_clauses`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Settings {
    pub close: f64,
    pub related: f64,
    pub ratio: f64,
    /// The same for the shorter clause of the pair.
    pub ratio_short: f64,
    /// Blend the background model into IDF.
    pub background: bool,
    /// See [`ClauseModel::cover_share`].
    pub cover_share: f64,
    /// See [`ClauseModel::short_chars`].
    pub short_chars: f64,
    /// See [`ClauseModel::rare_weight`].
    pub rare_weight: f64,
    /// See [`ClauseModel::rare_raise`].
    pub rare_raise: f64,
    /// Weight of the similarity of the two clauses' provisions (context)
    /// added to a clause score.
    pub context: f64,
    /// See [`SECOND`].
    pub second: f64,
    /// See [`CITE`].
    pub cite: f64,
    /// See [`ClauseModel::semantic_share`] (0: no word vectors).
    pub semantic: f64,
    /// See [`ClauseModel::semantic_floor`].
    pub semantic_floor: f64,
}

impl Settings {
    /// The clause model these settings describe, its IDF counted over
    /// `texts` (clauses' [`comparable_measure`] texts) and, when
    /// `background` is set, the built-in background model.
    pub fn model<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> ClauseModel {
        let mut model = ClauseModel::new(texts, self.background.then(Background::builtin));
        model.cover_share = self.cover_share;
        model.short_chars = self.short_chars;
        model.rare_weight = self.rare_weight;
        model.rare_raise = self.rare_raise;
        model.semantic_share = self.semantic;
        model.semantic_floor = self.semantic_floor;
        if self.semantic > 0.0 {
            model.vectors = Some(WordVectors::builtin());
        }
        model
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            close: CLOSE_THRESHOLD,
            related: RELATED_THRESHOLD,
            ratio: RATIO,
            ratio_short: RATIO_SHORT,
            background: true,
            cover_share: super::model::COVER_SHARE,
            short_chars: super::model::SHORT_CHARS,
            rare_weight: super::model::RARE_WEIGHT,
            rare_raise: super::model::RARE_RAISE,
            context: CONTEXT,
            second: SECOND,
            cite: CITE,
            semantic: super::model::SEMANTIC_SHARE,
            semantic_floor: super::model::SEMANTIC_FLOOR,
        }
    }
}

/// One clause of one side.
#[derive(Debug, Clone)]
pub struct Unit<'a> {
    /// Index of its provision in the side's list.
    pub provision: usize,
    pub p: &'a Provision,
    pub clause: Clause,
}

impl<'a> Unit<'a> {
    pub fn text(&self) -> &'a str {
        &self.p.text[self.clause.range.clone()]
    }
}

/// The clauses of `ps`, in order.
pub fn units<'a>(ps: &[&'a Provision]) -> Vec<Unit<'a>> {
    ps.iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.clauses().into_iter().map(move |clause| Unit {
                provision: i,
                p,
                clause,
            })
        })
        .collect()
}

/// A link between clause `a` (index into the A units) and clause `b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub a: usize,
    pub b: usize,
    pub score: ClauseScore,
    pub kind: LinkKind,
}

/// The clause alignment of two lists of provisions.
pub struct ClauseAlignment<'a> {
    pub a: Vec<Unit<'a>>,
    pub b: Vec<Unit<'a>>,
    /// Sorted by (a, b).
    pub links: Vec<Link>,
    /// Clauses the IDF statistics were computed over.
    pub idf_clauses: usize,
}

/// A provision pair implied by the links.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisionPair {
    /// Indices into the provision lists.
    pub a: usize,
    pub b: usize,
    /// The pair's links (indices into `links`), parallel ones first.
    pub links: Vec<usize>,
    /// Best parallel link score.
    pub similarity: f64,
}

/// Align the clauses of `a` and `b`; see the module documentation.
pub fn align_clauses<'a>(
    a: &[&'a Provision],
    b: &[&'a Provision],
    settings: &Settings,
) -> ClauseAlignment<'a> {
    let ua = units(a);
    let ub = units(b);
    let fa: Vec<String> = ua.iter().map(|u| comparable_measure(u.text())).collect();
    let fb: Vec<String> = ub.iter().map(|u| comparable_measure(u.text())).collect();
    let model = settings.model(fa.iter().chain(&fb).map(String::as_str));
    let mut va: Vec<ClauseVector> = fa.iter().chain(&fb).map(|f| model.vector(f)).collect();
    super::model::center(&mut va);
    let vb = va.split_off(fa.len());
    // Context: how alike the clauses' provisions are (their bodies).
    let body =
        |p: &Provision| comparable(&p.text[p.body_start()..p.body_end().max(p.body_start())]);
    let context: Vec<Vec<f64>> = if settings.context > 0.0 {
        let pa: Vec<ClauseVector> = a.iter().map(|p| model.vector(&body(p))).collect();
        let pb: Vec<ClauseVector> = b.iter().map(|p| model.vector(&body(p))).collect();
        pa.iter()
            .map(|x| pb.iter().map(|y| model.cosine(x, y)).collect())
            .collect()
    } else {
        vec![]
    };
    // Citations by article: which provisions of the other side each cites.
    let (cites_a, cites_b) = if settings.cite > 0.0 {
        (citations(a, b), citations(b, a))
    } else {
        (vec![], vec![])
    };
    let cited = |pa: usize, pb: usize| {
        cites_a.get(pa).is_some_and(|c| c.contains(&pb))
            || cites_b.get(pb).is_some_and(|c| c.contains(&pa))
    };
    let ctx = |i: usize, j: usize| {
        let (pa, pb) = (ua[i].provision, ub[j].provision);
        let c = context
            .get(pa)
            .and_then(|r| r.get(pb))
            .map_or(0.0, |c| settings.context * c);
        c + if settings.cite > 0.0 && cited(pa, pb) {
            settings.cite
        } else {
            0.0
        }
    };
    let ra: Vec<&ClauseVector> = va.iter().collect();
    let rb: Vec<&ClauseVector> = vb.iter().collect();
    let links = link_vectors(&model, &ra, &rb, settings, &ctx);
    ClauseAlignment {
        a: ua,
        b: ub,
        links,
        idf_clauses: model.clauses(),
    }
}

/// For each provision of `from`, the provisions of `to` it cites by article
/// number: `…法第八条` / `…条例第八条` in its text, against a provision
/// of `to` numbered `第八条` (`本法第八条`, the document's own, does not
/// count). Only articles numbered in `to` count.
pub fn citations(from: &[&Provision], to: &[&Provision]) -> Vec<Vec<usize>> {
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static CITE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(本)?(?:法|条例|规定|办法)(第[零〇一二三四五六七八九十百千]+条)")
            .expect("valid regex")
    });
    let numbered: HashMap<&str, usize> = to
        .iter()
        .enumerate()
        .filter_map(|(k, p)| Some((p.number.as_deref()?.trim(), k)))
        .filter(|(n, _)| n.starts_with('第') && n.ends_with('条'))
        .collect();
    if numbered.is_empty() {
        return vec![vec![]; from.len()];
    }
    from.iter()
        .map(|p| {
            let mut out: Vec<usize> = CITE
                .captures_iter(&p.text)
                // `本条例第九条`: the document's own article, not the other's.
                .filter(|c| c.get(1).is_none())
                .filter_map(|c| numbered.get(&c[2]).copied())
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect()
}

/// Links between prepared clauses; see the module documentation.
pub fn link_vectors(
    model: &ClauseModel,
    va: &[&ClauseVector],
    vb: &[&ClauseVector],
    settings: &Settings,
    context: &(dyn Fn(usize, usize) -> f64 + Sync),
) -> Vec<Link> {
    let floor = settings.related.min(settings.close);
    // Every pair scored, the rows of A on all cores.
    let rows: Vec<usize> = (0..va.len()).collect();
    let per_row: Vec<Vec<(usize, usize, ClauseScore)>> =
        crate::compare::side_by_side::parallel_map(&rows, |&i| {
            let x = va[i];
            if x.content == 0 {
                return vec![];
            }
            vb.iter()
                .enumerate()
                .filter(|(_, y)| y.content > 0)
                .filter_map(|(j, y)| {
                    let mut s = model.score(x, y);
                    if s.similarity < 1.0 {
                        s.similarity = (s.similarity + context(i, j)).min(1.0);
                    }
                    (s.similarity >= floor).then_some((i, j, s))
                })
                .collect()
        });
    let scored: Vec<(usize, usize, ClauseScore)> = per_row.into_iter().flatten().collect();
    let mut best_a = vec![0.0f64; va.len()];
    let mut best_b = vec![0.0f64; vb.len()];
    for &(i, j, s) in &scored {
        best_a[i] = best_a[i].max(s.similarity);
        best_b[j] = best_b[j].max(s.similarity);
    }
    // Each clause's best partner: highest score, then nearest relative
    // position (so that a sentence a document repeats, as a task table
    // repeats the body, pairs with its own copy in a self-diff).
    let rel = |i: usize, j: usize| {
        let x = (i as f64 + 0.5) / va.len().max(1) as f64;
        let y = (j as f64 + 0.5) / vb.len().max(1) as f64;
        (x - y).abs()
    };
    let mut partner_a: Vec<Option<(usize, f64)>> = vec![None; va.len()];
    let mut partner_b: Vec<Option<(usize, f64)>> = vec![None; vb.len()];
    for &(i, j, s) in &scored {
        let v = s.similarity;
        let d = rel(i, j);
        if partner_a[i].is_none_or(|(o, w)| v > w || (v == w && d < rel(i, o))) {
            partner_a[i] = Some((j, v));
        }
        if partner_b[j].is_none_or(|(o, w)| v > w || (v == w && d < rel(o, j))) {
            partner_b[j] = Some((i, v));
        }
    }
    let mut links: Vec<Link> = vec![];
    let mut linked_a = vec![false; va.len()];
    let mut linked_b = vec![false; vb.len()];
    for &(i, j, s) in &scored {
        let v = s.similarity;
        // The shorter clause states one measure: the link must be its best
        // partner; the longer one may bundle several measures, and keeps
        // links within `ratio` of its best.
        let a_short = va[i].content <= vb[j].content;
        // Does the link suit a clause (`best` its best score, `partner` its
        // best partner, `other` the clause at the link's other end)?
        let suits = |short: bool, best: f64, partner: Option<(usize, f64)>, other: usize| {
            if short && settings.ratio_short >= 1.0 {
                partner.is_some_and(|(p, _)| p == other)
            } else {
                let ratio = if short {
                    settings.ratio_short
                } else {
                    settings.ratio
                };
                v >= ratio * best
            }
        };
        let ok_a = suits(a_short, best_a[i], partner_a[i], j);
        let ok_b = suits(!a_short, best_b[j], partner_b[j], i);
        // Many-to-one: a strong pair that is the shorter clause's best.
        let second = v >= settings.second
            && if a_short {
                partner_a[i].is_some_and(|(p, _)| p == j)
            } else {
                partner_b[j].is_some_and(|(p, _)| p == i)
            };
        if v >= settings.close && ((ok_a && ok_b) || second) {
            let verbatim = v >= 1.0
                || (s.spans_shorter >= VERBATIM_COVERAGE && s.spans_longer >= VERBATIM_COVERAGE);
            links.push(Link {
                a: i,
                b: j,
                score: s,
                kind: if verbatim {
                    LinkKind::Verbatim
                } else {
                    LinkKind::Close
                },
            });
            linked_a[i] = true;
            linked_b[j] = true;
        }
    }
    // Related: the best pair of a clause left without a link (one per
    // clause, the first of equal ones).
    let linked: std::collections::HashSet<(usize, usize)> =
        links.iter().map(|l| (l.a, l.b)).collect();
    let mut related_a = vec![false; va.len()];
    let mut related_b = vec![false; vb.len()];
    for &(i, j, s) in &scored {
        let v = s.similarity;
        if v < settings.related || linked.contains(&(i, j)) {
            continue;
        }
        let for_a = !linked_a[i] && !related_a[i] && v >= best_a[i];
        let for_b = !linked_b[j] && !related_b[j] && v >= best_b[j];
        if for_a {
            related_a[i] = true;
        }
        if for_b {
            related_b[j] = true;
        }
        if for_a || for_b {
            links.push(Link {
                a: i,
                b: j,
                score: s,
                kind: LinkKind::Related,
            });
        }
    }
    links.sort_by_key(|l| (l.a, l.b));
    links.dedup_by_key(|l| (l.a, l.b));
    links
}

impl<'a> ClauseAlignment<'a> {
    /// Provision pairs: every pair of provisions with at least one parallel
    /// link between their clauses, in A's order then B's. Related links
    /// between two such provisions are listed with the pair.
    pub fn provision_pairs(&self) -> Vec<ProvisionPair> {
        let mut pairs: Vec<ProvisionPair> = vec![];
        for (k, l) in self.links.iter().enumerate() {
            if !l.kind.is_parallel() {
                continue;
            }
            let (pa, pb) = (self.a[l.a].provision, self.b[l.b].provision);
            match pairs.iter_mut().find(|p| p.a == pa && p.b == pb) {
                Some(p) => {
                    p.links.push(k);
                    p.similarity = p.similarity.max(l.score.similarity);
                }
                None => pairs.push(ProvisionPair {
                    a: pa,
                    b: pb,
                    links: vec![k],
                    similarity: l.score.similarity,
                }),
            }
        }
        for (k, l) in self.links.iter().enumerate() {
            if l.kind.is_parallel() {
                continue;
            }
            let (pa, pb) = (self.a[l.a].provision, self.b[l.b].provision);
            if let Some(p) = pairs.iter_mut().find(|p| p.a == pa && p.b == pb) {
                p.links.push(k);
            }
        }
        pairs.sort_by_key(|p| (p.a, p.b));
        pairs
    }

    /// Related links between provisions that share no parallel link
    /// (`pairs`: [`Self::provision_pairs`]).
    pub fn loose_related(&self, pairs: &[ProvisionPair]) -> Vec<usize> {
        self.links
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.kind.is_parallel())
            .filter(|(_, l)| {
                let (pa, pb) = (self.a[l.a].provision, self.b[l.b].provision);
                !pairs.iter().any(|p| p.a == pa && p.b == pb)
            })
            .map(|(k, _)| k)
            .collect()
    }

    /// The best link kind of each A clause (`None`: no link).
    pub fn status_a(&self) -> Vec<Option<LinkKind>> {
        self.status(self.a.len(), |l| l.a)
    }

    /// The best link kind of each B clause.
    pub fn status_b(&self) -> Vec<Option<LinkKind>> {
        self.status(self.b.len(), |l| l.b)
    }

    fn status(&self, n: usize, side: impl Fn(&Link) -> usize) -> Vec<Option<LinkKind>> {
        let mut s: Vec<Option<LinkKind>> = vec![None; n];
        for l in &self.links {
            let k = &mut s[side(l)];
            *k = Some(k.map_or(l.kind, |k| k.min(l.kind)));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::ProvisionKind;

    fn article(seq: usize, number: &str, text: &str) -> Provision {
        Provision {
            id: format!("d:{seq}"),
            doc_id: "d".into(),
            seq,
            kind: ProvisionKind::Item,
            number: (!number.is_empty()).then(|| number.to_string()),
            heading: number.to_string(),
            path: vec![],
            text: format!("{number}　{text}"),
            responsible_units: vec![],
        }
    }

    #[test]
    fn an_implementing_rule_cites_the_law_by_article() {
        let law = [
            article(1, "第一条", "为了规范企业所得税，制定本法。"),
            article(
                2,
                "第八条",
                "企业实际发生的与取得收入有关的、合理的支出，准予扣除。",
            ),
        ];
        let rule = [
            article(
                1,
                "第二十七条",
                "企业所得税法第八条所称有关的支出，是指与取得收入直接相关的支出。",
            ),
            article(2, "第二十八条", "本法第八条的规定适用于第九条。"),
        ];
        let (l, r): (Vec<&Provision>, Vec<&Provision>) =
            (law.iter().collect(), rule.iter().collect());
        assert_eq!(citations(&r, &l), vec![vec![1], vec![]]);
        // A plan has no numbered articles: nothing is cited.
        let plan = [article(1, "（一）", "落实企业所得税法第八条。")];
        let p: Vec<&Provision> = plan.iter().collect();
        assert_eq!(citations(&r, &p), vec![Vec::<usize>::new(); 2]);
    }
}
