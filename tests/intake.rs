//! Issue 19: documents as governments publish them. .doc and .wps through
//! LibreOffice, OFD packages built here from the standard's structure,
//! scans read by OCR (a seed passage rendered to an image-only PDF),
//! manifests, near-duplicates; every converter failure (missing, hung,
//! crashing, bad input) exits 2 naming the file and leaves the corpus and
//! the index byte for byte as they were, and no scratch files behind.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{Env, Out};

/// What only these tests ask of the harness.
impl Env {
    fn text_of(&self, id: &str) -> String {
        std::fs::read_to_string(self.corpus().join(format!("docs/{id}.txt"))).unwrap()
    }
    /// What converters left in TMPDIR.
    fn leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.tmp())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
    /// An executable script in the test folder.
    fn script(&self, name: &str, body: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        p
    }
    /// A corpus with one Markdown document, indexed.
    fn seeded(&self) {
        let md = self.write("kunshan.md", MARKDOWN.as_bytes());
        let out = self.add(&md, &[]);
        assert_eq!(out.code, 0, "{out:?}");
    }
}

const MARKDOWN: &str = "# 昆山市企业技术中心认定管理办法\n\n昆政发〔2022〕30号\n\n\
    第一条 为推动企业建立健全技术创新体系，制定本办法。\n\n\
    第二条 申请认定的企业应当设立研发机构，并建有祖冲之攻关实验平台。\n\n\
    昆山市人民政府\n\n2022年8月15日\n";

/// Converter tests need the Debian packages `.ci/test` installs; elsewhere
/// a missing tool skips them with a note (CI fails instead).
fn have(program: &str, package: &str) -> bool {
    let ok = std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is missing: apt-get install {package} (./.ci/test does)"
        );
        eprintln!("note: {program} not installed; skipping (apt-get install {package})");
    }
    ok
}

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures").join(name)
}

