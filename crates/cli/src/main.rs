//! The `noveto` command. One file per subcommand; this file only parses and dispatches.

mod audit;
mod backup;
mod calendar;
mod catalog;
mod demo;
mod init;
mod policy;
mod report;
mod scale;
mod seal;
mod serve;
mod token;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "noveto",
    version,
    about = "政务服务“窗口无否决权”办件系统 / a case system for government service halls"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Args, Clone)]
pub struct Store {
    /// Data directory (the embedded SQLite store lives here).
    #[arg(long, default_value = "noveto-data")]
    pub data: PathBuf,
    /// postgres://… to use PostgreSQL instead of the embedded store (`init` records it in the
    /// data directory, so later commands need only `--data`).
    #[arg(long, env = "NOVETO_DATABASE_URL", hide_env_values = true)]
    pub database: Option<String>,
    /// postgres://… of a streaming replica of that database: month-end reports and searches read
    /// there, so that they never slow the halls' writes (the primary serves them when it is down).
    #[arg(long, env = "NOVETO_PG_READ_URL", hide_env_values = true)]
    pub read_database: Option<String>,
}

/// The file in the data directory where `init` records a PostgreSQL store's URL (mode 0600).
pub const DATABASE_URL_FILE: &str = "database.url";

impl Store {
    /// The PostgreSQL URL this command works on: `--database` or `NOVETO_DATABASE_URL`, else the
    /// one `init` recorded in the data directory; `None` for the embedded store.
    pub fn url(&self) -> Result<Option<String>, Fail> {
        if let Some(u) = &self.database {
            return Ok(Some(u.clone()));
        }
        let f = self.data.join(DATABASE_URL_FILE);
        match std::fs::read_to_string(&f) {
            Ok(u) => Ok(Some(u.trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Fail(format!("无法读取 {}：{e}", f.display()))),
        }
    }

    /// Opens (and migrates) the store this command names.
    pub fn open(&self) -> Result<noveto_store::Store, Fail> {
        Ok(noveto_store::Store::open_with_replica(&self.data, self.url()?.as_deref(), self.read_database.as_deref())?)
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a new store and its first administrator.
    Init {
        #[command(flatten)]
        store: Store,
        /// national, jilin-etdz, ankang, fuzhou, guilin, weihai-huancui
        #[arg(long, default_value = "national")]
        preset: String,
    },
    /// `init` plus a realistic demo center; prints the demo logins.
    Demo {
        #[command(flatten)]
        store: Store,
        #[arg(long, default_value = "national")]
        preset: String,
        /// Also generate N cases over three years (notices, acceptances, escalations, closings,
        /// ratings, and one in 250 vetoed through the real approval chain) for measuring at a
        /// province's size; written through the store in batches. One in 250 more ends another
        /// way, each through the product's own rules: an escalation answered, a written
        /// withdrawal confirmed, a 办不成事 matter resolved and verified, a 吐槽找茬 complaint
        /// replied to and closed.
        #[arg(long)]
        scale: Option<u64>,
    },
    /// Run the web UI and the API.
    Serve {
        #[command(flatten)]
        store: Store,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Create the demo store first when there is none.
        #[arg(long)]
        demo: bool,
        #[arg(long, default_value = "national")]
        preset: String,
        /// Mark the session cookie `Secure` (served behind HTTPS, e.g. a TLS-terminating proxy).
        #[arg(long, env = "NOVETO_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The interface's script for visitors who have not chosen one: zh-Hans or zh-Hant.
        #[arg(long, env = "NOVETO_LOCALE", default_value = "zh-Hans")]
        locale: String,
        /// A proxy (address or address/prefix) whose X-Forwarded-For names the client; repeat
        /// for several, or list them in NOVETO_TRUSTED_PROXIES (comma-separated).
        #[arg(long = "trusted-proxy", env = "NOVETO_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<String>,
    },
    /// Bearer tokens for the API.
    Token {
        #[command(subcommand)]
        cmd: token::TokenCmd,
    },
    /// Working days (CAL-1).
    Calendar {
        #[command(subcommand)]
        cmd: calendar::CalendarCmd,
    },
    /// The center's policy (POL-1): import a new version, show the one in force.
    Policy {
        #[command(subcommand)]
        cmd: policy::PolicyCmd,
    },
    /// The service catalog: import and export (XLSX / CSV).
    Catalog {
        #[command(subcommand)]
        cmd: catalog::CatalogCmd,
    },
    /// The center's reports as files: veto statistics, assessment, satisfaction (NV-15, AS-1, HCP-5).
    Report(report::ReportArgs),
    /// The audit chain.
    Audit {
        #[command(subcommand)]
        cmd: audit::AuditCmd,
    },
    /// An online, consistent backup.
    Backup {
        #[command(flatten)]
        store: Store,
        #[arg(long)]
        to: PathBuf,
        /// Seal the backup with a passphrase (from --passphrase-file or NOVETO_BACKUP_PASSPHRASE).
        #[arg(long)]
        encrypt: bool,
        /// A file whose first line is the passphrase.
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
    },
    /// Restore a backup into a new store.
    Restore {
        #[command(flatten)]
        store: Store,
        #[arg(long)]
        from: PathBuf,
        /// For a sealed backup: a file whose first line is the passphrase (or NOVETO_BACKUP_PASSPHRASE).
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
        /// Restore a backup without the audit key that signed it, starting a new key (recorded
        /// in the audit chain); the restored entries are then protected by the hash chain only.
        #[arg(long)]
        new_audit_key: bool,
    },
}

/// An error for people: printed in Chinese, exit code 1 (2 for usage).
pub struct Fail(pub String);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail(e.to_string())
    }
}

