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
    /// included), the substantive ones (what `docs`, `diff` and `compare`
    /// count, recorded in the states), and the fingerprint and content hash
    /// of the bytes parsed.
    pub(super) per_doc: Vec<Indexed>,
    pub(super) bytes: u64,
    /// The character postings of the texts appended, one builder per
    /// worker (their union is written while tantivy writes its segments).
    pub(super) postings: Vec<chars::Builder>,
}

/// A document indexed (see [`Counts::per_doc`]).
pub(super) struct Indexed {
    pub(super) id: String,
    pub(super) provisions: usize,
    pub(super) substantive: usize,
    pub(super) fingerprint: String,
    pub(super) file_hash: String,
}

/// Bytes of document text a worker parses ahead while the dictionary
/// loads (it would otherwise wait for it with a core idle). A rebuild
/// starts the load before the corpus is looked at (`update_inner`): at x1
/// it is done ~100 ms into the indexing, when a worker has parsed about
/// this much (32 documents before session 12, ~0.6 MB: the workers waited
/// ~50 ms). 4 MB raised the x1 peak by ~20 MB for no gain.
const AHEAD_BYTES: u64 = 1 << 20;

/// A document's tantivy documents before their words are cut (the part of
/// the work that needs the dictionary): each provision's document without
/// `words`, `heading_words` and `topics`, its topics, folded heading and text.
type Prepared = Vec<(TantivyDocument, Vec<String>, String, String)>;

