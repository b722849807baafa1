//! Search latency with 100,000 library entries (FAQ-1), and the index build time, beside a
//! baseline computed in the same run: a plain scan ranking every entry by character overlap.
//!
//! `cargo bench -p noveto-search --bench search`. Percentiles need every sample, so this harness
//! times each query itself.

use noveto_search::{Entry, Options, SearchIndex, char_overlap};
use std::time::{Duration, Instant};

const TOPICS: &[&str] = &[
    "营业执照",
    "居民身份证",
    "不动产权证书",
    "住房公积金",
    "社会保险",
    "护照",
    "港澳通行证",
    "户口",
    "食品经营许可",
    "个体工商户",
    "医师执业",
    "道路运输许可",
    "发票",
    "清税证明",
    "退休",
    "失业保险金",
    "抵押登记",
    "公共场所卫生许可",
    "出生登记",
    "结婚登记",
];
const ACTIONS: &[&str] =
    &["设立", "变更", "注销", "遗失补领", "换领", "提取", "转移", "查询", "预约", "年度报告", "延续", "迁入"];
const PLACES: &[&str] =
    &["市本级", "河西区", "河东区", "高新区", "经开区", "城关镇", "江北街道", "新城街道", "东山乡", "西湖镇"];
const ASKS: &[&str] = &[
    "需要哪些材料",
    "多久能办好",
    "在哪个窗口办",
    "收费吗",
    "可以网上办吗",
    "能委托别人办吗",
    "有什么条件",
    "流程是什么",
];

fn library(n: usize) -> Vec<Entry> {
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let (t, a, p, q) = (
                TOPICS[next() as usize % TOPICS.len()],
                ACTIONS[next() as usize % ACTIONS.len()],
                PLACES[next() as usize % PLACES.len()],
                ASKS[next() as usize % ASKS.len()],
            );
            Entry {
                id: i as u64,
                title: format!("{p}{t}{a}{q}？（第{i}号）"),
                body: format!("{p}办理{t}{a}，请携带居民身份证原件到政务服务中心对应窗口，材料齐全的当场受理，承诺时限 {} 个工作日。", 1 + i % 15),
                extra: format!("{t}{a}"),
            }
        })
        .collect()
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("NOVETO_BENCH_ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let entries = library(n);
    let idx = SearchIndex::new(Options::full()).unwrap();
    let t = Instant::now();
    for chunk in entries.chunks(10_000) {
        idx.upsert(chunk).unwrap();
    }
    idx.compact().unwrap();
    println!(
        "index build: {n} entries in {:.2} s ({:.0} entries/s)",
        t.elapsed().as_secs_f64(),
        n as f64 / t.elapsed().as_secs_f64()
    );
    let queries = [
        "执照丢了怎么办",
        "營業執照遺失怎麼補辦",
        "身份证过期了去哪换",
        "公积金怎么取",
        "房本不见了",
        "社保转到外地",
        "办护照要多久",
        "河西区营业执照注销要什么材料",
        "食品许可证网上能办吗",
        "退休手续在哪个窗口",
        "高新区个体户设立",
        "港澳通行证预约",
    ];
    let mut lat = vec![];
    for _ in 0..50 {
        for q in queries {
            let t = Instant::now();
            let hits = idx.search(q, 10).unwrap();
            lat.push(t.elapsed());
            assert!(!hits.is_empty());
        }
    }
    let mut base = vec![];
    for q in &queries[..4] {
        let t = Instant::now();
        char_overlap(&entries, q, 10);
        base.push(t.elapsed());
    }
    println!(
        "search over {n} entries: {} queries, p50 {:.2} ms, p99 {:.2} ms; baseline full scan by character overlap: p50 {:.1} ms",
        lat.len(),
        pct(&mut lat, 0.5),
        pct(&mut lat, 0.99),
        pct(&mut base, 0.5)
    );
}
