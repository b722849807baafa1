//! A real browser: Debian's chromium driven through chromedriver (WebDriver over HTTP).

use crate::helpers::*;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};

struct Driver {
    child: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.agent.delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.child.kill();
    }
}

impl Driver {
    fn start() -> Option<Driver> {
        let (Ok(_), Ok(_)) = (which("chromedriver"), which("chromium")) else {
            assert!(std::env::var("CI").is_err(), "CI must have chromium and chromedriver");
            eprintln!("chromium/chromedriver not installed: browser test skipped outside CI");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let base = format!("http://127.0.0.1:{port}");
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let profile = tmpdir();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1200,1600",
                     format!("--user-data-dir={}", profile.display())]}}}});
        for _ in 0..100 {
            if let Ok(mut r) = agent.post(&format!("{base}/session")).send_json(&caps) {
                let v: Value = r.body_mut().read_json().unwrap_or_default();
                if let Some(s) = v["value"]["sessionId"].as_str() {
                    return Some(Driver { child, base, session: s.to_string(), agent });
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("chromedriver did not start a session");
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        // While a page loads, an element can go stale between finding and reading it; the
        // callers poll, so a failed command reads as nothing rather than ending the test.
        let r = if method == "GET" { self.agent.get(&url).call() } else { self.agent.post(&url).send_json(&body) };
        match r {
            Ok(mut r) => r.body_mut().read_json::<Value>().map(|v| v["value"].clone()).unwrap_or_default(),
            Err(_) => Value::Null,
        }
    }
    fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }
    fn find(&self, css: &str) -> String {
        let v = self.cmd("POST", "/element", json!({"using": "css selector", "value": css}));
        v.as_object()
            .filter(|o| !o.contains_key("error"))
            .and_then(|o| o.values().next())
            .and_then(|x| x.as_str())
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }
    fn typ(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/value"), json!({"text": text}));
    }
    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), json!({}));
    }
    fn text(&self) -> String {
        let v = self.cmd("POST", "/element", json!({"using": "css selector", "value": "body"}));
        let Some(b) =
            v.as_object().filter(|o| !o.contains_key("error")).and_then(|o| o.values().next()).and_then(|x| x.as_str())
        else {
            return String::new();
        };
        self.cmd("GET", &format!("/element/{b}/text"), json!({})).as_str().unwrap_or_default().to_string()
    }
    /// The page text once it contains `want` (the browser may still be loading the next page).
    fn text_with(&self, want: &str) -> String {
        let mut last = String::new();
        for _ in 0..200 {
            last = self.text();
            if last.contains(want) {
                return last;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        last
    }
    fn url(&self) -> String {
        self.cmd("GET", "/url", json!({})).as_str().unwrap_or_default().to_string()
    }
    fn script(&self, js: &str) -> Value {
        self.cmd("POST", "/execute/sync", json!({"script": js, "args": []}))
    }
    fn size(&self, width: u32, height: u32) {
        self.cmd("POST", "/window/rect", json!({"width": width, "height": height}));
    }
    fn screenshot(&self, path: &std::path::Path) {
        let b64 = self.cmd("GET", "/screenshot", json!({}));
        if let Some(s) = b64.as_str() {
            std::fs::write(path, base64_decode(s)).unwrap();
        }
    }
}

fn which(bin: &str) -> Result<(), ()> {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|d| std::path::Path::new(d).join(bin).exists())
        .then_some(())
        .ok_or(())
}

fn base64_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        } as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

