//! `noveto backup` / `noveto restore`: a consistent snapshot while the store keeps serving,
//! restored into a new store of either kind.

use crate::{Fail, Store};
use indicatif::{ProgressBar, ProgressStyle};
use noveto_domain::audit::{AuditKey, Verifier};
use std::io::{BufReader, BufWriter};
use std::path::Path;

fn bar(len: u64) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:20} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

/// The passphrase for a sealed backup: the first line of `file`, else `NOVETO_BACKUP_PASSPHRASE`.
pub fn passphrase(file: Option<&Path>, new: bool) -> Result<String, Fail> {
    let p = match file {
        Some(f) => std::fs::read_to_string(f)
            .map_err(|e| Fail(format!("无法读取口令文件 {}：{e}", f.display())))?
            .lines()
            .next()
            .unwrap_or("")
            .to_string(),
        None => std::env::var("NOVETO_BACKUP_PASSPHRASE").map_err(|_| {
            Fail(
                "需要备份口令：请用 --passphrase-file 文件（首行为口令）或环境变量 NOVETO_BACKUP_PASSPHRASE 提供"
                    .into(),
            )
        })?,
    };
    if new && p.chars().count() < crate::seal::MIN_PASSPHRASE {
        return Err(Fail(format!("备份口令至少 {} 个字符", crate::seal::MIN_PASSPHRASE)));
    }
    if p.is_empty() {
        return Err(Fail("备份口令为空".into()));
    }
    Ok(p)
}

pub async fn backup(s: &Store, to: &Path, passphrase: Option<String>) -> Result<(), Fail> {
    let st = crate::open_existing(s).await?;
    if to.exists() {
        return Err(Fail(format!("{} 已存在，拒绝覆盖", to.display())));
    }
    let tmp = to.with_extension("partial");
    // A backup holds personal data and password hashes: readable by its owner only.
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    // An encrypted backup carries the audit key, so that its restore keeps checking every entry
    // under the key that signed it; a plain one names only the key's fingerprint (in `meta`).
    let key = match &passphrase {
        Some(_) => crate::audit::find_key(s)?.map(|k| crate::audit::key_text(&k)),
        None => None,
    };
    let file = opts.open(&tmp).map_err(|e| Fail(format!("无法创建 {}：{e}", tmp.display())))?;
    let pb = bar(noveto_store::TABLES.len() as u64);
    let pb2 = pb.clone();
    let n = st
        .read(move |tx| {
            let io = |e: std::io::Error| noveto_store::StoreError::Db(e.to_string());
            let progress = |t: &str, _| {
                pb2.set_message(t.to_string());
                pb2.inc(1);
            };
            let file = match passphrase {
                Some(p) => {
                    let mut w = BufWriter::new(crate::seal::SealWriter::new(BufWriter::new(file), &p).map_err(io)?);
                    let n = noveto_store::repo::backup::dump(tx, &mut w, key.as_deref(), progress)?;
                    let sealed = w.into_inner().map_err(|e| io(e.into_error()))?;
                    let f = sealed.finish().map_err(io)?.into_inner().map_err(|e| io(e.into_error()))?;
                    (n, f)
                }
                None => {
                    let mut w = BufWriter::new(file);
                    let n = noveto_store::repo::backup::dump(tx, &mut w, None, progress)?;
                    (n, w.into_inner().map_err(|e| io(e.into_error()))?)
                }
            };
            file.1.sync_all().map_err(io)?;
            Ok::<_, noveto_store::StoreError>(file.0)
        })
        .await?;
    pb.finish_and_clear();
    std::fs::rename(&tmp, to)?;
    println!("已备份 {n} 行到 {}", to.display());
    Ok(())
}