/// Every failure below must look the same from outside: exit 2, the file
/// named, the reason given, nothing changed, nothing left in TMPDIR.
fn assert_refused_cleanly(
    env: &Env,
    out: &Out,
    file: &Path,
    reason: &str,
    before: &BTreeMap<PathBuf, Vec<u8>>,
) {
    assert_eq!(out.code, 2, "{out:?}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(out.stderr.contains(name), "{name}: {out:?}");
    assert!(out.stderr.contains(reason), "{reason}: {out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(
        env.snapshot() == *before,
        "{name}: the corpus or index changed"
    );
    assert_eq!(
        env.leftovers(),
        Vec::<String>::new(),
        "{name}: scratch files left"
    );
}

// ------------------------------------------------------------ .doc and .wps

#[test]
fn doc_and_wps_are_read_through_libreoffice_with_their_tables() {
    if !have("soffice", "libreoffice-writer-nogui") {
        return;
    }
    let env = Env::new();
    let out = env.add(&fixture("wuxi-2023-9.doc"), &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.added_id(), "wx-2023-9");
    let m = env.meta("wx-2023-9");
    assert_eq!(
        m["title"],
        "无锡市人民政府关于加快发展物联网产业的若干政策措施"
    );
    assert_eq!(m["doc_number"], "锡政发〔2023〕9号");
    assert_eq!(m["date"], "2023-04-06");
    assert_eq!(m["original"], "originals/wx-2023-9.doc");
    let text = env.text_of("wx-2023-9");
    // Table rows stay rows, as tab-separated cells, wrapped cells whole.
    assert!(
        text.contains("1\t建设太湖传感谷中试基地\t市工业和信息化局"),
        "{text}"
    );
    assert!(
        text.contains("2\t建设蠡园物联网数据港\t市发展改革委"),
        "{text}"
    );
    assert!(
        text.contains(
            "（一）支持建设鸿山物联网小镇。对新认定的国家级创新平台，给予最高1000万元支持。"
        ),
        "{text}"
    );
    assert_eq!(env.phrase("蠡园物联网数据港").1, ["wx-2023-9"]);
    let show = env.run(&["show", "wx-2023-9"]);
    assert!(show.stdout.contains("（三）引进物联网领军人才"), "{show:?}");
    // A .wps (WPS Office writes the Word-compatible binary format).
    let out = env.add(&fixture("changzhou-2023-4.wps"), &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let id = out.added_id();
    assert_eq!(env.meta(&id)["doc_number"], "常政办发〔2023〕4号");
    assert_eq!(env.meta(&id)["original"], format!("originals/{id}.wps"));
    assert_eq!(env.phrase("金坛储能产业园").1, [id.as_str()]);
    assert_eq!(env.leftovers(), Vec::<String>::new(), "scratch files left");
}

#[test]
fn office_failures_exit_2_name_the_file_and_change_nothing() {
    if !have("soffice", "libreoffice-writer-nogui") {
        return;
    }
    let env = Env::new();
    env.seeded();
    let before = env.snapshot();
    let doc = std::fs::read(fixture("wuxi-2023-9.doc")).unwrap();
    // Truncated: the OLE header is there, the streams are not.
    let truncated = env.write("truncated.doc", &doc[..doc.len() / 3]);
    let out = env.add(&truncated, &[]);
    assert_refused_cleanly(&env, &out, &truncated, "truncated.doc", &before);
    // Garbage after a valid signature.
    let garbage: Vec<u8> = doc[..8]
        .iter()
        .copied()
        .chain((0..20_000u32).map(|i| (i * 7919 % 251) as u8))
        .collect();
    let garbage = env.write("garbage.wps", &garbage);
    let out = env.add(&garbage, &[]);
    assert_refused_cleanly(&env, &out, &garbage, "garbage.wps", &before);
    // LibreOffice missing: the refusal names the package.
    let good = env.write("-wuxi.doc", &doc);
    let out = env.run_env(
        &["add", good.to_str().unwrap()],
        &[("POLICY_DIFF_SOFFICE", "/nonexistent/soffice")],
    );
    assert_refused_cleanly(&env, &out, &good, "libreoffice-writer-nogui", &before);
    // A converter that hangs (and forks a helper that holds its output
    // open, as soffice's launcher does) is killed at the limit.
    let hang = env.script("soffice", "sleep 60 &\nsleep 60");
    let started = std::time::Instant::now();
    let out = env.run_env(
        &["add", good.to_str().unwrap()],
        &[
            ("POLICY_DIFF_SOFFICE", hang.to_str().unwrap()),
            ("POLICY_DIFF_CONVERT_TIMEOUT", "1"),
        ],
    );
    assert!(started.elapsed().as_secs() < 20, "the limit held");
    assert_refused_cleanly(&env, &out, &good, "did not finish within 1 s", &before);
    // One that crashes.
    let crash = env.script("crash-soffice", "kill -SEGV $$");
    let out = env.run_env(
        &["add", good.to_str().unwrap()],
        &[("POLICY_DIFF_SOFFICE", crash.to_str().unwrap())],
    );
    assert_refused_cleanly(&env, &out, &good, "LibreOffice could not read it", &before);
    // And the same file, converter working, is added (a name with a leading '-').
    let out = env.add(&good, &[]);
    assert_eq!(out.code, 0, "{out:?}");
}

/// Ctrl-C during a conversion reaches the converter: its process group is
/// killed at once (not at its time limit), its scratch folder removed, the
/// corpus and index unchanged, exit 130. The same for SIGTERM.
#[test]
fn ctrl_c_stops_a_hung_converter_and_changes_nothing() {
    let env = Env::new();
    env.seeded();
    let before = env.snapshot();
    let doc = std::fs::read(fixture("wuxi-2023-9.doc")).unwrap();
    let good = env.write("wuxi.doc", &doc);
    // A converter that hangs, with a helper in its group; it says when it
    // started and who it is.
    let marker = env.dir.path().join("started");
    let hang = env.script(
        "soffice",
        &format!(
            "sleep 120 &\necho $! > {m}.tmp && mv {m}.tmp {m}\nsleep 120",
            m = marker.display()
        ),
    );
    for signal in ["-INT", "-TERM"] {
        let _ = std::fs::remove_file(&marker);
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("policy-diff"))
            .arg("--corpus")
            .arg(env.corpus())
            .arg("--index")
            .arg(env.index())
            .args(["add", good.to_str().unwrap()])
            .env("TMPDIR", env.tmp())
            .env("POLICY_DIFF_SOFFICE", &hang)
            // The limit is far away: only the signal can end it.
            .env("POLICY_DIFF_CONVERT_TIMEOUT", "300")
            .env_remove("POLICY_DIFF_CORPUS")
            .env_remove("POLICY_DIFF_INDEX")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut waited = 0;
        while !marker.exists() {
            assert!(waited < 600, "the converter never started");
            std::thread::sleep(std::time::Duration::from_millis(100));
            waited += 1;
        }
        let helper = std::fs::read_to_string(&marker).unwrap().trim().to_string();
        assert!(std::path::Path::new("/proc").join(&helper).exists());
        assert!(std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap()
            .success());
        let out = child.wait_with_output().unwrap();
        let out = Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_eq!(out.code, 130, "{signal}: {out:?}");
        assert!(
            out.stderr.contains("wuxi.doc") && out.stderr.contains("interrupted"),
            "{signal}: {out:?}"
        );
        assert!(out.stdout.is_empty(), "{out:?}");
        assert!(
            env.snapshot() == before,
            "{signal}: the corpus or index changed"
        );
        assert_eq!(
            env.leftovers(),
            Vec::<String>::new(),
            "{signal}: scratch left"
        );
        // The helper in the converter's group is gone too (reaped by init,
        // it may linger a moment as a zombie, which /proc/PID/stat shows).
        let gone = |pid: &str| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|s| s.split(") ").nth(1).is_some_and(|r| r.starts_with('Z')))
                .unwrap_or(true)
        };
        let mut waited = 0;
        while !gone(&helper) {
            assert!(
                waited < 100,
                "{signal}: the converter's helper {helper} still runs"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
            waited += 1;
        }
    }
    // And the corpus takes the file once the converter works.
    if have("soffice", "libreoffice-writer-nogui") {
        let out = env.add(&good, &[]);
        assert_eq!(out.code, 0, "{out:?}");
    }
}

