//! `policy-diff serve`: every route answered in-process (status, escaping,
//! the CLI's bytes for downloads, the token), one request over a real
//! socket, and the search page as headless Chromium renders it.

#[path = "common/cdp.rs"]
mod cdp;
mod common;
#[path = "common/serve.rs"]
mod fixture;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use common::{chromium, CHROMIUM};
use fixture::*;
use policy_diff::serve::{handle, respond, Config, Request, Server};

#[test]
fn every_page_answers_and_links_hold() {
    let index = tempfile::tempdir().unwrap();
    let c = config(index.path());
    for url in [
        "/",
        "/docs",
        "/topics",
        "/compare",
        "/diff",
        "/style.css",
        "/doc/lyg-2022-32",
        "/compare?topic=talent",
        "/diff?a=lyg-2022-32&b=nt-2021-23",
        "/diff.html?a=lyg-2022-32&b=nt-2021-23",
        "/compare.html?topic=land",
        "/api/topics",
        "/api/doc/lyg-2022-32:9",
    ] {
        let r = get(&c, url);
        assert_eq!(r.status, 200, "{url}: {}", body(&r));
    }
    // A search page shows the hits with their permanent links and the
    // counts per jurisdiction beside them.
    let page = body(&get(&c, &format!("/search?q={}", q("人才 公寓"))));
    assert!(page.contains("4 provisions match"), "{page}");
    assert!(page.contains("href=\"/p/nt-2021-23:17\""), "{page}");
    assert!(page.contains("<mark>公寓</mark>"), "{page}");
    assert!(page.contains("南通市"));
    // A facet narrows: the jurisdiction link keeps the query.
    let narrowed = get(
        &c,
        &format!("/search?q={}&j={}", q("人才 公寓"), q("南通市")),
    );
    assert!(
        body(&narrowed).contains("1 provisions match"),
        "{}",
        body(&narrowed)
    );
    // The level filter narrows, and the form keeps it chosen.
    let city = body(&get(
        &c,
        &format!("/search?q={}&level=city", q("人才 公寓")),
    ));
    assert!(city.contains("<option value=\"city\" selected>"), "{city}");
    let n = |page: &str| {
        page.split(" provisions match")
            .next()
            .unwrap()
            .rsplit('>')
            .next()
            .unwrap()
            .parse::<usize>()
            .unwrap()
    };
    assert!(n(&city) >= 1 && n(&city) < 4, "{city}");
    let zone = get(&c, &format!("/search?q={}&level=nowhere", q("人才")));
    assert_eq!(zone.status, 400);
    assert!(body(&zone).contains("unknown level"));
    // A permanent link goes to the provision's place on its document page.
    let r = get(&c, "/p/lyg-2022-32:9");
    assert_eq!(r.status, 303);
    assert_eq!(header(&r, "Location"), Some("/doc/lyg-2022-32#p9"));
    let doc = body(&get(&c, "/doc/lyg-2022-32"));
    assert!(doc.contains("id=\"p9\""));
    assert!(doc.contains("连政发〔2022〕32号"));
    // A provision's topic links to why it has it (topics --explain).
    let tag = doc
        .split("href=\"/explain/lyg-2022-32:9#")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("provision 9 has a topic linked to its explanation")
        .to_string();
    let ex = get(&c, "/explain/lyg-2022-32:9");
    assert_eq!(ex.status, 200);
    let ex = body(&ex);
    assert!(ex.contains(&format!("<b id=\"{tag}\">{tag}</b>")), "{ex}");
    assert!(ex.contains("threshold"), "{ex}");
    let api = get(&c, "/api/explain/lyg-2022-32:9");
    let rows: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    assert!(rows[0]["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == tag.as_str()));
    // The lines the parser dropped (page numbers, the table of contents)
    // are on the page, folded away.
    let plan = body(&get(&c, "/doc/lyg-etdz-plan-2021"));
    let dropped = plan
        .split("<details class=\"dropped\">")
        .nth(1)
        .expect("dropped lines");
    assert!(dropped.contains("table of contents"), "{dropped}");
    assert!(dropped.contains("目 录"), "{dropped}");
    let nt = body(&get(&c, "/doc/nt-2021-23"));
    assert!(nt.contains("<td>page number</td><td>— 3 —</td>"), "{nt}");
    // The heat map links each cell to its provisions.
    let topics = body(&get(&c, "/topics"));
    assert!(topics.contains("<svg"));
    assert!(
        topics.contains(&format!("t=talent&amp;j={}", q("南通市"))),
        "{topics}"
    );
}

#[test]
fn downloads_and_api_are_the_cli_bytes() {
    let index = tempfile::tempdir().unwrap();
    let c = config(index.path());
    let corpus = common::repo().join("corpus");
    let cli = |args: &[&str]| {
        let out = common::cli(&corpus, index.path())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    for (url, args) in [
        (
            "/compare.csv?topic=talent",
            vec!["compare", "--topic", "talent", "--format", "csv"],
        ),
        (
            "/compare.md?topic=land&by=doc",
            vec!["compare", "--topic", "land", "--by", "doc"],
        ),
        (
            "/compare.json?topic=fiscal",
            vec!["compare", "--topic", "fiscal", "--format", "json"],
        ),
        (
            "/diff.md?a=lyg-2022-32&b=nt-2021-23",
            vec!["diff", "lyg-2022-32", "nt-2021-23", "--format", "md"],
        ),
        (
            "/api/diff?a=nt-2021-23&b=lyg-2021-25",
            vec!["diff", "nt-2021-23", "lyg-2021-25", "--format", "json"],
        ),
        ("/api/topics", vec!["topics", "--format", "json"]),
        (
            "/api/doc/lyg-2022-32",
            vec!["show", "lyg-2022-32", "--format", "json"],
        ),
        (
            "/api/doc/lyg-2022-32:9",
            vec!["show", "lyg-2022-32:9", "--format", "json"],
        ),
    ] {
        let r = get(&c, url);
        assert_eq!(r.status, 200, "{url}");
        assert!(r.body == cli(&args), "{url} differs from {args:?}");
    }
    let api = get(&c, &format!("/api/search?q={}&n=5", q("人才")));
    let cli_json = cli(&["search", "人才", "-n", "5", "--format", "json"]);
    assert_eq!(api.body, cli_json);
}

#[test]
fn errors_are_plain_and_text_is_escaped() {
    let index = tempfile::tempdir().unwrap();
    let c = config(index.path());
    // The query's error, with its column, on the page (400).
    let r = get(&c, &format!("/search?q={}", q("\"高质量")));
    assert_eq!(r.status, 400);
    assert!(body(&r).contains("column 1"), "{}", body(&r));
    let r = get(&c, &format!("/api/search?q={}", q("\"高质量")));
    assert_eq!(r.status, 400);
    assert!(body(&r).contains("\"error\""));
    // A query is echoed escaped, never as markup.
    let r = get(&c, &format!("/search?q={}", q("<script>alert(1)</script>")));
    assert!(!body(&r).contains("<script>"), "{}", body(&r));
    assert!(body(&r).contains("&lt;script&gt;"));
    // Unknown things are 404 naming them; nothing outside the corpus is reachable.
    for url in [
        "/doc/no-such-doc",
        "/p/lyg-2022-32:999",
        "/doc/..%2F..%2Fetc%2Fpasswd",
        "/etc/passwd",
        "/index/CURRENT",
    ] {
        let r = get(&c, url);
        assert_eq!(r.status, 404, "{url}");
        assert!(!body(&r).contains("root:"), "{url}");
    }
    let r = get(&c, "/compare.pdf?topic=talent");
    assert_eq!(r.status, 400);
    let r = get(&c, "/compare?topic=talent");
    assert_eq!(r.status, 200);
    assert_eq!(get(&c, "/compare.md?topic=nosuchtopic").status, 404);
    // Nothing is written through GET and nothing else is served.
    assert_eq!(handle(&c, "POST", "/search?q=x", "").status, 405);
    assert_eq!(handle(&c, "DELETE", "/doc/lyg-2022-32", "").status, 405);
}

#[test]
fn a_token_guards_a_server_bound_beyond_loopback() {
    let index = tempfile::tempdir().unwrap();
    let mut c = config(index.path());
    c.token = Some("s3cret".into());
    assert_eq!(get(&c, "/docs").status, 403);
    assert_eq!(get(&c, "/docs?token=wrong").status, 403);
    let r = get(&c, "/docs?token=s3cret");
    assert_eq!(r.status, 200);
    let cookie = header(&r, "Set-Cookie").expect("the token is kept in a cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert_eq!(handle(&c, "GET", "/topics", "pd_token=s3cret").status, 200);
}

fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn served_over_http_and_seen_in_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium (./.ci/test does)"
    );
    let index = tempfile::tempdir().unwrap();
    let server = Server::start(config(index.path())).unwrap();
    let addr = server.addr();
    let reply = http_get(addr, "/search?q=%E4%BA%BA%E6%89%8D");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("provisions match"));
    let profile = tempfile::tempdir().unwrap();
    let shots = common::repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let search = format!("http://{addr}/search?q={}", q("人才 公寓"));
    let shot = shots.join("serve-search.png");
    chromium(
        &format!("--screenshot={}", shot.display()),
        &search,
        profile.path(),
    );
    let dom = chromium("--dump-dom", &search, profile.path());
    assert!(dom.contains("4 provisions match"), "{dom}");
    assert!(dom.contains("<mark>公寓</mark>"));
    // Follow the first citation: the document page with the provision targeted.
    let dom = chromium(
        "--dump-dom",
        &format!("http://{addr}/p/nt-2021-23:17"),
        profile.path(),
    );
    assert!(dom.contains("id=\"p17\""), "{dom}");
    assert!(dom.contains("集聚高水平人才"));
    // Headless screenshots of a URL with a #fragment come out blank: the
    // document page is pictured from its top.
    let shot_doc = shots.join("serve-document.png");
    chromium(
        &format!("--screenshot={}", shot_doc.display()),
        &format!("http://{addr}/doc/nt-2021-23"),
        profile.path(),
    );
    for f in [shot, shot_doc] {
        assert!(
            std::fs::metadata(&f).unwrap().len() > 20_000,
            "{} is blank",
            f.display()
        );
    }
    server.stop();
}

#[test]
fn an_upload_is_checked_and_becomes_searchable() {
    let (dir, c) = writable();
    let corpus = dir.path().join("corpus");
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    // Build the index first, so that "unchanged" covers it too.
    assert_eq!(get(&c, &format!("/search?q={}", q("人才"))).status, 200);
    let before = (tree(&corpus), tree(&dir.path().join("index")));
    let unchanged = |what: &str| {
        assert!(
            (tree(&corpus), tree(&dir.path().join("index"))) == before,
            "{what} changed the corpus or the index"
        );
    };
    let good: &[(&str, &[u8])] = &[("驿站通知.txt", UPLOADED.as_bytes())];

    // The Add page carries the token.
    let page = body(&get(&c, "/add"));
    assert!(page.contains(&format!("name=\"csrf\" value=\"{}\"", c.csrf)));
    assert!(page.contains("enctype=\"multipart/form-data\""));

    // No token, a wrong one, another site's page: 403, nothing added.
    for fields in [vec![], vec![("csrf", "not-the-token")]] {
        let b = form(&fields, good);
        let r = respond(&c, &post(&b, &ct));
        assert_eq!(r.status, 403, "{}", body(&r));
        unchanged("a POST without the token");
    }
    let b = form(&[("csrf", &c.csrf)], good);
    let r = respond(
        &c,
        &Request {
            origin: "http://evil.example",
            ..post(&b, &ct)
        },
    );
    assert_eq!(r.status, 403);
    let r = respond(
        &c,
        &Request {
            host: "evil.example:8080",
            origin: "",
            ..post(&b, &ct)
        },
    );
    assert_eq!(r.status, 403, "a rebound host name is refused");
    unchanged("a cross-site POST");

    // Larger than the limit: 413 naming the limit, nothing changed.
    let small = Config {
        max_upload: 1024 * 1024,
        ..c.clone()
    };
    let r = respond(
        &small,
        &Request {
            too_large: true,
            ..post(&[], &ct)
        },
    );
    assert_eq!(r.status, 413);
    assert!(body(&r).contains("1 MB"), "{}", body(&r));
    unchanged("an oversize upload");

    // A garbage PDF and an unsupported type: refused by name, nothing changed.
    let bad: &[(&str, &[u8])] = &[
        ("扫描件.pdf", b"%PDF-1.4 this is not really a pdf"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
    ];
    let b = form(&[("csrf", &c.csrf)], bad);
    let r = respond(&c, &post(&b, &ct));
    let page = body(&r);
    assert_eq!(r.status, 400, "{page}");
    assert!(page.contains("refused 扫描件.pdf"), "{page}");
    assert!(page.contains("refused setup.exe"), "{page}");
    assert!(page.contains("unchanged"), "{page}");
    unchanged("refused files");

    // A bad date is refused before anything is read.
    let b = form(&[("csrf", &c.csrf), ("date", "2024-13-45")], good);
    let r = respond(&c, &post(&b, &ct));
    assert_eq!(r.status, 400, "{}", body(&r));
    unchanged("a bad date");

    // A good file: added, indexed, linked, and found by the next search.
    let b = form(&[("csrf", &c.csrf), ("level", "city")], good);
    let r = respond(&c, &post(&b, &ct));
    let page = body(&r);
    assert_eq!(r.status, 200, "{page}");
    assert!(page.contains("added 驿站通知.txt as"), "{page}");
    assert!(page.contains("Searchable now"), "{page}");
    let id = page
        .split("href=\"/doc/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let hits = body(&get(&c, &format!("/search?q={}", q("\"运维人才驿站\""))));
    assert!(hits.contains("1 provisions match"), "{hits}");
    assert!(hits.contains(&format!("/p/{id}:")), "{hits}");
    // Its text is escaped on its page.
    let doc = body(&get(&c, &format!("/doc/{id}")));
    assert!(
        doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{doc}"
    );
    assert!(!doc.contains("<script>alert(1)"));
    // The same file again is refused as the CLI refuses it.
    let r = respond(&c, &post(&b, &ct));
    assert_eq!(r.status, 400);
    assert!(body(&r).contains("already in the corpus"), "{}", body(&r));
}

