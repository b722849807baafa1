//! `noveto backup` / `noveto restore`: a consistent snapshot while the store keeps serving,
//! restored into a new store of either kind.

use crate::{Fail, Store};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

fn bar(len: u64) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:20} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

pub async fn backup(s: &Store, to: &Path) -> Result<(), Fail> {
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
            let mut w = BufWriter::new(file);
            let n = noveto_store::repo::backup::dump(tx, &mut w, |t, _| {
                pb2.set_message(t.to_string());
                pb2.inc(1);
            })?;
            w.flush().map_err(|e| noveto_store::StoreError::Db(e.to_string()))?;
            w.get_ref().sync_all().map_err(|e| noveto_store::StoreError::Db(e.to_string()))?;
            Ok::<_, noveto_store::StoreError>(n)
        })
        .await?;
    pb.finish_and_clear();
    std::fs::rename(&tmp, to)?;
    println!("已备份 {n} 行到 {}", to.display());
    Ok(())
}

pub async fn restore(s: &Store, from: &Path) -> Result<(), Fail> {
    if crate::store_exists(s) {
        return Err(Fail(format!("{} 中已有存储：请恢复到新的目录", s.data.display())));
    }
    let f = std::fs::File::open(from).map_err(|e| Fail(format!("无法打开 {}：{e}", from.display())))?;
    crate::init::make_data_dir(&s.data)?;
    let st = s.open()?;
    if crate::initialized(&st).await? {
        return Err(Fail("目标数据库中已有数据：请恢复到新的（空的）数据库".into()));
    }
    let pb = ProgressBar::new_spinner();
    pb.set_message("恢复中…");
    let n = st.write(move |tx| noveto_store::repo::backup::load(tx, &mut BufReader::new(f))).await?;
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