// ------------------------------------------------------------------- OFD

/// One text object: Boundary origin (mm), font size, and the codes in it:
/// (X, Y, DeltaX, text) relative to the boundary.
struct Obj<'a> {
    x: f64,
    y: f64,
    size: f64,
    codes: Vec<(f64, f64, Option<&'a str>, &'a str)>,
}

/// A line of text at (x, y) set at `size` with even advances.
fn line(x: f64, y: f64, size: f64, text: &str) -> Obj<'_> {
    Obj {
        x,
        y,
        size,
        codes: vec![(0.0, size, None, text)],
    }
}

/// An OFD package as GB/T 33190 lays it out: OFD.xml → Doc_0/Document.xml →
/// Doc_0/Pages/Page_N/Content.xml, with a font resource and a template.
fn ofd(pages: &[Vec<Obj<'_>>]) -> Vec<u8> {
    let ns = r#"xmlns:ofd="http://www.ofdspec.org/2016""#;
    let ofd_xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>6f8b2c</ofd:DocID><ofd:Creator>test</ofd:Creator></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"#
    );
    let page_refs: String = (0..pages.len())
        .map(|i| {
            format!(
                r#"<ofd:Page ID="{}" BaseLoc="Pages/Page_{i}/Content.xml"/>"#,
                10 + i
            )
        })
        .collect();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData><ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>"#
    );
    let res = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Res {ns} BaseLoc="Res"><ofd:Fonts><ofd:Font ID="3" FontName="仿宋_GB2312" FamilyName="仿宋"/></ofd:Fonts></ofd:Res>"#
    );
    // The template draws only a rule: no text.
    let tpl = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="4"><ofd:PathObject ID="5" Boundary="20 30 170 1"><ofd:AbbreviatedData>M 0 0 L 170 0</ofd:AbbreviatedData></ofd:PathObject></ofd:Layer></ofd:Content></ofd:Page>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut parts = vec![
        ("OFD.xml".to_string(), ofd_xml),
        ("Doc_0/Document.xml".to_string(), document),
        ("Doc_0/PublicRes.xml".to_string(), res),
        ("Doc_0/Tpls/Tpl_0/Content.xml".to_string(), tpl),
    ];
    let mut id = 100;
    for (i, objs) in pages.iter().enumerate() {
        let mut body = String::new();
        for o in objs {
            id += 1;
            body += &format!(
                r#"<ofd:TextObject ID="{id}" Boundary="{} {} 170 {}" Font="3" Size="{}"><ofd:FillColor Value="0 0 0"/>"#,
                o.x,
                o.y,
                o.size * 1.5,
                o.size
            );
            for (x, y, dx, text) in &o.codes {
                let n = text.chars().count();
                let dx = match dx {
                    Some(d) => d.to_string(),
                    None if n > 1 => format!("g {} {}", n - 1, o.size),
                    None => String::new(),
                };
                let dx = if dx.is_empty() {
                    String::new()
                } else {
                    format!(r#" DeltaX="{dx}""#)
                };
                let text = text.replace('&', "&amp;").replace('<', "&lt;");
                body += &format!(r#"<ofd:TextCode X="{x}" Y="{y}"{dx}>{text}</ofd:TextCode>"#);
            }
            body += "</ofd:TextObject>";
        }
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Template TemplateID="2" ZOrder="Background"/><ofd:Content><ofd:Layer ID="{}" Type="Body"><ofd:PageBlock ID="{}">{body}</ofd:PageBlock></ofd:Layer></ofd:Content></ofd:Page>"#,
            id + 1,
            id + 2
        );
        id += 2;
        parts.push((format!("Doc_0/Pages/Page_{i}/Content.xml"), content));
    }
    for (name, text) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A notice over two pages, as OFD: lines wrapped at the text width, a
/// sentence going on across the page break, a page number, text of one
/// line split over several objects and codes, and a task table whose
/// second column wraps.
fn ofd_notice() -> Vec<u8> {
    let s = 4.2; // 三号 is about 5.6 mm; body text here in 4.2 mm
                 // 38 characters per line (160 mm / 4.2 mm).
    let page1 = vec![
        line(30.0, 40.0, s, "扬政发〔2023〕15号"),
        line(
            40.0,
            55.0,
            6.0,
            "扬州市人民政府关于推进运河文化带建设的意见",
        ),
        line(25.0, 75.0, s, "各县（市、区）人民政府，市各部门："),
        line(33.4, 82.0, s, "为保护传承利用大运河文化，现提出如下意见。"),
        line(33.4, 89.0, s, "一、总体要求"),
        // 第一条-style heading and its text in separate objects and fonts,
        // the text split again into two codes.
        line(33.4, 96.0, s, "（一）"),
        Obj {
            x: 33.4 + 3.0 * s,
            y: 96.0,
            size: s,
            codes: vec![
                (0.0, s, None, "发展目标。到2025年，建成"),
                (14.0 * s, s, None, "瘦西湖运河文化展示中心，"),
            ],
        },
        line(
            25.0,
            103.0,
            s,
            "形成一批具有国际影响力的文化品牌，推动文旅融合发展取得明显成效，",
        ),
        line(
            25.0,
            110.0,
            s,
            "全面提升运河沿线城乡面貌，建设高品质生态廊道和文化旅游目的地，",
        ),
        line(100.0, 285.0, s, "— 1 —"),
    ];
    let page2 = vec![
        line(25.0, 40.0, s, "打造世界级运河文化旅游带。"),
        line(33.4, 47.0, s, "二、重点任务"),
        line(
            33.4,
            54.0,
            s,
            "（二）建设邵伯古镇船闸遗产公园，加强遗产本体保护。",
        ),
        // A table: 序号 | 任务 | 责任单位, the task wrapping to a second line.
        line(25.0, 70.0, s, "序号"),
        line(50.0, 70.0, s, "任务"),
        line(140.0, 70.0, s, "责任单位"),
        line(25.0, 78.0, s, "1"),
        line(50.0, 78.0, s, "建设东关街运河非遗"),
        line(140.0, 78.0, s, "市文广旅局"),
        line(50.0, 84.0, s, "展示馆"),
        line(25.0, 92.0, s, "2"),
        line(50.0, 92.0, s, "建设湾头古镇码头"),
        line(140.0, 92.0, s, "广陵区政府"),
        line(140.0, 200.0, s, "扬州市人民政府"),
        line(140.0, 207.0, s, "2023年5月20日"),
        line(100.0, 285.0, s, "— 2 —"),
    ];
    ofd(&[page1, page2])
}

#[test]
fn ofd_text_objects_become_lines_paragraphs_and_table_rows() {
    let env = Env::new();
    let f = env.write("yangzhou.ofd", &ofd_notice());
    let out = env.add(&f, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.added_id(), "yz-2023-15");
    let m = env.meta("yz-2023-15");
    assert_eq!(m["title"], "扬州市人民政府关于推进运河文化带建设的意见");
    assert_eq!(m["doc_number"], "扬政发〔2023〕15号");
    assert_eq!(m["date"], "2023-05-20");
    assert_eq!(m["original"], "originals/yz-2023-15.ofd");
    let text = env.text_of("yz-2023-15");
    // Objects and codes of one printed line are one line.
    assert!(
        text.contains("（一）发展目标。到2025年，建成瘦西湖运河文化展示中心，\n"),
        "{text}"
    );
    // Table rows: cells tab-separated, the wrapped cell as its continuation.
    assert!(text.contains("序号\t任务\t责任单位\n"), "{text}");
    assert!(
        text.contains("1\t建设东关街运河非遗\t市文广旅局\n\t展示馆\n"),
        "{text}"
    );
    assert!(text.contains("2\t建设湾头古镇码头\t广陵区政府\n"), "{text}");
    // The layout stage rejoins lines and the page break, drops page numbers.
    let show = env.run(&["show", "yz-2023-15", "--format", "json"]);
    let ps: Value = serde_json::from_str(&show.stdout).unwrap();
    let texts: Vec<&str> = ps
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    let goal = texts
        .iter()
        .find(|t| t.contains("发展目标"))
        .expect("（一） is a provision");
    assert!(
        goal.contains("文化展示中心，形成一批具有国际影响力的文化品牌，推动文旅融合发展取得明显成效，全面提升运河沿线城乡面貌，建设高品质生态廊道和文化旅游目的地，打造世界级运河文化旅游带。"),
        "{goal}"
    );
    assert!(!texts.iter().any(|t| t.contains("— 1 —")), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("建设东关街运河非遗展示馆")),
        "{texts:?}"
    );
    assert_eq!(env.phrase("邵伯古镇船闸遗产公园").1, ["yz-2023-15"]);
}

