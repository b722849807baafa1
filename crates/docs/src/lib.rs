//! Printable documents: one model, two renderings — an HTML print view and a PDF with an
//! embedded, subset CJK font (text extractable). Line wrapping follows Chinese line-breaking
//! rules: no closing punctuation at the start of a line, no opening one at its end.

use krilla::Document as Pdf;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Subtitle(String),
    Para(String),
    /// A right-aligned line (dates, issuer).
    Right(String),
    /// A table: rows of cells, with relative column widths.
    Table {
        widths: Vec<f32>,
        rows: Vec<Vec<String>>,
    },
    Note(String),
    PageBreak,
    /// A form's table with merged cells, as printed forms have: each cell at its row and column,
    /// spanning rows and columns; headings centred.
    Grid {
        widths: Vec<f32>,
        cells: Vec<Cell>,
    },
    /// A horizontal bar chart: each bar's label and value, the values' unit ("件", "%").
    Bars {
        title: String,
        bars: Vec<(String, f64)>,
        unit: String,
    },
}

/// The longest bar's value (at least 1, so an all-zero chart draws empty bars).
fn bar_max(bars: &[(String, f64)]) -> f64 {
    bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1.0)
}

/// A bar chart as inline SVG (the HTML view and the pages draw the same chart).
pub fn bars_svg(title: &str, bars: &[(String, f64)], unit: &str) -> String {
    let (label_w, bar_w, row_h) = (200.0, 360.0, 26.0);
    let h = 30.0 + row_h * bars.len() as f64;
    let max = bar_max(bars);
    let mut o = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\"><text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\">{t}</text>",
        w = label_w + bar_w + 80.0,
        t = esc(title)
    );
    for (i, (label, v)) in bars.iter().enumerate() {
        let y = 30.0 + row_h * i as f64;
        let len = (v / max * bar_w).max(if *v > 0.0 { 2.0 } else { 0.0 });
        let shown = if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") };
        o.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" font-size=\"12\" text-anchor=\"end\">{l}</text><rect x=\"{bx}\" y=\"{y}\" width=\"{len:.1}\" height=\"{bh}\" fill=\"#9b1c1c\"/><text x=\"{vx:.1}\" y=\"{ty}\" font-size=\"12\">{shown}{u}</text>",
            lx = label_w - 8.0,
            ty = y + 14.0,
            l = esc(&label.chars().take(16).collect::<String>()),
            bx = label_w,
            bh = row_h - 8.0,
            vx = label_w + len + 6.0,
            u = esc(unit),
        ));
    }
    o.push_str("</svg>");
    o
}

/// One cell of a [`Block::Grid`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
    pub rows: usize,
    pub cols: usize,
    pub text: String,
    /// A printed heading of the form (centred), not a filled-in value.
    pub heading: bool,
}

impl Cell {
    /// A heading at (`row`, `col`) spanning `rows` × `cols`.
    pub fn heading(row: usize, col: usize, rows: usize, cols: usize, text: &str) -> Cell {
        Cell { row, col, rows: rows.max(1), cols: cols.max(1), text: text.into(), heading: true }
    }
    /// A value at (`row`, `col`) spanning `rows` × `cols`.
    pub fn value(row: usize, col: usize, rows: usize, cols: usize, text: impl Into<String>) -> Cell {
        Cell { row, col, rows: rows.max(1), cols: cols.max(1), text: text.into(), heading: false }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
    /// The HTML language tag (`zh-CN` when empty; `zh-Hant` for a Traditional paper).
    pub lang: &'static str,
    /// Where the print view leads back to, and the link's words (never a dead end).
    pub back: Option<(String, String)>,
}

/// HTML escaping for text and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

impl Document {
    pub fn new(title: &str) -> Document {
        Document { title: title.into(), blocks: vec![], lang: "zh-CN", back: None }
    }

    pub fn push(&mut self, b: Block) -> &mut Self {
        self.blocks.push(b);
        self
    }