/// Parse and segment documents on all cores and hand their provisions to
/// the writer (whose own threads build the tantivy segments). Each file is
/// read once: its content hash is taken from the bytes parsed. Per text,
/// the worker appends it to `texts.bin` and adds it to its character
/// postings, which are spilled to runs in `dir` past a bound (see
/// [`chars::Builder::spill_if_large`]): what a worker holds does not grow
/// with the number of documents.
#[allow(clippy::too_many_arguments)]
pub(super) fn index_documents(
    corpus: &Corpus,
    ids: &[&str],
    writer: &IndexWriter,
    sink: &texts::TextSink,
    dir: &Path,
    f: schema::Fields,
    topics: &Topics,
    progress: Option<&dyn crate::observe::Progress>,
) -> Result<Counts> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    // One lookup table instead of a catalog scan per document (quadratic at
    // tens of thousands of documents); for a few documents (`add`), each
    // looked up by id (the catalog read in place is not decoded whole).
    let entries: std::collections::HashMap<&str, std::borrow::Cow<crate::corpus::Entry>> =
        if ids.len() <= SUBSET_MAX_DOCS {
            ids.iter()
                .filter_map(|id| Some((*id, corpus.catalog.by_id(id)?)))
                .collect()
        } else {
            corpus
                .catalog
                .documents
                .iter()
                .map(|e| (e.id.as_str(), std::borrow::Cow::Borrowed(e)))
                .collect()
        };
    type Done = (Vec<Indexed>, u64, chars::Builder);
    /// A document parsed: the document, its entry, its file's content hash
    /// and each provision's folded heading and text.
    type Parsed<'e> = (
        crate::corpus::Document,
        &'e crate::corpus::Entry,
        String,
        Vec<(String, String)>,
    );
    let parse = |id: &str| -> Result<Parsed<'_>> {
        let entry = match entries.get(id) {
            Some(e) => e.as_ref(),
            None => corpus.entry(id)?,
        };
        let (document, file_hash) = corpus.document_hashed(entry)?;
        let folded = document
            .provisions
            .iter()
            .map(|p| (crate::text::fold(&p.heading), crate::text::fold(&p.text)))
            .collect();
        Ok((document, entry, file_hash, folded))
    };
    // A few documents (what `add` indexes) are parsed first and cut with a
    // dictionary of only the words their texts hold (the same cuts, about a
    // tenth of the full dictionary's load), unless the full one is loaded.
    let few = ids.len() <= SUBSET_MAX_DOCS && !crate::text::segment::loaded();
    let parsed: Option<Vec<std::sync::Mutex<Option<Parsed>>>> = if few {
        Some(
            ids.par_iter()
                .map(|id| parse(id).map(|p| std::sync::Mutex::new(Some(p))))
                .collect::<Result<Vec<_>>>()?,
        )
    } else {
        None
    };
    let subset = parsed.as_ref().and_then(|parsed| {
        let guards: Vec<_> = parsed
            .iter()
            .map(|p| p.lock().unwrap_or_else(|e| e.into_inner()))
            .collect();
        let texts: Vec<&str> = guards
            .iter()
            .filter_map(|g| g.as_ref())
            .flat_map(|(_, _, _, folded)| folded.iter().flat_map(|(h, t)| [h.as_str(), t.as_str()]))
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
    // Cut a prepared document's words and hand it to the writer.
    let hand = |prepared: Prepared| -> Result<()> {
        for (mut d, topic_ids, heading, text) in prepared {
            let (words, heading_words) = tokenize::words_field(&text, &heading);
            d.add_text(f.words, words);
            d.add_u64(f.heading_words, heading_words);
            for t in topic_ids {
                d.add_text(f.topics, &t);
            }
            writer.add_document(d).map_err(ierr)?;
        }
        Ok(())
    };
    // One worker per thread of rayon's pool, each with its own postings
    // and ordinal blocks (so two threads never share a roaring container),
    // taking documents from a shared counter: balanced like work stealing,
    // without a split per document.
    let work = || -> Result<Done> {
        let mut done = vec![];
        let mut bytes = 0;
        let mut postings = chars::Builder::default();
        let mut ords = texts::Ordinals::default();
        let mut ahead: std::collections::VecDeque<Prepared> = Default::default();
        let mut ahead_bytes = 0;
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(id) = ids.get(i) else { break };
            let taken = parsed
                .as_ref()
                .and_then(|parsed| parsed[i].lock().unwrap_or_else(|e| e.into_inner()).take());
            let (document, entry, file_hash, folded) = match taken {
                Some(p) => p,
                None => parse(id)?,
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
            let mut prepared = Vec::with_capacity(folded.len());
            for ((p, (heading, text)), at) in document.provisions.iter().zip(folded).zip(placed) {
                // The per-text structures beside tantivy's.
                postings.add(at.ord, &text);
                let d = to_tantivy_unworded(f, p, &heading, &text, at);
                let topic_ids = (topics.classify)(p, &heading, &text);
                prepared.push((d, topic_ids, heading, text));
            }
            postings.spill_if_large(dir)?;
            done.push(Indexed {
                id: id.to_string(),
                provisions: document.provisions.len(),
                substantive: document
                    .provisions
                    .iter()
                    .filter(|p| p.is_substantive())
                    .count(),
                fingerprint: super::state::entry_fingerprint(entry, &file_hash),
                file_hash,
            });
            bytes += document.text.len() as u64;
            ahead_bytes += document.text.len() as u64;
            ahead.push_back(prepared);
            // While the full dictionary loads, parse ahead instead of
            // waiting (a subset is loaded already).
            if subset.is_some() || crate::text::segment::loaded() || ahead_bytes >= AHEAD_BYTES {
                while let Some(p) = ahead.pop_front() {
                    hand(p)?;
                }
                ahead_bytes = 0;
            }
            if let Some(p) = progress {
                p.advance(1);
            }
        }
        while let Some(p) = ahead.pop_front() {
            hand(p)?;
        }
        Ok((done, bytes, postings))
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
        postings: vec![],
    };
    for r in results {
        let (done, bytes, postings) = r?;
        counts.per_doc.extend(done);
        counts.bytes += bytes;
        counts.postings.push(postings);
    }
    Ok(counts)
}

/// The tantivy document of a provision whose folded heading and text are
/// `heading` and `folded`, placed `at` in `texts.bin` (the heading at
/// `at.lead_at` when the text does not start with it).
/// Without `words`, `heading_words` and `topics`, which the caller adds in
/// that order (see `index_documents`).
pub(super) fn to_tantivy_unworded(
    f: schema::Fields,
    p: &Provision,
    heading: &str,
    folded: &str,
    at: texts::Placed,
) -> TantivyDocument {
    doc!(
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
    )
}