#[test]
fn bad_ofd_packages_are_refused_and_change_nothing() {
    let env = Env::new();
    env.seeded();
    let before = env.snapshot();
    let good = ofd_notice();
    // A corrupt zip: cut in the middle.
    let corrupt = env.write("corrupt.ofd", &good[..good.len() / 2]);
    let out = env.add(&corrupt, &[]);
    assert_refused_cleanly(&env, &out, &corrupt, "zip archive is damaged", &before);
    // A package whose pages have no text objects (a scan wrapped in OFD).
    let scan = env.write("scan.ofd", &ofd(&[vec![]]));
    let out = env.add(&scan, &[]);
    assert_refused_cleanly(&env, &out, &scan, "no text objects", &before);
    // A zip that is not an OFD package.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all("说明".as_bytes()).unwrap();
    let other = env.write("other.ofd", &zip.finish().unwrap().into_inner());
    let out = env.add(&other, &[]);
    assert_refused_cleanly(&env, &out, &other, "OFD.xml is missing", &before);
}

// ------------------------------------------------------------------- OCR

/// A seed passage of more than 500 characters with its numbering: the
/// first measures of 连政发〔2021〕25号.
fn seed_passage() -> String {
    let seed = common::seed_text("004_");
    let start = seed.find("一、").expect("numbered part");
    let mut out = String::new();
    for line in seed[start..].lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('—') || line.starts_with('-') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if out.chars().count() > 650 {
            break;
        }
    }
    out
}