/// The interface strings whose Traditional form differs, as the Simplified text a page in
/// Traditional Chinese must not show (whole keys, or the fixed parts of a key with `{}`, of four
/// characters or more so that a shared short word is not mistaken for one).
fn simplified_strings() -> Vec<String> {
    let mut out = vec![];
    for line in include_str!("../../locales/zh-Hant.tsv").lines() {
        let Some((k, v)) = line.split_once('\t') else { continue };
        if k == v {
            continue;
        }
        for part in k.split("{}") {
            let part = part.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
            if part.chars().count() >= 4 && !v.contains(part) {
                out.push(part.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What a page must never show a person (screens issue, item 3): a machine time (RFC 3339), a
/// brace of JSON or a template, or an English key (`reply`, `veto_pending` …). Logins are names
/// people chose, so they may appear.
fn unreadable(text: &str) -> Option<String> {
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(13) {
        let d = |j: usize| b[i + j].is_ascii_digit();
        let date = d(0) && d(1) && d(2) && d(3) && b[i + 4] == b'-' && d(5) && d(6) && b[i + 7] == b'-' && d(8) && d(9);
        if date && b[i + 10] == b'T' && d(11) && d(12) {
            return Some(format!("machine time {}", String::from_utf8_lossy(&b[i..i + 13])));
        }
    }
    if let Some(i) = text.find(['{', '}']) {
        return Some(format!("brace near {:?}", text[i.saturating_sub(30)..].chars().take(60).collect::<String>()));
    }
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !SEEDED_LOGINS.contains(w) && *w != "noveto")
        .find(|w| w.contains('_') || (w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase())))
        .map(|w| format!("English key {w:?}"))
}

/// One person's walk through their pages in the browser: each page is read (see
/// [`unreadable`]), checked at 360 px for horizontal scrolling, and photographed at desktop and
/// phone width when `NOVETO_SCREENSHOTS` names a folder. [`Tour::traditional`] then switches to
/// Traditional Chinese and reads every page again.
struct Tour<'a> {
    d: &'a Driver,
    app: &'a App,
    role: &'static str,
    /// Pages visited (path, a text it shows), for the Traditional pass.
    seen: Vec<String>,
    /// Text people entered (names, requests), which stays as typed in either script.
    content: Vec<String>,
    shots: Option<std::path::PathBuf>,
    n: usize,
}

impl<'a> Tour<'a> {
    fn new(d: &'a Driver, app: &'a App, role: &'static str) -> Tour<'a> {
        let shots = std::env::var("NOVETO_SCREENSHOTS").ok().map(std::path::PathBuf::from);
        if let Some(s) = &shots {
            std::fs::create_dir_all(s).unwrap();
        }
        Tour { d, app, role, seen: vec![], content: vec![], shots, n: 0 }
    }

    /// Text the page shows as entered: the seeded organization's names and `extra`.
    fn content(&mut self, extra: &[&str]) {
        let org = ["市中心", "县中心", "市场监管局", "人社局", "登记窗口", "社保窗口", "综合咨询服务台"];
        self.content = org.iter().chain(extra).map(|s| s.to_string()).collect();
    }

    fn login(&mut self, login: &str, password: &str) {
        self.d.go(&format!("{}/login", self.app.base));
        self.d.typ("input[name=login]", login);
        self.d.typ("input[name=password]", password);
        self.d.click("button[type=submit]");
        let t = self.d.text_with(login_done_marker());
        assert!(t.contains(login_done_marker()), "{login} logged in: {t}");
    }

    /// Opens `path` and reads it once it shows `want`.
    fn visit(&mut self, path: &str, want: &str) -> String {
        self.d.go(&format!("{}{path}", self.app.base));
        self.seen.push(path.to_string());
        self.read(want)
    }

    /// Reads the page the browser is on once it shows `want`.
    fn read(&mut self, want: &str) -> String {
        let t = self.d.text_with(want);
        let url = self.d.url();
        assert!(t.contains(want), "{}: {url} should show {want:?}: {t}", self.role);
        if let Some(e) = unreadable(&t) {
            panic!("{}: {url} shows {e}\n{t}", self.role);
        }
        self.phone(&url);
        t
    }

    /// At 360 px the page does not scroll sideways (screens issue, item 8); photographs.
    fn phone(&mut self, url: &str) {
        self.n += 1;
        let name = |w: &str| format!("{}-{:02}-{w}.png", self.role, self.n);
        if let Some(dir) = &self.shots {
            self.whole(1200, &dir.join(name("desktop")));
            let path = url.split_once("://").and_then(|(_, r)| r.find('/').map(|i| &r[i..])).unwrap_or(url);
            let line = format!("{}\t{}\n", name(""), path);
            let index = dir.join(format!("{}.index", self.role));
            let _ = std::fs::OpenOptions::new().create(true).append(true).open(index).and_then(|mut f| {
                use std::io::Write;
                f.write_all(line.as_bytes())
            });
        }
        self.d.size(360, 1600);
        let mut fits = Value::Null;
        for _ in 0..50 {
            fits = self.d.script("return [document.documentElement.scrollWidth, window.innerWidth];");
            if fits[1].as_i64().is_some_and(|w| w <= 400) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if let Some(dir) = &self.shots {
            self.whole(360, &dir.join(name("phone")));
        }
        self.d.size(1200, 1600);
        let (sw, iw) = (fits[0].as_i64().unwrap_or(0), fits[1].as_i64().unwrap_or(0));
        assert!(iw > 0 && sw <= iw, "{}: {url} scrolls sideways at 360 px ({sw} > {iw})", self.role);
    }

    /// Photographs the whole page at `width` (the window made as tall as the page).
    fn whole(&self, width: u32, path: &std::path::Path) {
        self.d.size(width, 1600);
        let h = self.d.script("return document.documentElement.scrollHeight;").as_u64().unwrap_or(1600);
        self.d.size(width, (h as u32 + 120).clamp(600, 8000));
        std::thread::sleep(std::time::Duration::from_millis(100));
        self.d.screenshot(path);
    }

    /// Clicks the 繁體 switch and reads every visited page again: no Simplified interface string.
    fn traditional(&mut self) {
        self.d.go(&format!("{}{}", self.app.base, self.seen[0]));
        self.d.text_with("繁體");
        self.d.click("form[action='/prefs/lang'] button");
        // In Traditional the switch offers 简体 (its own name, in its own script).
        self.d.text_with("简体");
        let simplified = simplified_strings();
        assert!(simplified.len() > 100, "the catalog is read");
        for path in std::mem::take(&mut self.seen) {
            self.d.go(&format!("{}{path}", self.app.base));
            let t = self.d.text_with("简体");
            assert!(t.contains("简体"), "{}: {path} offers the way back to Simplified: {t}", self.role);
            if let Some(e) = unreadable(&t) {
                panic!("{} (zh-Hant): {path} shows {e}\n{t}", self.role);
            }
            // A `code` element holds a literal format (a file's header), spelled as the file must.
            let mut page = self
                .d
                .script("let b = document.body.cloneNode(true); b.querySelectorAll('code').forEach(c => c.remove()); document.documentElement.appendChild(b); b.style.display='none'; let t = b.textContent; b.remove(); return t;")
                .as_str()
                .unwrap_or_default()
                .to_string();
            // Longest first: a name inside a quoted title must not break the title's match.
            let mut content: Vec<&String> = self.content.iter().collect();
            content.sort_by_key(|c| std::cmp::Reverse(c.chars().count()));
            for c in content {
                page = page.replace(c.as_str(), "");
            }
            let left: Vec<&String> = simplified.iter().filter(|s| page.contains(s.as_str())).collect();
            assert!(left.is_empty(), "{} (zh-Hant): {path} shows Simplified interface text {left:?}\n{t}", self.role);
            self.phone(&path);
        }
        self.d.click("form[action='/prefs/lang'] button");
        self.d.text_with("繁體");
    }
}

/// Every page after login shows the logout button.
fn login_done_marker() -> &'static str {
    "退出"
}

/// The case id of the page the browser shows (`/cases/{id}`).
fn case_id(d: &Driver) -> i64 {
    d.url().split("/cases/").nth(1).and_then(|s| s.split(['?', '#', '/']).next()).and_then(|s| s.parse().ok()).unwrap()
}

fn open_details(d: &Driver) {
    d.script("document.querySelectorAll('details').forEach(x => x.open = true); return 1;");
}

/// A case whose clerk asked to veto it (reason and legal basis as below): its id and the
/// request's.
fn veto_waiting(app: &App) -> (i64, i64) {
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, v) = app.post(
        &format!("/api/v1/cases/{id}/veto-requests"),
        &clerk,
        json!({"reason": "申请事项不属于行政许可范围", "legal_basis": "《行政许可法》第十二条"}),
    );
    assert_eq!(st, 201, "{v}");
    (id, v["id"].as_i64().unwrap())
}

/// Saves a case's documents (HTML view photographed at desktop and phone width, and the PDF)
/// when screenshots are asked for.
fn documents(t: &mut Tour, case: i64, kinds: &[&str]) {
    for kind in kinds {
        t.d.go(&format!("{}/api/v1/cases/{case}/documents/{kind}.html", t.app.base));
        let text = t.d.text_with("电话");
        assert!(!text.is_empty() && unreadable(&text).is_none(), "{kind}: {:?}\n{text}", unreadable(&text));
        if let Some(dir) = t.shots.clone() {
            t.whole(1200, &dir.join(format!("doc-{kind}-desktop.png")));
            t.whole(360, &dir.join(format!("doc-{kind}-phone.png")));
            t.d.size(1200, 1600);
            let (st, pdf) =
                t.app.download(&format!("/api/v1/cases/{case}/documents/{kind}.pdf"), &t.app.token("clerk"));
            assert_eq!(st, 200, "{kind}.pdf");
            std::fs::write(dir.join(format!("doc-{kind}.pdf")), pdf).unwrap();
        }
    }
}

// NV-1, NV-4, ORG-2, screens: a clerk (in large type) takes a case from intake to a one-time
// notice with the error beside the field and the input kept, finds the case again, looks a
// question up in the library and prints the notice.
#[test]
fn browser_clerk() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    crate::cases::add_item(&app, "GT-1", true, false);
    let mut t = Tour::new(&d, &app, "clerk");
    t.content(&["王小二", "开办个体工商户", "个体工商户登记"]);
    t.login("clerk", PW);
    // Large type persists (适老化).
    d.click("form[action='/prefs/large'] button");
    let home = t.read("我的首问件");
    assert!(home.contains("接件登记") && !home.contains("拒绝"), "{home}");
    t.seen.push("/".into());
    d.typ("input[name=name]", "王小二");
    d.typ("input[name=phone]", "123");
    d.typ("textarea[name=request]", "开办个体工商户");
    d.click("form[action='/cases'] button[type=submit]");
    let err = t.read("联系电话格式不正确");
    assert!(err.contains("联系电话格式不正确"), "error next to the form: {err}");
    // Issue 31, item 8: the cursor waits in the field in error; the page lists its shortcuts and
    // starts with a skip link.
    let focused = d.script("return document.activeElement ? document.activeElement.name : '';");
    assert_eq!(focused.as_str(), Some("phone"), "the cursor is in the field in error");
    assert!(err.contains("Ctrl+Enter"), "the shortcuts are listed");
    let skip = d.script("var a = document.querySelector('body > a.skip'); return a ? a.getAttribute('href') : '';");
    assert_eq!(skip.as_str(), Some("#main"));
    // The typed input is kept; fix the phone only, and submit with Ctrl+Enter from the field.
    let e = d.find("input[name=phone]");
    d.cmd("POST", &format!("/element/{e}/clear"), json!({}));
    d.typ("input[name=phone]", "13812345678");
    d.typ("input[name=phone]", "\u{E009}\u{E007}\u{E000}");
    let page = t.read("NV20261120");
    let id = case_id(&d);
    assert!(page.contains("王小二") && !page.contains("拒绝办理"), "no reject button: {page}");
    t.seen.push(format!("/cases/{id}"));
    open_details(&d);
    d.typ("form[action$='/act/notice'] textarea[name=other]", "经营场所证明|租赁合同复印件");
    t.content.push("经营场所证明".into());
    t.content.push("租赁合同复印件".into());
    d.click("form[action$='/act/notice'] button");
    let page = t.read("已一次性告知");
    // The timeline speaks in sentences with who and when.
    assert!(page.contains("出具一次性告知单") && page.contains("2026-11-20"), "{page}");
    t.visit("/search?q=王小二", "王小二");
    t.visit("/faq?q=营业执照", "问题咨询库");
    // NV-12: a pre-screening that becomes a case without retyping the item or the materials.
    t.visit("/prescreen?item_code=GT-1", "申请书");
    d.click("form[action='/prescreen'] input[value='申请书']");
    d.click("form[action='/prescreen'][method='post'] button");
    let result = t.read("预判结果");
    assert!(result.contains("场所证明") && result.contains("打印清单"), "{result}");
    t.seen.push("/prescreen".into());
    d.typ("form[action='/cases'] input[name=name]", "李预判");
    d.typ("form[action='/cases'] input[name=phone]", "13812340008");
    d.click("form[action='/cases'] button");
    let case = t.read("李预判");
    assert!(case.contains("个体工商户登记"), "{case}");
    let ticked = d.script("var b = document.querySelector('input[value=\"申请书\"]'); var c = document.querySelector('input[value=\"场所证明\"]'); return [b && b.checked, c && c.checked];");
    assert_eq!(ticked, json!([true, false]), "the acceptance starts from the pre-screening");
    documents(&mut t, id, &["notice"]);
    // Told of what comes back: the head answers an escalation; the clerk's home counts it and
    // the case opens with the answer on top.
    let clerk = app.token("clerk");
    let asked = app.new_case(&clerk, None);
    let (_, e) = app.post(&format!("/api/v1/cases/{asked}/escalations"), &clerk, json!({"reason": "场地性质不明"}));
    let body = json!({"answer": "可以受理，按一般程序办理"});
    assert_eq!(app.post(&format!("/api/v1/escalations/{}/answer", e["id"]), &app.token("head"), body).0, 200);
    t.content.extend(["场地性质不明", "可以受理，按一般程序办理"].map(String::from));
    let told = app.messages_to("clerk");
    assert!(told.iter().any(|(s, _, _)| s.contains("请示已答复")), "{told:?}");
    let case = t.visit(&format!("/cases/{asked}"), "请示已答复，请答复群众。");
    assert!(case.contains("可以受理，按一般程序办理"), "{case}");
    t.traditional();
}

// NV-8, screens 1: the window head's home puts the veto waiting for them first; the decision
// needs an opinion and a confirmation; the case then shows the next level deciding and this
// decision with its opinion.
#[test]
fn browser_window_head() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    let (id, _) = veto_waiting(&app);
    let mut t = Tour::new(&d, &app, "window-head");
    t.content(&["张三", "办理营业执照", "申请事项不属于行政许可范围", "《行政许可法》第十二条"]);
    t.login("head", PW);
    let home = t.read("否决报批 1 件");
    let (waiting, mine) = (home.find("否决报批 1 件").unwrap(), home.find("我的首问件").unwrap_or(usize::MAX));
    assert!(waiting < mine, "the approver's pending work comes first: {home}");
    t.seen.push("/".into());
    let inbox = t.visit("/inbox", "申请事项不属于行政许可范围");
    assert!(inbox.contains("《行政许可法》第十二条") && inbox.contains("窗口负责人"), "{inbox}");
    d.typ("form[action$='/decide'] textarea[name=opinion]", "理由属实，同意报单位负责人");
    t.content.push("理由属实，同意报单位负责人".into());
    // Issue 31, item 3: sent without the confirmation (the browser's own check taken away), the
    // decision comes back with the opinion kept and the reason beside the box — no retyping.
    d.script("document.querySelectorAll('form[action$=\"/decide\"] [required]').forEach(x => x.removeAttribute('required')); return 1;");
    d.click("form[action$='/decide'] button[value='1']");
    t.read("请勾选确认");
    let kept = d.script("return document.querySelector('form[action$=\"/decide\"] textarea[name=opinion]').value;");
    assert_eq!(kept.as_str(), Some("理由属实，同意报单位负责人"), "the opinion kept");
    d.click("form[action$='/decide'] input[name=confirm]");
    d.click("form[action$='/decide'] button[value='1']");
    // Told what happened, back on the queue.
    let done = t.read("已处理");
    assert!(done.contains("没有"), "{done}");
    let page = t.visit(&format!("/cases/{id}"), "理由属实，同意报单位负责人");
    assert!(page.contains("现由分管领导审批"), "the next level decides now: {page}");
    assert!(!page.contains("已批准否决"), "one level is not the whole chain: {page}");
    t.visit("/faq", "问题咨询库");
    t.traditional();
}

