//! The PostgreSQL store: the group-commit writer of [`crate::writer`] on several connections
//! sharing one queue (one batch executes while another commits; the audit head row is locked
//! only from sealing to commit), and a pool of read connections. Each connection caches its
//! prepared statements.

use crate::writer::{self, Conn};
use crate::{Backend, Job, Result, Row, StoreError, Tx, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll};
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, Config, NoTls, Statement};

pub(crate) struct Pg {
    url: Arc<str>,
    sender: Mutex<mpsc::Sender<Job>>,
    pool: Arc<Pool>,
    /// A streaming replica (`NOVETO_PG_READ_URL`) for the reads that may lag a moment: month-end
    /// reports and searches. Its own pool, so a province's reports never take the halls' readers.
    replica: Option<(Arc<str>, Arc<Pool>)>,
}

/// Pooled read connections. A connection owns a runtime, which must not be dropped on an async
/// worker thread, so the last handle closes them on a plain thread.
/// The read connections: at most `max` open at once (idle or in use). A burst of readers waits
/// for a free one instead of opening a connection each — a hundred requests at once must not
/// exhaust the server's `max_connections` and turn into "unavailable" for everyone.
struct Pool {
    state: Mutex<PoolState>,
    freed: std::sync::Condvar,
    max: usize,
}

#[derive(Default)]
struct PoolState {
    idle: Vec<PgConn>,
    in_use: usize,
}

/// How many read connections one server keeps at most (`NOVETO_PG_READERS`, default 16).
fn readers() -> usize {
    std::env::var("NOVETO_PG_READERS").ok().and_then(|v| v.parse().ok()).filter(|n| (1..=256).contains(n)).unwrap_or(16)
}

impl Pool {
    fn new(max: usize) -> Pool {
        Pool { state: Mutex::new(PoolState::default()), freed: std::sync::Condvar::new(), max }
    }
    /// An idle connection, or leave to open one (`None`), waiting while all are in use.
    fn take(&self) -> Option<PgConn> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(c) = st.idle.pop() {
                st.in_use += 1;
                return Some(c);
            }
            if st.in_use < self.max {
                st.in_use += 1;
                return None;
            }
            st = self.freed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }
    /// Gives a connection back (or only its place, when it broke or never opened).
    fn give(&self, conn: Option<PgConn>) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.in_use = st.in_use.saturating_sub(1);
        if let Some(c) = conn.filter(|c| !c.client.is_closed()) {
            st.idle.push(c);
        }
        drop(st);
        self.freed.notify_one();
    }
}

/// A place in the read pool, given back when dropped (with its connection, if it has one).
struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<PgConn>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        self.pool.give(self.conn.take());
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let conns = std::mem::take(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()).idle);
        if !conns.is_empty() {
            let _ = std::thread::Builder::new().name("noveto-pg-close".into()).spawn(move || drop(conns));
        }
    }
}

fn db_error(code: &str, m: String) -> StoreError {
    match code {
        "23505" => StoreError::Unique(m),
        "23503" => StoreError::ForeignKey(m),
        // Two writer batches that waited on each other: the losing one changed nothing.
        "40P01" | "40001" => StoreError::Conflict("与同时进行的其他操作冲突，未作任何修改，请重试".into()),
        _ => StoreError::Db(format!("{code}: {m}")),
    }
}

fn db_err(e: tokio_postgres::Error) -> StoreError {
    db_err_ref(&e)
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT2 => (*i as i16).to_sql(ty, out),
                Type::INT4 => (*i as i32).to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => match *ty {
                Type::INT8 => s.parse::<i64>()?.to_sql(ty, out),
                _ => s.as_str().to_sql(ty, out),
            },
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT2
                | Type::INT4
                | Type::INT8
                | Type::BOOL
                | Type::TEXT
                | Type::VARCHAR
                | Type::FLOAT4
                | Type::FLOAT8
        )
    }

    to_sql_checked!();
}

fn read_row(r: &tokio_postgres::Row) -> Result<Row> {
    let mut v = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let val = match *col.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i).map(|x| x.map(Value::Int)),
            Type::INT4 => r.try_get::<_, Option<i32>>(i).map(|x| x.map(|x| Value::Int(x as i64))),
            Type::INT2 => r.try_get::<_, Option<i16>>(i).map(|x| x.map(|x| Value::Int(x as i64))),
            Type::BOOL => r.try_get::<_, Option<bool>>(i).map(|x| x.map(|x| Value::Int(x as i64))),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i).map(|x| x.map(Value::Real)),
            Type::FLOAT4 => r.try_get::<_, Option<f32>>(i).map(|x| x.map(|x| Value::Real(x as f64))),
            _ => r.try_get::<_, Option<String>>(i).map(|x| x.map(Value::Text)),
        }
        .map_err(db_err)?
        .unwrap_or(Value::Null);
        v.push(val);
    }
    Ok(Row(v))
}

