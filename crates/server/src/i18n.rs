//! The interface's locales. Every interface string in the code is written once, in Simplified
//! Chinese, inside `tr("…")` (or `trf("…{}…", …)` with placeholders); that text is the message's
//! key. Each further locale is one catalog file in `crates/server/locales/` — a line per message,
//! `key<TAB>translation` — so Traditional Chinese today, and English later, need no code.
//!
//! The locale of a request is chosen once, by [`layer`] (the visitor's `nv_lang` cookie, else the
//! server's default), and read by `tr` from a task-local: page code does not pass it around.
//! Content (item names, what people typed) is never translated — only what passes through `tr`.
//!
//! `tests` below keep the catalog complete: every `tr`/`trf` key in the server's source and every
//! domain label has a Traditional entry, and no Chinese string literal in the pages escapes `tr`.

use std::collections::HashMap;
use std::fmt::{Display, Write as _};
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Locale {
    /// Simplified Chinese, the language the keys are written in.
    #[default]
    Hans,
    /// Traditional Chinese (the Fuzhou document is in Traditional).
    Hant,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Hans, Locale::Hant];

    pub fn parse(s: &str) -> Option<Locale> {
        match s.trim() {
            "zh-Hans" | "zh-CN" | "zh" | "hans" => Some(Locale::Hans),
            "zh-Hant" | "zh-TW" | "zh-HK" | "hant" => Some(Locale::Hant),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Hans => "zh-Hans",
            Locale::Hant => "zh-Hant",
        }
    }

    /// The `lang` attribute of a page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::Hans => "zh-CN",
            Locale::Hant => "zh-Hant",
        }
    }

    /// The name of the locale in itself, for the switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Locale::Hans => "简体",
            Locale::Hant => "繁體",
        }
    }

    fn catalog(self) -> Option<&'static HashMap<&'static str, &'static str>> {
        match self {
            Locale::Hans => None,
            Locale::Hant => Some(&HANT),
        }
    }
}

/// The Traditional Chinese catalog (made with OpenCC's s2tw from the keys, then read; see
/// `scripts/update-catalog`).
pub const HANT_FILE: &str = include_str!("../locales/zh-Hant.tsv");

static HANT: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| parse_catalog(HANT_FILE));

/// `key<TAB>translation` per line; `#` starts a comment line. A key's `\n` stands for a newline.
pub fn parse_catalog(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| l.split_once('\t')).collect()
}

tokio::task_local! {
    static LOCALE: Locale;
}

/// The locale of the request being served (Simplified outside a request).
pub fn current() -> Locale {
    LOCALE.try_with(|l| *l).unwrap_or_default()
}

/// Runs `f` with `l` as the current locale (tests and jobs that render for a person).
pub async fn with_locale<F: std::future::Future>(l: Locale, f: F) -> F::Output {
    LOCALE.scope(l, f).await
}

