//! Search results as text, JSON, JSON lines, CSV and Markdown.

use std::io::{self, Write};

use serde::Serialize;

use crate::app::search::{Found, SearchResults};
use crate::app::Stale;
use crate::corpus::{AsText, Entry};
use crate::index::Hit;
use crate::report::{count, csv_safe, md_inline};
use crate::search::snippet;

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
    stale: Option<&'a Stale>,
    query: &'a str,
    parsed: String,
    total: usize,
    hits: Vec<JsonHit<'a>>,
}

fn json_hits(res: &SearchResults) -> Vec<JsonHit<'_>> {
    res.hits
        .iter()
        .enumerate()
        .map(
            |(
                i,
                Found {
                    hit: h,
                    entry: e,
                    snippet: s,
                },
            )| JsonHit {
                query: None,
                total: None,
                rank: i + 1,
                doc_id: &h.doc_id,
                provision_id: &h.provision_id,
                jurisdiction: &e.jurisdiction,
                title: &e.title,
                doc_number: &e.doc_number,
                date: e.date.text(),
                heading: &h.heading,
                path: &h.path,
                text: &h.text,
                snippet: s.text.clone(),
                highlights: s.highlights.clone(),
                score: h.score,
                topics: &h.topics,
                responsible_units: &h.responsible_units,
                citation: citation(e, h),
            },
        )
        .collect()
}

/// `{stale?, query, parsed, total, hits: [...]}`, pretty-printed.
pub fn json(out: &mut impl Write, res: &SearchResults, stale: Option<&Stale>) -> io::Result<()> {
    let json = JsonResult {
        stale,
        query: &res.raw,
        parsed: res.query.to_string(),
        total: res.total,
        hits: json_hits(res),
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}

/// One hit per line; each says which query and of how many.
pub fn jsonl(out: &mut impl Write, res: &SearchResults) -> io::Result<()> {
    for mut hit in json_hits(res) {
        hit.query = Some(&res.raw);
        hit.total = Some(res.total);
        serde_json::to_writer(&mut *out, &hit)?;
        writeln!(out)?;
    }
    Ok(())
}

/// One row per hit; cells a spreadsheet would run are neutralized.
pub fn csv(out: &mut impl Write, res: &SearchResults) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(vec![]);
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
    for (
        i,
        Found {
            hit: h,
            entry: e,
            snippet: s,
        },
    ) in res.hits.iter().enumerate()
    {
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
    out.write_all(&w.into_inner().map_err(|e| e.into_error())?)
}

/// A numbered list: heading, citation, snippet with the matches in bold.
pub fn markdown(out: &mut impl Write, res: &SearchResults) -> io::Result<()> {
    writeln!(
        out,
        "**{}** of {} match {}\n",
        res.hits.len(),
        count(res.total, "provision"),
        md_inline(&res.raw)
    )?;
    for (
        i,
        Found {
            hit: h,
            entry: e,
            snippet: s,
        },
    ) in res.hits.iter().enumerate()
    {
        writeln!(
            out,
            "{}. **{}** — {}  \n   {}\n",
            i + 1,
            md_inline(&h.heading),
            md_inline(&citation(e, h)),
            snippet::mark_escaped(s, "**", "**", md_inline)
        )?;
    }
    Ok(())
}

/// For a reader: matches in bold red on a terminal (`color`), else in 【】.
pub fn text(out: &mut impl Write, res: &SearchResults, color: bool) -> io::Result<()> {
    let (open, close) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    writeln!(
        out,
        "{} of {}",
        res.hits.len(),
        count(res.total, "matching provision")
    )?;
    for (
        i,
        Found {
            hit: h,
            entry: e,
            snippet: s,
        },
    ) in res.hits.iter().enumerate()
    {
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
    Ok(())
}

/// How the query was parsed, and each positive term folded and segmented.
pub fn explain(out: &mut impl Write, res: &SearchResults) -> io::Result<()> {
    writeln!(out, "query: {}", res.query)?;
    for t in &res.explained {
        writeln!(
            out,
            "  {}: {} → folded {} → jieba {} → index words {}",
            t.kind,
            t.term,
            t.folded,
            t.jieba.join(" / "),
            t.index_words.join(" / ")
        )?;
    }
    writeln!(out)
}

/// `jurisdiction · 《title》 · 文号 · path > heading`.
pub fn citation(e: &Entry, h: &Hit) -> String {
    let mut parts = vec![e.jurisdiction.clone(), format!("《{}》", e.title)];
    if !e.doc_number.is_empty() {
        parts.push(e.doc_number.clone());
    }
    let mut path = h.path.clone();
    path.push(h.heading.clone());
    parts.push(path.join(" > "));
    parts.join(" · ")
}