/// A statement sent ahead (pipelined) whose answer is collected later.
type Ahead = Pin<Box<dyn Future<Output = std::result::Result<u64, tokio_postgres::Error>> + Send>>;

struct Pending {
    fut: Option<Ahead>,
    done: Option<std::result::Result<u64, tokio_postgres::Error>>,
}

/// Polls the statements sent ahead, in order, then `main`: their requests reach the connection in
/// the order they were made, and their answers are taken as they arrive, so none of them holds up
/// the answers behind it.
struct Drive<'a, F> {
    pending: &'a mut Vec<Pending>,
    main: Pin<&'a mut F>,
}

/// Polls every statement still waiting for its answer, keeping the answers that arrived;
/// whether any is still waiting.
fn poll_ahead(pending: &mut [Pending], cx: &mut Context<'_>) -> bool {
    let mut open = false;
    for p in pending.iter_mut() {
        if let Some(f) = p.fut.as_mut() {
            match f.as_mut().poll(cx) {
                Poll::Ready(r) => {
                    p.done = Some(r);
                    p.fut = None;
                }
                Poll::Pending => open = true,
            }
        }
    }
    open
}

impl<F: Future> Future for Drive<'_, F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        poll_ahead(self.pending, cx);
        self.main.as_mut().poll(cx)
    }
}

/// Ready when every statement sent ahead has its answer.
struct All<'a> {
    pending: &'a mut Vec<Pending>,
}

impl Future for All<'_> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if poll_ahead(self.pending, cx) { Poll::Pending } else { Poll::Ready(()) }
    }
}

/// One connection: its own small runtime drives the connection's I/O whenever this thread waits
/// for an answer (so it is used only on writer and blocking threads, never on an async worker),
/// with its statement cache and the statements it has sent ahead.
pub(crate) struct PgConn {
    url: Arc<str>,
    rt: tokio::runtime::Runtime,
    client: Arc<Client>,
    cache: HashMap<String, Statement>,
    ahead: Vec<Pending>,
}

/// Connects, with a message a person can act on when it fails (never echoing a password).
fn connect(url: &str) -> Result<(tokio::runtime::Runtime, Client)> {
    let mut cfg: Config =
        url.parse().map_err(|e| StoreError::Unavailable(format!("PostgreSQL 数据库地址无法解析：{e}")))?;
    if cfg.get_connect_timeout().is_none() {
        cfg.connect_timeout(std::time::Duration::from_secs(10));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Unavailable(format!("无法启动 PostgreSQL 连接：{e}")))?;
    let (client, connection) = rt.block_on(cfg.connect(NoTls)).map_err(|e| connect_error(&cfg, e))?;
    rt.spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("PostgreSQL connection ended: {e}");
        }
    });
    // Short indexed queries only: PostgreSQL's JIT compiler, which starts above a cost estimate
    // that a province's tables reach easily, spent 7–40 ms compiling a search that runs in under
    // a millisecond (1,000,000 cases; BENCHMARKS.md).
    rt.block_on(client.batch_execute("SET jit = off"))
        .map_err(|e| StoreError::Unavailable(format!("无法设置 PostgreSQL 连接：{e}")))?;
    Ok((rt, client))
}

fn connect_error(cfg: &Config, e: tokio_postgres::Error) -> StoreError {
    let host = match cfg.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = cfg.get_ports().first().copied().unwrap_or(5432);
    let db = cfg.get_dbname().or(cfg.get_user()).unwrap_or("postgres").to_string();
    if let Some(d) = e.as_db_error() {
        let m = match d.code().code() {
            "3D000" => format!(
                "PostgreSQL 服务器 {host}:{port} 上没有数据库“{db}”：请先创建它（例如 createdb -h {host} -p {port} {db}），再运行 noveto。"
            ),
            c if c.starts_with("28") => {
                format!("PostgreSQL 服务器 {host}:{port} 拒绝了登录（用户名或密码不对，或未获授权）：{}", d.message())
            }
            c => format!("PostgreSQL 服务器 {host}:{port} 拒绝了连接（{c}）：{}", d.message()),
        };
        return StoreError::Unavailable(m);
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let why = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "连接被拒绝，服务可能没有启动".to_string(),
                std::io::ErrorKind::TimedOut => "连接超时".to_string(),
                _ => io.to_string(),
            };
            return StoreError::Unavailable(format!(
                "无法连接 PostgreSQL 服务器 {host}:{port}：{why}。请确认服务已启动、地址和端口无误。"
            ));
        }
        src = s.source();
    }
    if e.to_string().contains("timed out") {
        return StoreError::Unavailable(format!("无法连接 PostgreSQL 服务器 {host}:{port}：连接超时。"));
    }
    StoreError::Unavailable(format!("无法连接 PostgreSQL 服务器 {host}:{port}：{e}"))
}