// NV-8, NV-9, screens 1 and 6: the unit leader decides the last level; the case says what to do
// next; the month's filings name the veto and link its printed form, whose opinions carry names.
#[test]
fn browser_unit_leader() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    let (id, vid) = veto_waiting(&app);
    assert_eq!(app.decide("head", vid, true, "理由属实").0, 200);
    let mut t = Tour::new(&d, &app, "unit-leader");
    t.content(&["张三", "办理营业执照", "申请事项不属于行政许可范围", "《行政许可法》第十二条", "理由属实"]);
    t.login("leader", PW);
    t.read("否决报批 1 件");
    t.seen.push("/".into());
    let inbox = t.visit("/inbox", "申请事项不属于行政许可范围");
    assert!(inbox.contains("理由属实"), "the earlier level's opinion: {inbox}");
    // Without the confirmation the browser does not send the form (required); with an empty
    // opinion neither.
    d.click("form[action$='/decide'] button[value='1']");
    assert!(d.url().ends_with("/inbox"), "{}", d.url());
    d.typ("form[action$='/decide'] textarea[name=opinion]", "同意否决，依法出具不予受理通知书");
    t.content.push("同意否决，依法出具不予受理通知书".into());
    // Sent without the confirmation past the browser's own check: back with the opinion kept.
    d.script("document.querySelectorAll('form[action$=\"/decide\"] [required]').forEach(x => x.removeAttribute('required')); return 1;");
    d.click("form[action$='/decide'] button[value='1']");
    t.read("请勾选确认");
    let kept = d.script("return document.querySelector('form[action$=\"/decide\"] textarea[name=opinion]').value;");
    assert_eq!(kept.as_str(), Some("同意否决，依法出具不予受理通知书"), "the opinion kept");
    d.click("form[action$='/decide'] input[name=confirm]");
    d.click("form[action$='/decide'] button[value='1']");
    let done = t.read("已处理");
    assert!(done.contains("没有"), "told what happened, back on the queue: {done}");
    // The clerk who asked hears of the approved veto through the outbox.
    let told = app.messages_to("clerk");
    assert!(
        told.iter().any(|(s, b, _)| s.contains("否决已批准") && b.contains("救济途径")),
        "the clerk is told: {told:?}"
    );
    let page = t.visit(&format!("/cases/{id}"), "已批准否决，请办结并出具不予受理通知书");
    assert!(page.contains("同意否决") && page.contains("理由属实"), "{page}");
    assert!(page.contains("不予受理/不予许可通知书"), "the refusal notice is offered for printing: {page}");
    // Screens 3: the timeline says who judged what, with the opinion.
    assert!(page.contains("否决报批已批准：分管领导意见：同意否决，依法出具不予受理通知书"), "{page}");
    assert!(page.contains("窗口负责人意见：理由属实") && page.contains("《行政许可法》第十二条"), "{page}");
    let f = t.visit("/filings?month=2026-11", "否决事项报备");
    assert!(f.contains("申请事项不属于行政许可范围") && f.contains("张三"), "{f}");
    documents(&mut t, id, &["veto-filing-form", "refusal-notice"]);
    t.traditional();
}

