//! End to end in a real browser (Debian's chromium through chromedriver):
//! a clerk drops a messy workbook and sees its problem cells, gives a unit
//! its link, the unit sees only itself and uploads, a build runs with
//! progress to the end, a decision is signed, and a certificate's QR code
//! opens its verification page. Screenshots of every page, at desktop and
//! phone widths, go to `target/screenshots/`.

mod common;

use std::path::Path;
use std::process::Command;

use common::browser::{Browser, free_port};
use common::web::Server;

/// The URL in a certificate's QR code, read by zbarimg from the page
/// rendered at 300 dpi; `None` (said loudly) without the tools.
fn qr_link(pdf: &Path) -> Option<String> {
    if !common::have("pdftoppm") || Command::new("zbarimg").arg("--version").output().is_err() {
        eprintln!(
            "\n!!! SKIPPED reading the QR code: zbarimg (zbar-tools) is not installed; .ci/run installs it\n"
        );
        return None;
    }
    let temp = tempfile::tempdir().unwrap();
    let stem = temp.path().join("trang");
    let made = Command::new("pdftoppm")
        .args(["-r", "300", "-png", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg(&stem)
        .status()
        .unwrap();
    assert!(made.success());
    let png = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .unwrap();
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&png)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!text.is_empty(), "no QR code found on {}", pdf.display());
    Some(text)
}

#[test]
fn a_clerk_and_a_unit_work_in_a_real_browser() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let campaign = common::copy_sample(&temp.path().join("dot-xet"));
    let inbox = campaign.join("inbox");
    let triet = inbox.join("vien-triet-hoc.xlsx");
    let kept_triet = temp.path().join("vien-triet-hoc.xlsx");
    std::fs::rename(&triet, &kept_triet).unwrap();
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    common::edit_campaign_file(&campaign, |text| {
        text.replace(
            "[campaign]\n",
            &format!("[campaign]\nverify_url = \"http://{address}/\"\n"),
        )
    });
    let server = Server::start_at(&campaign, &address);
    let shots = |name: &str| {
        browser.screenshot(&format!("{name}-desktop"), 1280);
        browser.screenshot(&format!("{name}-phone"), 390);
    };

    // The dashboard: the unit that has not sent is at the top.
    browser.open(&server.url("/"));
    browser.wait_for_text("Các đơn vị", 30);
    let first_row = browser.find("table.units tbody tr");
    let first_row = browser.session_text(&first_row);
    assert!(
        first_row.contains("Viện Triết học") && first_row.contains("Chưa nộp"),
        "{first_row}"
    );
    shots("tong-quan");

    // Drop a messy workbook: its problems appear by sheet and cell.
    let messy =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/values/vien-kinh-te.xlsx");
    let input = browser.find("#tai-len input[type=file]");
    browser.type_into(&input, messy.to_str().unwrap());
    browser.wait_for_text("31/02/1980", 60);
    let answer = browser.session_text(&browser.find("#ket-qua-tai-len"));
    assert!(answer.contains("D8"), "{answer}");
    assert!(answer.contains("Giỏi"), "{answer}");
    // The table follows: the unit's row names the new file.
    browser.wait_for(60, || {
        browser
            .session_text(&browser.find("#don-vi-VKT"))
            .contains("vien-kinh-te.xlsx")
    });
    shots("tai-len");

    // The unit's private link: its own page, nothing of other units.
    browser.open(&server.url("/don-vi/VTH"));
    browser.click(&browser.find_text("button", "Tạo liên kết mới"));
    browser.wait_for_text("Liên kết mới", 30);
    let link = browser.property(&browser.find(".new-link input"), "value");
    let link = link.as_str().unwrap().to_string();
    assert!(link.contains("/nop/"), "{link}");
    browser.open(&link);
    browser.wait_for_text("Viện Triết học", 30);
    let page = browser.text();
    assert!(
        !page.contains("Viện Kinh tế"),
        "another unit shows:\n{page}"
    );
    assert!(!page.contains("Quyết định\n"), "the clerk's menu shows");
    let input = browser.find("form.drop input[type=file]");
    browser.type_into(&input, kept_triet.to_str().unwrap());
    browser.wait_for_text("Đã nhận", 60);
    browser.wait_for_text("Lê Văn Ưng", 10);
    // The unit's own figures follow below.
    browser.wait_for_text("Hồ sơ đang dùng", 60);
    shots("don-vi-tu-nop");
    // Someone else's workbook is refused on this link.
    let input = browser.find("form.drop input[type=file]");
    browser.type_into(&input, messy.to_str().unwrap());
    browser.wait_for_text("không phải của đơn vị VTH", 60);

    // A build with its progress, to the end.
    browser.open(&server.url("/dung"));
    browser.click(&browser.find_text("button", "Dựng ngay"));
    browser.wait_for_text("Bản dựng số", 30);
    browser.wait_for_text("Xong:", 600);
    browser.wait_for_text("ket-qua-xet.json", 30);
    shots("dung");

    // Sign the Giấy khen decision after confirming.
    browser.open(&server.url("/quyet-dinh"));
    shots("quyet-dinh");
    browser.click(&browser.find("#ky-gk"));
    browser.wait_for_text("Tôi xác nhận", 30);
    shots("ky");
    browser.click(&browser.find("input[name=confirm]"));
    browser.click(&browser.find_text("button", "Ký quyết định"));
    browser.wait_for_text("Đã ký", 60);

    // Build again for the signed certificates; open one's QR link.
    browser.open(&server.url("/dung"));
    browser.click(&browser.find_text("button", "Dựng ngay"));
    browser.wait_for_text("Xong:", 600);
    let output = campaign.join("output");
    let certificate = common::files_below(&output)
        .into_iter()
        .find(|f| {
            f.starts_with("giay-khen")
                && f.extension().is_some_and(|e| e == "pdf")
                && !f.to_string_lossy().contains("in-gop")
        })
        .expect("a Giấy khen certificate");
    let register =
        tdkt::register::Register::snapshot(&campaign.join("so-khen-thuong.sqlite")).unwrap();
    let number = register.book().unwrap()[0].register_number.clone();
    let link = qr_link(&output.join(&certificate))
        .unwrap_or_else(|| server.url(&format!("/verify/{number}")));
    assert!(
        link.starts_with(&format!("http://{address}/verify/")),
        "the QR code holds {link}"
    );
    browser.open(&link);
    browser.wait_for_text("ĐÚNG SỔ KHEN THƯỞNG", 30);
    shots("xac-minh");

    // The other pages, for the screenshots.
    for (name, path) in [
        ("nguoi", "/nguoi"),
        ("nhat-ky", "/nhat-ky"),
        ("don-vi", "/don-vi/VKT"),
    ] {
        browser.open(&server.url(path));
        browser.wait_for_text("tdkt", 30);
        shots(name);
    }
    assert_eq!(server.stop(), Some(0));
}