/// Levenshtein distance over characters (whitespace removed first).
fn char_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().filter(|c| !c.is_whitespace()).collect();
    let b: Vec<char> = b.chars().filter(|c| !c.is_whitespace()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Render `text` to an image-only PDF: LibreOffice sets it (Noto CJK) as a
/// text PDF, pdftoppm rasterizes it to grey PGM pages, and the pages are
/// wrapped here in a PDF holding only images (no text layer, as a scanner
/// makes).
fn scanned_pdf(env: &Env, text: &str) -> PathBuf {
    let work = env.dir.path().join("render");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("passage.txt"), text).unwrap();
    let ok = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            work.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&work)
        .arg(work.join("passage.txt"))
        .output()
        .unwrap();
    assert!(work.join("passage.pdf").is_file(), "{ok:?}");
    let st = std::process::Command::new("pdftoppm")
        .args(["-r", "200", "-gray"])
        .arg(work.join("passage.pdf"))
        .arg(work.join("page"))
        .status()
        .unwrap();
    assert!(st.success());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pgm"))
        .collect();
    pages.sort();
    assert!(!pages.is_empty());
    let images: Vec<(usize, usize, Vec<u8>)> = pages.iter().map(|p| read_pgm(p)).collect();
    let pdf = image_pdf(&images);
    let out = env.input().join("scan.pdf");
    std::fs::write(&out, pdf).unwrap();
    out
}

