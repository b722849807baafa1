//! `noveto serve`: the web UI and the API, with the job runner beside them.

use crate::{Fail, Store};
use noveto_server::{AppState, Clock};

pub async fn run(s: &Store, listen: &str, demo: bool, preset: &str) -> Result<(), Fail> {
    let mut logins = None;
    if demo && !crate::store_exists(s) && s.database.is_none() {
        logins = Some(crate::demo::create(s, preset).await?);
    }
    let store = crate::open_existing(s)?;
    let state = AppState::load(store, Clock::system(), s.data.clone()).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Fail(format!("无法监听 {listen}：{e}")))?;
    let addr = listener.local_addr()?;
    println!(
        "noveto 已启动：http://{addr}/ （政策：{}）",
        state.policy().name
    );
    println!("办事指南（公众，无需登录）：http://{addr}/guides");
    if let Some(l) = logins {
        crate::demo::print_logins(&l);
    } else if demo {
        println!(
            "使用已有的演示数据；登录信息见首次运行时的输出或 {}",
            s.data.join("demo-logins.txt").display()
        );
    }
    noveto_server::serve(state, listener).await?;
    Ok(())
}
