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

// NV-1, NV-4, ORG-2: a clerk logs in, sees the workbench, takes a case from intake to a
// one-time notice and opens its print view — in a real headless Chromium.
#[test]
fn browser_clerk_intake_to_notice() {
    let Some(d) = Driver::start() else { return };
    let app = App::spawn(Kind::Sqlite, "national");
    d.go(&format!("{}/login", app.base));
    d.typ("input[name=login]", "clerk");
    d.typ("input[name=password]", PW);
    d.click("button[type=submit]");
    let home = d.text_with("我的首问件");
    assert!(home.contains("接件登记") && home.contains("我的首问件"), "{home}");
    d.typ("input[name=name]", "王小二");
    d.typ("input[name=phone]", "123");
    d.typ("textarea[name=request]", "开办个体工商户");
    d.click("form[action='/cases'] button[type=submit]");
    let err = d.text_with("联系电话格式不正确");
    assert!(err.contains("联系电话格式不正确"), "error next to the form: {err}");
    // The typed input is kept; fix the phone only.
    let e = d.find("input[name=phone]");
    d.cmd("POST", &format!("/element/{e}/clear"), json!({}));
    d.typ("input[name=phone]", "13812345678");
    d.click("form[action='/cases'] button[type=submit]");
    let page = d.text_with("NV20261120");
    assert!(d.url().contains("/cases/"), "{}", d.url());
    assert!(page.contains("NV20261120") && page.contains("王小二"), "{page}");
    assert!(!page.contains("拒绝办理"), "no reject button");
    d.click("form[action$='/act/notice']");
    d.cmd(
        "POST",
        "/execute/sync",
        json!({"script": "document.querySelectorAll('details').forEach(x => x.open = true); return 1;", "args": []}),
    );
    d.typ("form[action$='/act/notice'] textarea[name=other]", "经营场所证明|租赁合同复印件");
    d.click("form[action$='/act/notice'] button");
    let page = d.text_with("已一次性告知");
    assert!(page.contains("已一次性告知"), "{page}");
    d.screenshot(&app.dir.join("case.png"));
    let id = d.url().rsplit('/').next().unwrap().to_string();
    d.go(&format!("{}/api/v1/cases/{id}/documents/notice.html", app.base));
    let doc = d.text_with("一次性告知书");
    assert!(doc.contains("一次性告知书") && doc.contains("经营场所证明"), "{doc}");
    if let Ok(dir) = std::env::var("NOVETO_SCREENSHOTS") {
        d.screenshot(&std::path::Path::new(&dir).join("notice.png"));
        let _ = std::fs::copy(app.dir.join("case.png"), std::path::Path::new(&dir).join("case.png"));
    }
}