/// Restores a backup into a new store — only a backup whose audit chain holds: intact, and
/// signed under the key that signed it (carried by an encrypted backup, or copied into the new
/// directory / `NOVETO_AUDIT_KEY`). Without that key the restore is refused unless `new_key`
/// says to start a new one, which is recorded. A refused restore leaves nothing behind.
pub async fn restore(s: &Store, from: &Path, passphrase_file: Option<&Path>, new_key: bool) -> Result<(), Fail> {
    if crate::store_exists(s) {
        return Err(Fail(format!("{} 中已有存储：请恢复到新的目录", s.data.display())));
    }
    let open = || std::fs::File::open(from).map_err(|e| Fail(format!("无法打开 {}：{e}", from.display())));
    let mut head = [0u8; 12];
    let got = std::io::Read::read(&mut open()?, &mut head)?;
    let input: Box<dyn std::io::Read + Send> = if crate::seal::is_sealed(&head[..got]) {
        let p =
            passphrase(passphrase_file, false).map_err(|e| Fail(format!("{} 是加密备份。{}", from.display(), e.0)))?;
        let r = crate::seal::OpenReader::new(BufReader::new(open()?), &p)
            .map_err(|e| Fail(format!("无法打开加密备份：{e}")))?;
        Box::new(r)
    } else {
        Box::new(open()?)
    };
    let fresh_dir = !s.data.exists();
    let had_key = s.data.join(crate::audit::AUDIT_KEY_FILE).exists();
    let r = restore_into(s, input, new_key).await;
    if r.is_err() {
        // Nothing of a refused restore stays: the next try starts from the same empty place.
        if fresh_dir {
            let _ = std::fs::remove_dir_all(&s.data);
        } else {
            for f in ["noveto.db", "noveto.db-wal", "noveto.db-shm", crate::DATABASE_URL_FILE] {
                let _ = std::fs::remove_file(s.data.join(f));
            }
            if !had_key {
                let _ = std::fs::remove_file(s.data.join(crate::audit::AUDIT_KEY_FILE));
            }
        }
    }
    r
}

async fn restore_into(s: &Store, input: Box<dyn std::io::Read + Send>, new_key: bool) -> Result<(), Fail> {
    crate::init::make_data_dir(&s.data)?;
    let given = crate::audit::find_key(s)?;
    let st = s.open()?;
    if crate::initialized(&st).await? {
        return Err(Fail("目标数据库中已有数据：请恢复到新的（空的）数据库".into()));
    }
    let pb = ProgressBar::new_spinner();
    pb.set_message("恢复中…");
    type Checked = (u64, Option<AuditKey>, Option<String>, u64);
    let checked: Result<Checked, noveto_store::StoreError> = st
        .write(move |tx| {
            let loaded = noveto_store::repo::backup::load(tx, &mut BufReader::new(input))?;
            let carried = loaded.audit_key.as_deref().and_then(crate::audit::parse_key);
            let key = carried.clone().or(given);
            let recorded = noveto_store::repo::get_meta(tx, crate::audit::META_KEY)?;
            let refuse = |m: String| Err(noveto_store::StoreError::Corrupt(m));
            let verifier = match (&recorded, &key) {
                (Some(fp), Some(k)) if k.fingerprint() == *fp => Verifier::keyed(k.clone()),
                (Some(fp), _) if !new_key => {
                    return refuse(format!(
                        "备份的审计记录由密钥 {fp} 签名，恢复时须用同一密钥核对：请把原数据目录的 {} 复制到新目录（0600）或设置 NOVETO_AUDIT_KEY，或使用加密备份（它带着密钥）；确需启用新密钥的，加 --new-audit-key（将记入审计），此前的记录则只受哈希链保护",
                        crate::audit::AUDIT_KEY_FILE
                    ));
                }
                _ => Verifier::default(),
            };
            match noveto_store::repo::audit::verify_with(tx, verifier)? {
                Ok(n) => Ok((loaded.rows, carried, recorded.filter(|_| new_key), n)),
                Err(b) => refuse(format!("备份的审计链在第 {} 条断裂（{}）：拒绝恢复", b.seq, b.problem)),
            }
        })
        .await;
    pb.finish_and_clear();
    let (n, carried, replaced, entries) = checked.map_err(|e| match e {
        noveto_store::StoreError::Corrupt(m) => Fail(m),
        e => Fail(e.to_string()),
    })?;
    crate::init::record_url(s)?;
    if let Some(k) = &carried {
        crate::init::write_secret(&s.data.join(crate::audit::AUDIT_KEY_FILE), &crate::audit::key_text(k))?;
    }
    crate::audit::use_audit_key(s, &st, new_key).await?;
    if let Some(old) = replaced {
        // The change of key is itself recorded (who reads the chain learns where the new key begins).
        let now = noveto_domain::time::rfc3339(noveto_domain::time::local(chrono::Utc::now()));
        let ctx = noveto_store::repo::Ctx { actor: None, now };
        let o2 = old.clone();
        st.write(move |tx| noveto_store::repo::set_meta(tx, &ctx, "audit_key_replaced", &o2)).await?;
        println!("已启用新的审计密钥：原密钥 {old} 签名的记录此后只受哈希链保护。");
    }
    println!("已恢复 {n} 行；审计链完整（{entries} 条），每条均已按签名密钥核对。");
    Ok(())
}
