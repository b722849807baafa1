//! `noveto token issue`: a bearer token for a staff member.

use crate::{Fail, Store};
use noveto_store::repo::{Ctx, auth, org};

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
    let l = login.clone();
    let staff = st.read(move |tx| org::staff_by_login(tx, &l)).await?;
    let (staff, _) = staff.ok_or_else(|| Fail(format!("没有登录名为“{login}”的工作人员")))?;
    let token = format!("nv_{}", noveto_server::auth::random_token(24));
    let h = noveto_server::auth::sha256_hex(&token);
    let now = noveto_domain::time::rfc3339(noveto_domain::time::local(chrono::Utc::now()));
    st.write(move |tx| auth::add_token(tx, &Ctx { actor: None, now }, staff.id, &h)).await?;
    println!("{token}");
    Ok(())
}