#[test]
fn a_read_only_server_has_no_add_page() {
    let (dir, mut c) = writable();
    c.read_only = true;
    let corpus = dir.path().join("corpus");
    let before = tree(&corpus);
    assert_eq!(get(&c, "/add").status, 404);
    assert!(!body(&get(&c, "/docs")).contains("href=\"/add\""));
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let b = form(&[("csrf", &c.csrf)], &[("a.txt", UPLOADED.as_bytes())]);
    let r = respond(&c, &post(&b, &ct));
    assert_eq!(r.status, 405);
    assert!(body(&r).contains("read-only"));
    assert!(tree(&corpus) == before);
    // A writable server links its Add page; other routes still take only GET.
    c.read_only = false;
    assert!(body(&get(&c, "/docs")).contains("href=\"/add\""));
    let r = respond(
        &c,
        &Request {
            url: "/search",
            ..post(&b, &ct)
        },
    );
    assert_eq!(r.status, 405);
    assert_eq!(header(&r, "Allow"), Some("GET, HEAD"));
    assert_eq!(
        header(&handle(&c, "PUT", "/add", ""), "Allow"),
        Some("GET, HEAD, POST")
    );
}

/// How many provisions hold the uploaded text's own phrase (/api/search).
fn total(c: &Config) -> u64 {
    let r = get(c, &format!("/api/search?q={}", q("\"运维人才驿站\"")));
    assert_eq!(r.status, 200, "{}", body(&r));
    serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["total"]
        .as_u64()
        .unwrap()
}