// NV-9, NV-2, FAQ-3, CAT-1, screens 6: the business section reads the month's filings beside
// the roll-up, the answer rate, the suggestions, and keeps the catalog.
#[test]
fn browser_business_section() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    veto_waiting(&app);
    let mut t = Tour::new(&d, &app, "business");
    t.content(&["张三", "办理营业执照", "申请事项不属于行政许可范围", "《行政许可法》第十二条"]);
    t.login("business", PW);
    let home = t.read("本月否决报备");
    assert!(home.contains("共 1 件"), "{home}");
    t.seen.push("/".into());
    let f = t.visit("/filings?month=2026-11", "月度汇总");
    assert!(f.contains("申请事项不属于行政许可范围") && f.contains("审批中"), "{f}");
    for (path, want) in [("/faq/stats", "解答率"), ("/inbox", "待我审批"), ("/guides", "办事指南")] {
        t.visit(path, want);
    }
    // CAT-1, screens 6: the business section changes an item on its form. A save with the name
    // cleared comes back with the error beside the name and the changed how-to-fix kept; the
    // next save is version 2, listed with who saved it and what changed.
    let item = json!({"code": "SC-7", "name": "企业设立登记", "unit_id": app.ids.unit,
        "legal_basis": "《市场主体登记管理条例》第二十一条", "time_limit_wd": 3,
        "materials": [{"name": "设立登记申请书", "main": true, "sample": "按样表填写"}],
        "steps": ["递交材料", "领取执照"], "phone": "0719-12345"});
    assert_eq!(app.post("/api/v1/items", &app.token("admin"), item).0, 201);
    t.content.extend(
        [
            "企业设立登记",
            "《市场主体登记管理条例》第二十一条",
            "设立登记申请书",
            "按样表填写",
            "递交材料",
            "领取执照",
            "SC-7",
        ]
        .map(String::from),
    );
    t.content.push("，另附法定代表人身份证复印件".into());
    t.visit("/admin/catalog", "企业设立登记");
    d.click("a[href='/admin/catalog/items/SC-7']");
    let form = t.read("版本记录");
    assert!(form.contains("第 1 版") && form.contains("admin"), "{form}");
    t.seen.push("/admin/catalog/items/SC-7".into());
    d.script("document.querySelectorAll('form[action=\"/admin/catalog/items\"] [required]').forEach(x => x.removeAttribute('required')); document.querySelector('input[name=name]').value = ''; return 1;");
    d.typ("textarea[name=m0_sample]", "，另附法定代表人身份证复印件");
    d.click("form[action='/admin/catalog/items'] button:not([name=more])");
    t.read("需要改正");
    let beside = d.script("let e = document.querySelector('input[name=name]').parentElement.querySelector('.err'); return e ? e.innerText : '';");
    assert!(beside.as_str().is_some_and(|s| s.contains("事项名称")), "the error beside the name: {beside}");
    let kept = d.script("return document.querySelector('textarea[name=m0_sample]').value;");
    assert_eq!(kept.as_str(), Some("按样表填写，另附法定代表人身份证复印件"));
    // Enter in a field saves (it does not add material rows).
    d.typ("input[name=name]", "企业设立登记\u{E007}");
    let saved = t.read("已保存，现为第 2 版");
    assert!(saved.contains("申请材料") && saved.contains("business"), "{saved}");
    t.traditional();
}

// CAL-2, screens 3: supervision sees overdue matters by receipt number and deadline in words.
#[test]
fn browser_supervision() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "政策不明"}));
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    let receipt = c["receipt_no"].as_str().unwrap().to_string();
    app.set_now("2026-12-01T09:00:00+08:00");
    let mut t = Tour::new(&d, &app, "supervision");
    t.content(&["张三", "办理营业执照", "政策不明"]);
    t.login("supervision", PW);
    let home = t.read("超期督办");
    assert!(home.contains(&receipt) && home.contains("请示答复"), "{home}");
    // Issue 31: the row names the unit, the person and the applicant, once; 督办 from the row.
    assert_eq!(home.matches(receipt.as_str()).count(), 1, "each case once: {home}");
    assert!(home.contains("市场监管局") && home.contains("clerk") && home.contains("张三"), "{home}");
    d.typ("form[action$='/urge'] input[name=note]", "请于今日答复群众");
    d.click("form[action$='/urge'] button");
    let urged = t.read("已督办");
    assert!(urged.contains("已督办"), "{urged}");
    let told = app.messages_to("clerk");
    assert!(told.iter().any(|m| m.1.contains("请于今日答复群众")), "the clerk is urged: {told:?}");
    t.seen.push("/".into());
    t.visit(&format!("/cases/{id}"), &receipt);
    t.visit("/faq", "问题咨询库");
    // The escalation's answer card, and a referral's slip from another case.
    let other = app.new_case(&clerk, None);
    let body = json!({"to_unit_id": app.ids.unit2, "address": "市民中心二楼社保窗口", "contact": "0719-2", "how": "带身份证原件"});
    assert_eq!(app.post(&format!("/api/v1/cases/{other}/referral"), &clerk, body).0, 200);
    t.content.extend(["市民中心二楼社保窗口".to_string(), "带身份证原件".to_string()]);
    documents(&mut t, id, &["reply-card"]);
    documents(&mut t, other, &["referral"]);
    t.traditional();
}

