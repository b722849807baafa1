//! The OpenAPI document, generated from the route table in [`crate::api::routes`]: each route is
//! declared once, and the same declaration adds it to the router and to this document. Request
//! bodies and query strings are described by `schemars` from the types the handlers parse.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub body: Option<SchemaFn>,
    pub query: Option<SchemaFn>,
    pub public: bool,
}

pub fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// Inline query parameters from a query type's properties.
fn query_params(g: &mut SchemaGenerator, f: SchemaFn) -> Vec<Value> {
    let s = f(g);
    let mut v = s.as_value().clone();
    if let Some(r) = v.get("$ref").and_then(|r| r.as_str()).map(String::from) {
        let name = r.rsplit('/').next().unwrap_or_default().to_string();
        let defs = g.definitions();
        v = defs.get(&name).cloned().unwrap_or(Value::Null);
    }
    let required: Vec<String> = v["required"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default();
    v["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(k, s)| json!({"name": k, "in": "query", "required": required.contains(k), "schema": s}))
                .collect()
        })
        .unwrap_or_default()
}

pub fn document(ops: &[Op]) -> Value {
    let mut g = SchemaSettings::openapi3().into_generator();
    let mut paths: Map<String, Value> = Map::new();
    for op in ops {
        let mut o = json!({
            "tags": [op.tag],
            "summary": op.summary,
            "responses": {
                "200": {"description": "成功"},
                "4XX": {"description": "输入有误或无权操作", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if let Some(b) = op.body {
            o["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": b(&mut g).as_value()}}});
        }
        let mut params: Vec<Value> = op
            .path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(|s| json!({"name": s.trim_matches(|c| c == '{' || c == '}'), "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if let Some(q) = op.query {
            params.extend(query_params(&mut g, q));
        }
        if !params.is_empty() {
            o["parameters"] = Value::Array(params);
        }
        if op.public {
            o["security"] = json!([]);
        }
        paths.entry(op.path.to_string()).or_insert_with(|| json!({}))[op.method] = o;
    }
    let mut schemas = g.take_definitions(true);
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string", "description": "机器可读的错误码（snake_case）"},
            "message": {"type": "string", "description": "中文说明"},
            "field": {"type": "string"}}, "required": ["code", "message"]}}}),
    );
    json!({
        "openapi": "3.0.3",
        "info": {"title": "noveto API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "政务服务中心“窗口无否决权”办件系统的接口。时间为带 +08:00 偏移的 RFC 3339，日期为 YYYY-MM-DD。"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"bearer": []}]
    })
}
