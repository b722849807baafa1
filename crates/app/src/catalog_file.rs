//! Catalog import and export (CAT-3): CSV and XLSX with the same columns. A bad file gets a
//! report of every bad row and column in Chinese, and nothing is imported unless the caller
//! asks to import the good rows; a re-import updates by item code.

use noveto_store::repo::items::{Item, Material};
use noveto_store::repo::org::Unit;
use serde::Serialize;

/// The columns, in order. Materials: `名称*；名称` (`*` marks a main material); steps: `；`.
pub const COLUMNS: [&str; 15] = [
    "事项编码",
    "事项名称",
    "实施单位",
    "设定依据",
    "受理单位",
    "办理流程",
    "申请材料",
    "收费标准",
    "收费依据",
    "承诺时限（工作日）",
    "咨询电话",
    "容缺受理",
    "告知承诺",
    "网上办理",
    "帮办代办",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based row number in the file, the header being row 1.
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Parsed {
    pub items: Vec<Item>,
    pub errors: Vec<RowError>,
    pub rows: usize,
}

fn flag(v: &str) -> Option<bool> {
    match v.trim() {
        "是" | "Y" | "y" | "yes" | "true" | "1" | "允许" => Some(true),
        "否" | "N" | "n" | "no" | "false" | "0" | "" | "不允许" => Some(false),
        _ => None,
    }
}

fn split(v: &str) -> Vec<String> {
    v.split(['；', ';', '\n']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Validates rows of cells (without the header) against the units that exist.
pub fn parse_rows(rows: Vec<Vec<String>>, units: &[Unit]) -> Parsed {
    let mut out = Parsed { rows: rows.len(), ..Default::default() };
    let mut seen = std::collections::HashSet::new();
    for (i, r) in rows.into_iter().enumerate() {
        let row = i + 2;
        let cell = |c: usize| r.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut errs: Vec<RowError> = vec![];
        let mut bad = |c: usize, m: &str| errs.push(RowError { row, column: COLUMNS[c].into(), message: m.into() });
        let code = cell(0);
        if code.is_empty() {
            bad(0, "事项编码不能为空");
        } else if code.chars().count() > 40 || !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            bad(0, "事项编码只能包含字母、数字和 - _ .，且不超过 40 位");
        } else if !seen.insert(code.clone()) {
            bad(0, "事项编码在文件中重复");
        }
        let name = cell(1);
        if name.is_empty() {
            bad(1, "事项名称不能为空");
        } else if name.chars().count() > 100 {
            bad(1, "事项名称不能超过 100 个字");
        }
        let unit_name = cell(2);
        let unit = units.iter().find(|u| u.name == unit_name || u.id.to_string() == unit_name);
        if unit.is_none() {
            bad(2, &format!("实施单位“{unit_name}”不存在：请填写系统中已有的单位名称"));
        }
        if cell(3).is_empty() {
            bad(3, "设定依据不能为空");
        }
        let materials: Vec<Material> = split(&cell(6))
            .into_iter()
            .map(|m| {
                let main = m.ends_with('*') || m.ends_with('＊');
                Material { name: m.trim_end_matches(['*', '＊']).to_string(), main, ..Default::default() }
            })
            .collect();
        if materials.is_empty() {
            bad(6, "申请材料不能为空（多项用“；”分隔，主件后加 *）");
        }
        let tl = cell(9);
        let time_limit = match tl.parse::<f64>() {
            Ok(v) if (0.0..=365.0).contains(&v) && v.fract() == 0.0 => v as u32,
            _ => {
                bad(9, &format!("承诺时限“{tl}”应为 0 到 365 之间的整数（工作日）"));
                0
            }
        };
        let mut flags = [false; 4];
        for (k, c) in [11, 12, 13, 14].into_iter().enumerate() {
            match flag(&cell(c)) {
                Some(v) => flags[k] = v,
                None => bad(c, &format!("“{}”应填“是”或“否”", cell(c))),
            }
        }
        if errs.is_empty() {
            out.items.push(Item {
                code,
                name,
                unit_id: unit.map(|u| u.id),
                legal_basis: cell(3),
                accepting_unit: cell(4),
                steps: split(&cell(5)),
                materials,
                fees: cell(7),
                fee_basis: cell(8),
                time_limit_wd: time_limit,
                phone: cell(10),
                allows_deficiency: flags[0],
                allows_commitment: flags[1],
                online: flags[2],
                assisted: flags[3],
                other_units: vec![],
                stages: vec![],
                commitment_check_days: None,
                version: 0,
            });
        } else {
            out.errors.extend(errs);
        }
    }
    out
}

fn check_header(h: &[String]) -> Result<(), String> {
    let got: Vec<&str> = h.iter().map(|s| s.trim()).collect();
    if got.len() < COLUMNS.len() || got[..COLUMNS.len()] != COLUMNS {
        return Err(format!("表头不符：第一行应依次为：{}", COLUMNS.join("、")));
    }
    Ok(())
}

/// Reads a catalog file: its rows after the header, which must be the catalog's.
pub fn read(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let rows = read_rows(bytes)?;
    let Some(header) = rows.first() else { return Err("文件是空的".into()) };
    check_header(header)?;
    Ok(rows.into_iter().skip(1).collect())
}

/// Reads a CSV or XLSX file (told apart by its first bytes) into rows of text, header included.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let rows: Vec<Vec<String>> = if bytes.starts_with(b"PK") {
        use calamine::Reader;
        let mut wb =
            calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| format!("无法读取 XLSX 文件：{e}"))?;
        let range =
            wb.worksheet_range_at(0).ok_or("XLSX 文件中没有工作表")?.map_err(|e| format!("无法读取工作表：{e}"))?;
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        calamine::Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    } else {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| "CSV 文件须为 UTF-8 编码（可在 Excel 中另存为“CSV UTF-8”）".to_string())?;
        let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut rows = vec![];
        for (i, r) in rd.records().enumerate() {
            let r = r.map_err(|e| format!("CSV 第 {} 行格式错误：{e}", i + 1))?;
            rows.push(r.iter().map(from_csv_cell).collect());
        }
        rows
    };
    if rows.is_empty() {
        return Err("文件是空的".into());
    }
    Ok(rows)
}