// ORG-1..3, POL-1, CAL-1, CAT-1, screens 3 and 4: the administrator adds a window picking its
// unit by name; a failed form reopens with the error beside its field and the input kept; the
// policy, the calendar and the catalog read in words.
#[test]
fn browser_administrator() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    crate::cases::add_item(&app, "GT-1", true, false);
    let mut t = Tour::new(&d, &app, "admin");
    // The policy quotes its documents by their titles (《…“办不成事”反映窗口实施方案》).
    t.content(&["个体工商户登记", "《促进个体工商户发展条例》", "《政务服务大厅设立“办不成事”反映窗口实施方案》"]);
    t.login("admin", PW);
    let page = t.visit("/admin", "进驻单位与业务联系表");
    assert!(page.contains("市场监管局") && page.contains("登记窗口"), "{page}");
    open_details(&d);
    // A window whose name is missing: the browser would refuse an empty required field, so
    // remove the requirement to see the server's answer beside the field.
    d.script("document.querySelectorAll('form[action=\"/admin/window\"] [required]').forEach(x => x.removeAttribute('required')); return 1;");
    let unit = d.find("form[action='/admin/window'] select[name=unit_id]");
    d.cmd("POST", &format!("/element/{unit}/value"), json!({"text": "人社"}));
    d.click("form[action='/admin/window'] button");
    let err = t.read("名称");
    let after = d.script("return document.querySelector('form[action=\"/admin/window\"] .err') ? document.querySelector('form[action=\"/admin/window\"] .err').innerText : '';");
    assert!(after.as_str().is_some_and(|s| !s.is_empty()), "the error beside the field: {err}");
    d.typ("form[action='/admin/window'] input[name=name]", "社保卡窗口");
    t.content.push("社保卡窗口".into());
    d.click("form[action='/admin/window'] button");
    let page = t.read("社保卡窗口");
    assert!(page.contains("人社局"), "{page}");
    for (path, want) in [("/admin/policy", "否决"), ("/admin/calendar", "2026"), ("/admin/catalog", "个体工商户登记")]
    {
        t.visit(path, want);
    }
    // CAL-1: the next year's notice is uploaded on the calendar page; a file that is not one is
    // answered beside the field, and nothing changes.
    t.visit("/admin/calendar", "导入下一年通知");
    let bad = app.dir.join("not-a-notice.toml");
    std::fs::write(&bad, "这不是节假日通知").unwrap();
    d.typ("form[action='/admin/calendar/import'] input[name=file]", bad.to_str().unwrap());
    d.click("form[action='/admin/calendar/import'] button");
    let mut err = Value::Null;
    for _ in 0..100 {
        err = d.script("let e = document.querySelector('form[action=\"/admin/calendar/import\"] .err'); return e ? e.innerText : '';");
        if err.as_str().is_some_and(|s| !s.is_empty()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(err.as_str().is_some_and(|s| !s.is_empty() && !s.is_ascii()), "the error beside the file field: {err}");
    // ORG-2 (issue 31, item 5): find a person, open them, give a role at a place of its kind
    // (the picker offers only those), fail a password reset and see why, stop the account.
    t.visit("/admin?q=clerk_b", "工作人员与角色");
    d.click("a[href^='/admin/staff/']");
    t.read("密码与账号");
    t.seen.push(format!("/admin/staff/{}", app.staff_id("clerk_b")));
    open_details(&d);
    d.script("let r = document.querySelector('form[action$=\"/grant\"] select[name=role]'); r.value = 'unit_leader'; r.dispatchEvent(new Event('change')); return 1;");
    let offered = d.script("return Array.from(document.querySelectorAll('form[action$=\"/grant\"] select[name=scope] option')).filter(o => !o.disabled).map(o => o.value.split(':')[0]);");
    let kinds: Vec<&str> = offered.as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| *k == "unit"), "a unit's role is offered units only: {offered}");
    d.click("form[action$='/grant'] button");
    let page = t.read("已添加角色");
    assert!(page.contains("人社局") || page.contains("市场监管局"), "{page}");
    open_details(&d);
    d.script("document.querySelectorAll('form[action$=\"/password\"] [minlength]').forEach(x => x.removeAttribute('minlength')); return 1;");
    d.typ("form[action$='/password'] input[name=password]", "123");
    d.click("form[action$='/password'] button");
    t.read("密码");
    let beside =
        d.script("let e = document.querySelector('form[action$=\"/password\"] .err'); return e ? e.innerText : '';");
    assert!(beside.as_str().is_some_and(|s| !s.is_empty()), "the error beside the password: {beside}");
    d.click("form[action$='/active'] button");
    t.read("账号已停用");
    t.traditional();
}

// CAT-2, PUB-1, screens (public): without logging in, a citizen browses the guides, searches and
// opens one, sees the hotline and supervision numbers, reports a matter and follows it.
#[test]
fn browser_public() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    let (st, _) = app.post("/api/v1/items", &app.token("admin"), crate::catalog::item(&app, "GT-1", "个体工商户登记"));
    assert_eq!(st, 201);
    let mut t = Tour::new(&d, &app, "public");
    t.content(&[
        "个体工商户登记",
        "《市场主体登记管理条例》第二十一条",
        "申请书",
        "场所证明",
        "样表",
        "漏签字",
        "市场监管局",
        "不收费",
    ]);
    let list = t.visit("/guides", "个体工商户登记");
    assert!(list.contains("12345"), "the hotline on a public page: {list}");
    t.visit("/guides?q=个体", "个体工商户登记");
    let one = t.visit("/guides/GT-1", "场所证明");
    assert!(one.contains("《市场主体登记管理条例》第二十一条") && one.contains("漏签字"), "{one}");
    t.visit("/login", "登录");
    // PUB-1, BBC-1: a person reports a matter that did not get done (a bad phone number comes
    // back beside its field, the rest kept), then follows it by receipt number and phone.
    crate::unresolved::desk(&app);
    t.content.extend(["赵六", "网上申请的医保转移三周没有结果"].map(String::from));
    t.visit("/report", "反映“办不成事”");
    d.typ("input[name=name]", "赵六");
    d.typ("input[name=phone]", "139");
    d.typ("textarea[name=summary]", "网上申请的医保转移三周没有结果");
    d.click("form[action='/report'] button");
    t.read("联系电话格式不正确");
    let kept = d.script("return document.querySelector('textarea[name=summary]').value;");
    assert_eq!(kept.as_str(), Some("网上申请的医保转移三周没有结果"));
    d.script("document.querySelector('input[name=phone]').value = ''; return 1;");
    d.typ("input[name=phone]", "13907192222");
    d.click("form[action='/report'] button");
    let done = t.read("已收到您的反映");
    let receipt: String =
        done.split("受理编号：").nth(1).unwrap().chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    assert!(receipt.starts_with("BC"), "{done}");
    t.visit("/follow", "查询办理进度");
    d.typ("input[name=receipt_no]", &receipt);
    d.typ("input[name=phone]", "13907192222");
    d.click("form[action='/follow'] button");
    let seen = t.read("已登记，待流转");
    assert!(seen.contains("办理时限") && seen.contains("已登记"), "{seen}");
    t.traditional();
}

