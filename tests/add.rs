//! `add` in every format, refusals, `remove`, `meta`, folders, and how the
//! index follows the catalog (issue 6). Fixtures are made here (GBK text,
//! Markdown, HTML, .docx built with the zip crate) or committed under
//! tests/fixtures/ (two PDFs, with the script that made them).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{repo, Env, Out};
use serde_json::Value;

// ---------------------------------------------------------------- fixtures

const GBK_TEXT: &str = "宁政发〔2023〕45号

南京市人民政府关于加快建设人才强市的若干措施

各区人民政府，市府各委办局，市各直属单位：
为深入实施人才强市战略，现提出如下措施。
一、引育高层次人才
（一）引进顶尖人才。对顶尖人才团队给予最高一亿元综合资助，支持建设紫金山英才实验室。
（二）支持青年人才。对新引进的青年人才给予生活补贴。
二、优化人才服务
（三）完善安居保障。提供人才公寓和购房补贴，缩短审批时限。

南京市人民政府
2023年6月20日
";

const MARKDOWN: &str = "# 昆山市企业技术中心认定管理办法

昆政发〔2022〕30号

## 第一章 总则

第一条 为推动企业建立健全技术创新体系，制定本办法。

第二条 本办法适用于在本市注册的工业企业。

## 第二章 认定条件

第三条 申请认定的企业应当设立研发机构，并建有祖冲之攻关实验平台。

第四条 本办法自2022年9月1日起施行。

昆山市人民政府

2022年8月15日
";

const HTML: &str = r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>无锡市人民政府门户网站</title>
<style>.nav{color:red}</style><script>var menu = "首页 政务公开";</script></head>
<body>
<nav><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li></ul></nav>
<div class="breadcrumb">当前位置：首页 &gt; 政策文件</div>
<div class="article">
<p class="wh">锡政办发〔2023〕7号</p>
<h1>无锡市人民政府办公室关于推进太湖湾科创带建设的实施意见</h1>
<p>各市（县）、区人民政府，市各委办局，市各直属单位：</p>
<p>为加快建设太湖湾科技创新带，经市政府同意，现提出如下意见。</p>
<h2>一、总体目标</h2>
<p>（一）发展目标。到2025年，建成具有全球影响力的太湖湾科创带，集聚一批新型研发机构。</p>
<h2>二、重点任务</h2>
<p>（二）建设算力枢纽。建设雪浪小镇算力枢纽，推动数据中心绿色低碳发展。</p>
<table border="1">
<tr><th>任务</th><th>责任单位</th></tr>
<tr><td>建设蠡湖未来产业园</td><td>市发展改革委</td></tr>
</table>
<p style="text-align:right">无锡市人民政府办公室<br>2023年3月2日</p>
</div>
<div class="footer">版权所有：无锡市人民政府办公室</div>
</body></html>
"#;

/// A minimal .docx: [Content_Types].xml, _rels/.rels, word/document.xml
/// with paragraphs, runs and a table.
fn docx_bytes() -> Vec<u8> {
    let p = |t: &str| format!(r#"<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>"#);
    let cell = |t: &str| {
        format!(
            r#"<w:tc><w:tcPr><w:tcW w:w="4000" w:type="dxa"/></w:tcPr>{}</w:tc>"#,
            p(t)
        )
    };
    let mut body = String::new();
    body += &p("苏园管〔2023〕12号");
    // A title split over two runs, as Word does.
    body += r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>苏州工业园区管理委员会关于印发《苏州工业园区促进数字经济</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>高质量发展若干措施》的通知</w:t></w:r></w:p>"#;
    body += &p("各局办、各街道、各功能区：");
    body += &p("现将《苏州工业园区促进数字经济高质量发展若干措施》印发给你们，请认真贯彻执行。");
    body += &p("一、支持数字技术创新");
    body += &p("1. 支持领军企业。对认定的数字经济领军企业，给予最高500万元研发奖励。");
    body += &p("2. 建设算力设施。支持建设金鸡湖算力调度中心，按实际投资额给予补助。");
    body += "<w:tbl><w:tblPr><w:tblW w:w=\"8000\" w:type=\"dxa\"/></w:tblPr>";
    body += &format!("<w:tr>{}{}</w:tr>", cell("任务"), cell("责任单位"));
    body += &format!(
        "<w:tr>{}{}</w:tr>",
        cell("建设独墅湖数据交易专区"),
        cell("园区经发委")
    );
    body += "</w:tbl>";
    body += &p("二、加强要素保障");
    body += &p("3. 统筹专项资金。统筹安排专项资金，支持数字经济重大项目建设。");
    body += &p("苏州工业园区管理委员会");
    body += &p("2023年5月8日");
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        ("[Content_Types].xml", content_types.to_string()),
        ("_rels/.rels", rels.to_string()),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn gbk_bytes() -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(GBK_TEXT);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    bytes.into_owned()
}

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// PDF tests need poppler's pdftotext. CI installs it; elsewhere a missing
/// pdftotext skips them with a note.
fn have_pdftotext() -> bool {
    let ok = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext is missing: apt-get install poppler-utils poppler-data"
        );
        eprintln!("note: pdftotext not installed; skipping the PDF checks (apt-get install poppler-utils poppler-data)");
    }
    ok
}

