//! `tdkt serve`: every route of the JSON API (contracts.md) and the
//! refusals an agency server needs, against the real binary on a free port.

mod common;

use std::path::{Path, PathBuf};

use common::web::{Server, add_user, basic};

/// The sample campaign with Viện Triết học's workbook taken out (to upload
/// it), the messy fixture beside it, and a 1 MiB upload limit.
fn campaign(root: &Path) -> (PathBuf, Vec<u8>) {
    let campaign = common::copy_sample(&root.join("dot-xet"));
    let inbox = campaign.join("inbox");
    let triet = std::fs::read(inbox.join("vien-triet-hoc.xlsx")).unwrap();
    std::fs::remove_file(inbox.join("vien-triet-hoc.xlsx")).unwrap();
    common::edit_campaign_file(&campaign, |text| {
        format!("{text}\n[serve]\nupload_mib = 1\n")
    });
    (campaign, triet)
}

fn messy_workbook() -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/values/vien-kinh-te.xlsx"),
    )
    .unwrap()
}

fn inbox_files(campaign: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(campaign.join("inbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_json_api_answers_as_the_contract_says() {
    let temp = tempfile::tempdir().unwrap();
    let (campaign, triet) = campaign(temp.path());
    let server = Server::start(&campaign);

    // GET /api/check: the check --json object.
    let check = server.get("/api/check");
    assert_eq!(check.status, 200, "{}", check.text());
    let check = check.json();
    assert_eq!(check["workbooks"].as_array().unwrap().len(), 8);
    assert!(check["verdicts"].as_array().unwrap().len() > 100);

    // POST /api/inbox: a unit's workbook is kept and judged at once.
    let answer = server.upload("/api/inbox", "vien-triet-hoc.xlsx", &triet, &[]);
    assert_eq!(answer.status, 200, "{}", answer.text());
    let answer = answer.json();
    assert_eq!(answer["file"], "vien-triet-hoc.xlsx");
    assert_eq!(answer["unit"]["code"], "VTH");
    let f01 = answer["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["row"] == 22 && v["proposal"] == "LĐTT")
        .expect("F01 judged");
    assert_eq!(f01["status"], "not-eligible");
    // The same name again is kept beside, never over, the first.
    let again = server.upload("/api/inbox", "vien-triet-hoc.xlsx", &triet, &[]);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["file"], "vien-triet-hoc (2).xlsx");
    assert_eq!(
        std::fs::read(campaign.join("inbox/vien-triet-hoc.xlsx")).unwrap(),
        triet
    );

    // A messy workbook: every problem by its cell.
    let messy = server.upload("/api/inbox", "vien-kinh-te.xlsx", &messy_workbook(), &[]);
    assert_eq!(messy.status, 200, "{}", messy.text());
    let cells: Vec<String> = messy.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["cell"].as_str().map(str::to_string))
        .collect();
    assert!(cells.contains(&"D8".to_string()), "{cells:?}");

    // Not a workbook: 400 with a Vietnamese message, nothing kept.
    let before = inbox_files(&campaign);
    let broken = server.upload(
        "/api/inbox",
        "hong.xlsx",
        b"PK\x03\x04 not really a zip",
        &[],
    );
    assert_eq!(broken.status, 400, "{}", broken.text());
    assert!(
        broken.json()["message"]
            .as_str()
            .unwrap()
            .contains("hong.xlsx")
    );
    let text = server.upload("/api/inbox", "ghi-chu.txt", b"hello", &[]);
    assert_eq!(text.status, 400);
    assert!(
        text.json()["message"]
            .as_str()
            .unwrap()
            .contains("không phải bảng tính")
    );
    // Over the limit (1 MiB here): 413, nothing kept.
    let big = vec![b'x'; 2 << 20];
    if let Some(too_big) = server.try_upload("/api/inbox", "lon.xlsx", &big) {
        assert_eq!(too_big.status, 413, "{}", too_big.text());
    }
    assert_eq!(
        inbox_files(&campaign),
        before,
        "refused uploads leave nothing"
    );

    // POST /api/build, then GET /api/jobs/{job} to the end.
    let build = server.post_with("/api/build", "application/json", b"", &[]);
    assert_eq!(build.status, 202, "{}", build.text());
    let job = build.json()["job"].as_str().unwrap().to_string();
    let status = server.wait_for_job(&job, &[]);
    assert_eq!(status["state"], "done", "{status}");
    assert!(status["total"].as_u64().unwrap() > 10);
    assert_eq!(status["done"], status["total"]);

    // GET /files/{path}: the output folder, and nothing outside it.
    let json = server.get("/files/ket-qua-xet.json");
    assert_eq!(json.status, 200);
    assert!(json.json()["verdicts"].is_array());
    for outside in [
        "/files/../tdkt.toml",
        "/files/%2e%2e/tdkt.toml",
        "/files/..%2ftdkt.toml",
        "/files/%2Fetc%2Fpasswd",
        "/files/.tdkt-ket-qua",
    ] {
        let answer = server.get(outside);
        assert!(
            answer.status == 404 || answer.status == 400,
            "{outside}: {}",
            answer.status
        );
        assert!(!answer.text().contains("[campaign]"), "{outside} leaked");
    }

    // GET /api/decisions, then sign one; signing twice is refused.
    let decisions = server.get("/api/decisions").json();
    let decision = decisions["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["grants"] == "LĐTT")
        .expect("an LĐTT decision")
        .clone();
    assert_eq!(decision["status"], "draft");
    let id = decision["id"].as_str().unwrap();
    let signed = server.post_json(
        &format!("/api/decisions/{id}/sign"),
        &serde_json::json!({"date": "2026-01-15", "number": 7}),
        &[],
    );
    assert_eq!(signed.status, 200, "{}", signed.text());
    let signed = signed.json();
    assert_eq!(signed["status"], "signed");
    assert_eq!(signed["number"], 7);
    assert_eq!(signed["date"], "2026-01-15");
    let twice = server.post_json(
        &format!("/api/decisions/{id}/sign"),
        &serde_json::json!({"date": "2026-01-16"}),
        &[],
    );
    assert_eq!(twice.status, 409, "{}", twice.text());
    assert!(twice.json()["message"].as_str().unwrap().contains("đã ký"));
    let unknown = server.post_json("/api/decisions/khong-co/sign", &serde_json::json!({}), &[]);
    assert_eq!(unknown.status, 409);

    // GET /api/verify/{number} and the page /verify/{number}.
    let register =
        tdkt::register::Register::snapshot(&campaign.join("so-khen-thuong.sqlite")).unwrap();
    let number = register.book().unwrap()[0].register_number.clone();
    let verified = server.get(&format!("/api/verify/{number}")).json();
    assert_eq!(verified["genuine"], true, "{verified}");
    assert_eq!(verified["date"], "2026-01-15");
    assert!(verified["decision"].as_str().unwrap().starts_with("07/"));
    let page = server.get(&format!("/verify/{number}"));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("ĐÚNG SỔ KHEN THƯỞNG"));
    let fake = server.get("/api/verify/2026-99-999").json();
    assert_eq!(fake["genuine"], false);
    assert!(
        fake["message"]
            .as_str()
            .unwrap()
            .contains("không có trong sổ")
    );
    // A path is never looked up as a file.
    let path = server.get("/api/verify/..%2F..%2Fetc%2Fpasswd").json();
    assert_eq!(path["genuine"], false);

    // The audit log holds the upload, the build and the sign-off.
    let audit = server.get("/nhat-ky").text();
    for action in ["tải lên", "dựng", "ký"] {
        assert!(audit.contains(action), "audit lacks {action}");
    }

    // SIGTERM: the server stops cleanly.
    assert_eq!(server.stop(), Some(0));
}

#[test]
fn a_loopback_server_refuses_what_a_browser_sends_for_another_site() {
    let temp = tempfile::tempdir().unwrap();
    let (campaign, triet) = campaign(temp.path());
    let server = Server::start(&campaign);

    // A form on another site posting to this server.
    let cross = server.upload(
        "/api/inbox",
        "vien-triet-hoc.xlsx",
        &triet,
        &[("origin", "http://evil.example")],
    );
    assert_eq!(cross.status, 403);
    let fetch = server.post_with(
        "/api/build",
        "application/json",
        b"",
        &[("sec-fetch-site", "cross-site")],
    );
    assert_eq!(fetch.status, 403);
    // A page elsewhere reaching it by rebinding DNS (Host is not this machine).
    let rebound = server
        .raw("GET /api/check HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n");
    assert!(rebound.starts_with("HTTP/1.1 421"), "{rebound}");
    // A browser's page session: a form without its CSRF token is refused.
    let home = server.get("/");
    assert_eq!(home.status, 200);
    let cookie = home.set_cookie.clone().expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let session = cookie.split(';').next().unwrap().to_string();
    let forged = server.post_with(
        "/dung",
        "application/x-www-form-urlencoded",
        b"",
        &[("cookie", &session)],
    );
    assert_eq!(forged.status, 403);
    let csrf = home
        .text()
        .split("csrf=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect::<String>();
    let honest = server.post_with(
        &format!("/dung?csrf={csrf}"),
        "application/x-www-form-urlencoded",
        b"",
        &[("cookie", &session)],
    );
    assert_eq!(honest.status, 303, "{}", honest.text());
    assert!(
        inbox_files(&campaign)
            .iter()
            .all(|f| f != "vien-triet-hoc.xlsx")
    );
}

#[test]
fn without_users_only_this_machine_is_served() {
    let temp = tempfile::tempdir().unwrap();
    let (campaign, _) = campaign(temp.path());
    let out = common::tdkt(&["serve", campaign.to_str().unwrap(), "--bind", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tdkt user add"), "{stderr}");
}

#[test]
fn users_and_unit_links_reach_only_what_they_may() {
    let temp = tempfile::tempdir().unwrap();
    let (campaign, triet) = campaign(temp.path());
    add_user(&campaign, "lan", "clerk", "mat-khau-thu-ky");
    add_user(&campaign, "vth", "VTH", "mat-khau-vien-triet");
    let server = Server::start(&campaign);
    let clerk = basic("lan", "mat-khau-thu-ky");
    let unit = basic("vth", "mat-khau-vien-triet");

    // Nobody signed in: pages send to the sign-in page, the API says 401.
    assert_eq!(server.get("/api/check").status, 401);
    assert_eq!(server.get("/").location.as_deref(), Some("/dang-nhap"));
    assert_eq!(
        server
            .get_with("/api/check", &[("authorization", &basic("lan", "sai"))])
            .status,
        401
    );
    // The verify page stays public.
    assert_eq!(server.get("/api/verify/2026-01-001").status, 200);
    // The clerk reaches everything.
    assert_eq!(
        server
            .get_with("/api/check", &[("authorization", &clerk)])
            .status,
        200
    );
    // A unit's user: not the campaign, only its own uploads.
    assert_eq!(
        server
            .get_with("/api/check", &[("authorization", &unit)])
            .status,
        403
    );
    let others = server.upload(
        "/api/inbox",
        "vien-kinh-te.xlsx",
        &messy_workbook(),
        &[("authorization", &unit)],
    );
    assert_eq!(others.status, 400, "{}", others.text());
    assert!(
        others.json()["message"]
            .as_str()
            .unwrap()
            .contains("không phải của đơn vị VTH")
    );
    let own = server.upload(
        "/api/inbox",
        "vien-triet-hoc.xlsx",
        &triet,
        &[("authorization", &unit)],
    );
    assert_eq!(own.status, 200, "{}", own.text());
    let other_page = server.get_with("/don-vi/VKT", &[("authorization", &unit)]);
    assert_eq!(other_page.status, 403);

    // A unit's private link: its own page only, and revocable.
    let made = server.post_with(
        "/don-vi/VKT/lien-ket",
        "application/x-www-form-urlencoded",
        b"",
        &[("authorization", &clerk)],
    );
    assert_eq!(made.status, 200, "{}", made.text());
    let token: String = made
        .text()
        .replace("&#x2F;", "/")
        .split("/nop/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64);
    let page = server.get(&format!("/nop/{token}"));
    assert_eq!(page.status, 200);
    let page = page.text();
    assert!(page.contains("Viện Kinh tế chính trị học"));
    assert!(!page.contains("Viện Triết học"), "another unit shows");
    let bearer = format!("Bearer {token}");
    let wrong = server.upload(
        "/api/inbox",
        "vien-triet-hoc.xlsx",
        &triet,
        &[("authorization", &bearer)],
    );
    assert_eq!(wrong.status, 400);
    let feedback = server.get(&format!("/nop/{token}/phan-hoi.xlsx"));
    assert_eq!(feedback.status, 200);
    assert!(feedback.body.starts_with(b"PK"));
    let revoked = server.post_with(
        "/don-vi/VKT/thu-hoi",
        "application/x-www-form-urlencoded",
        b"",
        &[("authorization", &clerk)],
    );
    assert_eq!(revoked.status, 200);
    assert_eq!(server.get(&format!("/nop/{token}")).status, 404);
    assert_eq!(server.get("/nop/not-a-token").status, 404);

    // The audit log names who did it.
    let audit = server
        .get_with("/nhat-ky", &[("authorization", &clerk)])
        .text();
    assert!(audit.contains("vth") && audit.contains("lan"));
    assert!(audit.contains("thu hồi liên kết"));
}

#[test]
fn twenty_uploads_at_once_during_a_build_are_all_kept() {
    let temp = tempfile::tempdir().unwrap();
    let (campaign, triet) = campaign(temp.path());
    let server = Server::start(&campaign);
    let build = server.post_with("/api/build", "application/json", b"", &[]);
    assert_eq!(build.status, 202);
    let job = build.json()["job"].as_str().unwrap().to_string();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let (server, triet) = (&server, &triet);
                scope.spawn(move || server.upload("/api/inbox", "vien-triet-hoc.xlsx", triet, &[]))
            })
            .collect();
        let mut kept: Vec<String> = handles
            .into_iter()
            .map(|h| {
                let answer = h.join().unwrap();
                assert_eq!(answer.status, 200, "{}", answer.text());
                answer.json()["file"].as_str().unwrap().to_string()
            })
            .collect();
        kept.sort();
        kept.dedup();
        assert_eq!(kept.len(), 20, "every upload under its own name");
    });
    let triet_files = inbox_files(&campaign)
        .into_iter()
        .filter(|f| f.starts_with("vien-triet-hoc"))
        .count();
    assert_eq!(triet_files, 20);
    assert_eq!(server.wait_for_job(&job, &[])["state"], "done");
    assert_eq!(server.stop(), Some(0));
}

/// The session cookie a response set, as a request sends it back.
fn session_of(answer: &common::web::Answer) -> String {
    answer
        .set_cookie
        .as_deref()
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// The CSRF token a page's forms carry.
fn csrf_of(page: &str) -> String {
    page.split("csrf=")
        .nth(1)
        .expect("a form with its CSRF token")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

const FORM: &str = "application/x-www-form-urlencoded";

#[test]
fn a_signed_in_clerk_reaches_every_page() {
    let temp = tempfile::tempdir().unwrap();
    let (campaign, _) = campaign(temp.path());
    add_user(&campaign, "lan", "clerk", "mat-khau-thu-ky");
    let server = Server::start(&campaign);

    // Sign in with the page's form.
    let form = server.get("/dang-nhap");
    assert_eq!(form.status, 200);
    let visitor = session_of(&form);
    let csrf = csrf_of(&form.text());
    let wrong = server.post_with(
        &format!("/dang-nhap?csrf={csrf}"),
        FORM,
        b"name=lan&password=sai-roi",
        &[("cookie", &visitor)],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.text().contains("Sai tên đăng nhập hoặc mật khẩu"));
    let signed = server.post_with(
        &format!("/dang-nhap?csrf={csrf}"),
        FORM,
        b"name=lan&password=mat-khau-thu-ky",
        &[("cookie", &visitor)],
    );
    assert_eq!(signed.status, 303);
    assert_eq!(signed.location.as_deref(), Some("/"));
    let session = session_of(&signed);
    assert_ne!(session, visitor, "signing in starts a new session");
    let cookie = [("cookie", session.as_str())];

    let home = server.get_with("/", &cookie);
    assert_eq!(home.status, 200);
    assert!(home.text().contains("Các đơn vị") && home.text().contains("Đăng xuất"));
    let csrf = csrf_of(&home.text());
    let post = |path: &str, body: &[u8]| {
        let separator = if path.contains('?') { '&' } else { '?' };
        server.post_with(
            &format!("{path}{separator}csrf={csrf}"),
            FORM,
            body,
            &cookie,
        )
    };

    // A unit's page and its feedback workbook; an unknown unit.
    let unit = server.get_with("/don-vi/VKT", &cookie);
    assert_eq!(unit.status, 200);
    assert!(unit.text().contains("Cột nào thành trường nào"));
    let feedback = server.get_with("/don-vi/VKT/phan-hoi.xlsx", &cookie);
    assert_eq!(feedback.status, 200);
    assert!(feedback.body.starts_with(b"PK"));
    assert_eq!(server.get_with("/don-vi/KHONG-CO", &cookie).status, 404);

    // A build from the page, its progress fragment, its end.
    let build = post("/dung", b"");
    assert_eq!(build.status, 303);
    let job = build.location.clone().unwrap();
    assert_eq!(server.get_with(&job, &cookie).status, 200);
    let progress = server.get_with(&format!("{job}/tien-do"), &cookie);
    assert_eq!(progress.status, 200);
    assert!(progress.text().contains("tien-do"));
    let id = job.rsplit('/').next().unwrap();
    assert_eq!(server.wait_for_job(id, &cookie)["state"], "done");
    assert!(
        server
            .get_with("/dung", &cookie)
            .text()
            .contains("gk-in-gop.pdf")
    );

    // Decisions: the list with the draft's PDF, the confirmation, signing.
    let decisions = server.get_with("/quyet-dinh", &cookie).text();
    assert!(decisions.contains("qd-gk.pdf"), "no preview link");
    assert!(
        server
            .get_with("/quyet-dinh/gk/ky", &cookie)
            .text()
            .contains("Tôi xác nhận")
    );
    assert_eq!(post("/quyet-dinh/gk/ky", b"date=2026-01-15").status, 400);
    let signed = post("/quyet-dinh/gk/ky", b"date=2026-01-15&number=&confirm=1");
    assert_eq!(signed.status, 200, "{}", signed.text());
    assert!(
        signed
            .text()
            .replace("&#x2F;", "/")
            .contains("01/QĐ-HVCTQG")
    );
    let twice = post("/quyet-dinh/gk/ky", b"date=2026-01-16&number=&confirm=1");
    assert_eq!(twice.status, 409);

    // Verify an issued certificate file, and one changed by a byte.
    let build = post("/dung", b"");
    let id = build
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(server.wait_for_job(&id, &cookie)["state"], "done");
    let output = campaign.join("output");
    let certificate = common::files_below(&output)
        .into_iter()
        .find(|f| f.starts_with("giay-khen") && !f.to_string_lossy().contains("in-gop"))
        .unwrap();
    let bytes = std::fs::read(output.join(&certificate)).unwrap();
    let (content_type, body) = common::web::multipart("bang.pdf", &bytes);
    let genuine = server.post_with(
        &format!("/xac-minh?csrf={csrf}"),
        &content_type,
        &body,
        &cookie,
    );
    assert_eq!(genuine.status, 200, "{}", genuine.text());
    assert!(genuine.text().contains("ĐÚNG SỔ KHEN THƯỞNG"));
    assert!(genuine.text().contains("Giấy khen"));
    let mut changed = bytes.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x20;
    let (content_type, body) = common::web::multipart("bang.pdf", &changed);
    let forged = server.post_with(
        &format!("/xac-minh?csrf={csrf}"),
        &content_type,
        &body,
        &cookie,
    );
    assert_eq!(forged.status, 422);
    assert!(forged.text().contains("KHÔNG KHỚP"));
    let by_number = server.get("/xac-minh?so=2026-99-999");
    assert!(by_number.text().contains("KHÔNG KHỚP"), "public, by number");

    // People: search, merge, split.
    let people = server.get_with("/nguoi", &cookie);
    assert_eq!(people.status, 200);
    let register =
        tdkt::register::Register::snapshot(&campaign.join("so-khen-thuong.sqlite")).unwrap();
    let name = register.book().unwrap()[0].name.clone();
    assert!(people.text().contains(&name));
    let folded = tdkt::text::fold(&name).replace(' ', "%20");
    let found = server
        .get_with(&format!("/nguoi?tim={folded}"), &cookie)
        .text();
    assert!(
        found.contains(&name),
        "search without diacritics finds {name}"
    );
    assert_eq!(post("/nguoi/gop", b"keep=1&other=2").status, 303);
    assert!(
        server
            .get_with("/nguoi", &cookie)
            .text()
            .contains("cùng người với mã 1")
    );
    assert_eq!(post("/nguoi/tach", b"id=2").status, 303);
    assert_eq!(post("/nguoi/gop", b"keep=1&other=1").status, 409);

    // Assets, an unknown page, the audit log, signing out.
    let htmx = server.get("/tai-nguyen/htmx.min.js");
    assert_eq!(htmx.status, 200);
    assert!(htmx.content_type.starts_with("text/javascript"));
    assert_eq!(server.get("/tai-nguyen/khong-co.js").status, 404);
    let missing = server.get_with("/khong-co-trang", &cookie);
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Không có trang này"));
    let audit = server.get_with("/nhat-ky", &cookie).text();
    for action in ["đăng nhập", "dựng", "ký", "gộp người", "tách người"] {
        assert!(audit.contains(action), "audit lacks {action}");
    }
    let out = post("/dang-xuat", b"");
    assert_eq!(out.location.as_deref(), Some("/dang-nhap"));
    assert_eq!(
        server.get_with("/", &cookie).location.as_deref(),
        Some("/dang-nhap")
    );
}

#[test]
fn sigterm_finishes_the_build_under_way() {
    let temp = tempfile::tempdir().unwrap();
    let (campaign, _) = campaign(temp.path());
    let server = Server::start(&campaign);
    let job = server
        .post_with("/api/build", "application/json", b"", &[])
        .json()["job"]
        .as_str()
        .unwrap()
        .to_string();
    let started = std::time::Instant::now();
    while server.get(&format!("/api/jobs/{job}")).json()["state"] == "queued" {
        assert!(started.elapsed().as_secs() < 60);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(server.stop(), Some(0));
    // The build was finished and moved into place, not left half-written.
    let json = std::fs::read(campaign.join("output/ket-qua-xet.json")).expect("the build's output");
    assert!(serde_json::from_slice::<serde_json::Value>(&json).is_ok());
}