// BBC-2 … BBC-5, screens: the 办不成事 desk registers a matter (a failed form keeps what was
// typed, the error beside its field; the class's deadline shown in the choice; the reporter's
// receipt printed at once), dispatches it to
// a unit by name, opens the 流转单 and reads the week's ledger; in both scripts, at 360 px.
#[test]
fn browser_unresolved_desk() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "guilin");
    crate::unresolved::desk(&app);
    app.set_now("2026-11-23T09:00:00+08:00");
    let mut t = Tour::new(&d, &app, "bbc");
    t.content(&["李四", "营业执照变更被退回，没有说明理由", "王芳", "“办不成事”反映窗口"]);
    // The rules' sources are quoted as the policy writes them.
    let u = app.state.policy().unresolved.clone();
    t.content.extend([u.simple, u.general, u.complex, u.impossible].map(|r| r.document));
    t.login("bbc", PW);
    let page = t.visit("/unresolved", "登记群众反映");
    assert!(page.contains("未办结（0 件）"), "{page}");
    let options = d.script(
        "return [...document.querySelectorAll('select[name=class] option')].map(o => o.textContent).join('|');",
    );
    assert!(options.as_str().is_some_and(|o| o.contains("承诺件，11月30日前办结")), "{options}");
    d.script("document.querySelectorAll('form[action=\"/unresolved\"] [required]').forEach(x => x.removeAttribute('required')); return 1;");
    d.typ("form[action='/unresolved'] textarea[name=summary]", "营业执照变更被退回，没有说明理由");
    d.typ("form[action='/unresolved'] input[name=phone]", "13800001111");
    d.click("form[action='/unresolved'] button");
    t.read("请填写反映人姓名");
    let kept = d.script("return document.querySelector('textarea[name=summary]').value;");
    assert_eq!(kept.as_str(), Some("营业执照变更被退回，没有说明理由"));
    d.typ("form[action='/unresolved'] input[name=name]", "李四");
    d.click("form[action='/unresolved'] button");
    // BBC-4: the reporter's receipt comes first, to print and hand over.
    let receipt = t.read("反映登记回执");
    assert!(receipt.contains("办理时限：2026年11月26日") && receipt.contains("咨询电话：12345"), "{receipt}");
    assert!(
        receipt.contains("反映人（签收）") && receipt.contains("2026年11月23日"),
        "a form to sign, years in dates: {receipt}"
    );
    t.seen.push(d.url().split_once("/unresolved").map(|(_, r)| format!("/unresolved{r}")).unwrap());
    let page = t.visit("/unresolved", "未办结（1 件）");
    assert!(page.contains("11月26日") && page.contains("已登记，待流转"), "{page}");
    let unit = d.find("select[name=unit_id]");
    d.cmd("POST", &format!("/element/{unit}/value"), json!({"text": "市场"}));
    d.click("form[action$='/dispatch'] button");
    let page = t.read("已流转，待单位反馈");
    assert!(page.contains("市场监管局"), "{page}");
    d.click("a[href$='/slip']");
    let slip = t.read("“办不成事”事项流转单");
    assert!(slip.contains("市场监管局") && slip.contains("11月26日"), "{slip}");
    t.seen.push(d.url().split_once("/unresolved").map(|(_, r)| format!("/unresolved{r}")).unwrap());
    t.traditional();
}

// NV-17, PUB-1 (issue 25): the applicant, on a 360 px phone, follows a vetoed, a referred and an
// open case by receipt number and phone, and reads how each ended or stands — the refusal with
// its reason, legal basis and the remedies (review body, days, court, months) and the way to the
// 办不成事 desk with the receipt number filled in; where to go and whom to call; the promised
// date and what to bring — with the hotline and supervision numbers on every page.
#[test]
fn browser_applicant_reads_how_it_ended() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    let admin = app.token("admin");
    let remedies =
        json!({"review_body": "市人民政府", "review_days": 60, "court": "市人民法院", "litigation_months": 6});
    assert_eq!(
        app.call("PUT", &format!("/api/v1/centers/{}/remedies", app.ids.city), Some(&admin), Some(remedies)).0,
        200
    );
    crate::unresolved::desk(&app);
    crate::cases::add_item(&app, "GT-9", true, false);
    let clerk = app.token("clerk");
    let receipt =
        |id: i64| app.get(&format!("/api/v1/cases/{id}"), &clerk).1["receipt_no"].as_str().unwrap().to_string();
    // Vetoed (never accepted: 不予受理).
    let (vetoed, vid) = veto_waiting(&app);
    assert_eq!(app.decide("head", vid, true, "同意，依据充分").0, 200);
    assert_eq!(app.decide("leader", vid, true, "同意").0, 200);
    let body = json!({"outcome": "vetoed", "veto_request_id": vid});
    assert_eq!(app.post(&format!("/api/v1/cases/{vetoed}/close"), &clerk, body).0, 200);
    // Referred to another unit, with the place and the phone.
    let referred = app.new_case(&clerk, None);
    let body = json!({"to_unit_id": app.ids.unit2, "address": "市民中心二楼 B 区 12 号", "contact": "社保窗口 0719-8221234", "how": "带身份证原件"});
    assert_eq!(app.post(&format!("/api/v1/cases/{referred}/referral"), &clerk, body).0, 200);
    // Open: accepted, with its promised date; and one waiting for materials.
    let open = app.new_case(&clerk, Some("GT-9"));
    assert_eq!(app.post(&format!("/api/v1/cases/{open}/accept"), &clerk, json!({})).0, 200);
    let notified = app.new_case(&clerk, Some("GT-9"));
    let body = json!({"missing": [{"material": "场所证明", "how_to_fix": "租赁合同复印件"}]});
    assert_eq!(app.post(&format!("/api/v1/cases/{notified}/notices"), &clerk, body).0, 201);

    let mut t = Tour::new(&d, &app, "applicant");
    t.content(&[
        "申请事项不属于行政许可范围",
        "《行政许可法》第十二条",
        "市人民政府",
        "市人民法院",
        "市民中心二楼 B 区 12 号",
        "社保窗口 0719-8221234",
        "带身份证原件",
        "场所证明",
        "租赁合同复印件",
        "人社局",
    ]);
    d.size(360, 1600);
    let follow = |t: &mut Tour, r: &str, want: &str| -> String {
        t.visit("/follow", "查询办理进度");
        t.d.typ("input[name=receipt_no]", r);
        t.d.typ("input[name=phone]", "13812345678");
        t.d.click("form[action='/follow'] button");
        t.read(want)
    };
    let seen = follow(&mut t, &receipt(vetoed), "不予受理");
    for want in [
        "申请事项不属于行政许可范围",
        "《行政许可法》第十二条",
        "60 日内向市人民政府申请行政复议",
        "6 个月内向市人民法院提起行政诉讼",
        "0719-1",
    ] {
        assert!(seen.contains(want), "{want}: {seen}");
    }
    assert!(!seen.contains("已办结\n") || seen.contains("不予受理"), "{seen}");
    // The way to the 办不成事 desk carries the receipt number.
    t.d.click("section.outcome a");
    let report = t.read("反映“办不成事”");
    assert!(report.contains(&receipt(vetoed)), "{report}");
    let seen = follow(&mut t, &receipt(referred), "已指引至其他单位办理");
    for want in ["人社局", "市民中心二楼 B 区 12 号", "社保窗口 0719-8221234", "带身份证原件"] {
        assert!(seen.contains(want), "{want}: {seen}");
    }
    let seen = follow(&mut t, &receipt(open), "承诺办结日期");
    assert!(seen.contains("2026年11月25日"), "3 working days from 11-20: {seen}");
    let seen = follow(&mut t, &receipt(notified), "请带齐以下材料");
    assert!(seen.contains("场所证明") && seen.contains("租赁合同复印件"), "{seen}");
    // The papers of each step, as the window prints them (HTML at both widths and the PDF when
    // asked for).
    t.login("clerk", PW);
    documents(&mut t, vetoed, &["refusal-notice", "veto-filing-form"]);
    documents(&mut t, open, &["acceptance"]);
    documents(&mut t, referred, &["referral"]);
    t.traditional();
}