struct Expect<'a> {
    file: PathBuf,
    id: &'a str,
    title: &'a str,
    doc_number: &'a str,
    issuer: &'a str,
    date: &'a str,
    jurisdiction: &'a str,
    phrase: &'a str,
    /// Whether the original is kept beside the text (not for UTF-8 text).
    original: Option<&'a str>,
}

// ---------------------------------------------------------------- tests

#[test]
fn every_format_is_added_indexed_and_described() {
    let env = Env::new();
    let mut cases = vec![
        Expect {
            file: env.write("nanjing-talent.txt", &gbk_bytes()),
            id: "nj-2023-45",
            title: "南京市人民政府关于加快建设人才强市的若干措施",
            doc_number: "宁政发〔2023〕45号",
            issuer: "南京市人民政府",
            date: "2023-06-20",
            jurisdiction: "南京市",
            phrase: "紫金山英才实验室",
            original: Some("originals/nj-2023-45.txt"),
        },
        Expect {
            file: env.write("kunshan.md", MARKDOWN.as_bytes()),
            id: "ks-2022-30",
            title: "昆山市企业技术中心认定管理办法",
            doc_number: "昆政发〔2022〕30号",
            issuer: "昆山市人民政府",
            date: "2022-08-15",
            jurisdiction: "昆山市",
            phrase: "祖冲之攻关实验平台",
            original: None,
        },
        Expect {
            file: env.write("wuxi.html", HTML.as_bytes()),
            id: "wx-2023-7",
            title: "无锡市人民政府办公室关于推进太湖湾科创带建设的实施意见",
            doc_number: "锡政办发〔2023〕7号",
            issuer: "无锡市人民政府办公室",
            date: "2023-03-02",
            jurisdiction: "无锡市",
            phrase: "雪浪小镇算力枢纽",
            original: Some("originals/wx-2023-7.html"),
        },
        Expect {
            file: env.write("sip-digital.docx", &docx_bytes()),
            id: "sz-ip-2023-12",
            title: "苏州工业园区促进数字经济高质量发展若干措施",
            doc_number: "苏园管〔2023〕12号",
            issuer: "苏州工业园区管理委员会",
            date: "2023-05-08",
            jurisdiction: "苏州工业园区",
            phrase: "金鸡湖算力调度中心",
            original: Some("originals/sz-ip-2023-12.docx"),
        },
    ];
    if have_pdftotext() {
        cases.push(Expect {
            file: fixture("nantong-2022-18.pdf"),
            id: "nt-2022-18",
            title: "南通市人民政府关于推进海洋经济高质量发展的实施意见",
            doc_number: "通政发〔2022〕18号",
            issuer: "南通市人民政府",
            date: "2022-03-15",
            jurisdiction: "南通市",
            phrase: "深远海风电运维母港",
            original: Some("originals/nt-2022-18.pdf"),
        });
    }
    for c in &cases {
        let out = env.add(&c.file, &[]);
        assert_eq!(out.code, 0, "{}: {out:?}", c.file.display());
        assert_eq!(out.added_id(), c.id, "{out:?}");
        assert!(out.stderr.contains("indexed: 1 added"), "{out:?}");
        let m = env.meta(c.id);
        assert_eq!(m["title"], c.title, "{}", c.id);
        assert_eq!(m["doc_number"], c.doc_number, "{}", c.id);
        assert_eq!(m["issuer"], c.issuer, "{}", c.id);
        assert_eq!(m["date"], c.date, "{}", c.id);
        assert_eq!(m["jurisdiction"], c.jurisdiction, "{}", c.id);
        assert_eq!(m["source"], c.file.file_name().unwrap().to_str().unwrap());
        // The text is UTF-8 in docs/; the original bytes are kept beside it.
        let text = std::fs::read_to_string(env.corpus().join(m["file"].as_str().unwrap())).unwrap();
        assert!(text.contains(c.phrase), "{}: {text}", c.id);
        match c.original {
            Some(o) => {
                assert_eq!(m["original"], o);
                assert_eq!(
                    std::fs::read(env.corpus().join(o)).unwrap(),
                    std::fs::read(&c.file).unwrap()
                );
            }
            None => assert!(m.get("original").is_none(), "{m}"),
        }
        let (total, ids) = env.phrase(c.phrase);
        assert_eq!((total, ids), (1, vec![c.id.to_string()]), "{}", c.phrase);
    }
    // Tables arrive as tab-separated rows; site furniture is gone.
    let html = std::fs::read_to_string(env.corpus().join("docs/wx-2023-7.txt")).unwrap();
    assert!(html.contains("建设蠡湖未来产业园\t市发展改革委"), "{html}");
    for chrome in ["首页", "当前位置", "版权所有", "var menu"] {
        assert!(!html.contains(chrome), "{chrome} in {html}");
    }
    let docx = std::fs::read_to_string(env.corpus().join("docs/sz-ip-2023-12.txt")).unwrap();
    assert!(
        docx.contains("建设独墅湖数据交易专区\t园区经发委"),
        "{docx}"
    );
    assert!(
        docx.contains("2. 建设算力设施。支持建设金鸡湖算力调度中心"),
        "numbering typed as text is kept: {docx}"
    );
    assert_eq!(
        env.phrase("独墅湖数据交易专区").1,
        vec!["sz-ip-2023-12".to_string()]
    );
    assert_eq!(
        env.phrase("蠡湖未来产业园").1,
        vec!["wx-2023-7".to_string()]
    );
    // The Markdown law keeps its articles.
    let out = env.run(&["show", "ks-2022-30"]);
    assert!(out.stdout.contains("第三条"), "{out:?}");
    // `docs` lists them all; `index` has nothing left to do.
    let docs: Value = serde_json::from_str(&env.run(&["docs", "--format", "json"]).stdout).unwrap();
    assert_eq!(docs.as_array().unwrap().len(), cases.len());
    let out = env.run(&["index"]);
    assert!(
        out.stdout.contains(&format!(
            "0 added, 0 updated, 0 removed, {} unchanged",
            cases.len()
        )),
        "{out:?}"
    );
}

