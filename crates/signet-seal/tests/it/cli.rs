use clap::Parser;

use crate::seal_cli::{SealArgs, run};
use crate::support::decode;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(clap::Subcommand)]
enum Top {
    Seal(SealArgs),
}

fn seal(args: &[&str]) -> anyhow::Result<()> {
    let cli = Cli::try_parse_from(std::iter::once("signet").chain(args.iter().copied()))?;
    let Top::Seal(a) = cli.command;
    run(a)
}

#[test]
fn person_and_company_write_pngs_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let person = dir.path().join("person.png");
    let out = person.to_str().unwrap();
    seal(&[
        "seal",
        "person",
        "--name",
        "张三丰",
        "--font",
        "fangsong",
        "--form",
        "borderless",
        "--color",
        "blue",
        "--masked",
        "-o",
        out,
    ])
    .unwrap();
    let png = decode(&std::fs::read(&person).unwrap());
    assert_eq!(png.pixels_per_metre, Some((23_622, 23_622)));
    assert_eq!(png.alpha(0, 0), 0);

    seal(&["seal", "person", "--name", "李白", "--font", "huawen-kai", "--no-border", "-o", out]).unwrap();
    seal(&["seal", "person", "--name", "李白", "--font", "yahei", "--form", "rectangle", "-o", out]).unwrap();

    let company = dir.path().join("company.png");
    let out = company.to_str().unwrap();
    seal(&[
        "seal",
        "company",
        "--name",
        "杭州天谷信息科技有限公司",
        "--shape",
        "oval",
        "--text",
        "合同专用章",
        "--code",
        "3301060012345",
        "--no-star",
        "--color",
        "black",
        "-o",
        out,
    ])
    .unwrap();
    let png = decode(&std::fs::read(&company).unwrap());
    assert_eq!((png.width, png.height), (945, 709));
    seal(&["seal", "company", "--name", "某某公司", "--bottom-text", "仅限合同使用", "-o", out]).unwrap();

    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

#[test]
fn bad_input_fails_without_leaving_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad.png");
    let o = out.to_str().unwrap();
    let err = seal(&["seal", "company", "--name", "某某公司", "--code", "12345", "-o", o]).unwrap_err();
    assert!(format!("{err:#}").contains("13 digits"), "{err:#}");
    assert!(seal(&["seal", "person", "--name", "张三", "--font", "songti", "-o", o]).is_err());
    assert!(seal(&["seal", "person", "--name", "张𪚥", "-o", o]).is_err());
    let missing_dir = dir.path().join("nope/seal.png");
    assert!(seal(&["seal", "person", "--name", "张三", "-o", missing_dir.to_str().unwrap()]).is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
