//! `noveto audit verify`: exit 0 when the chain is intact.

use crate::{Fail, Store};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum AuditCmd {
    /// Check every entry of the hash chain; report the first broken one.
    Verify {
        #[command(flatten)]
        store: Store,
    },
}

pub async fn run(cmd: AuditCmd) -> Result<ExitCode, Fail> {
    let AuditCmd::Verify { store } = cmd;
    let st = crate::open_existing(&store).await?;
    match st.read(noveto_store::repo::audit::verify).await? {
        Ok(n) => {
            println!("审计链完整：共 {n} 条记录。");
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            println!("审计链断裂：第 {} 条：{}", b.seq, b.problem);
            Ok(ExitCode::from(3))
        }
    }
}