// PUB-1, TC-1, TC-5, TC-6 (issue 28): a person on a 360 px phone complains without an account
// (asking for confidentiality; a bad phone comes back beside its field, the rest kept), the
// supervision section sees them on its desk and assigns the complaint, the section replies, and
// the person follows it to its answer. The 承办单, the 流转单 and the 登记回执 are printed (and
// photographed when screenshots are asked for).
#[test]
fn browser_complain_on_a_phone_and_follow_it() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "weihai-huancui");
    crate::complaints::sections(&app);
    let mut t = Tour::new(&d, &app, "complainant");
    t.content(&["韩梅", "叫号机显示的等候人数和实际不一致"]);
    d.size(360, 1600);
    t.visit("/complain", "“吐槽找茬”");
    d.click("input[name=category][value=efficiency]");
    d.typ("textarea[name=content]", "叫号机显示的等候人数和实际不一致");
    d.typ("input[name=name]", "韩梅");
    d.typ("input[name=phone]", "138");
    d.click("input[name=confidential]");
    d.click("form[action='/complain'] button");
    t.read("手机号");
    let kept = d.script("return document.querySelector('textarea[name=content]').value;");
    assert_eq!(kept.as_str(), Some("叫号机显示的等候人数和实际不一致"));
    d.script("document.querySelector('input[name=phone]').value = ''; return 1;");
    d.typ("input[name=phone]", "13800002222");
    d.click("form[action='/complain'] button");
    let done = t.read("已收到您的“吐槽找茬”");
    let receipt: String =
        done.split("受理编号：").nth(1).unwrap().chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    assert!(receipt.starts_with("TC"), "{done}");
    // The supervision section assigns it; the section replies.
    let sup = app.token("supervision");
    let (_, list) = app.get("/api/v1/complaints", &sup);
    let c = list["complaints"][0].clone();
    assert_eq!((c["confidential"].as_bool(), c["complainant"]["name"].as_str()), (Some(true), Some("韩梅")), "{c}");
    let id = c["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/complaints/{id}/assign"), &sup, json!({"unit_id": app.ids.unit, "lead": true}));
    let (st, v) = app.get(&format!("/api/v1/complaints/{id}"), &app.token("clerk"));
    assert_eq!((st, v["complainant"]["name"].as_str()), (200, Some("（保密）")), "{v}");
    let reply = json!({"opinion": "叫号系统未剔除过号人数", "reply": "已修正叫号机的统计，现在显示的就是实际等候人数，感谢您的监督"});
    assert_eq!(app.post(&format!("/api/v1/complaints/{id}/reply"), &app.token("clerk"), reply).0, 200);
    t.visit("/follow", "查询办理进度");
    d.typ("input[name=receipt_no]", &receipt);
    d.typ("input[name=phone]", "13800002222");
    d.click("form[action='/follow'] button");
    let seen = t.read("已修正叫号机的统计");
    assert!(seen.contains("责任科室已回复"), "{seen}");
    // The supervision section's desk, in both scripts; the confidential complainant there only.
    d.size(1200, 1600);
    t.login("supervision", PW);
    let desk = t.visit("/complaints", "吐槽找茬");
    assert!(desk.contains("韩梅") && desk.contains("要求保密"), "{desk}");
    t.traditional();
    // The forms, as printed.
    crate::unresolved::desk(&app);
    let bbc = app.token("bbc");
    let (_, m) = app.post(
        "/api/v1/unresolved",
        &bbc,
        json!({"reporter": {"name": "李四", "phone": "13800001111"}, "class": "general", "summary": "营业执照变更被退回三次，没有说明理由"}),
    );
    let m = m["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/unresolved/{m}/dispatch"), &bbc, json!({"unit_id": app.ids.unit}));
    let papers = [
        (format!("/api/v1/complaints/{id}/documents/handling-form"), "complaint-handling-form", "承办单"),
        (format!("/api/v1/unresolved/{m}/documents/transfer-slip"), "unresolved-transfer-slip", "流转单"),
        (format!("/api/v1/unresolved/{m}/documents/receipt"), "unresolved-receipt", "登记回执"),
    ];
    for (path, name, title) in &papers {
        d.go(&format!("{}{path}.html", app.base));
        let text = d.text_with(title);
        assert!(text.contains("2026年") && unreadable(&text).is_none(), "{name}: {text}");
        if let Some(dir) = t.shots.clone() {
            t.whole(1200, &dir.join(format!("doc-{name}-desktop.png")));
            t.whole(360, &dir.join(format!("doc-{name}-phone.png")));
            let (st, pdf) = app.download(&format!("{path}.pdf"), &sup);
            assert_eq!(st, 200, "{name}.pdf");
            std::fs::write(dir.join(format!("doc-{name}.pdf")), pdf).unwrap();
        }
    }
}

// HCP-3 (issue 29): the window's rating device — a tablet at the counter, bound to the window, no
// login — shows the service just finished and nothing that names anyone, and rates it with a
// touch; the SMS link's page rates once on a 360 px phone. Photographed when asked.
#[test]
fn browser_rating_device_and_sms_link() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn_at(Kind::Sqlite, "weihai-huancui", "2026-11-24T10:00:00+08:00");
    let clerk = app.token("clerk");
    let (_, v) = app.post(
        "/api/v1/cases",
        &clerk,
        json!({"kind": "consultation", "channel": "window", "applicant": {"name": "评价人乙", "phone": "13800008888"}, "request": "咨询食品经营许可"}),
    );
    let case = v["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/cases/{case}/close"), &clerk, json!({"outcome": "answered", "note": "已解答"}));
    let (st, k) = app.post(&format!("/api/v1/windows/{}/kiosk", app.ids.window), &app.token("head"), json!({}));
    assert_eq!(st, 201, "{k}");
    assert_eq!(app.post(&format!("/api/v1/windows/{}/kiosk", app.ids.window), &clerk, json!({})).0, 403);
    let key = k["key"].as_str().unwrap().to_string();
    let mut t = Tour::new(&d, &app, "rater");
    t.content(&[]);
    d.size(800, 1280); // a tablet at the counter
    let page = t.visit(&format!("/kiosk/{key}"), "请对本次服务作出评价");
    assert!(!page.contains("评价人乙") && !page.contains("clerk"), "the device names nobody: {page}");
    let h = d.script("return document.querySelector('button.level').getBoundingClientRect().height;");
    assert!(h.as_f64().unwrap_or(0.0) >= 64.0, "touch-sized buttons: {h}");
    if let Some(dir) = t.shots.clone() {
        t.whole(800, &dir.join("kiosk-tablet.png"));
    }
    d.click("button.level[value=satisfied]");
    t.read("感谢您的评价");
    let (st, _) =
        app.post("/api/v1/ratings", &clerk, json!({"case_id": case, "channel": "device", "level": "satisfied"}));
    assert_eq!(st, 409, "rated once");
    // The SMS link for another service, on a phone.
    let (_, v) = app.post(
        "/api/v1/cases",
        &clerk,
        json!({"kind": "consultation", "channel": "window", "applicant": {"name": "评价人丙", "phone": "13800009999"}, "request": "咨询社保转移"}),
    );
    let other = v["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/cases/{other}/close"), &clerk, json!({"outcome": "answered", "note": "已解答"}));
    let token =
        app.block_on(noveto_app::ratings::token_for(&app.state, noveto_domain::rating::Service::Case(other))).unwrap();
    d.size(360, 1600);
    t.visit(&format!("/rate/{token}"), "服务评价");
    if let Some(dir) = t.shots.clone() {
        t.whole(360, &dir.join("rate-sms-phone.png"));
    }
    d.click("button.level[value=unsatisfied]");
    t.read("感谢您的评价");
    t.visit(&format!("/rate/{token}"), "已经评价过了");
    t.traditional();
}