impl PgConn {
    fn open(url: Arc<str>) -> Result<PgConn> {
        let (rt, client) = connect(&url)?;
        Ok(PgConn { url, rt, client: Arc::new(client), cache: HashMap::new(), ahead: Vec::new() })
    }

    /// Waits for `main`, taking the answers of the statements sent ahead on the way. When `main`
    /// fails because an earlier statement sent ahead failed (the transaction is aborted), the
    /// earlier error is the one reported.
    fn wait<T>(&mut self, main: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>) -> Result<T> {
        let mut main = std::pin::pin!(main);
        let r = self.rt.block_on(Drive { pending: &mut self.ahead, main: main.as_mut() });
        r.map_err(|e| self.first_ahead_error().unwrap_or_else(|| db_err(e)))
    }

    fn first_ahead_error(&self) -> Option<StoreError> {
        self.ahead.iter().find_map(|p| match &p.done {
            Some(Err(e)) => Some(db_err_ref(e)),
            _ => None,
        })
    }

    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let c = self.client.clone();
        let s = self.wait(async move { c.prepare(sql).await })?;
        if self.cache.len() > 512 {
            self.cache.clear();
        }
        self.cache.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    fn send_ahead(&mut self, fut: Ahead) {
        self.ahead.push(Pending { fut: Some(fut), done: None });
    }

    /// Sends what was queued without waiting for any answer.
    fn flush(&mut self) {
        let _ = self.wait(async {
            tokio::task::yield_now().await;
            Ok::<_, tokio_postgres::Error>(())
        });
        self.ahead.retain(|p| p.fut.is_some());
    }
}

fn db_err_ref(e: &tokio_postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        return db_error(db.code().code(), db.message().to_string());
    }
    StoreError::Db(e.to_string())
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Tx for PgConn {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        crate::check_params(params)?;
        let st = self.statement(sql)?;
        let c = self.client.clone();
        self.wait(async move { c.execute(&st, &refs(params)).await })
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        crate::watch::query(sql, || {
            crate::check_params(params)?;
            let st = self.statement(sql)?;
            let c = self.client.clone();
            let rows = self.wait(async move { c.query(&st, &refs(params)).await })?;
            rows.iter().map(read_row).collect()
        })
    }
    /// Pipelined: sent with the next statement that waits; its error, if any, fails the job.
    fn exec_ahead(&mut self, sql: &str, params: &[Value]) -> Result<()> {
        crate::check_params(params)?;
        let st = self.statement(sql)?;
        let (c, p) = (self.client.clone(), params.to_vec());
        self.send_ahead(Box::pin(async move { c.execute(&st, &refs(&p)).await }));
        Ok(())
    }
    fn backend(&self) -> Backend {
        Backend::Postgres
    }
}

impl Conn for PgConn {
    fn batch(&mut self, sql: &str) -> Result<()> {
        self.batch_ahead(sql)?;
        self.settle()
    }
    fn batch_ahead(&mut self, sql: &str) -> Result<()> {
        let (c, q) = (self.client.clone(), sql.to_string());
        self.send_ahead(Box::pin(async move { c.batch_execute(&q).await.map(|_| 0) }));
        Ok(())
    }
    fn settle(&mut self) -> Result<()> {
        self.rt.block_on(All { pending: &mut self.ahead });
        let first = self.first_ahead_error();
        self.ahead.clear();
        first.map_or(Ok(()), Err)
    }
    fn ready(&mut self) -> Result<()> {
        if self.client.is_closed() {
            let (rt, client) = connect(&self.url)?;
            let old = std::mem::replace(&mut self.rt, rt);
            self.client = Arc::new(client);
            self.cache.clear();
            self.ahead.clear();
            drop(old);
        }
        Ok(())
    }
}