/// A binary PGM (P5): width, height, pixels.
fn read_pgm(p: &Path) -> (usize, usize, Vec<u8>) {
    let b = std::fs::read(p).unwrap();
    let mut fields = vec![];
    let mut i = 0;
    while fields.len() < 4 {
        while b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !b[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&b[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, b[i + 1..].to_vec())
}

/// A PDF of image pages only (8-bit grey, uncompressed), A4 at 200 dpi.
fn image_pdf(pages: &[(usize, usize, Vec<u8>)]) -> Vec<u8> {
    let mut out: Vec<u8> = b"%PDF-1.4\n".to_vec();
    let mut offsets = vec![];
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, then per page: page, image, content.
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 3 + 3 * i)).collect();
    let mut objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
    ];
    for (i, (w, h, px)) in pages.iter().enumerate() {
        let (pw, ph) = (*w as f64 * 72.0 / 200.0, *h as f64 * 72.0 / 200.0);
        let page = 3 + 3 * i;
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2} {ph:.2}] /Resources << /XObject << /Im0 {} 0 R >> >> /Contents {} 0 R >>",
                page + 1,
                page + 2
            )
            .into_bytes(),
        );
        let mut img = format!(
            "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
            px.len()
        )
        .into_bytes();
        img.extend(px);
        img.extend(b"\nendstream");
        objs.push(img);
        let content = format!("q {pw:.2} 0 0 {ph:.2} 0 0 cm /Im0 Do Q");
        objs.push(
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            )
            .into_bytes(),
        );
    }
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(o);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn a_scanned_passage_is_read_back_by_ocr_with_its_numbering() {
    if !have("soffice", "libreoffice-writer-nogui")
        || !have("tesseract", "tesseract-ocr tesseract-ocr-chi-sim")
        || !have("pdftoppm", "poppler-utils")
    {
        return;
    }
    let env = Env::new();
    let passage = seed_passage();
    assert!(passage.chars().count() >= 500, "{passage}");
    let scan = scanned_pdf(&env, &passage);
    // Really a scan: no text layer.
    let layer = std::process::Command::new("pdftotext")
        .arg(&scan)
        .arg("-")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&layer.stdout).trim().is_empty());
    // --ocr never keeps today's refusal.
    let before = env.snapshot();
    let out = env.add(&scan, &["--ocr", "never"]);
    assert_refused_cleanly(&env, &out, &scan, "no text layer", &before);
    assert!(out.stderr.contains("--ocr auto"), "{out:?}");
    // The default reads it.
    let out = env.add(&scan, &["--title", "高新区高质量发展意见（扫描件）"]);
    assert_eq!(out.code, 0, "{out:?}");
    let id = out.added_id();
    assert!(
        out.stdout.contains("read by OCR, mean confidence"),
        "{out:?}"
    );
    let text = env.text_of(&id);
    let d = char_distance(&passage, &text);
    let n = passage.chars().filter(|c| !c.is_whitespace()).count();
    let share = 1.0 - d as f64 / n as f64;
    assert!(share >= 0.95, "{share:.3} of {n} characters back:\n{text}");
    // The numbering comes back as provisions.
    let show = env.run(&["show", &id, "--format", "json"]);
    let ps: Value = serde_json::from_str(&show.stdout).unwrap();
    let headings: Vec<String> = ps
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            let mut v: Vec<String> = p["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_string())
                .collect();
            v.push(p["heading"].as_str().unwrap().to_string());
            v
        })
        .collect();
    for marker in ["一、", "（一）", "（二）", "（三）"] {
        assert!(
            headings.iter().any(|h| h.starts_with(marker)),
            "{marker} not a provision or section: {headings:?}"
        );
    }
    eprintln!("OCR: {share:.4} of {n} characters back");
    // Marked as OCR'd in the catalog, `show` and `export`.
    let conf: f64 = env.meta(&id)["ocr"].as_str().unwrap().parse().unwrap();
    assert!(conf > 50.0 && conf <= 100.0, "{conf}");
    let show = env.run(&["show", &id]);
    assert!(
        show.stdout.contains("OCR: text recognized from a scan"),
        "{show:?}"
    );
    let export = env.run(&["export"]);
    let first: Value = serde_json::from_str(export.stdout.lines().next().unwrap()).unwrap();
    assert!(first["ocr_confidence"].as_f64().unwrap() > 50.0, "{first}");
    assert_eq!(env.leftovers(), Vec::<String>::new(), "scratch files left");
}

