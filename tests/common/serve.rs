//! What the tests of `policy-diff serve` share (`tests/serve.rs`,
//! `tests/serve_api.rs`): configurations over the bundled corpus, requests
//! answered in-process, multipart forms and the uploaded document.
#![allow(dead_code)]

use std::path::Path;

use policy_diff::serve::{handle, Config, Reply, Request};

pub fn config(index: &Path) -> Config {
    Config {
        workers: 4,
        ..Config::new(super::common::repo().join("corpus"), index.to_path_buf())
    }
}

pub fn get(c: &Config, url: &str) -> Reply {
    handle(c, "GET", url, "")
}

pub fn body(r: &Reply) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

pub fn header<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

pub fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A writable copy of the bundled corpus and an empty index beside it.
pub fn writable() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    super::common::copy_dir(
        &super::common::repo().join("corpus"),
        &dir.path().join("corpus"),
    );
    let c = Config {
        workers: 4,
        ..Config::new(dir.path().join("corpus"), dir.path().join("index"))
    };
    (dir, c)
}

/// Every file under `dir` with its bytes (the corpus and index unchanged
/// means this is equal before and after).
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    crate::common::files_under(dir)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(&p).unwrap())
        })
        .collect()
}

pub const BOUNDARY: &str = "----pdtestBoundary7MA4YWxk";

/// A multipart body: fields, then files (name, bytes).
pub fn form(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = vec![];
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, data) in files {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

pub fn post<'a>(body: &'a [u8], content_type: &'a str) -> Request<'a> {
    Request {
        method: "POST",
        host: "127.0.0.1:8080",
        origin: "http://127.0.0.1:8080",
        content_type,
        body,
        ..Request::get("/add")
    }
}

/// A policy text with a phrase found nowhere else and markup in its text.
pub const UPLOADED: &str = "连云港市人民政府关于试行海上风电运维人才驿站的通知\n\
连政发〔2024〕7号\n\
各县、区人民政府，市各委、办、局：\n\
一、建设海上风电运维人才驿站，为来连就业的运维工程师提供三个月免费住宿。\n\
二、驿站标识为<script>alert(1)</script>，由市人社局负责。\n\
连云港市人民政府\n2024年3月1日\n";
