//! `policy-diff serve`: every route answered in-process (status, escaping,
//! the CLI's bytes for downloads, the token), one request over a real
//! socket, and the search page as headless Chromium renders it.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use common::{chromium, CHROMIUM};
use policy_diff::serve::{handle, Config, Reply, Server};

fn config(index: &Path) -> Config {
    Config {
        corpus_dir: common::repo().join("corpus"),
        index_dir: index.to_path_buf(),
        topics_file: None,
        bind: "127.0.0.1:0".parse().unwrap(),
        read_only: false,
        token: None,
        workers: 4,
    }
}

fn get(c: &Config, url: &str) -> Reply {
    handle(c, "GET", url, "")
}

fn body(r: &Reply) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

fn header<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

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
    // A permanent link goes to the provision's place on its document page.
    let r = get(&c, "/p/lyg-2022-32:9");
    assert_eq!(r.status, 303);
    assert_eq!(header(&r, "Location"), Some("/doc/lyg-2022-32#p9"));
    let doc = body(&get(&c, "/doc/lyg-2022-32"));
    assert!(doc.contains("id=\"p9\""));
    assert!(doc.contains("连政发〔2022〕32号"));
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
