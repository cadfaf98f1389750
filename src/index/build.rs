//! Building tantivy documents: provisions parsed and segmented on all
//! cores, written to the index writer with their character postings.

use rayon::prelude::*;

use super::*;

/// At most this many documents, of at most this many bytes of folded text,
/// are cut with a [`Subset`](crate::text::segment::Subset) of the
/// dictionary rather than the full one (see BENCHMARKS.md, "fourth pass").
pub const SUBSET_MAX_DOCS: usize = 16;
const SUBSET_MAX_BYTES: usize = 8 << 20;

pub(super) struct Counts {
    /// Per document indexed: its id, the provisions indexed (front matter
    /// included) and the substantive ones (what `docs`, `diff` and
    /// `compare` count, recorded in the states).
    pub(super) per_doc: Vec<(String, usize, usize)>,
    pub(super) bytes: u64,
    /// The character postings of the texts appended.
    pub(super) postings: chars::Builder,
}

/// Parse and segment documents on all cores and hand their provisions to
/// the writer (whose own threads build the postings).
pub(super) fn index_documents(
    corpus: &Corpus,
    ids: &[&str],
    writer: &IndexWriter,
    sink: &texts::TextSink,
    f: schema::Fields,
    topics: &Topics,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<Counts> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    // One lookup table instead of a catalog scan per document (quadratic at
    // tens of thousands of documents).
    let entries: std::collections::HashMap<&str, &crate::corpus::Entry> = corpus
        .catalog
        .documents
        .iter()
        .map(|e| (e.id.as_str(), e))
        .collect();
    type Done = (Vec<(String, usize, usize, u64)>, chars::Builder);
    let parse = |id: &str| -> Result<(crate::corpus::Document, Vec<(String, String)>)> {
        let entry = match entries.get(id) {
            Some(e) => *e,
            None => corpus.entry(id)?,
        };
        let document = corpus.document(entry)?;
        let folded = document
            .provisions
            .iter()
            .map(|p| (crate::text::fold(&p.heading), crate::text::fold(&p.text)))
            .collect();
        Ok((document, folded))
    };
    // A few documents (what `add` indexes) are parsed first and cut with a
    // dictionary of only the words their texts hold (the same cuts, about a
    // tenth of the full dictionary's load), unless the full one is loaded.
    let few = ids.len() <= SUBSET_MAX_DOCS && !crate::text::segment::loaded();
    let parsed = if few {
        Some(
            ids.par_iter()
                .map(|id| parse(id))
                .collect::<Result<Vec<_>>>()?,
        )
    } else {
        None
    };
    let subset = parsed.as_ref().and_then(|parsed| {
        let texts: Vec<&str> = parsed
            .iter()
            .flat_map(|(_, folded)| folded.iter().flat_map(|(h, t)| [h.as_str(), t.as_str()]))
            .collect();
        (texts.iter().map(|t| t.len()).sum::<usize>() <= SUBSET_MAX_BYTES)
            .then(|| crate::text::segment::Subset::for_texts(&texts))
    });
    // Else load the full dictionary while the first documents are parsed (a
    // thread of its own: it waits on nothing, and the pool's threads all
    // parse).
    let loading = subset
        .is_none()
        .then(|| std::thread::spawn(crate::text::segment::load));
    // One worker per thread of rayon's pool, each with its own postings
    // and ordinal blocks (so two threads never share a roaring container),
    // taking documents from a shared counter: balanced like work stealing,
    // without a split per document.
    let work = || -> Result<Done> {
        let mut done = vec![];
        let mut postings = chars::Builder::default();
        let mut ords = texts::Ordinals::default();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(id) = ids.get(i) else { break };
            let own;
            let (document, folded) = match &parsed {
                Some(parsed) => (&parsed[i].0, &parsed[i].1),
                None => {
                    own = parse(id)?;
                    (&own.0, &own.1)
                }
            };
            // A heading the text does not start with is written
            // just before it.
            fn lead((h, t): &(String, String)) -> &str {
                if t.starts_with(h.as_str()) {
                    ""
                } else {
                    h
                }
            }
            let placed =
                sink.append_led(folded.iter().map(|ht| (lead(ht), ht.1.as_str())), &mut ords)?;
            for ((p, (heading, text)), at) in document.provisions.iter().zip(folded).zip(placed) {
                postings.add(at.ord, text);
                writer
                    .add_document(to_tantivy(f, p, heading, text, at, topics))
                    .map_err(ierr)?;
            }
            done.push((
                id.to_string(),
                document.provisions.len(),
                document
                    .provisions
                    .iter()
                    .filter(|p| p.is_substantive())
                    .count(),
                document.text.len() as u64,
            ));
            if let Some(bar) = progress {
                bar.inc(1);
            }
        }
        Ok((done, postings))
    };
    let results: Vec<Result<Done>> = rayon::broadcast(|_| match &subset {
        Some(subset) => subset.scope(work),
        None => work(),
    });
    if let Some(loading) = loading {
        let _ = loading.join();
    }
    let mut counts = Counts {
        per_doc: vec![],
        bytes: 0,
        postings: chars::Builder::default(),
    };
    for r in results {
        let (done, postings) = r?;
        for (id, n, substantive, bytes) in done {
            counts.per_doc.push((id, n, substantive));
            counts.bytes += bytes;
        }
        counts.postings = counts.postings.merge(postings);
    }
    Ok(counts)
}

/// The tantivy document of a provision whose folded heading and text are
/// `heading` and `folded`, placed `at` in `texts.bin` (the heading at
/// `at.lead_at` when the text does not start with it).
pub(super) fn to_tantivy(
    f: schema::Fields,
    p: &Provision,
    heading: &str,
    folded: &str,
    at: texts::Placed,
    topics: &Topics,
) -> TantivyDocument {
    let mut d = doc!(
        f.pid => p.id.as_str(),
        f.doc_id => p.doc_id.as_str(),
        f.seq => p.seq as u64,
        f.kind => p.kind.as_str(),
        f.heading => p.heading.as_str(),
        f.path => serde_json::to_string(&p.path).unwrap_or_default(),
        f.text => p.text.as_str(),
        f.units => serde_json::to_string(&p.responsible_units).unwrap_or_default(),
        f.text_at => at.at,
        f.text_len => folded.len() as u64,
        f.text_ord => u64::from(at.ord),
        f.head_at => at.lead_at,
        f.head_len => heading.len() as u64,
    );
    let (words, heading_words) = tokenize::words_field(folded, heading);
    d.add_text(f.words, words);
    d.add_u64(f.heading_words, heading_words);
    for t in (topics.classify)(p) {
        d.add_text(f.topics, &t);
    }
    d
}