/// glibc gives each thread that allocates an arena of its own (up to eight per core) and keeps
/// what they free: the server, whose reads hop between blocking threads, grew to 551 MB RSS at a
/// million cases under load, 179 MB with two arenas and no slower (BENCHMARKS.md). An operator's
/// own `MALLOC_ARENA_MAX` wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: called first thing in `main`, before any other thread exists; mallopt only
        // sets an allocator parameter.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    // Colour codes only for a person at a terminal: a log file or a journal gets plain text.
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("NOVETO_LOG").unwrap_or_else(|_| "info".into()))
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    let r = rt.block_on(async {
        match cli.cmd {
            Cmd::Init { store, preset } => init::run(&store, &preset).await.map(|_| ExitCode::SUCCESS),
            Cmd::Demo { store, preset, scale } => demo::run(&store, &preset, scale).await.map(|_| ExitCode::SUCCESS),
            Cmd::Serve { store, listen, demo, preset, secure_cookies, locale, trusted_proxies } => {
                let opts = serve::Options { secure_cookies, locale, trusted_proxies };
                serve::run(&store, &listen, demo, &preset, opts).await.map(|_| ExitCode::SUCCESS)
            }
            Cmd::Token { cmd } => token::run(cmd).await.map(|_| ExitCode::SUCCESS),
            Cmd::Calendar { cmd } => calendar::run(cmd).await,
            Cmd::Policy { cmd } => policy::run(cmd).await,
            Cmd::Audit { cmd } => audit::run(cmd).await,
            Cmd::Catalog { cmd } => catalog::run(cmd).await,
            Cmd::Report(a) => report::run(a).await,
            Cmd::Backup { store, to, encrypt, passphrase_file } => {
                let pass = if encrypt { Some(backup::passphrase(passphrase_file.as_deref(), true)?) } else { None };
                backup::backup(&store, &to, pass).await.map(|_| ExitCode::SUCCESS)
            }
            Cmd::Restore { store, from, passphrase_file, new_audit_key } => {
                backup::restore(&store, &from, passphrase_file.as_deref(), new_audit_key)
                    .await
                    .map(|_| ExitCode::SUCCESS)
            }
        }
    });
    match r {
        Ok(code) => code,
        Err(Fail(m)) => {
            eprintln!("错误：{m}");
            ExitCode::FAILURE
        }
    }
}

/// Whether this data directory already holds a store (the embedded one, or a recorded URL).
pub fn store_exists(s: &Store) -> bool {
    s.data.join("noveto.db").exists() || s.data.join(DATABASE_URL_FILE).exists()
}

/// Whether the store has been initialized (`noveto init` ran on it).
pub async fn initialized(st: &noveto_store::Store) -> Result<bool, Fail> {
    Ok(st.read(|tx| noveto_store::repo::get_meta(tx, "initialized_at")).await?.is_some())
}

/// Opens an existing store; refuses to create one silently.
pub async fn open_existing(s: &Store) -> Result<noveto_store::Store, Fail> {
    let url = s.url()?;
    if url.is_none() && !s.data.join("noveto.db").exists() {
        return Err(Fail(format!(
            "{} 中没有 noveto 存储：请先运行 noveto init --data {}（使用 PostgreSQL 时加 --database postgres://…）",
            s.data.display(),
            s.data.display()
        )));
    }
    let st = noveto_store::Store::open_with_replica(&s.data, url.as_deref(), s.read_database.as_deref())?;
    if !initialized(&st).await? {
        return Err(Fail("该数据库尚未初始化：请先运行 noveto init --data DIR --database postgres://…".into()));
    }
    audit::use_audit_key(s, &st, false).await?;
    Ok(st)
}

/// Writes `text` to standard output. A reader that stopped reading (`noveto calendar show 2026 |
/// head`) is no error: what it did not read is simply not written — never a panic.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