/// An interface string in the current locale. The key itself where a catalog lacks it (a test
/// keeps that from happening).
pub fn tr(key: &'static str) -> &'static str {
    tr_in(current(), key)
}

pub fn tr_in(l: Locale, key: &'static str) -> &'static str {
    l.catalog().and_then(|c| c.get(key).copied()).unwrap_or(key)
}

/// A message that is not a literal here (an error from the application layer): translated when
/// the catalog has it whole, else as it is.
pub fn tr_text(text: &str) -> String {
    match current().catalog().and_then(|c| c.get(text)) {
        Some(t) => (*t).to_string(),
        None => text.to_string(),
    }
}

/// A message with `{}` placeholders, translated first and then filled in order (so that a
/// translation may keep the places where the values go).
pub fn trf(key: &'static str, args: &[&dyn Display]) -> String {
    let template = tr(key);
    let mut out = String::with_capacity(template.len() + 16 * args.len());
    let mut rest = template;
    let mut args = args.iter();
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// Like [`trf`], with each value set in bold (escaped): the figures of a summary sentence.
pub fn trb(key: &'static str, args: &[&dyn Display]) -> maud::Markup {
    let template = tr(key);
    let mut out = String::with_capacity(template.len() + 24 * args.len());
    let mut rest = template;
    let mut args = args.iter();
    while let Some(i) = rest.find("{}") {
        maud::Escaper::new(&mut out).write_str(&rest[..i]).ok();
        if let Some(a) = args.next() {
            out.push_str("<b>");
            maud::Escaper::new(&mut out).write_str(&a.to_string()).ok();
            out.push_str("</b>");
        }
        rest = &rest[i + 2..];
    }
    maud::Escaper::new(&mut out).write_str(rest).ok();
    maud::PreEscaped(out)
}

/// The cookie that keeps a visitor's choice.
pub const COOKIE: &str = "nv_lang";

/// Chooses the locale of each request: the visitor's cookie, else the server's default.
pub async fn layer(
    axum::extract::State(default): axum::extract::State<Locale>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let chosen = req
        .headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .and_then(|(_, v)| Locale::parse(v))
        .unwrap_or(default);
    with_locale(chosen, next.run(req)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trf_fills_the_translated_template_in_order() {
        assert_eq!(trf("剩 {} 个工作日", &[&3]), "剩 3 个工作日");
        assert_eq!(trf("{} 与 {}", &[&"甲", &"乙"]), "甲 与 乙");
    }

    #[tokio::test]
    async fn the_current_locale_is_the_requests() {
        assert_eq!(tr("办件"), "办件");
        let t = with_locale(Locale::Hant, async { tr("办件") }).await;
        assert_eq!(t, "辦件");
    }

    /// Every key the server's source writes inside `tr("…")` / `trf("…"` and every interface
    /// string of the domain has a Traditional entry; and no Chinese literal in the pages, `ui.rs`
    /// or this module's keys is left outside `tr` (screens issue, item 9: words from a catalog).
    /// On failure the missing keys are written to `target/catalog-missing.txt` for
    /// `scripts/update-catalog`.
    #[test]
    fn screens_9_every_interface_string_has_a_traditional_entry() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut keys: Vec<String> = vec![];
        let mut stray: Vec<String> = vec![];
        for file in source_files(&root.join("src")) {
            let text = std::fs::read_to_string(&file).unwrap();
            // The pages and their words must go through the catalog; elsewhere (the API's
            // messages) only the keys are collected.
            // The printed documents are pages too: every fixed word from the catalog.
            let pages = file.components().any(|c| c.as_os_str() == "pages") || file.ends_with("ui.rs");
            let (k, s) = scan(&text, pages);
            keys.extend(k);
            stray.extend(s.into_iter().map(|x| format!("{}: {x}", file.display())));
        }
        keys.extend(crate::ui::domain_strings().into_iter().map(String::from));
        keys.extend(crate::ui::policy_strings());
        let cat = parse_catalog(HANT_FILE);
        let mut missing: Vec<String> = keys.into_iter().filter(|k| !cat.contains_key(k.as_str())).collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            let out = root.join("../../target/catalog-missing.txt");
            let _ = std::fs::write(&out, missing.join("\n") + "\n");
        }
        assert!(
            missing.is_empty(),
            "{} keys lack a Traditional entry (see target/catalog-missing.txt): {:?}",
            missing.len(),
            &missing[..missing.len().min(20)]
        );
        assert!(stray.is_empty(), "Chinese literals outside tr(): {stray:#?}");
        // Each translation keeps its placeholders.
        for (k, v) in &cat {
            assert_eq!(k.matches("{}").count(), v.matches("{}").count(), "{k}");
        }
    }

    fn source_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = vec![];
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(source_files(&p));
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
        out
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// The keys (`tr("…")`, `trf("…"`) of a source file, and (for page code) its Chinese string
    /// literals that are not keys. Comments and test modules are not looked at.
    fn scan(text: &str, pages: bool) -> (Vec<String>, Vec<String>) {
        let mut keys = vec![];
        let mut stray = vec![];
        let body = text.split("#[cfg(test)]").next().unwrap_or(text);
        // Inside `strings! { … }` (ui.rs) every literal is a key.
        let mut named = false;
        // A call whose key stands on the next line (`trf(` at a line's end).
        let mut open_call = false;
        for line in body.lines() {
            if line.starts_with("strings! {") {
                named = true;
            } else if named && line.starts_with('}') {
                named = false;
            }
            let mut rest = line;
            loop {
                let quote = rest.find('"');
                let comment = rest.find("//");
                let Some(i) = quote else { break };
                if comment.is_some_and(|c| c < i) {
                    break;
                }
                let before = &rest[..i];
                // A char literal '"'.
                if before.ends_with('\'') && rest[i + 1..].starts_with('\'') {
                    rest = &rest[i + 2..];
                    continue;
                }
                let Some(len) = literal_len(&rest[i + 1..]) else { break };
                let lit = rest[i + 1..i + 1 + len].replace("\\\"", "\"").replace("\\n", "\n");
                let call = |name: &str| {
                    before.strip_suffix(name).is_some_and(|b| !b.ends_with(|c: char| c.is_alphanumeric() || c == '_'))
                };
                let continued = open_call && before.trim().is_empty();
                if named || continued || call("tr(") || call("trf(") || call("trb(") {
                    keys.push(lit);
                } else if pages && has_cjk(&lit) {
                    stray.push(lit);
                }
                rest = &rest[i + 1 + len + 1..];
                open_call = false;
            }
            let t = line.trim_end();
            open_call = !t.is_empty()
                && (t.ends_with("trf(") || t.ends_with("trb(") || t.ends_with(" tr(") || t.ends_with("(tr("));
        }
        (keys, stray)
    }

    fn literal_len(s: &str) -> Option<usize> {
        let mut esc = false;
        for (i, c) in s.char_indices() {
            match c {
                '\\' if !esc => esc = true,
                '"' if !esc => return Some(i),
                _ => esc = false,
            }
        }
        None
    }
}