#[test]
fn flags_override_detection_and_are_marked_manual() {
    let env = Env::new();
    let f = env.write("talent.txt", &gbk_bytes());
    let out = env.add(
        &f,
        &[
            "--title",
            "人才强市若干措施",
            "--date",
            "2023-6-21",
            "--level",
            "sub-provincial city",
            "--issuer",
            "中共南京市委",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    // The jurisdiction follows the issuer given, and so does the id.
    let id = out.added_id();
    assert_eq!(id, "zgnjsw-2023-45");
    let m = env.meta(&id);
    assert_eq!(m["jurisdiction"], "中共南京市委");
    assert_eq!(m["title"], "人才强市若干措施");
    assert_eq!(m["date"], "2023-06-21");
    assert_eq!(m["level"], "sub-provincial city");
    assert_eq!(m["issuer"], "中共南京市委");
    assert_eq!(m["doc_number"], "宁政发〔2023〕45号", "not given: detected");
    let manual: Vec<&str> = m["manual"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(manual, ["title", "issuer", "date", "level"]);
    let catalog = std::fs::read_to_string(env.corpus().join("catalog.toml")).unwrap();
    assert!(catalog.contains("manual = ["), "{catalog}");
    // A bad date is a user error before anything happens.
    let before = env.catalog();
    let g = env.write("other.md", MARKDOWN.as_bytes());
    let out = env.add(&g, &["--date", "2023-02-30"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("--date '2023-02-30' is not a date"),
        "{out:?}"
    );
    assert_eq!(env.catalog(), before);
}

#[test]
fn duplicates_are_refused_by_original_and_by_text() {
    let env = Env::new();
    let gbk = env.write("a/talent.txt", &gbk_bytes());
    assert_eq!(env.add(&gbk, &[]).code, 0);
    let before = env.catalog();
    let snap = env.stamps();
    // The same file again, under another name.
    let copy = env.write("b/copy-of-talent.txt", &gbk_bytes());
    let out = env.add(&copy, &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("copy-of-talent.txt"), "{out:?}");
    assert!(
        out.stderr.contains("already in the corpus as 'nj-2023-45'"),
        "{out:?}"
    );
    // The same text in UTF-8: the extracted text is the same.
    let utf8 = env.write("c/talent-utf8.txt", GBK_TEXT.as_bytes());
    let out = env.add(&utf8, &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("already in the corpus as 'nj-2023-45'"),
        "{out:?}"
    );
    assert_eq!(env.catalog(), before);
    assert_eq!(env.stamps(), snap);
    // Twice in one command: the first is added, the second refused.
    let env = Env::new();
    let d1 = env.write("x.docx", &docx_bytes());
    let d2 = env.write("y.docx", &docx_bytes());
    let mut c = env.cmd();
    c.arg("add").arg(&d1).arg(&d2).arg("--no-index");
    let out = Out::of(c.output().unwrap());
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.added_id(), "sz-ip-2023-12");
    assert!(
        out.stderr.contains("refused") && out.stderr.contains("y.docx"),
        "{out:?}"
    );
    assert!(out.stderr.contains("1 added, 1 refused"), "{out:?}");
}

#[test]
fn bad_files_are_refused_and_change_nothing() {
    let env = Env::new();
    let good = env.write("good.md", MARKDOWN.as_bytes());
    assert_eq!(env.add(&good, &[]).code, 0);
    let before = env.catalog();
    let snap = env.stamps();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let mut cases: Vec<(PathBuf, &str)> = vec![
        (env.write("photo.png", &binary), "not a text file"),
        (env.write("notes.txt", &binary), "not a text file"),
        (
            env.write("english.txt", b"This memo has no Chinese in it at all.\n"),
            "no Chinese text found",
        ),
        (env.write("empty.txt", b"\n \n"), "the file is empty"),
        (
            env.write("fake.docx", "第一条 不是压缩包".as_bytes()),
            "not a .docx",
        ),
        (
            env.write("fake.pdf", "第一条 不是PDF".as_bytes()),
            "not a PDF",
        ),
        (
            env.write("old.doc", "第一条 不是Word文件".as_bytes()),
            "not a Word .doc file",
        ),
        (
            env.write(
                "empty.html",
                b"<html><body><script>x()</script></body></html>",
            ),
            "no text could be extracted",
        ),
        (env.input().join("missing.txt"), "cannot read"),
    ];
    if have_pdftotext() {
        cases.push((fixture("scanned.pdf"), "no text layer"));
        cases.push((
            env.write("broken.pdf", b"%PDF-1.4\n1 0 obj garbage\n"),
            "not a readable PDF",
        ));
    }
    for (file, reason) in &cases {
        let out = env.add(file, &[]);
        assert_eq!(out.code, 2, "{}: {out:?}", file.display());
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(out.stderr.contains(name), "{name}: {out:?}");
        assert!(out.stderr.contains(reason), "{name}: {out:?}");
        assert!(out.stdout.is_empty(), "{out:?}");
        assert_eq!(env.catalog(), before, "{name}");
        assert_eq!(env.stamps(), snap, "{name}");
    }
    // A scan without OCR: the message says what to do.
    if have_pdftotext() {
        let out = env.add(&fixture("scanned.pdf"), &["--ocr", "never"]);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stderr.contains("--ocr auto"), "{out:?}");
        assert!(out.stderr.contains("ocrmypdf"), "{out:?}");
        assert_eq!(env.stamps(), snap);
    }
}

#[test]
fn pdftotext_missing_or_hanging_is_a_refusal() {
    let env = Env::new();
    let pdf = fixture("nantong-2022-18.pdf");
    let mut c = env.cmd();
    c.env(
        "POLICY_DIFF_PDFTOTEXT",
        env.dir.path().join("no-such-pdftotext"),
    )
    .arg("add")
    .arg(&pdf);
    let out = Out::of(c.output().unwrap());
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("nantong-2022-18.pdf") && out.stderr.contains("install poppler-utils"),
        "{out:?}"
    );
    // A pdftotext that never finishes is stopped.
    let slow = env.dir.path().join("slow-pdftotext");
    std::fs::write(&slow, "#!/bin/sh\nexec sleep 30\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let good = env.write("good.md", MARKDOWN.as_bytes());
    let started = std::time::Instant::now();
    let mut c = env.cmd();
    c.env("POLICY_DIFF_PDFTOTEXT", &slow)
        .env("POLICY_DIFF_PDF_TIMEOUT", "1")
        .args(["add", "--no-index"])
        .arg(&pdf)
        .arg(&good);
    let out = Out::of(c.output().unwrap());
    assert!(started.elapsed().as_secs() < 20, "the time limit held");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("did not finish within 1 s"), "{out:?}");
    assert_eq!(
        out.added_id(),
        "ks-2022-30",
        "the run went on past the bad file"
    );
}

#[test]
fn remove_takes_a_document_out_of_corpus_and_index() {
    let env = Env::new();
    let docx = env.write("sip.docx", &docx_bytes());
    let md = env.write("ks.md", MARKDOWN.as_bytes());
    assert_eq!(env.add(&docx, &[]).code, 0);
    assert_eq!(env.add(&md, &[]).code, 0);
    assert_eq!(env.phrase("金鸡湖算力调度中心").0, 1);
    // Unknown ids: exit 2 with suggestions, nothing changes.
    let before = env.catalog();
    let out = env.run(&["remove", "sz-ip-2023-13"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("unknown document 'sz-ip-2023-13'"),
        "{out:?}"
    );
    assert!(out.stderr.contains("did you mean sz-ip-2023-12"), "{out:?}");
    assert_eq!(env.catalog(), before);
    let out = env.run(&["remove", "sz-ip-2023-12"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("removed sz-ip-2023-12"), "{out:?}");
    assert!(out.stderr.contains("1 removed"), "{out:?}");
    assert!(!env.corpus().join("docs/sz-ip-2023-12.txt").exists());
    assert!(!env.corpus().join("originals/sz-ip-2023-12.docx").exists());
    assert_eq!(env.phrase("金鸡湖算力调度中心").0, 0);
    assert_eq!(env.phrase("祖冲之攻关实验平台").0, 1);
    // It can be added again.
    let out = env.add(&docx, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(env.phrase("金鸡湖算力调度中心").0, 1);
}

#[test]
fn meta_shows_sets_and_reindexes() {
    let env = Env::new();
    let docx = env.write("sip.docx", &docx_bytes());
    assert_eq!(env.add(&docx, &[]).code, 0);
    let out = env.run(&["meta", "sz-ip-2023-12"]);
    assert_eq!(out.code, 0, "{out:?}");
    for s in [
        "苏园管〔2023〕12号",
        "苏州工业园区管理委员会",
        "2023-05-08",
        "originals/sz-ip-2023-12.docx",
    ] {
        assert!(out.stdout.contains(s), "{s}: {out:?}");
    }
    let out = env.run(&["meta", "sz-ip-2023-21"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("did you mean sz-ip-2023-12"), "{out:?}");
    // Set fields: saved, marked manual, re-indexed (search by the new jurisdiction).
    let out = env.run(&[
        "meta",
        "sz-ip-2023-12",
        "--issuer",
        "苏州市人民政府",
        "--date",
        "2023-05-09",
        "--level",
        "special zone",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("jurisdiction: 苏州工业园区 → 苏州市"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("indexed: 0 added, 1 updated"),
        "{out:?}"
    );
    let m = env.meta("sz-ip-2023-12");
    assert_eq!(m["issuer"], "苏州市人民政府");
    assert_eq!(m["jurisdiction"], "苏州市");
    assert_eq!(m["level"], "special zone");
    assert_eq!(m["date"], "2023-05-09");
    let manual: Vec<&str> = m["manual"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(manual, ["issuer", "date", "level"]);
    let out = env.run(&[
        "search",
        "\"金鸡湖算力调度中心\"",
        "--jurisdiction",
        "苏州市",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["jurisdiction"], "苏州市");
    let out = env.run(&["index"]);
    assert!(
        out.stdout
            .contains("0 added, 0 updated, 0 removed, 1 unchanged"),
        "{out:?}"
    );
    // Bad values change nothing; the same values again are no change.
    let before = env.catalog();
    let out = env.run(&["meta", "sz-ip-2023-12", "--date", "May 9"]);
    assert_eq!(out.code, 2, "{out:?}");
    let out = env.run(&["meta", "sz-ip-2023-12", "--title", " "]);
    assert_eq!(out.code, 2, "{out:?}");
    let out = env.run(&["meta", "sz-ip-2023-12", "--level", "special zone"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("unchanged"), "{out:?}");
    assert_eq!(env.catalog(), before);
    // A title sets the kind; an empty 文号 clears it.
    let out = env.run(&[
        "meta",
        "sz-ip-2023-12",
        "--title",
        "园区数字经济实施方案",
        "--doc-number",
        "",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let m = env.meta("sz-ip-2023-12");
    assert_eq!(m["kind"], "实施方案");
    assert!(m.get("doc_number").is_none(), "{m}");
    // A part of a jurisdiction the corpus has names that jurisdiction.
    let out = env.run(&["meta", "sz-ip-2023-12", "--jurisdiction", "苏州"]);
    assert_eq!(out.code, 0, "{out:?}");
    let m = env.meta("sz-ip-2023-12");
    assert_eq!(m["jurisdiction"], "苏州市");
    assert!(m["manual"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "jurisdiction"));
}

#[test]
fn a_folder_is_added_file_by_file() {
    let env = Env::new();
    let root = env.input();
    env.write("talent.txt", &gbk_bytes());
    env.write("sub/kunshan.md", MARKDOWN.as_bytes());
    env.write("sub/deeper/wuxi.htm", HTML.as_bytes());
    env.write("sub/sip.docx", &docx_bytes());
    env.write(
        "bad.txt",
        &(0..3000u32)
            .map(|i| (i * 31 % 256) as u8)
            .collect::<Vec<_>>(),
    );
    env.write("logo.png", b"\x89PNG\r\n\x1a\n");
    env.write(".hidden.txt", "第一条 隐藏文件不应加入。".as_bytes());
    env.write(".git/config.txt", "第一条 隐藏目录不应加入。".as_bytes());
    // The corpus itself inside the folder is not read again.
    let mut c = Command::cargo_bin("policy-diff").unwrap();
    let inner_corpus = root.join("corpus");
    let inner_index = root.join("index");
    std::fs::create_dir_all(&inner_corpus).unwrap();
    c.env_remove("POLICY_DIFF_CORPUS")
        .env_remove("POLICY_DIFF_INDEX")
        .arg("--corpus")
        .arg(&inner_corpus)
        .arg("--index")
        .arg(&inner_index)
        .arg("add")
        .arg(&root);
    let out = Out::of(c.output().unwrap());
    assert_eq!(out.code, 2, "one file failed: {out:?}");
    let added: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("added "))
        .collect();
    assert_eq!(added.len(), 4, "{out:?}");
    for id in ["nj-2023-45", "ks-2022-30", "wx-2023-7", "sz-ip-2023-12"] {
        assert!(
            added.iter().any(|l| l.contains(&format!(" as {id}:"))),
            "{id}: {out:?}"
        );
    }
    assert!(
        out.stderr.contains("refused") && out.stderr.contains("bad.txt: not a text file"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("skipped") && out.stderr.contains("logo.png"),
        "{out:?}"
    );
    assert!(
        !out.stderr.contains("hidden") && !out.stderr.contains(".git"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("4 added, 1 refused, 1 skipped"),
        "{out:?}"
    );
    assert!(out.stderr.contains("indexed: 4 added"), "{out:?}");
    // Adding the folder again: the corpus (now full) is skipped, everything else is a duplicate.
    let mut c = Command::cargo_bin("policy-diff").unwrap();
    c.arg("--corpus")
        .arg(&inner_corpus)
        .arg("--index")
        .arg(&inner_index)
        .arg("add")
        .arg(&root);
    let again = Out::of(c.output().unwrap());
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("0 added, 5 refused, 1 skipped"),
        "{again:?}"
    );
    assert!(!again.stderr.contains("corpus/docs"), "{again:?}");
}

#[test]
fn the_index_follows_the_catalog_after_a_crash() {
    let env = Env::new();
    let md = env.write("ks.md", MARKDOWN.as_bytes());
    assert_eq!(env.add(&md, &[]).code, 0);
    // A crash after the catalog was written and before the index was
    // updated looks like --no-index: the next reading command catches up.
    let docx = env.write("sip.docx", &docx_bytes());
    let out = env.add(&docx, &["--no-index"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("not indexed"), "{out:?}");
    let out = env.run(&["search", "\"金鸡湖算力调度中心\"", "--format", "json"]);
    assert!(out.stderr.contains("updating the index"), "{out:?}");
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["total"], 1);
    // The index forgot everything: rebuilt from the catalog.
    std::fs::remove_dir_all(env.index()).unwrap();
    assert_eq!(env.phrase("祖冲之攻关实验平台").0, 1);
    // A crash after the files were written and before the catalog: orphan
    // files that nothing reads.
    let before = env.catalog();
    std::fs::write(
        env.corpus().join("docs/orphan.txt"),
        "第一条 孤儿文件里的鹦鹉螺条款。\n",
    )
    .unwrap();
    std::fs::write(env.corpus().join("originals/orphan.pdf"), b"%PDF-1.4").unwrap();
    let out = env.run(&["index"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("0 added, 0 updated, 0 removed, 2 unchanged"),
        "{out:?}"
    );
    let out = env.run(&["index", "--rebuild"]);
    assert!(out.stdout.contains("2 added"), "{out:?}");
    assert_eq!(env.phrase("鹦鹉螺条款").0, 0);
    assert_eq!(env.catalog(), before);
    // Removing after a crash that left the text but not the catalog entry works too.
    let out = env.run(&["remove", "ks-2022-30"]);
    assert_eq!(out.code, 0, "{out:?}");
    std::fs::write(env.corpus().join("docs/ks-2022-30.txt"), MARKDOWN).unwrap();
    let out = env.add(&md, &[]);
    assert_eq!(out.code, 0, "re-adding over a leftover file: {out:?}");
    assert_eq!(env.phrase("祖冲之攻关实验平台").0, 1);
}

#[test]
fn library_add_files_adds_plain_text() {
    let env = Env::new();
    let f = env.write("ks.md", MARKDOWN.as_bytes());
    let mut c = policy_diff::corpus::Corpus::open(&env.corpus()).unwrap();
    let r = c.add_files(&[f.as_path()], &Default::default());
    assert_eq!(r[0].as_ref().unwrap().id, "ks-2022-30");
    // UTF-8 text is stored as it is, with no separate original.
    assert_eq!(
        std::fs::read(env.corpus().join("docs/ks-2022-30.txt")).unwrap(),
        MARKDOWN.as_bytes()
    );
    assert!(r[0].as_ref().unwrap().original.is_empty());
}

#[test]
fn two_adds_at_once_both_land() {
    let env = Env::new();
    let a = env.write("ks.md", MARKDOWN.as_bytes());
    let b = env.write("sip.docx", &docx_bytes());
    let spawn = |f: &Path| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("policy-diff"))
            .env_remove("POLICY_DIFF_CORPUS")
            .env_remove("POLICY_DIFF_INDEX")
            .arg("--corpus")
            .arg(env.corpus())
            .arg("--index")
            .arg(env.index())
            .arg("add")
            .arg(f)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut p, mut q) = (spawn(&a), spawn(&b));
    assert!(p.wait().unwrap().success());
    assert!(q.wait().unwrap().success());
    let docs: Value = serde_json::from_str(&env.run(&["docs", "--format", "json"]).stdout).unwrap();
    let mut ids: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["ks-2022-30", "sz-ip-2023-12"]);
    assert_eq!(env.phrase("金鸡湖算力调度中心").0, 1);
    assert_eq!(env.phrase("祖冲之攻关实验平台").0, 1);
}

/// 地方性法规 as users add them first (issue 16): the title, the bracketed
/// adoption line with the 人大常委会 and its amendments, 第一章 总则.
#[test]
fn regulations_get_issuer_jurisdiction_and_dates_from_their_adoption_lines() {
    let env = Env::new();
    let out = env.add(&fixture("regulations"), &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let out = env.run(&["docs", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let docs: Value = serde_json::from_str(&out.stdout).unwrap();
    let by_title = |t: &str| -> Value {
        docs.as_array()
            .unwrap()
            .iter()
            .find(|d| d["title"] == t)
            .unwrap_or_else(|| panic!("no {t} in {docs}"))
            .clone()
    };
    // (title, issuer, jurisdiction, level, adopted, amended)
    let expected = [
        (
            "北京经济技术开发区条例",
            "北京市人民代表大会常务委员会",
            "北京市",
            "municipality",
            "2000-09-08",
            "2015-05-29",
        ),
        (
            "宁波大榭开发区条例",
            "宁波市人民代表大会常务委员会",
            "宁波市",
            "city",
            "1996-10-31",
            "2004-06-18",
        ),
        (
            "上海市经济技术开发区条例",
            "上海市人民代表大会常务委员会",
            "上海市",
            "municipality",
            "1988-12-24",
            "2010-09-17",
        ),
        (
            "河南省开发区条例",
            "河南省人民代表大会常务委员会",
            "河南省",
            "province",
            "1994-09-01",
            "2010-07-30",
        ),
    ];
    for (title, issuer, jurisdiction, level, adopted, amended) in expected {
        let d = by_title(title);
        assert_eq!(d["issuer"], issuer, "{d}");
        assert_eq!(d["jurisdiction"], jurisdiction, "{d}");
        assert_eq!(d["level"], level, "{d}");
        assert_eq!(d["adopted"], adopted, "{d}");
        assert_eq!(d["amended"], amended, "{d}");
        // The version in force.
        assert_eq!(d["date"], amended, "{d}");
        assert_eq!(d["kind"], "条例", "{d}");
    }

    // The adoption lines are front matter: the first article is the first
    // provision diff sees, and nothing pairs with the adoption lines.
    let hn = by_title("河南省开发区条例")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bj = by_title("北京经济技术开发区条例")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = env.run(&["show", &format!("{hn}:1"), "--format", "json"]);
    let first: Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(first["kind"], "front", "{first}");
    assert_eq!(first["heading"], "题注", "{first}");
    assert_eq!(
        first["text"].as_str().unwrap().lines().count(),
        3,
        "{first}"
    );
    let second = env.run(&["show", &format!("{hn}:2"), "--format", "json"]);
    let second: Value = serde_json::from_str(&second.stdout).unwrap();
    assert_eq!(second["number"], "第一条", "{second}");
    let out = env.run(&["diff", &hn, &bj, "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("会议通过"), "{}", out.stdout);

    // An issuer set by hand that is a ministry gives 全国, not the ministry.
    let out = env.run(&["meta", &hn, "--issuer", "劳动部", "--no-index"]);
    assert_eq!(out.code, 0, "{out:?}");
    let m = env.meta(&hn);
    assert_eq!(m["jurisdiction"], "全国", "{m}");
    assert_eq!(m["level"], "national", "{m}");
}

#[test]
fn add_notes_what_it_could_not_detect_and_docs_lists_what_is_missing() {
    let env = Env::new();
    let out = env.add(&fixture("regulations/河南省开发区条例.txt"), &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let id = out.added_id();
    let note = format!(
        "note: {}: no doc number detected; set it with policy-diff meta {id} --doc-number …",
        fixture("regulations/河南省开发区条例.txt").display()
    );
    assert!(out.stderr.lines().any(|l| l == note), "{out:?}");
    // A notice without 文号, issuer or date: one line naming each.
    let notice = env.write(
        "开发区工作要点.txt",
        "开发区工作要点\n\n一、推进园区建设\n\n加快基础设施建设，完善配套功能。\n".as_bytes(),
    );
    let out = env.add(&notice, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let notice_id = out.added_id();
    let notes: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("note: "))
        .collect();
    assert_eq!(notes.len(), 1, "{out:?}");
    assert!(
        notes[0].contains("开发区工作要点.txt: no doc number, no issuer, no jurisdiction, no level, no date detected; set them with policy-diff meta"),
        "{out:?}"
    );
    // Fields given by flag are not missing.
    let given = env.write(
        "园区工作要点.txt",
        "园区工作要点\n\n一、推进园区建设\n\n加快基础设施建设，完善配套功能。\n".as_bytes(),
    );
    let out = env.add(
        &given,
        &[
            "--doc-number",
            "苏园管〔2023〕12号",
            "--issuer",
            "苏州工业园区管理委员会",
            "--date",
            "2023-05-08",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("note: "), "{out:?}");

    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["docs", "--format", "json"];
        all.extend(args);
        let out = env.run(&all);
        assert_eq!(out.code, 0, "{out:?}");
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&["--missing", "issuer"]), vec![notice_id.clone()]);
    assert_eq!(ids(&["--missing", "jurisdiction"]), vec![notice_id.clone()]);
    assert_eq!(ids(&["--missing", "date"]), vec![notice_id.clone()]);
    assert_eq!(ids(&["--missing", "level"]), vec![notice_id.clone()]);
    assert_eq!(
        ids(&["--missing", "doc_number"]),
        vec![id.clone(), notice_id.clone()]
    );
    assert!(ids(&["--missing", "title"]).is_empty());
    assert_eq!(ids(&[]).len(), 3);
    // Text output too.
    let out = env.run(&["docs", "--missing", "issuer"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 1, "{out:?}");
    // An unknown field: exit 2 with the list.
    let out = env.run(&["docs", "--missing", "colour"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("unknown field 'colour'"), "{out:?}");
    assert!(
        out.stderr
            .contains("hint: the fields are title, doc_number, issuer, jurisdiction, level, date"),
        "{out:?}"
    );
}