/// How many writer connections share the queue (`NOVETO_PG_WRITERS`, default 2): while one
/// batch waits for its commit, the next one executes.
pub(crate) fn writers() -> usize {
    std::env::var("NOVETO_PG_WRITERS").ok().and_then(|v| v.parse().ok()).filter(|n| (1..=64).contains(n)).unwrap_or(2)
}

/// Whether the server runs without autovacuum (a server setting, on by default; off on some
/// test and bulk-load machines — this project's among them).
fn autovacuum_off(c: &mut PgConn) -> Result<bool> {
    let r = c.query("SELECT CASE WHEN current_setting('autovacuum') = 'off' THEN 1 ELSE 0 END", &[])?;
    Ok(r.first().map(|r| r.i64(0)).unwrap_or(0) == 1)
}

impl Pg {
    /// Connects, migrates and starts the writers. The synchronous client drives its own small
    /// runtime, which must not start inside another one (the CLI's): all of this runs on a
    /// plain thread of its own, and afterwards every connection is used only on the writer
    /// threads and on blocking threads.
    pub(crate) fn open(url: &str, shared: Arc<writer::Shared>, writers: usize, replica: Option<&str>) -> Result<Pg> {
        if let Some(r) = replica {
            // Parsed now, so a typo stops the start instead of every report later.
            r.parse::<Config>().map_err(|e| StoreError::Unavailable(format!("只读副本的数据库地址无法解析：{e}")))?;
        }
        let url: Arc<str> = url.into();
        let u = url.clone();
        let conns = std::thread::scope(|s| {
            s.spawn(move || -> Result<Vec<PgConn>> {
                let mut first = PgConn::open(u.clone())?;
                migrate(&mut first)?;
                let mut conns = vec![first];
                for _ in 1..writers.max(1) {
                    conns.push(PgConn::open(u.clone())?);
                }
                Ok(conns)
            })
            .join()
            .unwrap_or_else(|_| Err(StoreError::Unavailable("连接 PostgreSQL 的线程意外退出".into())))
        })?;
        let (tx, rx) = mpsc::channel::<Job>();
        let queue: writer::Queue = Arc::new(Mutex::new(rx));
        for (i, mut conn) in conns.into_iter().enumerate() {
            let q = queue.clone();
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("noveto-pg-writer-{i}"))
                .spawn(move || writer::run(&mut conn, q, shared))
                .map_err(|e| StoreError::Db(e.to_string()))?;
        }
        let replica = replica.map(|r| (Arc::<str>::from(r), Arc::new(Pool::new(readers()))));
        Ok(Pg { url, sender: Mutex::new(tx), pool: Arc::new(Pool::new(readers())), replica })
    }

    /// Refreshes the planner's statistics of every table (a sampled ANALYZE: seconds at a million
    /// cases). Autovacuum does this where it runs; where it is off, or after a bulk load it has
    /// not caught up with, a plan made without statistics guesses thousands of rows for a phone
    /// number and starts parallel workers for none (issue 27: 8–12 ms for a receipt number).
    pub(crate) fn refresh_statistics(&self) -> Result<()> {
        let mut c = PgConn::open(self.url.clone())?;
        // Where the server runs no autovacuum, the store vacuums too: an update leaves the row's
        // old version and its index entries behind until a vacuum, so without one the
        // workbench's index range for a clerk walked 18,000 dead entries to find 201 open
        // matters at 200,000 cases (119 ms; 0.2 ms after `VACUUM`).
        let sql = if autovacuum_off(&mut c)? { "VACUUM (ANALYZE)" } else { "ANALYZE" };
        c.batch(sql)
    }

    /// Refreshes them where the cases table was never analysed though it holds cases, and —
    /// where the server runs no autovacuum — vacuums each table with more dead rows than
    /// autovacuum's default threshold would allow (a fifth of its rows, and a thousand);
    /// returns whether it did either.
    pub(crate) fn refresh_stale_statistics(&self) -> Result<bool> {
        let mut c = PgConn::open(self.url.clone())?;
        let never = c.query(
            "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'cases' AND last_analyze IS NULL
                AND last_autoanalyze IS NULL AND EXISTS (SELECT 1 FROM cases)",
            &[],
        )?;
        let mut did = never.first().map(|r| r.i64(0)).unwrap_or(0) > 0;
        if did {
            c.batch("ANALYZE")?;
        } else {
            // Each table that outgrew its statistics ([`crate::outgrew`]), by its highest id
            // against the rows the statistics counted — with autovacuum on, it has usually seen
            // to them first; with it off (this machine), nothing else would.
            let tables = c.query(
                "SELECT t.relname::text, GREATEST(t.reltuples, 0)::bigint FROM pg_class t
                   JOIN pg_namespace n ON n.oid = t.relnamespace
                  WHERE t.relkind = 'r' AND n.nspname = current_schema()
                    AND EXISTS (SELECT 1 FROM information_schema.columns k
                                 WHERE k.table_schema = n.nspname AND k.table_name = t.relname AND k.column_name = 'id')
                  ORDER BY 1",
                &[],
            )?;
            for t in tables {
                let name = t.str(0).replace('"', "\"\"");
                let highest = c.query(&format!("SELECT MAX(id)::bigint FROM \"{name}\""), &[])?;
                if crate::outgrew(highest.first().and_then(|r| r.opt_i64(0)).unwrap_or(0), t.i64(1)) {
                    c.batch(&format!("ANALYZE \"{name}\""))?;
                    did = true;
                }
            }
        }
        if autovacuum_off(&mut c)? {
            let due = c.query(
                "SELECT relname::text FROM pg_stat_user_tables WHERE n_dead_tup > 1000 + n_live_tup / 5 ORDER BY relname",
                &[],
            )?;
            for t in due {
                c.batch(&format!("VACUUM (ANALYZE) \"{}\"", t.str(0).replace('"', "\"\"")))?;
                did = true;
            }
        }
        Ok(did)
    }

    pub(crate) fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    pub(crate) fn submit(&self, job: Job) -> Result<()> {
        self.sender
            .lock()
            .map_err(|_| StoreError::Unavailable("写入通道已损坏".into()))?
            .send(job)
            .map_err(|_| StoreError::Unavailable("写入线程已停止".into()))
    }

    pub(crate) fn run_read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run_read_on(&self.pool, &self.url, f, None)
    }

    /// A read the replica may serve; the primary when there is none or it does not answer (a
    /// report a little slower beats no report — the warning says why).
    pub(crate) fn run_read_replica<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        match &self.replica {
            Some((url, pool)) => run_read_on(pool, url, f, Some((&self.pool, &self.url))),
            None => self.run_read(f),
        }
    }
}