fn row_of(i: &Item, units: &[Unit]) -> Vec<String> {
    let yn = |b: bool| if b { "是" } else { "否" }.to_string();
    vec![
        i.code.clone(),
        i.name.clone(),
        i.unit_id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone()).unwrap_or_default(),
        i.legal_basis.clone(),
        i.accepting_unit.clone(),
        i.steps.join("；"),
        i.materials
            .iter()
            .map(|m| format!("{}{}", m.name, if m.main { "*" } else { "" }))
            .collect::<Vec<_>>()
            .join("；"),
        i.fees.clone(),
        i.fee_basis.clone(),
        i.time_limit_wd.to_string(),
        i.phone.clone(),
        yn(i.allows_deficiency),
        yn(i.allows_commitment),
        yn(i.online),
        yn(i.assisted),
    ]
}

/// A cell as a CSV file must carry it: text a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return — a public report's `=HYPERLINK(…)`) is
/// written with a leading `'`, which spreadsheets show as text and [`from_csv_cell`] removes.
/// Numbers stay numbers.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err();
    if risky || (s.starts_with('\'') && s[1..].starts_with(['=', '+', '-', '@', '\t', '\r'])) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A CSV cell as written by [`csv_cell`], back to its text.
pub fn from_csv_cell(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest.to_string(),
        _ => s.to_string(),
    }
}

pub fn to_csv(items: &[Item], units: &[Unit]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(COLUMNS);
    for i in items {
        let _ = w.write_record(row_of(i, units).iter().map(|c| csv_cell(c).into_owned()));
    }
    w.into_inner().unwrap_or_default()
}

pub fn to_xlsx(items: &[Item], units: &[Unit]) -> Result<Vec<u8>, String> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    ws.set_name("事项库").map_err(e)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(e)?;
    }
    for (r, i) in items.iter().enumerate() {
        for (c, v) in row_of(i, units).into_iter().enumerate() {
            if c == 9 {
                ws.write_number(r as u32 + 1, c as u16, i.time_limit_wd as f64).map_err(e)?;
            } else {
                ws.write_string(r as u32 + 1, c as u16, v).map_err(e)?;
            }
        }
    }
    wb.save_to_buffer().map_err(e)
}

/// Any list as a file: CSV (with a BOM, so spreadsheet programs read the Chinese) or XLSX with
/// a bold header row; cells that are whole numbers are written as numbers in XLSX. `title`
/// names the worksheet (cut to Excel's 31 characters).
pub fn table(title: &str, columns: &[&str], rows: &[Vec<String>], xlsx: bool) -> Result<Vec<u8>, String> {
    if !xlsx {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(columns).map_err(|e| e.to_string())?;
        for r in rows {
            w.write_record(r.iter().map(|c| csv_cell(c).into_owned())).map_err(|e| e.to_string())?;
        }
        return w.into_inner().map_err(|e| e.to_string());
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let name: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    ws.set_name(if name.is_empty() { "Sheet1" } else { &name }).map_err(e)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(e)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<i64>() {
                Ok(n) if !v.starts_with('0') || v == "0" => {
                    ws.write_number(r as u32 + 1, c as u16, n as f64).map_err(e)?
                }
                _ => ws.write_string(r as u32 + 1, c as u16, v).map_err(e)?,
            };
        }
    }
    ws.autofit();
    wb.save_to_buffer().map_err(e)
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    // Issue 26, item 5: a formula-leading cell is neutralised in every CSV (and read back as written).
    #[test]
    fn formula_cells_are_text_in_csv() {
        for (text, written) in [
            ("=1+1", "'=1+1"),
            ("=HYPERLINK(\"http://x\",\"点我\")", "'=HYPERLINK(\"http://x\",\"点我\")"),
            ("+86 138", "'+86 138"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-1", "-1"),
            ("0719-8123456", "0719-8123456"),
            ("'=x", "''=x"),
            ("普通文字", "普通文字"),
        ] {
            assert_eq!(csv_cell(text), written, "{text}");
            assert_eq!(from_csv_cell(written), text, "{text}");
        }
        let file = table("t", &["a"], &[vec!["=1+1".into()]], false).unwrap();
        assert!(String::from_utf8(file).unwrap().contains("'=1+1"));
    }
}
