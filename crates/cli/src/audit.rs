//! `noveto audit verify`: exit 0 when the chain is intact (3 when broken); it also reports
//! every closed case whose negative ending lacks its proof.

use crate::{Fail, Store};
use noveto_domain::audit::{AuditKey, Verifier};
use noveto_store::repo::{self, Ctx};
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
    let key = st.audit_key();
    let verifier = key.clone().map(Verifier::keyed).unwrap_or_default();
    let keyed = key.as_ref().map(|k| k.from_seq);
    // NV-2: every negative ending has its proof (an approved veto, a confirmed withdrawal …).
    let unproven = st.read(repo::backup::unproven_endings).await?;
    for (id, why) in &unproven {
        println!("办件 {id} {why}");
    }
    if unproven.is_empty() {
        println!("办结结果核对通过：每件否决、撤回、依法无需办理、已解答、指引办结都有其依据。");
    }
    let endings_ok = unproven.is_empty();
    // HCP-5: the satisfaction counts the database keeps (migration 33) equal the ratings' rows.
    let drift = st.read(|tx| repo::ratings::tally_drift(tx, "0000", "9999")).await?;
    let id = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
    for d in &drift {
        println!(
            "好差评计数不符：{} 中心 {} 单位 {} 窗口 {} 渠道 {}：保存为 {} 条（满意 {}），逐条计为 {} 条（满意 {}）",
            d.quarter,
            d.center_id,
            id(d.unit_id),
            id(d.window_id),
            d.channel,
            d.kept.0,
            d.kept.1,
            d.counted.0,
            d.counted.1
        );
    }
    if drift.is_empty() {
        println!("好差评计数核对通过：各季度、各单位窗口、各渠道保存的计数与逐条评价相符。");
    }
    // AS-1: the overdue deadlines the database keeps counted (migration 34) equal the deadlines.
    let kept = st.read(|tx| repo::assessment::drift(tx, "0000-01-01", "9999-12-31", "9999-12-31")).await?;
    for d in &kept {
        println!(
            "考核计数不符：{} 中心 {} 单位 {} 窗口 {}：保存为 {}，逐条计为 {}",
            d.figure,
            d.center_id,
            id(d.unit_id),
            id(d.window_id),
            d.kept,
            d.counted
        );
    }
    if kept.is_empty() {
        println!("考核计数核对通过：各单位窗口未办结期限的保存计数与逐条期限相符。");
    }
    match st.read(move |tx| repo::audit::verify_with(tx, verifier)).await? {
        Ok(n) => {
            println!("审计链完整：共 {n} 条记录，每条的内容哈希与前后链接均相符。");
            match keyed {
                Some(1) => println!("审计密钥校验通过：全部记录由密钥签名，无密钥者改动并重算的链会被发现。"),
                Some(from) if from as u64 <= n => println!(
                    "审计密钥校验通过：第 {from} 条起的记录由密钥签名；此前的 {} 条早于密钥，只受哈希链保护（能写数据库者可改动并重算这部分）。",
                    from - 1
                ),
                Some(_) => println!("审计密钥已启用，尚无由它签名的记录。"),
                None => {}
            }
            println!("注意：删除链尾若干条并同时改回链头，只能与此前公布或打印的链头对照发现。");
            // CONTRACT: exit 0 when the chain is intact; endings without proof are reported
            // above (and by the API's `unproven_endings`), not folded into the exit code.
            if !endings_ok {
                println!("有办结结果缺少依据（见上）：请核查上述办件。");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            println!("审计链断裂：第 {} 条：{}", b.seq, b.problem);
            Ok(ExitCode::from(3))
        }
    }
}

/// Where the audit key lives in the data directory (mode 0600).
pub const AUDIT_KEY_FILE: &str = "audit.key";
const META_AUDIT_KEY: &str = "audit_key_fingerprint";

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.len() < 64 || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// An audit key in the file's words: `key=` (hex) and `from=` (its first entry) lines.
pub fn parse_key(text: &str) -> Option<AuditKey> {
    let field = |name: &str| text.lines().find_map(|l| l.trim().strip_prefix(name)).map(str::trim);
    Some(AuditKey::new(field("key=").and_then(parse_hex)?, field("from=").and_then(|v| v.parse().ok())?))
}