/// A read on a connection of `pool` (opened to `url` when none is idle). With `fallback`, a
/// connection that cannot be had there is taken from the fallback pool instead — before `f` runs,
/// never after.
fn run_read_on<T, E: From<StoreError>>(
    pool: &Pool,
    url: &Arc<str>,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    fallback: Option<(&Pool, &Arc<str>)>,
) -> Result<T, E> {
    // The connection goes back to the pool however this ends (a panic in `f` included).
    let mut lease = Lease { pool, conn: None };
    let got = match pool.take() {
        Some(mut c) => c.ready().map(|_| c),
        None => PgConn::open(url.clone()),
    };
    let mut c = match (got, fallback) {
        (Ok(c), _) => c,
        (Err(e), Some((p, u))) => {
            tracing::warn!("the read replica does not answer, reading from the primary: {e}");
            drop(lease);
            return run_read_on(p, u, f, None);
        }
        (Err(e), None) => return Err(e.into()),
    };
    // BEGIN goes with the first query, COMMIT is sent without waiting for its answer (the
    // next user of the connection takes it): a read costs one round trip per query.
    c.batch_ahead("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
    let conn = lease.conn.insert(c);
    let r = f(conn);
    let _ = conn.batch_ahead("COMMIT");
    conn.flush();
    r
}

fn migrate(c: &mut PgConn) -> Result<()> {
    // One migrator at a time, even with several servers starting together.
    c.batch("SELECT pg_advisory_lock(7340001)")?;
    let r = (|| {
        c.batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")?;
        for (v, sql) in crate::MIGRATIONS_PG {
            let done = c.query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1", &[Value::Int(*v)])?;
            if done.first().map(|r| r.i64(0)).unwrap_or(0) == 0 {
                // The SQL, the step it needs in Rust, and the version: one transaction.
                c.batch(&format!("BEGIN; {sql};"))?;
                crate::migration_step(*v, c)?;
                c.batch(&format!("INSERT INTO schema_migrations VALUES ({v}); COMMIT;"))?;
            }
        }
        Ok(())
    })();
    if r.is_err() {
        let _ = c.batch("ROLLBACK");
    }
    let _ = c.batch("SELECT pg_advisory_unlock(7340001)");
    r
}
