//! `noveto token issue`: a bearer token for a staff member.

use crate::{Fail, Store};

#[derive(clap::Subcommand)]
pub enum TokenCmd {
    /// Print one line: a new bearer token for that staff member.
    Issue {
        #[command(flatten)]
        store: Store,
        #[arg(long)]
        login: String,
    },
}

pub async fn run(cmd: TokenCmd) -> Result<(), Fail> {
    let TokenCmd::Issue { store, login } = cmd;
    let st = crate::open_existing(&store).await?;
    let now = noveto_domain::time::rfc3339(noveto_domain::time::local(chrono::Utc::now()));
    let ctx = noveto_store::repo::Ctx { actor: None, now };
    let token = noveto_app::auth::issue_token(&st, &login, ctx).await.map_err(|e| Fail(e.message))?;
    println!("{token}");
    Ok(())
}
