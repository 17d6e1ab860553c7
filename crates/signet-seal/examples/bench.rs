//! Render-time benchmark: `cargo run --release -p signet-seal --example bench`.
//!
//! Prints, per seal style, the warm on-CPU time to build the geometry, to rasterise it at 300
//! and 600 dpi, to encode the 600 dpi PNG and the whole spec-to-PNG path; then the bytes of
//! bundled font data.

use std::hint::black_box;
use std::time::{Duration, Instant};

use signet_seal::*;

/// On-CPU time of this thread (Linux `/proc/thread-self/schedstat`, ns): unlike wall time it
/// does not count time spent waiting for a core on a busy machine.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

/// Mean on-CPU time per call (wall time where schedstat is unavailable), after one warm-up call.
fn time<T>(iterations: u32, mut f: impl FnMut() -> T) -> Duration {
    black_box(f()); // warm: fonts parsed, caches filled
    let (start, cpu0) = (Instant::now(), cpu_ns());
    for _ in 0..iterations {
        black_box(f());
    }
    match (cpu0, cpu_ns()) {
        (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a)) / iterations,
        _ => start.elapsed() / iterations,
    }
}

fn ms(d: Duration) -> String {
    format!("{:7.3}", d.as_secs_f64() * 1000.0)
}

type Style = (&'static str, Box<dyn Fn() -> Result<Seal, SealError>>);

fn main() -> Result<(), SealError> {
    let styles: Vec<Style> = vec![
        ("person square kai (2x2)", Box::new(|| render_personal(&PersonalSealSpec::new("欧阳娜娜")))),
        (
            "person square fangsong (+印)",
            Box::new(|| {
                render_personal(&PersonalSealSpec {
                    font: PersonalFont::FangSong, ..PersonalSealSpec::new("李小龙")
                })
            }),
        ),
        (
            "person rectangle huawen-kai",
            Box::new(|| {
                render_personal(&PersonalSealSpec {
                    font: PersonalFont::HuawenKai,
                    form: PersonalForm::Rectangle,
                    ..PersonalSealSpec::new("王小明")
                })
            }),
        ),
        (
            "person borderless yahei",
            Box::new(|| {
                render_personal(&PersonalSealSpec {
                    font: PersonalFont::Yahei,
                    form: PersonalForm::Borderless,
                    ..PersonalSealSpec::new("陈思远")
                })
            }),
        ),
        (
            "company round star + text + code",
            Box::new(|| {
                render_company(&CompanySealSpec {
                    horizontal_text: Some("合同专用章".into()),
                    code: Some("3301060012345".into()),
                    ..CompanySealSpec::new("杭州天谷信息科技有限公司")
                })
            }),
        ),
        (
            "company round none, 32 chars",
            Box::new(|| {
                render_company(&CompanySealSpec {
                    star: false,
                    ..CompanySealSpec::new("中国某某某某某某某某某某集团控股有限公司北京分公司第一销售部门")
                })
            }),
        ),
        (
            "company oval star + text + code",
            Box::new(|| {
                render_company(&CompanySealSpec {
                    shape: CompanyShape::Oval,
                    horizontal_text: Some("合同专用章".into()),
                    code: Some("4403050098765".into()),
                    ..CompanySealSpec::new("深圳市腾讯计算机系统有限公司")
                })
            }),
        ),
    ];
    let n = 200;
    println!(
        "{:<36} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9}",
        "style (ms on CPU, warm, mean of 200)", "layout", "r300", "r600", "png600", "total600", "png bytes"
    );
    for (name, build) in &styles {
        let seal = build()?;
        let layout = time(n, build);
        let r300 = time(n, || seal.rasterize(300));
        let r600 = time(n, || seal.rasterize(600));
        let raster = seal.rasterize(600)?;
        let png = time(n, || raster.to_png());
        let total = time(n, || build().and_then(|s| s.to_png(600)));
        println!(
            "{name:<36} {} {} {} {} {} {:>9}",
            ms(layout),
            ms(r300),
            ms(r600),
            ms(png),
            ms(total),
            raster.to_png()?.len()
        );
    }
    let sig = SignatureInput {
        strokes: vec![Stroke {
            points: (0..400)
                .map(|i| StrokePoint {
                    x: i as f32,
                    y: (i as f32 / 9.0).sin() * 40.0,
                    pressure: Some(0.5 + 0.4 * (i as f32 / 30.0).sin()),
                    t_ms: None,
                })
                .collect(),
        }],
    };
    let t = time(n, || render_signature(&sig, &SignatureStyle::default()));
    println!("{:<36} {} (400 points, 600 dpi, incl. PNG)", "hand-drawn signature", ms(t));
    println!();
    println!("bundled font bytes (binary-size cost):");
    for face in FontFace::ALL {
        println!("  {:<20} {:>10}", face.source_family(), face.data().len());
    }
    println!("  {:<20} {:>10}", "total", bundled_font_bytes());
    Ok(())
}