/// The audit key as the key file writes it (an encrypted backup carries this text).
pub fn key_text(k: &AuditKey) -> String {
    format!("key={}\nfrom={}\n", noveto_domain::audit::hex(k.bytes()), k.from_seq)
}

/// The audit key from `NOVETO_AUDIT_KEY` (hex, at least 32 bytes; `NOVETO_AUDIT_KEY_FROM` names
/// its first entry, default 1) or from `DIR/audit.key`; `None` where neither exists.
pub fn find_key(s: &Store) -> Result<Option<AuditKey>, Fail> {
    if let Ok(hex) = std::env::var("NOVETO_AUDIT_KEY") {
        let key = parse_hex(&hex).ok_or_else(|| Fail("NOVETO_AUDIT_KEY 须为至少 64 位的十六进制字符串".into()))?;
        let from = std::env::var("NOVETO_AUDIT_KEY_FROM").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
        return Ok(Some(AuditKey::new(key, from)));
    }
    let path = s.data.join(AUDIT_KEY_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Fail(format!("无法读取审计密钥 {}：{e}", path.display()))),
    };
    parse_key(&text).map(Some).ok_or_else(|| {
        Fail(format!("审计密钥文件 {} 格式有误：应有 key=（十六进制）与 from=（起始序号）两行", path.display()))
    })
}

/// The fingerprint of the key that signed a store's entries, as the store records it.
pub const META_KEY: &str = META_AUDIT_KEY;

/// Sets the audit key on a freshly opened store, so that every entry this command writes is
/// signed (security issue: a chain an operator cannot recompute). A data directory without a
/// key gets one (`DIR/audit.key`, 0600) that covers the entries from the next one on; its
/// fingerprint is recorded in the database, and a key that differs from the recorded one is
/// refused — several servers on one PostgreSQL must share one key. `replace` (restore into a
/// new directory without the original key) records a new key in place of the backup's.
pub async fn use_audit_key(s: &Store, st: &noveto_store::Store, replace: bool) -> Result<(), Fail> {
    let recorded = st.read(|tx| repo::get_meta(tx, META_AUDIT_KEY)).await?;
    let key = match find_key(s)? {
        Some(k) => k,
        None => {
            if recorded.is_some() && !replace {
                return Err(Fail(format!(
                    "数据库的审计记录由密钥签名，但 {} 中没有审计密钥：请把写入该数据库的服务器的 {} 复制到此目录（0600），或设置 NOVETO_AUDIT_KEY",
                    s.data.display(),
                    AUDIT_KEY_FILE
                )));
            }
            let from = st.read(repo::audit::head_seq).await? + 1;
            let mut bytes = vec![0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let text = format!("key={}\nfrom={from}\n", noveto_domain::audit::hex(&bytes));
            crate::init::write_secret(&s.data.join(AUDIT_KEY_FILE), &text)?;
            if from > 1 {
                eprintln!(
                    "已创建审计密钥 {}：第 {from} 条起的审计记录由它签名，此前的记录仍由哈希链保护。请另行备份此文件。",
                    s.data.join(AUDIT_KEY_FILE).display()
                );
            }
            AuditKey::new(bytes, from)
        }
    };
    let fp = key.fingerprint();
    match recorded {
        Some(r) if r == fp => {}
        Some(r) if !replace => {
            return Err(Fail(format!(
                "审计密钥（{fp}）与数据库记录的（{r}）不一致：多台服务器须使用同一密钥（复制 {AUDIT_KEY_FILE} 或设置 NOVETO_AUDIT_KEY）"
            )));
        }
        _ => {
            st.set_audit_key(key);
            let now = noveto_domain::time::rfc3339(noveto_domain::time::local(chrono::Utc::now()));
            st.write(move |tx| repo::set_meta(tx, &Ctx { actor: None, now }, META_AUDIT_KEY, &fp)).await?;
            return Ok(());
        }
    }
    st.set_audit_key(key);
    Ok(())
}
