//! `noveto serve`: the web UI and the API, with the job runner beside them.

use crate::{Fail, Store};
use noveto_server::{AppState, Clock};
use std::io::Write;

/// How the server meets the network and its visitors.
pub struct Options {
    pub secure_cookies: bool,
    pub locale: String,
    pub trusted_proxies: Vec<String>,
}

pub async fn run(s: &Store, listen: &str, demo: bool, preset: &str, o: Options) -> Result<(), Fail> {
    let locale = noveto_server::i18n::Locale::parse(&o.locale)
        .ok_or_else(|| Fail(format!("未知的界面语言 {}：可用 zh-Hans（简体）或 zh-Hant（繁體）", o.locale)))?;
    let mut proxies = vec![];
    for p in o.trusted_proxies.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        proxies.push(
            noveto_server::auth::Net::parse(p).ok_or_else(|| {
                Fail(format!("--trusted-proxy {p} 无效：应为 IP 地址或“地址/前缀长度”，如 10.0.0.0/8"))
            })?,
        );
    }
    let mut logins = None;
    if demo && !crate::store_exists(s) {
        let fresh = match &s.database {
            None => true,
            Some(_) => !crate::initialized(&s.open()?).await?,
        };
        if fresh {
            logins = Some(crate::demo::create(s, preset).await?);
        }
    }
    let store = crate::open_existing(s).await?;
    let mut state = AppState::load(store, Clock::system(), s.data.clone()).await?;
    state.secure_cookies = o.secure_cookies;
    state.locale = locale;
    state.trusted_proxies = std::sync::Arc::new(proxies);
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| Fail(format!("无法监听 {listen}：{e}")))?;
    let addr = listener.local_addr()?;
    // SIGTERM and Ctrl+C are caught from here on: whoever reads the line below may stop us.
    let stop = noveto_server::stop_signal();
    // A closed stdout (a supervisor that stopped reading) must not stop the server.
    let mut text = format!(
        "noveto 已启动：http://{addr}/ （政策：{}）\n办事指南（公众，无需登录）：http://{addr}/guides\n",
        state.policy().name
    );
    if let Some(l) = logins {
        text.push_str(&crate::demo::logins_text(&l));
    } else if demo {
        text.push_str(&format!("使用已有的演示数据；演示账号见 {}\n", s.data.join("demo-logins.txt").display()));
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    drop(out);
    noveto_server::serve_until(state, listener, stop).await?;
    Ok(())
}
