//! The PostgreSQL store: a small pool of synchronous clients used from blocking threads.
//! PostgreSQL groups concurrent commits by itself.

use crate::{Backend, Job, Result, Row, StoreError, Tx, Value};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub(crate) struct Pg {
    url: Arc<str>,
    pool: Arc<Pool>,
}

/// Pooled clients. A synchronous client must not be dropped on an async worker thread (it
/// blocks on its own runtime to close), so the last handle closes them on a plain thread.
struct Pool(Mutex<Vec<Client>>);

impl Drop for Pool {
    fn drop(&mut self) {
        let clients = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        if !clients.is_empty() {
            let _ = std::thread::Builder::new().name("noveto-pg-close".into()).spawn(move || drop(clients));
        }
    }
}

fn db_err(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let m = db.message().to_string();
        return match code {
            "23505" => StoreError::Unique(m),
            "23503" => StoreError::ForeignKey(m),
            _ => StoreError::Db(format!("{code}: {m}")),
        };
    }
    StoreError::Db(e.to_string())
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
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

fn read_row(r: &postgres::Row) -> Result<Row> {
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

struct PgTx<'a, 'b>(&'a mut postgres::Transaction<'b>);

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Tx for PgTx<'_, '_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let st = self.0.prepare(sql).map_err(db_err)?;
        self.0.execute(&st, &refs(params)).map_err(db_err)
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let st = self.0.prepare(sql).map_err(db_err)?;
        let rows = self.0.query(&st, &refs(params)).map_err(db_err)?;
        rows.iter().map(read_row).collect()
    }
    fn backend(&self) -> Backend {
        Backend::Postgres
    }
}

impl Pg {
    pub(crate) fn open(url: &str) -> Result<Pg> {
        let pg = Pg { url: url.into(), pool: Arc::new(Pool(Mutex::new(Vec::new()))) };
        let mut c = pg.client()?;
        migrate(&mut c)?;
        pg.put(c);
        Ok(pg)
    }

    fn client(&self) -> Result<Client> {
        if let Some(c) = self.pool.0.lock().ok().and_then(|mut p| p.pop())
            && !c.is_closed()
        {
            return Ok(c);
        }
        Client::connect(&self.url, NoTls).map_err(|e| StoreError::Unavailable(format!("无法连接 PostgreSQL：{e}")))
    }

    fn put(&self, c: Client) {
        if let Ok(mut p) = self.pool.0.lock()
            && p.len() < 32
            && !c.is_closed()
        {
            p.push(c);
        }
    }

    pub(crate) fn run_write(&self, job: Job) {
        let mut client = match self.client() {
            Ok(c) => c,
            Err(e) => {
                let (_, d) = job(&mut Unavailable(e.clone()));
                d(Err(e));
                return;
            }
        };
        match client.transaction() {
            Ok(mut t) => {
                let (ok, d) = job(&mut PgTx(&mut t));
                let commit = if ok { t.commit().map_err(db_err) } else { t.rollback().map_err(db_err) };
                d(commit);
            }
            Err(e) => {
                let e = db_err(e);
                let (_, d) = job(&mut Unavailable(e.clone()));
                d(Err(e));
            }
        }
        self.put(client);
    }

    pub(crate) fn run_read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let mut client = self.client()?;
        let r = {
            let mut t = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(db_err)?;
            let r = f(&mut PgTx(&mut t));
            let _ = t.commit();
            r
        };
        self.put(client);
        r
    }
}

struct Unavailable(StoreError);
impl Tx for Unavailable {
    fn exec(&mut self, _: &str, _: &[Value]) -> Result<u64> {
        Err(self.0.clone())
    }
    fn query(&mut self, _: &str, _: &[Value]) -> Result<Vec<Row>> {
        Err(self.0.clone())
    }
    fn backend(&self) -> Backend {
        Backend::Postgres
    }
}

fn migrate(c: &mut Client) -> Result<()> {
    // One migrator at a time, even with several servers starting together.
    c.batch_execute("SELECT pg_advisory_lock(7340001)").map_err(db_err)?;
    let r = (|| {
        c.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)").map_err(db_err)?;
        for (v, sql) in crate::MIGRATIONS_PG {
            let done: i64 =
                c.query_one("SELECT COUNT(*) FROM schema_migrations WHERE version = $1", &[v]).map_err(db_err)?.get(0);
            if done == 0 {
                let mut t = c.transaction().map_err(db_err)?;
                t.batch_execute(sql).map_err(db_err)?;
                t.execute("INSERT INTO schema_migrations VALUES ($1)", &[v]).map_err(db_err)?;
                t.commit().map_err(db_err)?;
            }
        }
        Ok(())
    })();
    let _ = c.batch_execute("SELECT pg_advisory_unlock(7340001)");
    r
}
