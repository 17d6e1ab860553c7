//! `signet seal person|company`: render a template seal to a PNG file (alpha, pHYs at
//! 600 dpi of the true size).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use signet_seal::{
    CompanySealSpec, CompanyShape, DEFAULT_DPI, InkColor, PersonalFont, PersonalForm, PersonalSealSpec, Seal,
    render_company, render_personal,
};

/// Render template seals.
#[derive(Args, Debug)]
pub struct SealArgs {
    #[command(subcommand)]
    pub command: SealCommand,
}

/// The kinds of template seal.
#[derive(Subcommand, Debug)]
pub enum SealCommand {
    /// Personal name seal (square grid, rectangle or borderless).
    Person(PersonArgs),
    /// Company seal (round or oval, star, horizontal text, lower-arc text or code).
    Company(CompanyArgs),
}

/// Options of `signet seal person`.
#[derive(Args, Debug)]
pub struct PersonArgs {
    /// The name on the seal.
    #[arg(long)]
    pub name: String,
    /// Font: kai (F1 楷体), fangsong (F2 华文仿宋), huawen-kai (F3 华文楷体), yahei (F4 微软雅黑).
    #[arg(long, value_enum, default_value_t = FontArg::Kai)]
    pub font: FontArg,
    /// Layout of the name.
    #[arg(long, value_enum, default_value_t = FormArg::Square)]
    pub form: FormArg,
    /// Draw no frame (B2).
    #[arg(long)]
    pub no_border: bool,
    /// Ink colour.
    #[arg(long, value_enum, default_value_t = ColorArg::Red)]
    pub color: ColorArg,
    /// 脱敏 mode: keep the first character, mask the others with ＊.
    #[arg(long)]
    pub masked: bool,
    /// Output PNG file (written atomically).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

/// Options of `signet seal company`.
#[derive(Args, Debug)]
pub struct CompanyArgs {
    /// Company name along the upper arc (2 to 32 characters).
    #[arg(long)]
    pub name: String,
    /// Outline: round Ø 42 mm or oval 40×30 mm.
    #[arg(long, value_enum, default_value_t = ShapeArg::Round)]
    pub shape: ShapeArg,
    /// Horizontal text, e.g. 合同专用章 (at most 12 characters).
    #[arg(long)]
    pub text: Option<String>,
    /// Text along the lower arc (下弦文, at most 20 characters).
    #[arg(long)]
    pub bottom_text: Option<String>,
    /// 13-digit anti-forgery code along the lower arc.
    #[arg(long)]
    pub code: Option<String>,
    /// No star in the centre.
    #[arg(long)]
    pub no_star: bool,
    /// Ink colour.
    #[arg(long, value_enum, default_value_t = ColorArg::Red)]
    pub color: ColorArg,
    /// Output PNG file (written atomically).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

/// `--font` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FontArg {
    Kai,
    #[value(name = "fangsong")]
    FangSong,
    HuawenKai,
    Yahei,
}

/// `--form` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormArg {
    Square,
    Rectangle,
    Borderless,
}

/// `--shape` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShapeArg {
    Round,
    Oval,
}

/// `--color` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Red,
    Blue,
    Black,
}

impl From<ColorArg> for InkColor {
    fn from(c: ColorArg) -> Self {
        match c {
            ColorArg::Red => InkColor::Red,
            ColorArg::Blue => InkColor::Blue,
            ColorArg::Black => InkColor::Black,
        }
    }
}

/// Renders the requested seal and writes it to `-o`.
pub fn run(args: SealArgs) -> Result<()> {
    let (seal, output) = match args.command {
        SealCommand::Person(a) => {
            let spec = PersonalSealSpec {
                font: match a.font {
                    FontArg::Kai => PersonalFont::Kai,
                    FontArg::FangSong => PersonalFont::FangSong,
                    FontArg::HuawenKai => PersonalFont::HuawenKai,
                    FontArg::Yahei => PersonalFont::Yahei,
                },
                form: match a.form {
                    FormArg::Square => PersonalForm::Square,
                    FormArg::Rectangle => PersonalForm::Rectangle,
                    FormArg::Borderless => PersonalForm::Borderless,
                },
                border: !a.no_border,
                color: a.color.into(),
                masked: a.masked,
                ..PersonalSealSpec::new(a.name)
            };
            (render_personal(&spec).context("cannot render the personal seal")?, a.output)
        }
        SealCommand::Company(a) => {
            let spec = CompanySealSpec {
                shape: match a.shape {
                    ShapeArg::Round => CompanyShape::Round,
                    ShapeArg::Oval => CompanyShape::Oval,
                },
                star: !a.no_star,
                horizontal_text: a.text,
                bottom_text: a.bottom_text,
                code: a.code,
                color: a.color.into(),
                ..CompanySealSpec::new(a.name)
            };
            (render_company(&spec).context("cannot render the company seal")?, a.output)
        }
    };
    write_seal(&seal, &output)
}

fn write_seal(seal: &Seal, output: &Path) -> Result<()> {
    let raster = seal.rasterize(DEFAULT_DPI)?;
    let png = raster.to_png()?;
    write_atomically(output, &png).with_context(|| format!("cannot write {}", output.display()))?;
    println!(
        "{}: {:.1} x {:.1} mm, {} x {} px at {} dpi",
        output.display(),
        seal.width_mm(),
        seal.height_mm(),
        raster.width,
        raster.height,
        raster.dpi
    );
    Ok(())
}

/// Writes to a temporary file in the same directory, syncs it, then renames it over `path`,
/// so readers never see a half-written PNG.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path.file_name().with_context(|| format!("{} is not a file path", path.display()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(".{}.{}.tmp", file_name.to_string_lossy(), std::process::id()));
    let result = (|| -> Result<()> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
