//! `noveto serve`: the web UI and the API, with the job runner beside them.

use crate::{Fail, Store};
use noveto_server::{AppState, Clock};
use std::io::Write;

pub async fn run(
    s: &Store,
    listen: &str,
    demo: bool,
    preset: &str,
    secure_cookies: bool,
    locale: &str,
) -> Result<(), Fail> {
    let locale = noveto_server::i18n::Locale::parse(locale)
        .ok_or_else(|| Fail(format!("未知的界面语言 {locale}：可用 zh-Hans（简体）或 zh-Hant（繁體）")))?;
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
    state.secure_cookies = secure_cookies;
    state.locale = locale;
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| Fail(format!("无法监听 {listen}：{e}")))?;
    let addr = listener.local_addr()?;
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
    noveto_server::serve(state, listener).await?;
    Ok(())
}
