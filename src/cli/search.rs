//! `policy-diff search QUERY`

use std::io::{IsTerminal, Write};

use policy_diff::corpus::{Corpus, Entry};
use policy_diff::index::{Hit, SearchFilter};
use policy_diff::report::csv_safe;
use policy_diff::search::{query, snippet};
use policy_diff::text::{fold, segment};
use serde::Serialize;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Words, "exact phrases", AND / OR / NOT, +word / -word, parentheses.
    /// Options may come before or after it (`人才 -公寓 -n 3`).
    pub query: Vec<String>,
    /// Only these jurisdictions (full name or an unambiguous part: 南通).
    #[arg(long, short = 'j')]
    pub jurisdiction: Vec<String>,
    /// Only these documents (ids from `docs`).
    #[arg(long, short = 'd')]
    pub doc: Vec<String>,
    /// Only provisions on these topics (id or Chinese label).
    #[arg(long, short = 't')]
    pub topic: Vec<String>,
    /// Only documents of these levels (city, national-level development zone, ...).
    #[arg(long)]
    pub level: Vec<String>,
    /// Only documents dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Only documents dated on or before this date.
    #[arg(long)]
    pub to: Option<String>,
    /// How many hits to show (at most the number of indexed provisions).
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Show how the query is parsed and segmented.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    rank: usize,
    doc_id: &'a str,
    provision_id: &'a str,
    jurisdiction: &'a str,
    title: &'a str,
    doc_number: &'a str,
    date: &'a str,
    heading: &'a str,
    path: &'a [String],
    text: &'a str,
    snippet: String,
    highlights: Vec<(usize, usize)>,
    score: f32,
    topics: &'a [String],
    responsible_units: &'a [String],
    citation: String,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    query: &'a str,
    parsed: String,
    total: usize,
    hits: Vec<JsonHit<'a>>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let raw = args.query.join(" ");
    let q = query::parse(&raw)?;
    let corpus = ctx.corpus()?;
    ctx.mark("catalog read");
    let filter = SearchFilter {
        doc_ids: resolve_docs(&corpus, &args)?,
        topics: ctx.resolve_topics(&args.topic)?,
    };
    let reader = ctx.fresh_reader(&corpus)?;
    ctx.mark("index open and checked fresh");
    // More hits than provisions is every hit; the engine reserves room for
    // `limit` up front, so a huge -n must not reach it.
    let limit = args
        .limit
        .min(usize::try_from(reader.num_provisions()).unwrap_or(usize::MAX));
    let result = reader.search(&q, &filter, limit)?;
    ctx.mark("searched");
    let mut out = stdout();
    if args.explain {
        writeln!(out, "query: {q}")?;
        for t in q.positive_terms() {
            let (kind, s) = match t {
                query::Query::Phrase(p) => ("phrase (exact, verified on the text)", p),
                query::Query::Term(w) => ("word (verbatim or all segments; ranked)", w),
                _ => continue,
            };
            let f = fold(s);
            writeln!(
                out,
                "  {kind}: {s} → folded {f} → jieba {} → index words {}",
                segment::words_plain(&f).join(" / "),
                reader.query_words(&f).join(" / ")
            )?;
        }
        writeln!(out)?;
    }
    let entry = |h: &Hit| corpus.catalog.get(&h.doc_id).cloned().unwrap_or_default();
    let hits: Vec<(Hit, Entry, snippet::Snippet)> = result
        .hits
        .into_iter()
        .map(|h| {
            let e = entry(&h);
            let s = snippet::snippet(&h.text, &q, 120, &|w: &str| reader.query_words(w));
            (h, e, s)
        })
        .collect();
    match args.format {
        Format::Json | Format::Jsonl => {
            let json = JsonResult {
                query: &raw,
                parsed: q.to_string(),
                total: result.total,
                hits: hits
                    .iter()
                    .enumerate()
                    .map(|(i, (h, e, s))| JsonHit {
                        rank: i + 1,
                        doc_id: &h.doc_id,
                        provision_id: &h.provision_id,
                        jurisdiction: &e.jurisdiction,
                        title: &e.title,
                        doc_number: &e.doc_number,
                        date: &e.date,
                        heading: &h.heading,
                        path: &h.path,
                        text: &h.text,
                        snippet: s.text.clone(),
                        highlights: s.highlights.clone(),
                        score: h.score,
                        topics: &h.topics,
                        responsible_units: &h.responsible_units,
                        citation: citation(e, h),
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(vec![]);
            w.write_record([
                "rank",
                "doc_id",
                "provision_id",
                "jurisdiction",
                "title",
                "doc_number",
                "heading",
                "path",
                "snippet",
                "score",
            ])?;
            for (i, (h, e, s)) in hits.iter().enumerate() {
                w.write_record([
                    (i + 1).to_string().as_str(),
                    &h.doc_id,
                    &h.provision_id,
                    &e.jurisdiction,
                    &csv_safe(&e.title),
                    &e.doc_number,
                    &csv_safe(&h.heading),
                    &csv_safe(&h.path.join(" > ")),
                    &csv_safe(&s.text),
                    &format!("{:.3}", h.score),
                ])?;
            }
            out.write_all(&w.into_inner()?)?;
        }
        Format::Md => {
            writeln!(
                out,
                "**{}** of {} provisions match `{}`\n",
                hits.len(),
                result.total,
                raw
            )?;
            for (i, (h, e, s)) in hits.iter().enumerate() {
                writeln!(
                    out,
                    "{}. **{}** — {}  \n   {}\n",
                    i + 1,
                    h.heading,
                    citation(e, h),
                    snippet::mark(s, "**", "**")
                )?;
            }
        }
        _ => {
            let tty = std::io::stdout().is_terminal();
            let (open, close) = if tty {
                ("\x1b[1;31m", "\x1b[0m")
            } else {
                ("【", "】")
            };
            writeln!(
                out,
                "{} of {} matching provisions",
                hits.len(),
                result.total
            )?;
            for (i, (h, e, s)) in hits.iter().enumerate() {
                writeln!(out)?;
                writeln!(
                    out,
                    "{:>2}. {}  [{}]  {:.2}",
                    i + 1,
                    h.heading,
                    h.provision_id,
                    h.score
                )?;
                writeln!(out, "    {}", citation(e, h))?;
                writeln!(out, "    {}", snippet::mark(s, open, close))?;
            }
        }
    }
    out.flush()?;
    ctx.mark("printed");
    Ok(0)
}

fn citation(e: &Entry, h: &Hit) -> String {
    let mut parts = vec![e.jurisdiction.clone(), format!("《{}》", e.title)];
    if !e.doc_number.is_empty() {
        parts.push(e.doc_number.clone());
    }
    let mut path = h.path.clone();
    path.push(h.heading.clone());
    parts.push(path.join(" > "));
    parts.join(" · ")
}

/// Turn --doc, --jurisdiction, --level, --from, --to into a set of document ids.
fn resolve_docs(corpus: &Corpus, args: &Args) -> policy_diff::Result<Option<Vec<String>>> {
    if args.doc.is_empty()
        && args.jurisdiction.is_empty()
        && args.level.is_empty()
        && args.from.is_none()
        && args.to.is_none()
    {
        return Ok(None);
    }
    for d in &args.doc {
        corpus.entry(d)?;
    }
    let jurisdictions: Vec<String> = args
        .jurisdiction
        .iter()
        .map(|j| corpus.resolve_jurisdiction(j))
        .collect::<Result<_, _>>()?;
    let levels: Vec<&str> = corpus
        .catalog
        .documents
        .iter()
        .map(|d| d.level.as_str())
        .collect();
    for l in &args.level {
        if !levels.contains(&l.as_str()) {
            return Err(policy_diff::Error::Unknown {
                what: "level",
                name: l.clone(),
                suggestions: policy_diff::error::suggest(l, levels.iter().copied()),
            });
        }
    }
    let ids = corpus
        .catalog
        .documents
        .iter()
        .filter(|d| args.doc.is_empty() || args.doc.contains(&d.id))
        .filter(|d| jurisdictions.is_empty() || jurisdictions.contains(&d.jurisdiction))
        .filter(|d| args.level.is_empty() || args.level.contains(&d.level))
        .filter(|d| {
            args.from
                .as_deref()
                .is_none_or(|f| !d.date.is_empty() && d.date.as_str() >= f)
        })
        .filter(|d| {
            args.to
                .as_deref()
                .is_none_or(|t| !d.date.is_empty() && d.date.get(..t.len()).unwrap_or(&d.date) <= t)
        })
        .map(|d| d.id.clone())
        .collect();
    Ok(Some(ids))
}