#[test]
fn searches_share_a_reader_that_follows_the_corpus() {
    let (dir, c) = writable();
    let corpus = dir.path().join("corpus");
    assert_eq!(total(&c), 0);
    // While a writer holds the corpus (an add at work: the catalog
    // written, the index not yet updated), searches answer from the reader
    // they have, whole, instead of waiting for the writer or indexing half
    // its work.
    let file = dir.path().join("驿站通知.txt");
    std::fs::write(&file, UPLOADED).unwrap();
    let (mut writer, lock) =
        policy_diff::corpus::Corpus::open_for_writing(&corpus, &policy_diff::app::Quiet).unwrap();
    let added = writer.add_file(&file, &Default::default()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let c2 = c.clone();
    std::thread::spawn(move || {
        let _ = tx.send(total(&c2));
    });
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(120)),
        Ok(0),
        "a search waited for the corpus's writer, or saw its unindexed work"
    );
    drop(lock);
    // Once the writer is done, the server indexes its work in the
    // background: searches go on answering (from the old index, whole)
    // until the new one is committed, then see the document.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let n = total(&c);
        assert!(n <= 1, "{n}");
        if n == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the writer's document never became searchable"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A `remove` and an `add` run beside the server are seen by the next
    // search, without a restart.
    let cli = || common::cli(&corpus, &dir.path().join("index"));
    let out = cli().args(["remove", &added.id]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(total(&c), 0);
    let out = cli().arg("add").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(total(&c), 1);
}

