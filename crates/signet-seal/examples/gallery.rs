//! Writes the seal gallery: `cargo run --release -p signet-seal --example gallery -- docs/seals`
//! (PNG files plus a README.md table).

use std::fmt::Write as _;
use std::path::PathBuf;

use signet_seal::*;

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "docs/seals".into()));
    std::fs::create_dir_all(&dir)?;
    let mut rows: Vec<(String, String, Seal)> = Vec::new();

    let fonts = [
        (PersonalFont::Kai, "kai"),
        (PersonalFont::FangSong, "fangsong"),
        (PersonalFont::HuawenKai, "huawen-kai"),
        (PersonalFont::Yahei, "yahei"),
    ];
    for (font, fname) in fonts {
        for (name, tag) in [("张三", "2"), ("李小龙", "3"), ("欧阳娜娜", "4")] {
            let spec = PersonalSealSpec { font, ..PersonalSealSpec::new(name) };
            rows.push((
                format!("person-square-{fname}-{tag}"),
                format!("personal, square, {fname}, `{name}`"),
                render_personal(&spec)?,
            ));
        }
    }
    let extra: Vec<(&str, &str, PersonalSealSpec)> = vec![
        (
            "person-square-noborder",
            "square, no border (B2)",
            PersonalSealSpec { border: false, ..PersonalSealSpec::new("王小明") },
        ),
        (
            "person-rectangle",
            "rectangle, kai",
            PersonalSealSpec { form: PersonalForm::Rectangle, ..PersonalSealSpec::new("王小明") },
        ),
        (
            "person-rectangle-fangsong-blue",
            "rectangle, fangsong, blue",
            PersonalSealSpec {
                form: PersonalForm::Rectangle,
                font: PersonalFont::FangSong,
                color: InkColor::Blue,
                ..PersonalSealSpec::new("赵敏")
            },
        ),
        (
            "person-borderless-yahei-black",
            "borderless, yahei, black",
            PersonalSealSpec {
                form: PersonalForm::Borderless,
                font: PersonalFont::Yahei,
                color: InkColor::Black,
                ..PersonalSealSpec::new("陈思远")
            },
        ),
        (
            "person-masked",
            "square, 脱敏 masked (`张三丰` → 张＊＊印)",
            PersonalSealSpec { masked: true, ..PersonalSealSpec::new("张三丰") },
        ),
        (
            "person-rare",
            "rare characters 王喆 / 㛃 (fallback chain)",
            PersonalSealSpec { font: PersonalFont::FangSong, ..PersonalSealSpec::new("王喆㛃") },
        ),
        (
            "person-zhiyin",
            "square, 之印 suffix",
            PersonalSealSpec { suffix: NameSuffix::ZhiYin, ..PersonalSealSpec::new("李白") },
        ),
    ];
    for (file, label, spec) in extra {
        rows.push((file.into(), format!("personal, {label}"), render_personal(&spec)?));
    }

    let companies: Vec<(&str, &str, CompanySealSpec)> = vec![
        ("company-round-star", "ROUND_STAR, name only", CompanySealSpec::new("杭州天谷信息科技有限公司")),
        (
            "company-round-contract",
            "ROUND_STAR + 合同专用章 + 13-digit code",
            CompanySealSpec {
                horizontal_text: Some("合同专用章".into()),
                code: Some("3301060012345".into()),
                ..CompanySealSpec::new("杭州天谷信息科技有限公司")
            },
        ),
        (
            "company-round-none",
            "ROUND_NONE + 财务专用章",
            CompanySealSpec {
                star: false,
                horizontal_text: Some("财务专用章".into()),
                ..CompanySealSpec::new("北京云合同科技有限公司")
            },
        ),
        ("company-round-short", "short name (4 chars)", CompanySealSpec::new("测试公司")),
        (
            "company-round-long",
            "32-character name, blue",
            CompanySealSpec {
                color: InkColor::Blue,
                ..CompanySealSpec::new("中国某某某某某某某某某某集团控股有限公司北京分公司第一销售部门")
            },
        ),
        (
            "company-round-bottom",
            "lower-arc text (下弦文)",
            CompanySealSpec {
                horizontal_text: Some("人力资源部".into()),
                bottom_text: Some("仅限人事证明使用".into()),
                ..CompanySealSpec::new("上海浦东发展建设有限公司")
            },
        ),
        (
            "company-round-12",
            "12-character horizontal text",
            CompanySealSpec {
                horizontal_text: Some("电子合同签署专用章测试版".into()),
                ..CompanySealSpec::new("深圳市前海科技有限公司")
            },
        ),
        (
            "company-oval-star",
            "OVAL_STAR + 合同专用章 + code",
            CompanySealSpec {
                shape: CompanyShape::Oval,
                horizontal_text: Some("合同专用章".into()),
                code: Some("4403050098765".into()),
                ..CompanySealSpec::new("深圳市腾讯计算机系统有限公司")
            },
        ),
        (
            "company-oval-none",
            "OVAL_NONE + 发票专用章, black",
            CompanySealSpec {
                shape: CompanyShape::Oval,
                star: false,
                color: InkColor::Black,
                horizontal_text: Some("发票专用章".into()),
                ..CompanySealSpec::new("广州市某某贸易有限公司")
            },
        ),
    ];
    for (file, label, spec) in companies {
        rows.push((file.into(), format!("company, {label}"), render_company(&spec)?));
    }

    let mut md = String::from(
        "# Seal gallery\n\nRendered by `cargo run --release -p signet-seal --example gallery -- docs/seals` \
         at 600 dpi of the true size (PNG with alpha and pHYs).\n\n| seal | style | size (mm) |\n|---|---|---|\n",
    );
    for (file, label, seal) in &rows {
        std::fs::write(dir.join(format!("{file}.png")), seal.to_png(DEFAULT_DPI)?)?;
        writeln!(
            md,
            "| <img src=\"{file}.png\" width=\"{}\"> | {label} | {:.1} × {:.1} |",
            (seal.width_mm() * 5.0).round(),
            seal.width_mm(),
            seal.height_mm()
        )?;
    }
    // A hand-drawn signature from synthetic stroke data (pressure varying along the stroke).
    let loops = Stroke {
        points: (0..240)
            .map(|i| {
                let t = i as f32 / 20.0;
                StrokePoint {
                    x: 20.0 * t + 14.0 * t.cos(),
                    y: 40.0 + 22.0 * t.sin() + 3.0 * t,
                    pressure: Some(0.3 + 0.6 * (t / 2.0).sin().abs()),
                    t_ms: Some(f64::from(i) * 12.0),
                }
            })
            .collect(),
    };
    let underline = Stroke {
        points: (0..30)
            .map(|i| StrokePoint {
                x: 10.0 + i as f32 * 8.0,
                y: 95.0 - i as f32 * 0.6,
                pressure: None,
                t_ms: Some(3000.0 + f64::from(i) * 8.0),
            })
            .collect(),
    };
    let signature = render_signature(&SignatureInput { strokes: vec![loops, underline] }, &SignatureStyle::default())?;
    std::fs::write(dir.join("signature-strokes.png"), &signature.png)?;
    writeln!(
        md,
        "| <img src=\"signature-strokes.png\" width=\"{}\"> | hand-drawn signature from stroke data (pressure + timing), black | {:.1} × {:.1} |",
        (signature.width_mm() * 5.0).round(),
        signature.width_mm(),
        signature.height_mm()
    )?;
    std::fs::write(dir.join("README.md"), md)?;
    println!("wrote {} seals to {}", rows.len(), dir.display());
    Ok(())
}