    /// The HTML print view: a whole page, printable as it is.
    pub fn html(&self) -> String {
        let mut o = format!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{}</style></head><body><main class=\"doc\">",
            if self.lang.is_empty() { "zh-CN" } else { self.lang },
            esc(&self.title),
            PRINT_CSS
        );
        o.push_str(&self.blocks_html());
        o.push_str("<p class=\"noprint\"><button onclick=\"window.print()\">打印</button>");
        if let Some((href, label)) = &self.back {
            o.push_str(&format!(" <a href=\"{}\">{}</a>", esc(href), esc(label)));
        }
        o.push_str("</p></main></body></html>");
        o
    }

    /// The document's blocks as HTML, to show inside a page (the page gives the frame).
    pub fn blocks_html(&self) -> String {
        let mut o = String::new();
        for b in &self.blocks {
            match b {
                Block::Title(t) => o.push_str(&format!("<h1>{}</h1>", esc(t))),
                Block::Subtitle(t) => o.push_str(&format!("<p class=\"sub\">{}</p>", esc(t))),
                Block::Para(t) => o.push_str(&format!("<p>{}</p>", esc(t).replace('\n', "<br>"))),
                Block::Right(t) => o.push_str(&format!("<p class=\"right\">{}</p>", esc(t))),
                Block::Note(t) => o.push_str(&format!("<p class=\"note\">{}</p>", esc(t))),
                Block::PageBreak => o.push_str("<div class=\"break\"></div>"),
                Block::Grid { widths, cells } => {
                    let total: f32 = widths.iter().sum::<f32>().max(1.0);
                    o.push_str("<table class=\"form\"><colgroup>");
                    for w in widths {
                        o.push_str(&format!("<col style=\"width:{:.1}%\">", w / total * 100.0));
                    }
                    o.push_str("</colgroup>");
                    let n = cells.iter().map(|c| c.row + c.rows).max().unwrap_or(0);
                    for r in 0..n {
                        o.push_str("<tr>");
                        let mut row: Vec<&Cell> = cells.iter().filter(|c| c.row == r).collect();
                        row.sort_by_key(|c| c.col);
                        for c in row {
                            let mut a = String::new();
                            if c.rows > 1 {
                                a.push_str(&format!(" rowspan=\"{}\"", c.rows));
                            }
                            if c.cols > 1 {
                                a.push_str(&format!(" colspan=\"{}\"", c.cols));
                            }
                            if c.heading {
                                a.push_str(" class=\"h\"");
                            }
                            o.push_str(&format!("<td{a}>{}</td>", esc(&c.text).replace('\n', "<br>")));
                        }
                        o.push_str("</tr>");
                    }
                    o.push_str("</table>");
                }
                Block::Bars { title, bars, unit } => o.push_str(&bars_svg(title, bars, unit)),
                Block::Table { widths, rows } => {
                    let total: f32 = widths.iter().sum::<f32>().max(1.0);
                    o.push_str("<table><colgroup>");
                    for w in widths {
                        o.push_str(&format!("<col style=\"width:{:.1}%\">", w / total * 100.0));
                    }
                    o.push_str("</colgroup>");
                    for r in rows {
                        o.push_str("<tr>");
                        let span = widths.len().saturating_sub(r.len()) + 1;
                        for (i, c) in r.iter().enumerate() {
                            let cs = if i + 1 == r.len() && span > 1 {
                                format!(" colspan=\"{span}\"")
                            } else {
                                String::new()
                            };
                            o.push_str(&format!("<td{cs}>{}</td>", esc(c).replace('\n', "<br>")));
                        }
                        o.push_str("</tr>");
                    }
                    o.push_str("</table>");
                }
            }
        }
        o
    }

    /// The PDF, A4, with the CJK font found on this machine embedded and subset.
    pub fn pdf(&self) -> Result<Vec<u8>, String> {
        let font = cjk_font()?;
        render(self, font)
    }
}

const PRINT_CSS: &str = "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:0;background:#f4f4f4;color:#111}\
.doc{max-width:760px;margin:16px auto;background:#fff;padding:40px 48px;line-height:1.7}\
h1{text-align:center;font-size:22px;margin:0 0 4px}.sub{text-align:center;color:#444;margin:0 0 16px}\
.right{text-align:right}.note{font-size:13px;color:#333}\
table{border-collapse:collapse;width:100%;margin:12px 0}td{border:1px solid #333;padding:6px 8px;vertical-align:top}\
td.h{text-align:center;vertical-align:middle}\
.break{page-break-after:always;border-top:1px dashed #999;margin:32px 0}\
@media print{body{background:#fff}.doc{margin:0;padding:0;max-width:none}.noprint{display:none}.break{border:0;margin:0}}\
@media (max-width:600px){.doc{padding:16px}}";

