//! `noveto backup` / `noveto restore`: a consistent snapshot while the store keeps serving,
//! restored into a new store of either kind.

use crate::{Fail, Store};
use indicatif::{ProgressBar, ProgressStyle};
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
                    let n = noveto_store::repo::backup::dump(tx, &mut w, progress)?;
                    let sealed = w.into_inner().map_err(|e| io(e.into_error()))?;
                    let f = sealed.finish().map_err(io)?.into_inner().map_err(|e| io(e.into_error()))?;
                    (n, f)
                }
                None => {
                    let mut w = BufWriter::new(file);
                    let n = noveto_store::repo::backup::dump(tx, &mut w, progress)?;
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

pub async fn restore(s: &Store, from: &Path, passphrase_file: Option<&Path>) -> Result<(), Fail> {
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
    crate::init::make_data_dir(&s.data)?;
    let st = s.open()?;
    if crate::initialized(&st).await? {
        return Err(Fail("目标数据库中已有数据：请恢复到新的（空的）数据库".into()));
    }
    let pb = ProgressBar::new_spinner();
    pb.set_message("恢复中…");
    let n = st.write(move |tx| noveto_store::repo::backup::load(tx, &mut BufReader::new(input))).await?;
    pb.finish_and_clear();
    crate::init::record_url(s)?;
    // The original audit key (copied into the new directory or in NOVETO_AUDIT_KEY) keeps
    // checking the restored entries; without it, a new key signs what comes after them.
    crate::audit::use_audit_key(s, &st, true).await?;
    let verifier = st.audit_key().map(noveto_domain::audit::Verifier::keyed).unwrap_or_default();
    let ok = st.read(move |tx| noveto_store::repo::audit::verify_with(tx, verifier)).await?;
    match ok {
        Ok(c) => println!("已恢复 {n} 行；审计链完整（{c} 条）。"),
        Err(b) => println!("已恢复 {n} 行；但审计链在第 {} 条断裂：{}", b.seq, b.problem),
    }
    Ok(())
}
