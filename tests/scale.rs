//! Issue 20: freshness from signals whose cost does not grow with the
//! corpus (the catalog and the documents' directory), what counts as a
//! change, and `add` touching only what it changed.

mod common;

use std::path::{Path, PathBuf};

use common::{cli, copy_dir, index_options, repo, succeed};
use policy_diff::corpus::Corpus;
use policy_diff::index::{Check, IndexDir};

/// A copy of the bundled corpus in a temporary directory, with its index path.
fn copied() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&repo().join("corpus"), &corpus);
    let index = dir.path().join("index");
    (dir, corpus, index)
}

fn total(corpus: &Path, index: &Path, phrase: &str) -> u64 {
    let mut cmd = cli(corpus, index);
    cmd.args(["search", &format!("\"{phrase}\""), "--format", "json"]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["total"].as_u64().unwrap()
}

/// The taxonomy version the command line indexes with.
fn cli_topics(corpus: &Path) -> String {
    policy_diff::topics::Taxonomy::resolve_file(corpus, None)
        .unwrap()
        .fingerprint()
}

fn edit_in_place(corpus: &Path, id: &str, from: &str, to: &str) {
    let c = Corpus::open(corpus).unwrap();
    let path = c.file_path(c.entry(id).unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from));
    // Truncate and write the same file: no rename, the directory unchanged.
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn an_edit_in_place_is_picked_up_by_index_and_by_the_thorough_check() {
    let (_dir, corpus, index) = copied();
    assert!(cli(&corpus, &index)
        .arg("index")
        .output()
        .unwrap()
        .status
        .success());
    assert_eq!(total(&corpus, &index, "青年英才"), 0);
    std::thread::sleep(std::time::Duration::from_millis(20));
    edit_in_place(
        &corpus,
        "nt-2021-23",
        "集聚高水平人才",
        "集聚高水平人才和青年英才",
    );
    let c = Corpus::open(&corpus).unwrap();
    let dir = IndexDir::new(&index);
    let topics = cli_topics(&corpus);
    let topics = topics.as_str();
    // The signals (catalog, documents directory) did not move: a reading
    // command trusts them and answers from the index as it is ...
    assert_eq!(
        dir.staleness_with(&c, topics, Check::Signals).unwrap(),
        None
    );
    assert_eq!(total(&corpus, &index, "青年英才"), 0);
    // ... the thorough check (`--check`) compares every file and sees it ...
    let why = dir.staleness_with(&c, topics, Check::Files).unwrap();
    assert!(why.is_some_and(|w| w.contains("1 changed")));
    assert!(
        dir.staleness(&c, topics).unwrap().is_some(),
        "staleness is thorough"
    );
    // ... and `index` looks at every file and picks it up.
    let out = cli(&corpus, &index).arg("index").output().unwrap();
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(line.contains("0 added, 1 updated, 0 removed"), "{line}");
    assert_eq!(total(&corpus, &index, "青年英才"), 1);
    assert_eq!(dir.staleness_with(&c, topics, Check::Files).unwrap(), None);
}

#[test]
fn files_created_removed_or_renamed_and_the_catalog_are_signals() {
    let (_dir, corpus, index) = copied();
    let dir = IndexDir::new(&index);
    dir.update(&Corpus::open(&corpus).unwrap(), &index_options(false))
        .unwrap();
    let c = Corpus::open(&corpus).unwrap();
    assert_eq!(
        dir.staleness_with(&c, "none", Check::Signals).unwrap(),
        None
    );
    // A document replaced by a rename (how editors and `mv` save) moves the
    // documents directory: seen without looking at every file.
    let path = c.file_path(c.entry("nt-2021-23").unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let tmp = path.with_extension("new");
    std::fs::write(
        &tmp,
        text.replace("集聚高水平人才", "集聚高水平人才和青年英才"),
    )
    .unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    let why = dir.staleness_with(&c, "none", Check::Signals).unwrap();
    assert!(why.is_some_and(|w| w.contains("1 changed")));
    dir.update(&c, &index_options(false)).unwrap();
    assert_eq!(
        dir.staleness_with(&c, "none", Check::Signals).unwrap(),
        None
    );
    // A catalog edited by hand (in place) moves the catalog's stamp.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let catalog = corpus.join("catalog.toml");
    let toml = std::fs::read_to_string(&catalog).unwrap();
    std::fs::write(&catalog, toml.replacen("title = \"", "title = \"新", 1)).unwrap();
    let c = Corpus::open(&corpus).unwrap();
    let why = dir.staleness_with(&c, "none", Check::Signals).unwrap();
    assert!(
        why.is_some_and(|w| w.contains("1 changed")),
        "the first entry's title"
    );
    dir.update(&c, &index_options(false)).unwrap();
    // A stray file beside the documents moves the directory but changes
    // nothing: the next update records the signals again, indexing nothing.
    std::fs::write(corpus.join("docs/.notes.swp"), b"x").unwrap();
    let why = dir.staleness_with(&c, "none", Check::Signals).unwrap();
    assert!(why.is_some());
    let s = dir.update(&c, &index_options(false)).unwrap();
    assert_eq!((s.added, s.updated, s.indexed_provisions), (0, 0, 0));
    assert_eq!(
        dir.staleness_with(&c, "none", Check::Signals).unwrap(),
        None
    );
}

#[test]
fn an_interrupted_update_makes_readers_look_at_every_file() {
    let (_dir, corpus, index) = copied();
    let dir = IndexDir::new(&index);
    dir.update(&Corpus::open(&corpus).unwrap(), &index_options(false))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    edit_in_place(
        &corpus,
        "nt-2021-23",
        "集聚高水平人才",
        "集聚高水平人才和青年英才",
    );
    // What a killed `index` leaves: its marker, no commit.
    std::fs::write(index.join("CHECKING"), b"").unwrap();
    let c = Corpus::open(&corpus).unwrap();
    let why = dir.staleness_with(&c, "none", Check::Signals).unwrap();
    assert!(why.is_some_and(|w| w.contains("1 changed")));
    dir.update(&c, &index_options(false)).unwrap();
    assert!(!index.join("CHECKING").exists());
    assert_eq!(
        dir.staleness_with(&c, "none", Check::Signals).unwrap(),
        None
    );
}

#[test]
fn add_appends_to_the_catalog_and_indexes_only_the_new_document() {
    let (dir, corpus, index) = copied();
    assert!(cli(&corpus, &index)
        .arg("index")
        .output()
        .unwrap()
        .status
        .success());
    let catalog = corpus.join("catalog.toml");
    let before = std::fs::read_to_string(&catalog).unwrap();
    let file = dir.path().join("new.md");
    std::fs::write(
        &file,
        "# 连云港市关于鹦鹉螺试验的通知\n\n连政发〔2024〕7号\n\n一、开展鹦鹉螺条款试点。\n",
    )
    .unwrap();
    let out = cli(&corpus, &index).arg("add").arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("1 added, 0 updated, 0 removed"), "{err}");
    // The catalog file kept every byte and gained the entry.
    let after = std::fs::read_to_string(&catalog).unwrap();
    assert!(after.starts_with(before.trim_end()), "appended");
    let c = Corpus::open(&corpus).unwrap();
    assert_eq!(c.catalog.documents.len(), 6);
    // The copy beside it is what readers and the next writer read.
    assert!(corpus.join(".catalog.bin").is_file());
    assert_eq!(total(&corpus, &index, "鹦鹉螺条款"), 1);
    // Nothing is stale afterwards, by either check.
    let idx = IndexDir::new(&index);
    let topics = cli_topics(&corpus);
    assert_eq!(idx.staleness_with(&c, &topics, Check::Files).unwrap(), None);
    // Removing it is seen too.
    succeed(cli(&corpus, &index).args(["remove", &c.catalog.documents.last().unwrap().id]));
    assert_eq!(total(&corpus, &index, "鹦鹉螺条款"), 0);
}

#[test]
fn the_check_flag_makes_a_reading_command_see_an_edit_in_place() {
    let (_dir, corpus, index) = copied();
    assert_eq!(total(&corpus, &index, "青年英才"), 0);
    std::thread::sleep(std::time::Duration::from_millis(20));
    edit_in_place(
        &corpus,
        "nt-2021-23",
        "集聚高水平人才",
        "集聚高水平人才和青年英才",
    );
    // Without --check a reading command trusts the signals ...
    assert_eq!(total(&corpus, &index, "青年英才"), 0);
    // ... with it, every file is compared and the edit is indexed first.
    let out = cli(&corpus, &index)
        .args(["--check", "search", "\"青年英才\"", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("updating the index"));
    // Seen once, it stays seen.
    assert_eq!(total(&corpus, &index, "青年英才"), 1);
}

/// The states payload of the index's current commit: the states file and
/// its parts (names).
fn states_files(index: &Path) -> (String, Vec<String>) {
    let current = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(index.join(current.trim()).join("meta.json")).unwrap(),
    )
    .unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    let parts = payload["states_parts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p[0].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (payload["states"].as_str().unwrap().to_string(), parts)
}

#[test]
fn each_add_writes_only_its_own_states_until_they_are_merged() {
    let (dir, corpus, index) = copied();
    let idx = IndexDir::new(&index);
    let opts = index_options(false);
    idx.update(&Corpus::open(&corpus).unwrap(), &opts).unwrap();
    let (first, parts) = states_files(&index);
    assert!(parts.is_empty());
    let parts_max = policy_diff::index::state::MAX_STATES_PARTS;
    for k in 1..=parts_max + 1 {
        let file = dir.path().join(format!("new-{k}.md"));
        std::fs::write(
            &file,
            format!("# 关于第{k}号鹦鹉螺试验的通知\n\n一、开展第{k}号鹦鹉螺条款试点工作。\n"),
        )
        .unwrap();
        let (mut writer, _lock) =
            Corpus::open_for_writing(&corpus, &policy_diff::app::Quiet).unwrap();
        writer.add_file(&file, &Default::default()).unwrap();
        let s = idx.update(&writer, &opts).unwrap();
        assert_eq!((s.added, s.updated, s.removed), (1, 0, 0));
        assert_eq!(s.unchanged, 5 + k - 1);
        let (states, parts) = states_files(&index);
        if k <= parts_max {
            // The states of the documents indexed before are not rewritten.
            assert_eq!(states, first, "add {k}");
            assert_eq!(parts.len(), k);
        } else {
            // Past the limit the update rewrites them all into one file.
            assert_ne!(states, first);
            assert!(parts.is_empty());
        }
        // Every document is known to the index, by either check.
        let c = Corpus::open(&corpus).unwrap();
        assert_eq!(idx.staleness_with(&c, "none", Check::Files).unwrap(), None);
        let reader = idx.reader().unwrap();
        assert_eq!(reader.payload.documents().len(), 5 + k);
    }
    // The counts recorded are those a rebuild records.
    let c = Corpus::open(&corpus).unwrap();
    let before = idx.reader().unwrap().payload.documents().clone();
    let rebuilt = idx.update(&c, &index_options(true)).unwrap();
    assert_eq!(rebuilt.added, 5 + parts_max + 1);
    let after = idx.reader().unwrap().payload.documents().clone();
    let provisions =
        |m: &std::collections::BTreeMap<String, policy_diff::index::state::DocState>| {
            m.iter()
                .map(|(id, d)| (id.clone(), d.provisions, d.fingerprint.clone()))
                .collect::<Vec<_>>()
        };
    assert_eq!(provisions(&before), provisions(&after));
}

/// `add` extends the compact copy beside the catalog (`.catalog.bin`) in
/// place by a record of the new entries, and neither it nor the index
/// update after it decodes the catalog's entries; what readers get from
/// the copy is the catalog. A copy cut short is never read (the catalog
/// is) and the next `add` writes it whole again; an edit by hand of the
/// catalog is read.
#[test]
fn add_extends_the_copy_beside_the_catalog_in_place() {
    use std::os::unix::fs::MetadataExt;
    let (dir, corpus, index) = copied();
    let beside = corpus.join(".catalog.bin");
    let new_doc = |k: usize| -> PathBuf {
        let file = dir.path().join(format!("new{k}.md"));
        std::fs::write(
            &file,
            format!("# 连云港市关于鹦鹉螺试验{k}的通知\n\n连政发〔2024〕{k}号\n\n一、开展鹦鹉螺条款试点第{k}项。\n"),
        )
        .unwrap();
        file
    };
    let add = |k: usize| {
        succeed(cli(&corpus, &index).arg("add").arg(new_doc(k)));
    };
    let stat = |p: &Path| std::fs::metadata(p).unwrap();
    let catalog_is_read_back = || {
        let parsed = policy_diff::corpus::Catalog::load(&corpus).unwrap();
        let cached = Corpus::open_cached(&corpus, &index).unwrap();
        assert_eq!(cached.catalog.len(), parsed.documents.len());
        assert_eq!(cached.catalog.documents, parsed.documents);
    };
    add(1);
    let (ino, len) = (stat(&beside).ino(), stat(&beside).len());
    add(2);
    add(3);
    assert_eq!(stat(&beside).ino(), ino, "extended in place");
    assert!(stat(&beside).len() > len);
    catalog_is_read_back();
    assert_eq!(total(&corpus, &index, "鹦鹉螺条款试点第3项"), 1);

    // Cut short (a kill while a record was written): not read, and
    // written whole again by the next `add`.
    let bytes = std::fs::read(&beside).unwrap();
    std::fs::write(&beside, &bytes[..bytes.len() - 7]).unwrap();
    let catalog = policy_diff::corpus::Catalog::path(&corpus);
    let text = std::fs::read_to_string(&catalog).unwrap();
    std::fs::write(&catalog, format!("{text}\n")).unwrap();
    catalog_is_read_back();
    let cut = stat(&beside).ino();
    add(4);
    assert_ne!(stat(&beside).ino(), cut, "written whole");
    catalog_is_read_back();
    add(5);
    assert_eq!(total(&corpus, &index, "鹦鹉螺条款试点第5项"), 1);

    // An edit by hand of the catalog is read, and the next add keeps it.
    let text = std::fs::read_to_string(&catalog).unwrap();
    std::fs::write(
        &catalog,
        text.replace(
            "连云港市关于鹦鹉螺试验2的通知",
            "连云港市关于鹦鹉螺试验二的通知",
        ),
    )
    .unwrap();
    catalog_is_read_back();
    add(6);
    catalog_is_read_back();
    let c = Corpus::open_cached(&corpus, &index).unwrap();
    assert!(c
        .catalog
        .documents
        .iter()
        .any(|e| e.title == "连云港市关于鹦鹉螺试验二的通知"));

    // Through the library: a writer reads the copy in place; adding a
    // document, refusing a duplicate and indexing it decode no entry.
    let index2 = dir.path().join("index2");
    let idx = IndexDir::new(&index2);
    idx.update(&Corpus::open(&corpus).unwrap(), &index_options(false))
        .unwrap();
    let (mut c, _lock) = Corpus::open_for_writing(&corpus, &policy_diff::app::Quiet).unwrap();
    assert!(!c.catalog.is_decoded());
    let added = c.add_file(&new_doc(7), &Default::default()).unwrap();
    let again = c.add_file(&new_doc(7), &Default::default()).unwrap_err();
    assert!(
        again.to_string().contains(&format!("'{}'", added.id)),
        "{again}"
    );
    let first = c.catalog.by_id("nt-2021-23").unwrap().into_owned();
    let seed = std::fs::read(corpus.join(&first.file)).unwrap();
    let copy = dir.path().join("copy.txt");
    std::fs::write(&copy, &seed).unwrap();
    let again = c.add_file(&copy, &Default::default()).unwrap_err();
    assert!(again.to_string().contains("'nt-2021-23'"), "{again}");
    let summary = idx.update(&c, &index_options(false)).unwrap();
    assert_eq!(summary.added, 1);
    assert!(!c.catalog.is_decoded());
    assert_eq!(idx.staleness_with(&c, "none", Check::Files).unwrap(), None);
    drop(c);
    catalog_is_read_back();
}
