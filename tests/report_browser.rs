//! The HTML report renders in a real browser: headless Chromium (Debian's
//! `chromium` package, which `.ci/run` installs) loads the page and every
//! embedded chart decodes to an image with a size. Without Chromium on the
//! machine the test says so and passes, so that `cargo test` needs nothing
//! beyond the Rust toolchain.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|name| Path::new("/usr/bin").join(name))
        .find(|p| p.exists())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_sweep_report_renders_in_headless_chromium_with_every_chart_loaded() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no Chromium at /usr/bin (`.ci/run` installs Debian's chromium)");
        return;
    };
    let dir = common::Scratch::new("report-browser");
    let results = dir.join("capacity-sweep");
    copy_dir(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/results/capacity-sweep"
        )),
        &results,
    );
    std::fs::remove_file(results.join("report.html")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .arg("report")
        .arg(&results)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // The page as written, plus a probe that reports, once the page has
    // loaded, how many images there are and how many decoded with a size.
    let html = std::fs::read_to_string(results.join("report.html")).unwrap();
    let images = html.matches("<img ").count();
    assert!(
        images >= 2,
        "the report embeds its charts ({images} images)"
    );
    let probe = "<script>window.addEventListener('load', () => { \
        const all = [...document.images]; \
        const ok = all.filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0); \
        document.body.setAttribute('data-probe', `images=${all.length} loaded=${ok.length}`); });</script>";
    let probed = dir.join("probed.html");
    std::fs::write(&probed, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", probed.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(
        dom.contains(&format!("data-probe=\"images={images} loaded={images}\"")),
        "Chromium did not load every chart; its DOM has: {:?}\nstderr: {}",
        dom.split("data-probe")
            .nth(1)
            .map(|s| &s[..s.len().min(40)]),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(dom.contains("<h2>The answer</h2>"));
    let _ = std::fs::remove_dir_all(&dir);
}
