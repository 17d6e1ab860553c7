//! Template fills per second: `fill_bench <template.pdf> <font.otf> <n> [flatten] [html]`.
//! Fills every text field of the template with Chinese text (and optionally appends one HTML
//! page) `n` times and prints the rate; used by `bench/templates.sh`.

use std::collections::BTreeMap;
use std::time::Instant;

use signet_pdf::form::{Chunk, FillRequest, fill, text_fields};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: fill_bench <template.pdf> <font.otf> <n> [flatten] [html]");
        std::process::exit(2);
    }
    let template = std::fs::read(&args[1]).expect("template");
    let font = std::fs::read(&args[2]).expect("font");
    let n: usize = args[3].parse().expect("n");
    let flatten = args.iter().any(|a| a == "flatten");
    let html = args.iter().any(|a| a == "html");
    let values: BTreeMap<String, String> = text_fields(&template)
        .expect("fields")
        .into_iter()
        .map(|f| {
            let v = match f.max_len {
                Some(m) => "1234567890甲乙丙丁戊己庚辛壬癸".chars().take(m).collect(),
                None => "上海某某科技有限公司（乙方）于二〇二六年签订本合同".to_string(),
            };
            (f.name, v)
        })
        .collect();
    let append = if html {
        vec![Chunk::Html("<h1>补充条款</h1><p>双方应当遵守诚实信用原则，全面履行本合同约定的各项义务。</p><table><tr><th>项目</th><th>金额</th></tr><tr><td>押金</td><td>10,000</td></tr></table>".into())]
    } else {
        Vec::new()
    };
    let req = FillRequest {
        template: &template,
        values: &values,
        append: &append,
        flatten,
        font: &font,
        max_appended_pages: 10,
    };
    let first = fill(&req).expect("fill");
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(fill(&req).expect("fill"));
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "fields={} flatten={flatten} html={html}: {n} fills in {secs:.2} s = {:.0} fills/s ({:.2} ms each), output {} bytes",
        values.len(),
        n as f64 / secs,
        secs * 1000.0 / n as f64,
        first.pdf.len()
    );
}