#[test]
fn ocr_of_an_image_and_a_hung_renderer() {
    if !have("tesseract", "tesseract-ocr tesseract-ocr-chi-sim")
        || !have("pdftoppm", "poppler-utils")
    {
        return;
    }
    let env = Env::new();
    env.seeded();
    // The text PDF fixture, rendered to a PNG: an image to add.
    let st = std::process::Command::new("pdftoppm")
        .args(["-r", "200", "-gray", "-png", "-singlefile"])
        .arg(fixture("nantong-2022-18.pdf"))
        .arg(env.input().join("nantong"))
        .status()
        .unwrap();
    assert!(st.success());
    let png = env.input().join("nantong.png");
    let before = env.snapshot();
    // A renderer that hangs on a page, simulated with a 1 s limit.
    let hang = env.script("pdftoppm", "sleep 60");
    let pdf = env.input().join("nantong-scan.pdf");
    std::fs::copy(fixture("nantong-2022-18.pdf"), &pdf).unwrap();
    let out = env.run_env(
        &["add", pdf.to_str().unwrap(), "--ocr", "always"],
        &[
            ("POLICY_DIFF_PDFTOPPM", hang.to_str().unwrap()),
            ("POLICY_DIFF_OCR_TIMEOUT", "1"),
        ],
    );
    assert_refused_cleanly(
        &env,
        &out,
        &pdf,
        "page 1: pdftoppm did not finish within 1 s",
        &before,
    );
    // Tesseract missing: the refusal names the packages.
    let out = env.run_env(
        &["add", png.to_str().unwrap()],
        &[("POLICY_DIFF_TESSERACT", "/nonexistent/tesseract")],
    );
    assert_refused_cleanly(&env, &out, &png, "tesseract-ocr-chi-sim", &before);
    // --ocr never refuses images.
    let out = env.add(&png, &["--ocr", "never"]);
    assert_refused_cleanly(&env, &out, &png, "--ocr never", &before);
    // Read for real.
    let out = env.add(&png, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let id = out.added_id();
    assert_eq!(id, "nt-2022-18");
    assert_eq!(env.meta(&id)["doc_number"], "通政发〔2022〕18号");
    assert!(
        env.text_of(&id).contains("深远海风电运维母港"),
        "{}",
        env.text_of(&id)
    );
}

// -------------------------------------------------------------- manifests

#[test]
fn a_manifest_adds_every_row_or_nothing() {
    let env = Env::new();
    env.seeded();
    let md = |title: &str, place: &str, n: u32| {
        format!(
            "# {place}人民政府关于{title}的通知\n\n{place}政发〔2023〕{n}号\n\n\
             一、总体要求\n\n（一）推进{title}，建设{place}{title}示范区。\n\n\
             {place}人民政府\n\n2023年3月{n}日\n"
        )
    };
    env.write("m/a.md", md("数字政府建设", "泰州市", 3).as_bytes());
    env.write("m/sub/b.md", md("绿色港口建设", "盐城市", 5).as_bytes());
    let manifest = env.write(
        "m/list.csv",
        "path,title,jurisdiction,level,date\n\
         a.md,,,city,\n\
         sub/b.md,盐城绿色港口通知,盐城市,,2023-03-06\n\
         missing.md,,,,\n\
         ,无路径,,,\n"
            .as_bytes(),
    );
    let before = env.snapshot();
    let out = env.run(&["add", "--manifest", manifest.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("row 4 ("), "{out:?}");
    assert!(out.stderr.contains("missing.md"), "{out:?}");
    assert!(
        out.stderr.contains("row 5") && out.stderr.contains("no path"),
        "{out:?}"
    );
    assert!(out.stderr.contains("0 added, 2 refused"), "{out:?}");
    assert!(out.stderr.contains("--partial"), "{out:?}");
    assert!(env.snapshot() == before, "nothing half-added");
    // --partial adds the rows that can be, with their cells as metadata.
    let out = env.run(&["add", "--manifest", manifest.to_str().unwrap(), "--partial"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("2 added, 2 refused"), "{out:?}");
    let a = env.meta("tz-2023-3");
    assert_eq!(a["level"], "city");
    assert_eq!(a["date"], "2023-03-03");
    let b = env.meta("yc-2023-5");
    assert_eq!(b["title"], "盐城绿色港口通知");
    assert_eq!(b["date"], "2023-03-06");
    assert_eq!(b["source"], "b.md");
    let manual: Vec<&str> = b["manual"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(manual, ["title", "date", "jurisdiction"]);
    // A bad header says which columns there are.
    let bad = env.write("m/bad.csv", b"file,title\na.md,x\n");
    let out = env.run(&["add", "--manifest", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("unknown column 'file'") && out.stderr.contains("doc_number"),
        "{out:?}"
    );
}

// ------------------------------------------------------- near-duplicates

#[test]
fn the_same_document_in_another_form_is_a_near_duplicate() {
    let env = Env::new();
    let web = "无锡市人民政府关于加快发展集成电路产业的实施意见\n锡政发〔2023〕21号\n\
        各市（县）、区人民政府，市各委办局：\n为加快建设集成电路产业高地，现提出如下意见。\n\
        一、提升创新能力\n（一）建设新吴集成电路设计园。对新设立的设计企业给予房租补贴，\
        对流片费用给予最高三百万元补助。\n（二）支持封装测试企业技术改造，按设备投资额给予补助。\n\
        二、强化要素保障\n（三）设立集成电路产业基金，重点投向制造和装备材料项目。\n\
        （四）优先保障重大项目用地，落实用电价格支持政策。\n无锡市人民政府\n2023年9月1日\n";
    let a = env.write("web.txt", web.as_bytes());
    let out = env.add(&a, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let id = out.added_id();
    // The same text as a PDF extraction gives it: lines broken at the page
    // width, a page number, a running header, different spaces.
    let pdf_like = web
        .replace("对流片费用", "对流片\n费用")
        .replace("二、强化要素保障", "— 1 —\n\n二、强化要素保障")
        .replace("（三）", "  （三） ");
    let b = env.write("from-pdf.txt", pdf_like.as_bytes());
    let before = env.snapshot();
    let out = env.add(&b, &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("from-pdf.txt")
            && out.stderr.contains(&format!("the same text as '{id}'"))
            && out.stderr.contains("--allow-near-duplicate"),
        "{out:?}"
    );
    assert!(env.snapshot() == before);
    // A revision that changes a measure is not a near duplicate.
    let revised = web.replace(
        "（四）优先保障重大项目用地，落实用电价格支持政策。",
        "（四）对新引进的晶圆制造项目，按固定资产投资给予最高五亿元奖励。",
    );
    let c = env.write("revised.txt", revised.as_bytes());
    let out = env.add(&c, &["--no-index"]);
    assert_eq!(out.code, 0, "{out:?}");
    // Kept on request.
    let out = env.add(&b, &["--allow-near-duplicate"]);
    assert_eq!(out.code, 0, "{out:?}");
}