pub struct CjkFont {
    pub data: Vec<u8>,
    pub index: u32,
    pub path: String,
}

static FONT: OnceLock<Result<CjkFont, String>> = OnceLock::new();

/// Places a CJK font is found in on Debian, with the face index of Simplified Chinese.
const CANDIDATES: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
];

/// The CJK font: `NOVETO_CJK_FONT=path[#face]` or the first Debian font found.
pub fn cjk_font() -> Result<&'static CjkFont, String> {
    FONT.get_or_init(|| {
        let mut tries: Vec<(String, u32)> = vec![];
        if let Ok(v) = std::env::var("NOVETO_CJK_FONT") {
            let (p, i) = v.split_once('#').map(|(p, i)| (p.to_string(), i.parse().unwrap_or(0))).unwrap_or((v.clone(), 0));
            tries.push((p, i));
        }
        tries.extend(CANDIDATES.iter().map(|(p, i)| (p.to_string(), *i)));
        for (p, i) in tries {
            if let Ok(data) = std::fs::read(&p)
                && skrifa::FontRef::from_index(&data, i).is_ok() {
                    return Ok(CjkFont { data, index: i, path: p });
                }
        }
        Err("未找到中文字体，无法生成 PDF：请安装 fonts-wqy-microhei 或 fonts-noto-cjk（apt-get install fonts-wqy-microhei），或设置 NOVETO_CJK_FONT=字体路径#序号。HTML 打印视图不受影响。".into())
    })
    .as_ref()
    .map_err(|e| e.clone())
}

/// Advance widths in em for the characters of a text.
struct Measure<'a> {
    font: skrifa::FontRef<'a>,
    upem: f32,
}

impl Measure<'_> {
    fn width(&self, c: char, size: f32) -> f32 {
        let gid = self.font.charmap().map(c).unwrap_or_default();
        let adv =
            self.font.glyph_metrics(Size::unscaled(), LocationRef::default()).advance_width(gid).unwrap_or(self.upem);
        adv / self.upem * size
    }
}

/// May not start a line.
const NO_START: &str = "，。、；：？！）】》」』”’…—,.;:?!)]}%·";
/// May not end a line.
const NO_END: &str = "（【《「『“‘([{";

/// Wraps `text` to lines no wider than `max` points, keeping Chinese punctuation rules and
/// not splitting a run of Latin letters or digits where it can be avoided.
fn wrap(m: &Measure, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = vec![];
    for para in text.split('\n') {
        let chars: Vec<char> = para.chars().collect();
        let mut line: Vec<char> = vec![];
        let mut w = 0.0;
        let mut i = 0;
        while i < chars.len() {
            // A unit: a Latin word/number, or one character.
            let mut j = i + 1;
            if chars[i].is_ascii_alphanumeric() {
                // A phone number keeps its dash (0719-8123456): a dash between two letters or
                // digits belongs to the run.
                let joined = |k: usize| {
                    chars[k].is_ascii_alphanumeric()
                        || (chars[k] == '-' && chars.get(k + 1).is_some_and(|c| c.is_ascii_alphanumeric()))
                };
                while j < chars.len() && joined(j) && j - i < 24 {
                    j += 1;
                }
            }
            let unit: Vec<char> = chars[i..j].to_vec();
            let uw: f32 = unit.iter().map(|c| m.width(*c, size)).sum();
            if w + uw > max && !line.is_empty() {
                // Closing punctuation may hang at the end instead of starting the next line.
                if unit.len() == 1 && NO_START.contains(unit[0]) {
                    line.extend(&unit);
                    lines.push(line.iter().collect());
                    line.clear();
                    w = 0.0;
                    i = j;
                    continue;
                }
                // Do not leave an opening bracket at the end of a line.
                let mut carry = vec![];
                while line.last().is_some_and(|c| NO_END.contains(*c)) && line.len() > 1 {
                    carry.insert(0, line.pop().unwrap_or(' '));
                }
                lines.push(line.iter().collect());
                w = carry.iter().map(|c| m.width(*c, size)).sum();
                line = carry;
            }
            line.extend(&unit);
            w += uw;
            i = j;
        }
        if !line.is_empty() || chars.is_empty() {
            lines.push(line.iter().collect());
        }
    }
    lines
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;

struct Pen<'a> {
    pdf: &'a mut Pdf,
    pages: Vec<Vec<Op>>,
    y: f32,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// A filled bar of a chart.
    Bar {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

impl Pen<'_> {
    fn ensure(&mut self, h: f32) {
        if self.y + h > PAGE_H - MARGIN {
            self.break_page();
        }
    }
    fn break_page(&mut self) {
        self.pages.push(vec![]);
        self.y = MARGIN;
    }
    fn op(&mut self, o: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(o);
        }
    }
}

