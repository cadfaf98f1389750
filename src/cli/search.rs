//! `policy-diff search QUERY`

use std::io::{IsTerminal, Write};

use policy_diff::corpus::{Corpus, Entry};
use policy_diff::index::{Hit, SearchFilter};
use policy_diff::report::{csv_safe, md_inline};
use policy_diff::search::{query, snippet};
use policy_diff::text::{fold, segment};
use serde::Serialize;

use super::{stdout, Ctx, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Words, "exact phrases", AND / OR / NOT, +word / -word, parentheses.
    /// Options may come before or after it (`人才 -公寓 -n 3`).
    pub query: Vec<String>,
    /// Only these jurisdictions: a province or city in Chinese or pinyin
    /// (江苏, 连云港, nantong: everything in it), or a jurisdiction in full or
    /// by an unambiguous part (开发区).
    #[arg(long, short = 'j')]
    pub jurisdiction: Vec<String>,
    /// Only these documents: id (from `docs`), 文号 or a unique part of the title.
    #[arg(long, short = 'd')]
    pub doc: Vec<String>,
    /// Only provisions on these topics (id or Chinese label).
    #[arg(long, short = 't')]
    pub topic: Vec<String>,
    /// Only provisions with a clause coded with this policy instrument or
    /// family (`supply.talent`, `人才培养与引进`, `demand`, `需求型`; built-in
    /// framework); repeat for any of several.
    #[arg(long, short = 'i', value_name = "I")]
    pub instrument: Vec<String>,
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
    /// text, json, jsonl (one hit per line), csv or md.
    #[arg(long, default_value = "text", value_parser = super::formats(
        &[Format::Text, Format::Json, Format::Jsonl, Format::Csv, Format::Md]))]
    pub format: Format,
    /// Show how the query is parsed and segmented.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    /// jsonl only: the query and the total, on every line.
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<usize>,
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
    /// Present when the index is behind the corpus and could not be updated.
    #[serde(skip_serializing_if = "Option::is_none")]
    stale: Option<&'a super::Stale>,
    query: &'a str,
    parsed: String,
    total: usize,
    hits: Vec<JsonHit<'a>>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<i32> {
    let raw = args.query.join(" ");
    let (q, notices) = query::parse_noting(&raw)?;
    for n in &notices {
        eprintln!("hint: {n}");
    }
    let corpus = ctx.corpus()?;
    ctx.mark("catalog read");
    let filter = SearchFilter {
        doc_ids: resolve_docs(&corpus, &args)?,
        topics: ctx.resolve_topics(&args.topic)?,
        provisions: instrument_filter(ctx, &corpus, &args.instrument)?,
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
            let mut json = JsonResult {
                stale: ctx.stale(),
                query: &raw,
                parsed: q.to_string(),
                total: result.total,
                hits: hits
                    .iter()
                    .enumerate()
                    .map(|(i, (h, e, s))| JsonHit {
                        query: None,
                        total: None,
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
            if args.format == Format::Jsonl {
                // One hit per line; each says which query and of how many.
                for hit in json.hits.iter_mut() {
                    hit.query = Some(&raw);
                    hit.total = Some(result.total);
                    serde_json::to_writer(&mut out, hit)?;
                    writeln!(out)?;
                }
            } else {
                serde_json::to_writer_pretty(&mut out, &json)?;
                writeln!(out)?;
            }
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
                "**{}** of {} match {}\n",
                hits.len(),
                policy_diff::report::count(result.total, "provision"),
                md_inline(&raw)
            )?;
            for (i, (h, e, s)) in hits.iter().enumerate() {
                writeln!(
                    out,
                    "{}. **{}** — {}  \n   {}\n",
                    i + 1,
                    md_inline(&h.heading),
                    md_inline(&citation(e, h)),
                    snippet::mark_escaped(s, "**", "**", md_inline)
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
                "{} of {}",
                hits.len(),
                policy_diff::report::count(result.total, "matching provision")
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

/// The provisions with a clause coded with any of `names` (instrument or
/// family ids or labels), from the coding cache beside the index.
fn instrument_filter(
    ctx: &Ctx,
    corpus: &Corpus,
    names: &[String],
) -> anyhow::Result<Option<Vec<String>>> {
    if names.is_empty() {
        return Ok(None);
    }
    let fw = policy_diff::instruments::Framework::resolve(None)?;
    let wanted: Vec<String> = names
        .iter()
        .map(|n| fw.resolve_name(n))
        .collect::<policy_diff::Result<Vec<Vec<String>>>>()?
        .concat();
    let mut ids: Vec<String> = super::instruments::coded_corpus(ctx, corpus, &fw)?
        .into_iter()
        .filter(|c| c.codes.iter().any(|code| wanted.contains(&code.instrument)))
        .map(|c| c.provision_id)
        .collect();
    ids.dedup();
    Ok(Some(ids))
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
    let doc_ids = corpus.doc_ids(&args.doc)?;
    let from = args
        .from
        .as_deref()
        .map(|v| flag_date("--from", v))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|v| flag_date("--to", v))
        .transpose()?;
    if let (Some((from_start, _)), Some((_, to_end))) = (from, to) {
        if from_start > to_end {
            return Err(policy_diff::Error::Usage(format!(
                "--from {} is after --to {}: no date is in that range",
                args.from.as_deref().unwrap_or_default(),
                args.to.as_deref().unwrap_or_default()
            )));
        }
    }
    let jurisdictions = corpus.jurisdictions_of(&args.jurisdiction)?;
    let mut levels: Vec<&str> = corpus
        .catalog
        .documents
        .iter()
        .map(|d| d.level.as_str())
        .filter(|l| !l.is_empty())
        .collect();
    levels.sort_unstable();
    levels.dedup();
    for l in &args.level {
        if !levels.contains(&l.as_str()) {
            let suggestions = policy_diff::error::suggest(l, levels.iter().copied());
            let mut msg = format!("unknown level '{l}'\nhint: ");
            if !suggestions.is_empty() {
                msg.push_str(&format!("did you mean {}? ", suggestions.join(", ")));
            }
            msg.push_str(&format!(
                "the levels in this corpus are: {}",
                levels.join(", ")
            ));
            return Err(policy_diff::Error::Usage(msg));
        }
    }
    let ids = corpus
        .catalog
        .documents
        .iter()
        .filter(|d| doc_ids.is_empty() || doc_ids.contains(&d.id))
        .filter(|d| jurisdictions.is_empty() || jurisdictions.contains(&d.jurisdiction))
        .filter(|d| args.level.is_empty() || args.level.contains(&d.level))
        .filter(|d| {
            // A document dated to the month (or year) matches a range that
            // overlaps that month (or year); an undated one matches no range.
            (from.is_none() && to.is_none())
                || date_span(&d.date).is_some_and(|(start, end)| {
                    from.is_none_or(|(f, _)| end >= f) && to.is_none_or(|(_, t)| start <= t)
                })
        })
        .map(|d| d.id.clone())
        .collect();
    Ok(Some(ids))
}

/// (year, month, day); day 31 stands for the end of any month.
type Day = (u32, u32, u32);

/// The first and last day a date of YYYY, YYYY-MM or YYYY-MM-DD covers;
/// None unless it is a real date.
fn date_span(s: &str) -> Option<(Day, Day)> {
    let mut parts = s.trim().split('-');
    let number = |p: &str, digits: std::ops::RangeInclusive<usize>| {
        (digits.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let year = number(parts.next()?, 4..=4)?;
    let Some(m) = parts.next() else {
        return Some(((year, 1, 1), (year, 12, 31)));
    };
    let month = number(m, 1..=2).filter(|m| (1..=12).contains(m))?;
    let Some(d) = parts.next() else {
        return Some(((year, month, 1), (year, month, 31)));
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let day = number(d, 1..=2).filter(|d| (1..=days).contains(d))?;
    if parts.next().is_some() {
        return None;
    }
    Some(((year, month, day), (year, month, day)))
}

/// The span of a --from / --to value, or a user error naming the flag.
fn flag_date(flag: &str, value: &str) -> policy_diff::Result<(Day, Day)> {
    date_span(value).ok_or_else(|| {
        policy_diff::Error::Usage(format!(
            "{flag} '{value}' is not a valid date\nhint: use YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021, 2021-09, 2021-09-15)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::date_span;

    #[test]
    fn dates_are_spans() {
        assert_eq!(date_span("2021"), Some(((2021, 1, 1), (2021, 12, 31))));
        assert_eq!(date_span("2021-09"), Some(((2021, 9, 1), (2021, 9, 31))));
        assert_eq!(date_span("2021-9-5"), Some(((2021, 9, 5), (2021, 9, 5))));
        assert_eq!(date_span("2024-02-29").map(|s| s.0), Some((2024, 2, 29)));
        for bad in [
            "2021-13-01",
            "2021-00",
            "2021-02-29",
            "2021-04-31",
            "21",
            "2021-",
            "2021-09-15-1",
            "abcd",
            "",
            "2021/09",
        ] {
            assert_eq!(date_span(bad), None, "{bad}");
        }
    }
}