#[test]
fn an_oversize_upload_is_refused_on_the_socket() {
    let (dir, c) = writable();
    let corpus = dir.path().join("corpus");
    let before = tree(&corpus);
    let server = Server::start(Config {
        max_upload: 4096,
        ..c
    })
    .unwrap();
    let addr = server.addr();
    let body = form(&[("csrf", "x")], &[("big.txt", &[b'a'; 10_000][..])]);
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "POST /add HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    let _ = s.write_all(&body);
    // Read the reply's page (the connection may stay open).
    let mut reply = vec![];
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&reply).contains("</html>") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
        }
    }
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("4 KB"), "{reply}");
    server.stop();
    assert!(tree(&corpus) == before);
}

/// The walk through the workbench, in a real browser driven over
/// the DevTools protocol: type a query and submit it, see the hits, follow
/// a citation to the document page with the provision highlighted, choose
/// a topic on the compare page and download its CSV (the CLI's bytes).
/// Screenshots of each step go to `target/screenshots/drive-*.png`.
#[test]
fn a_researcher_drives_the_workbench_in_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium (./.ci/test does)"
    );
    let index = tempfile::tempdir().unwrap();
    let server = Server::start(config(index.path())).unwrap();
    let base = format!("http://{}", server.addr());
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let shots = common::repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut b = cdp::Browser::launch(CHROMIUM, profile.path());
    let text = |b: &mut cdp::Browser, expr: &str| b.eval(expr).as_str().unwrap_or("").to_string();

    // Type a query into the home page's box and submit it.
    b.goto(&format!("{base}/"));
    b.eval("document.querySelector('form.q input[name=q]').focus()");
    b.type_text("人才 公寓");
    b.navigating("document.querySelector('form.q').requestSubmit()");
    assert_eq!(text(&mut b, "location.pathname"), "/search");
    let page = text(&mut b, "document.body.innerText");
    assert!(page.contains("4 provisions match"), "{page}");
    assert_eq!(
        b.eval("document.querySelectorAll('article.hit').length"),
        serde_json::json!(4)
    );
    let marked = text(
        &mut b,
        "[...document.querySelectorAll('article.hit mark')].map(m => m.textContent).join(' ')",
    );
    assert!(
        marked.contains("人才") && marked.contains("公寓"),
        "{marked}"
    );
    b.screenshot(&shots.join("drive-1-search.png"));

    // Follow the first hit's citation: the document page, at the provision.
    let first = text(
        &mut b,
        "document.querySelector('article.hit h3 a').getAttribute('href')",
    );
    let id = first
        .strip_prefix("/p/")
        .expect("a permanent link")
        .to_string();
    let (doc, seq) = id.split_once(':').unwrap();
    b.navigating("document.querySelector('article.hit h3 a').click()");
    assert_eq!(
        text(&mut b, "location.pathname + location.hash"),
        format!("/doc/{doc}#p{seq}")
    );
    assert_eq!(
        text(&mut b, "document.querySelector(':target').id"),
        format!("p{seq}")
    );
    // Highlighted: the target's background is the accent's, others' none.
    assert_eq!(
        text(
            &mut b,
            "getComputedStyle(document.querySelector(':target')).backgroundColor"
        ),
        "rgb(255, 246, 224)"
    );
    assert_eq!(
        text(
            &mut b,
            "getComputedStyle(document.querySelector('.prov:not(:target)')).backgroundColor"
        ),
        "rgba(0, 0, 0, 0)"
    );
    let provision = text(&mut b, "document.querySelector(':target').innerText");
    assert!(
        provision.contains("人才") && provision.contains("公寓"),
        "{provision}"
    );
    b.screenshot(&shots.join("drive-2-provision.png"));

    // Compare: choose a topic and submit; the report loads in its frame.
    b.goto(&format!("{base}/compare"));
    b.eval("document.querySelector('form.q input[name=topic]').focus()");
    b.type_text("talent");
    b.navigating("document.querySelector('form.q').requestSubmit()");
    let report = text(
        &mut b,
        "document.querySelector('iframe').contentDocument.body.innerText",
    );
    assert!(
        report.contains("连云港市") && report.contains("南通市"),
        "{report}"
    );
    b.screenshot(&shots.join("drive-3-compare.png"));

    // Download its CSV as a user would: the file the browser saves is the
    // CLI's output, byte for byte.
    b.browser_call(
        "Browser.setDownloadBehavior",
        serde_json::json!({
            "behavior": "allow",
            "downloadPath": downloads.path(),
            "eventsEnabled": true,
        }),
    );
    b.clear_events();
    b.eval("[...document.querySelectorAll('p.downloads a')].find(a => a.textContent === 'csv').click()");
    b.wait_for("Browser.downloadProgress", |p| p["state"] == "completed");
    let saved: Vec<_> = std::fs::read_dir(downloads.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let out = common::cli(&common::repo().join("corpus"), index.path())
        .args(["compare", "--topic", "talent", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        std::fs::read(&saved[0]).unwrap() == out.stdout,
        "{} differs from `compare --topic talent --format csv`",
        saved[0].display()
    );
    drop(b);
    server.stop();
}