fn render(doc: &Document, f: &CjkFont) -> Result<Vec<u8>, String> {
    let sk = skrifa::FontRef::from_index(&f.data, f.index).map_err(|e| format!("字体无法读取：{e}"))?;
    let upem = sk.head().map(|h| h.units_per_em() as f32).unwrap_or(1000.0);
    let m = Measure { font: sk, upem };
    let font = Font::new(f.data.clone().into(), f.index).ok_or("字体无法载入")?;
    let mut pdf = Pdf::new();
    let mut pen = Pen { pdf: &mut pdf, pages: vec![vec![]], y: MARGIN };
    let width = PAGE_W - 2.0 * MARGIN;
    for b in &doc.blocks {
        match b {
            Block::Title(t) | Block::Subtitle(t) => {
                let size = if matches!(b, Block::Title(_)) { 18.0 } else { 11.0 };
                for line in wrap(&m, t, size, width) {
                    let lw: f32 = line.chars().map(|c| m.width(c, size)).sum();
                    pen.ensure(size * 1.6);
                    let y = pen.y + size;
                    pen.op(Op::Text { x: MARGIN + (width - lw) / 2.0, y, size, text: line });
                    pen.y += size * 1.6;
                }
                pen.y += 4.0;
            }
            Block::Para(t) | Block::Note(t) | Block::Right(t) => {
                let size = if matches!(b, Block::Note(_)) { 9.5 } else { 11.0 };
                for line in wrap(&m, t, size, width) {
                    pen.ensure(size * 1.7);
                    let lw: f32 = line.chars().map(|c| m.width(c, size)).sum();
                    let x = if matches!(b, Block::Right(_)) { MARGIN + width - lw } else { MARGIN };
                    let y = pen.y + size;
                    pen.op(Op::Text { x, y, size, text: line });
                    pen.y += size * 1.7;
                }
                pen.y += 4.0;
            }
            Block::PageBreak => pen.break_page(),
            Block::Grid { widths, cells } => grid(&mut pen, &m, widths, cells, width),
            Block::Bars { title, bars, unit } => {
                let (size, row) = (10.0, 16.0);
                pen.ensure(20.0 + row * bars.len().min(3) as f32);
                let y = pen.y + 12.0;
                pen.op(Op::Text { x: MARGIN, y, size: 11.0, text: title.clone() });
                pen.y += 20.0;
                let (label_w, bar_w) = (width * 0.35, width * 0.5);
                let max = bar_max(bars) as f32;
                for (label, v) in bars {
                    pen.ensure(row);
                    let label: String = label.chars().take(16).collect();
                    let lw: f32 = label.chars().map(|c| m.width(c, size)).sum();
                    let y = pen.y;
                    pen.op(Op::Text { x: MARGIN + label_w - 6.0 - lw, y: y + size, size, text: label });
                    let len = (*v as f32 / max * bar_w).max(if *v > 0.0 { 1.5 } else { 0.0 });
                    if len > 0.0 {
                        pen.op(Op::Bar { x: MARGIN + label_w, y: y + 2.0, w: len, h: row - 5.0 });
                    }
                    let shown = if v.fract() == 0.0 { format!("{v:.0}{unit}") } else { format!("{v:.1}{unit}") };
                    pen.op(Op::Text { x: MARGIN + label_w + len + 4.0, y: y + size, size, text: shown });
                    pen.y += row;
                }
                pen.y += 8.0;
            }
            Block::Table { widths, rows } => {
                let total: f32 = widths.iter().sum::<f32>().max(1.0);
                let cols: Vec<f32> = widths.iter().map(|w| w / total * width).collect();
                let size = 10.5;
                let pad = 5.0;
                let lh = size * 1.5;
                pen.y += 4.0;
                for r in rows {
                    // The last cell of a short row spans the rest of the table.
                    let last = r.len().saturating_sub(1);
                    let cell_w = |i: usize| {
                        if i == last {
                            width - cols.iter().take(i).sum::<f32>()
                        } else {
                            cols.get(i).copied().unwrap_or(0.0)
                        }
                    };
                    let cells: Vec<Vec<String>> = r
                        .iter()
                        .enumerate()
                        .map(|(i, c)| wrap(&m, c, size, (cell_w(i) - 2.0 * pad).max(size)))
                        .collect();
                    let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
                    let h = n as f32 * lh + 2.0 * pad;
                    pen.ensure(h);
                    let mut x = MARGIN;
                    for (i, lines) in cells.into_iter().enumerate() {
                        let w = cell_w(i);
                        pen.op(Op::Rect { x, y: pen.y, w, h });
                        for (k, line) in lines.into_iter().enumerate() {
                            let y = pen.y + pad + size + k as f32 * lh;
                            pen.op(Op::Text { x: x + pad, y, size, text: line });
                        }
                        x += w;
                    }
                    pen.y += h;
                }
                pen.y += 8.0;
            }
        }
    }
    let pages = std::mem::take(&mut pen.pages);
    let pdf_ref = pen.pdf;
    for ops in pages {
        let mut page = pdf_ref.start_page_with(PageSettings::new(PAGE_W, PAGE_H));
        let mut s = page.surface();
        for o in ops {
            match o {
                Op::Text { x, y, size, text } => {
                    if !text.is_empty() {
                        s.set_fill(Some(Fill::default()));
                        s.set_stroke(None);
                        s.draw_text(Point::from_xy(x, y), font.clone(), size, &text, false, TextDirection::Auto);
                    }
                }
                Op::Bar { x, y, w, h } => {
                    let mut pb = PathBuilder::new();
                    if let Some(r) = krilla::geom::Rect::from_xywh(x, y, w.max(0.1), h.max(0.1)) {
                        pb.push_rect(r);
                    }
                    if let Some(path) = pb.finish() {
                        let red = krilla::color::rgb::Color::new(155, 28, 28);
                        s.set_fill(Some(Fill { paint: red.into(), ..Default::default() }));
                        s.set_stroke(None);
                        s.draw_path(&path);
                    }
                }
                Op::Rect { x, y, w, h } => {
                    let mut pb = PathBuilder::new();
                    if let Some(r) = krilla::geom::Rect::from_xywh(x, y, w.max(0.1), h.max(0.1)) {
                        pb.push_rect(r);
                    }
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke { width: 0.6, ..Default::default() }));
                        s.draw_path(&path);
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    pdf.finish().map_err(|e| format!("PDF 生成失败：{e:?}"))
}

/// Lays out a [`Block::Grid`]: each row as tall as its tallest single-row cell, a merged cell's
/// rows stretched (the last of them) until its text fits; then every cell drawn over its span.
fn grid(pen: &mut Pen<'_>, m: &Measure, widths: &[f32], cells: &[Cell], width: f32) {
    let total: f32 = widths.iter().sum::<f32>().max(1.0);
    let cols: Vec<f32> = widths.iter().map(|w| w / total * width).collect();
    let (size, pad) = (10.5, 5.0);
    let lh = size * 1.5;
    let n = cells.iter().map(|c| c.row + c.rows).max().unwrap_or(0);
    let x_of = |col: usize| MARGIN + cols.iter().take(col).sum::<f32>();
    let w_of = |c: &Cell| cols.iter().skip(c.col).take(c.cols).sum::<f32>();
    let lines: Vec<Vec<String>> =
        cells.iter().map(|c| wrap(m, &c.text, size, (w_of(c) - 2.0 * pad).max(size))).collect();
    let need = |k: usize| lines[k].len().max(1) as f32 * lh + 2.0 * pad;
    let mut h = vec![lh + 2.0 * pad; n];
    for (k, c) in cells.iter().enumerate().filter(|(_, c)| c.rows == 1) {
        h[c.row] = h[c.row].max(need(k));
    }
    for (k, c) in cells.iter().enumerate().filter(|(_, c)| c.rows > 1) {
        let have: f32 = h[c.row..c.row + c.rows].iter().sum();
        if need(k) > have {
            h[c.row + c.rows - 1] += need(k) - have;
        }
    }
    pen.y += 4.0;
    pen.ensure(h.iter().sum());
    let y0 = pen.y;
    let y_of = |row: usize| y0 + h[..row].iter().sum::<f32>();
    for (k, c) in cells.iter().enumerate() {
        let (x, y, w) = (x_of(c.col), y_of(c.row), w_of(c));
        let ch: f32 = h[c.row..c.row + c.rows].iter().sum();
        pen.op(Op::Rect { x, y, w, h: ch });
        let text_h = lines[k].len() as f32 * lh;
        let top = if c.heading { y + (ch - text_h) / 2.0 } else { y + pad };
        for (i, line) in lines[k].iter().enumerate() {
            let lw: f32 = line.chars().map(|ch| m.width(ch, size)).sum();
            let lx = if c.heading { x + (w - lw) / 2.0 } else { x + pad };
            pen.op(Op::Text { x: lx, y: top + size + i as f32 * lh, size, text: line.clone() });
        }
    }
    pen.y = y0 + h.iter().sum::<f32>() + 8.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    // Screens issue, item 7: a form's merged cells print merged — in HTML as row and column
    // spans, in the PDF as one box per cell over its span, every text inside.
    #[test]
    fn a_grid_prints_merged_cells() {
        let mut d = Document::new("表");
        d.push(Block::Grid {
            widths: vec![2.0, 3.0, 3.0],
            cells: vec![
                Cell::heading(0, 0, 2, 1, "被否决事项基本情况"),
                Cell::heading(0, 1, 1, 1, "名称"),
                Cell::value(0, 2, 1, 1, "食品经营许可"),
                Cell::heading(1, 1, 1, 1, "理由"),
                Cell::value(1, 2, 1, 1, "理由"),
                Cell::heading(2, 0, 1, 1, "备注"),
                Cell::value(2, 1, 1, 2, "无"),
            ],
        });
        let html = d.html();
        assert!(html.contains("<td rowspan=\"2\" class=\"h\">被否决事项基本情况</td>"), "{html}");
        assert!(html.contains("<td colspan=\"2\">无</td>"), "{html}");
        assert_eq!(html.matches("<tr>").count(), 3);
        let Ok(f) = cjk_font() else {
            assert!(std::env::var("CI").is_err(), "CI must have a CJK font");
            return;
        };
        let pdf = render(&d, f).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn wrap_keeps_punctuation_rules() {
        let Ok(f) = cjk_font() else {
            assert!(std::env::var("CI").is_err(), "CI must have a CJK font");
            return;
        };
        let sk = skrifa::FontRef::from_index(&f.data, f.index).unwrap();
        let m = Measure { upem: sk.head().unwrap().units_per_em() as f32, font: sk };
        let text = "申请人应当在规定期限内补正材料，逾期不补正的，视为放弃申请。（依据《行政许可法》第三十二条）";
        for width in [60.0, 80.0, 111.0, 150.0, 200.0] {
            let lines = wrap(&m, text, 10.0, width);
            assert_eq!(lines.concat(), text);
            assert!(lines.iter().all(|l| !l.is_empty()), "{width}: {lines:?}");
            for l in &lines[1..] {
                let first = l.chars().next().unwrap();
                assert!(!NO_START.contains(first), "line starts with {first}: {l}");
            }
            for l in &lines[..lines.len() - 1] {
                let last = l.chars().last().unwrap();
                assert!(!NO_END.contains(last), "line ends with {last}: {l}");
            }
        }
        // A landline is never split at its dash (copying the text back then drops it).
        let phone = "对办理过程有意见的，可拨打监督电话 0719-8123000。";
        for width in 40..160 {
            let lines = wrap(&m, phone, 10.0, width as f32);
            assert_eq!(lines.concat(), phone);
            assert!(lines.iter().all(|l| !l.ends_with('-')), "{width}: {lines:?}");
        }
    }
}