// NV-15, AS-1 (issue 30): the business section opens the month's reports — the veto statistics
// with their charts, the assessment with figures that drill down — at both widths and in both
// scripts; the PDF's charts photographed when asked.
#[test]
fn browser_month_end_reports() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn_at(Kind::Sqlite, "national", "2026-11-18T10:00:00+08:00");
    crate::cases::add_item(&app, "GT-7", false, false);
    let (_, vid) = veto_waiting(&app);
    assert_eq!(app.decide("head", vid, true, "同意").0, 200);
    assert_eq!(app.decide("leader", vid, true, "同意").0, 200);
    let mut t = Tour::new(&d, &app, "business");
    t.content(&["申请事项不属于行政许可范围"]);
    t.login("business", PW);
    let page = t.visit("/reports?month=2026-11", "月度报表");
    assert!(page.contains("否决报批 1 件") && page.contains("单位得分"), "{page}");
    d.click(&format!("a[href^='/reports/assessment/{}']", app.ids.unit));
    t.read("考核事项明细");
    t.traditional();
    if let Some(dir) = t.shots.clone() {
        for (path, name) in
            [("vetoes?month=2026-11", "report-vetoes"), ("assessment?month=2026-11", "report-assessment")]
        {
            let (st, pdf) = app.download(&format!("/api/v1/reports/{path}&format=pdf"), &app.token("business"));
            assert_eq!(st, 200);
            std::fs::write(dir.join(format!("doc-{name}.pdf")), pdf).unwrap();
        }
    }
}

// NV-1 (issue 32, item 2): the catalog keeper names an item's back-office stages on its form (a
// plan that does not add up comes back beside the field, as typed); a case of it moves through
// them on the case page to 送达, which ends it; the applicant follows the stages on a phone.
// NV-6: the clerk records a commitment's verification on the checks page.
#[test]
fn browser_case_through_its_stages() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    crate::cases::add_item(&app, "GT-1", true, false);
    let mut t = Tour::new(&d, &app, "stages");
    t.content(&["个体工商户登记", "《促进个体工商户发展条例》", "张三", "办理营业执照", "申请书", "场所证明"]);
    t.login("admin", PW);
    t.visit("/admin/catalog/items/GT-1", "后台办理阶段");
    d.typ("textarea[name=stages]", "受理 20%\n审查 50%\n送达 20%");
    d.click("form[action='/admin/catalog/items'] button");
    let err = t.read("合计须为 100%");
    assert!(err.contains("现为 90%"), "{err}");
    let kept = d.script("return document.querySelector('textarea[name=stages]').value;");
    assert_eq!(kept.as_str(), Some("受理 20%\n审查 50%\n送达 20%"), "kept as typed");
    let e = d.find("textarea[name=stages]");
    d.cmd("POST", &format!("/element/{e}/clear"), json!({}));
    d.typ("textarea[name=stages]", "受理 20%\n审查 50%\n送达 30%");
    d.click("form[action='/admin/catalog/items'] button");
    t.read("已保存");
    d.go(&format!("{}/logout", app.base));
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, Some("GT-1"));
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/accept"), &clerk, json!({})).0, 200);
    t.login("clerk", PW);
    let page = t.visit(&format!("/cases/{id}"), "办理阶段");
    assert!(page.contains("办理中") && page.contains("占承诺时限 20%"), "{page}");
    documents(&mut t, id, &["acceptance"]);
    t.visit(&format!("/cases/{id}"), "办理阶段");
    for (stage, next) in [("受理", "审查"), ("审查", "送达")] {
        open_details(&d);
        d.typ("form[action$='/act/stage'] textarea[name=note]", &format!("{stage}完毕"));
        t.content.push(format!("{stage}完毕"));
        d.click("form[action$='/act/stage'] button");
        let page = t.read(&format!("完成“{next}”"));
        assert!(page.contains(&format!("{stage}完毕")), "{page}");
    }
    open_details(&d);
    d.typ("form[action$='/act/stage'] textarea[name=note]", "营业执照已送达");
    t.content.push("营业执照已送达".into());
    d.click("form[action$='/act/stage'] button");
    let page = t.read("营业执照已送达");
    assert!(!page.contains("/act/stage"), "nothing left to finish: {page}");
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    assert_eq!((c["status"].as_str(), c["outcome"].as_str()), (Some("closed"), Some("approved")), "{c}");
    // NV-6: a case approved on a commitment is verified on the checks page; a false one needs
    // what was done, said beside the field with the rest kept.
    crate::cases::add_item(&app, "GT-3", false, true);
    let promised = app.new_case(&clerk, Some("GT-3"));
    let body = json!({"commitment": "本人承诺经营场所合法"});
    assert_eq!(app.post(&format!("/api/v1/cases/{promised}/commitment"), &clerk, body).0, 200);
    t.visit("/commitment-checks", "各单位核查情况");
    open_details(&d);
    d.click("form[action$='/result'] input[value='0']");
    d.typ("form[action$='/result'] textarea[name=note]", "现场为住宅");
    t.content.push("现场为住宅".into());
    d.click("form[action$='/result'] button");
    let err = t.read("须写明处理措施");
    assert!(err.contains("现场为住宅"), "{err}");
    d.typ("form[action$='/result'] input[name=action]", "撤销登记");
    t.content.push("撤销登记".into());
    d.click("form[action$='/result'] button");
    let done = t.read("核查结果已记录");
    assert!(done.contains("撤销登记") && done.contains("不实"), "{done}");
    d.go(&format!("{}/logout", app.base));
    d.size(360, 1600);
    t.visit("/follow", "查询办理进度");
    d.typ("input[name=receipt_no]", c["receipt_no"].as_str().unwrap());
    d.typ("input[name=phone]", "13812345678");
    d.click("form[action='/follow'] button");
    let seen = t.read("办理环节");
    assert!(seen.contains("送达") && seen.contains("已完成") && !seen.contains("clerk"), "{seen}");
    let guide = t.visit("/guides/GT-1", "受理后的办理环节");
    assert!(guide.contains("受理后第 3 个工作日内完成"), "{guide}");
    // CAT-4: a plain question about a life event finds its bundle first.
    let bundle = json!({"code": "canyin", "name": "开办餐饮店一件事", "description": "开饭馆、小吃店，一次办齐登记和许可。",
                        "intents": ["开饭店", "开餐馆"], "items": ["GT-1", "GT-3"]});
    assert_eq!(app.post("/api/v1/bundles", &app.token("admin"), bundle).0, 201);
    t.content
        .extend(["开办餐饮店一件事", "开饭馆、小吃店，一次办齐登记和许可。", "开饭店要办什么证"].map(String::from));
    t.visit("/guides", "一件事一次办");
    d.typ("input[name=q]", "开饭店要办什么证");
    d.click("form[action='/guides'] button");
    let found = t.read("您要办的可能是");
    assert!(found.contains("开办餐饮店一件事") && found.contains("合计不超过"), "{found}");
    d.click("section.bundle p.note a");
    t.read("共需");
    t.seen.push("/guides/bundles/canyin".into());
    t.traditional();
}
