//! `noveto init`: a new store, its root center, the policy and the first administrator.

use crate::{Fail, Store};
use noveto_domain::access::{Grant, Role, Scope, ScopeKind};
use noveto_domain::policy::Policy;
use noveto_server::auth::{hash_password, random_token};
use noveto_store::StoreError;
use noveto_store::repo::{self, Ctx, org};
use std::io::Write;

pub struct Created {
    pub store: noveto_store::Store,
    pub admin_password: String,
    pub root_center: i64,
    pub policy: Policy,
}

pub async fn create(s: &Store, preset: &str, root_name: Option<&str>) -> Result<Created, Fail> {
    let policy = Policy::preset(preset)?;
    if crate::store_exists(s) {
        return Err(Fail(format!("{} 中已有 noveto 存储，拒绝覆盖。请换一个目录，或先备份再删除。", s.data.display())));
    }
    make_data_dir(&s.data)?;
    let store = s.open()?;
    if crate::initialized(&store).await? {
        return Err(Fail("该数据库已初始化，拒绝覆盖。请换一个数据库，或先备份再清空。".into()));
    }
    // Every entry from the first on is signed with the new data directory's audit key.
    crate::audit::use_audit_key(s, &store, false).await?;
    let password = random_token(12);
    let hash = hash_password(&password);
    let now = noveto_domain::time::rfc3339(noveto_domain::time::local(chrono::Utc::now()));
    let root = root_name.map(String::from).unwrap_or_else(|| {
        if policy.id == "national" { "政务服务中心".into() } else { format!("{}政务服务中心", policy.name) }
    });
    let p2 = policy.clone();
    let root_center = store
        .write(move |tx| {
            let ctx = Ctx { actor: None, now: now.clone() };
            repo::set_meta(tx, &ctx, "initialized_at", &now)?;
            noveto_server::save_policy(tx, &ctx, &p2, true)?;
            let c = org::create_center(
                tx,
                &ctx,
                &org::NewCenter {
                    name: &root,
                    parent_id: None,
                    level: "city",
                    address: "",
                    hotline: "12345",
                    supervision_phone: "",
                },
            )?;
            let admin = org::create_staff(tx, &ctx, "admin", "系统管理员", &hash)?;
            org::add_grant(
                tx,
                &ctx,
                admin,
                Grant { role: Role::Admin, scope: Scope { kind: ScopeKind::Center, id: c } },
            )?;
            Ok::<_, StoreError>(c)
        })
        .await?;
    record_url(s)?;
    let path = s.data.join("initial-admin.txt");
    write_secret(&path, &format!("login: admin\npassword: {password}\n"))?;
    Ok(Created { store, admin_password: password, root_center, policy })
}

/// Creates the data directory, readable by its owner only.
pub fn make_data_dir(dir: &std::path::Path) -> Result<(), Fail> {
    std::fs::create_dir_all(dir).map_err(|e| Fail(format!("无法创建目录 {}：{e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Records a PostgreSQL store's URL in the data directory (0600), so that later commands
/// given only `--data DIR` find it.
pub fn record_url(s: &Store) -> Result<(), Fail> {
    if let Some(url) = &s.database {
        write_secret(&s.data.join(crate::DATABASE_URL_FILE), &format!("{url}\n"))?;
    }
    Ok(())
}

/// Writes an export readable by its owner only (created 0600, or made so if it existed).
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), Fail> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| Fail(format!("无法写入 {}：{e}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

pub fn write_secret(path: &std::path::Path, text: &str) -> Result<(), Fail> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| Fail(format!("无法写入 {}：{e}", path.display())))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

pub async fn run(s: &Store, preset: &str) -> Result<(), Fail> {
    let c = create(s, preset, None).await?;
    println!("已创建 noveto 存储（政策：{} {}）。", c.policy.id, c.policy.name);
    println!("首个管理员的登录名和密码已写入 {}（仅本人可读）。", s.data.join("initial-admin.txt").display());
    Ok(())
}
