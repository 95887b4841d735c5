//! A real browser for tests: Debian's chromium driven through
//! chromedriver's W3C WebDriver protocol (a few JSON calls over HTTP, made
//! with ureq). Skips loudly where chromium or chromedriver is missing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless chromium session; closed with its driver when dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

/// Where chromium and chromedriver are, if installed.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| names.iter().map(PathBuf::from).find(|p| p.is_file());
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"])?;
    let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])?;
    Some((chromium, driver))
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// A new browser, or `None` (said loudly) without chromium.
    pub fn start() -> Option<Browser> {
        let Some((chromium, driver_path)) = tools() else {
            eprintln!(
                "\n!!! SKIPPED: chromium and chromium-driver are not installed \
                 (apt-get install chromium chromium-driver); .ci/run installs them\n"
            );
            return None;
        };
        let port = free_port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            agent,
        };
        let created = browser.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                             "--disable-gpu", "--window-size=1280,1000", "--lang=vi"]
                }
            }}})),
        );
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Some(browser)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut response = response.expect("chromedriver answers");
        let value: Value = response.body_mut().read_json().expect("WebDriver JSON");
        value["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    pub fn open(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> String {
        let found = self.session_call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}\n{}", self.text()))
            .to_string()
    }

    /// The first element whose text contains `text`, among `css`.
    pub fn find_text(&self, css: &str, text: &str) -> String {
        let found = self.session_call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        for element in found.as_array().cloned().unwrap_or_default() {
            let id = element[ELEMENT].as_str().unwrap_or_default().to_string();
            let shown = self.session_call("GET", &format!("/element/{id}/text"), None);
            if shown.as_str().is_some_and(|s| s.contains(text)) {
                return id;
            }
        }
        panic!("no {css} with '{text}' on the page:\n{}", self.text());
    }

    /// An element's visible text.
    pub fn session_text(&self, element: &str) -> String {
        self.session_call("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn click(&self, element: &str) {
        self.session_call("POST", &format!("/element/{element}/click"), None);
    }

    pub fn type_into(&self, element: &str, text: &str) {
        self.session_call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    pub fn property(&self, element: &str, name: &str) -> Value {
        self.session_call("GET", &format!("/element/{element}/property/{name}"), None)
    }

    /// The page's visible text.
    pub fn text(&self) -> String {
        self.script("return document.body ? document.body.innerText : '';")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn url(&self) -> String {
        self.session_call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn script(&self, script: &str) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Waits until the page's text holds `wanted`; panics with the page.
    pub fn wait_for_text(&self, wanted: &str, seconds: u64) {
        let started = Instant::now();
        loop {
            if self.text().contains(wanted) {
                return;
            }
            if started.elapsed() > Duration::from_secs(seconds) {
                panic!("'{wanted}' never showed; the page says:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Waits until `done` holds; panics with the page.
    pub fn wait_for(&self, seconds: u64, done: impl Fn() -> bool) {
        let started = Instant::now();
        while !done() {
            if started.elapsed() > Duration::from_secs(seconds) {
                panic!("the page never got there; it says:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn resize(&self, width: u32, height: u32) {
        self.session_call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }

    /// A PNG of the whole page at `width`, into `target/screenshots/`.
    pub fn screenshot(&self, name: &str, width: u32) -> PathBuf {
        use base64::Engine;
        let height = self
            .script("return Math.max(document.body.scrollHeight, 600);")
            .as_u64()
            .unwrap_or(1000)
            .min(6000) as u32;
        self.resize(width, height + 140);
        let png = self.session_call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("a PNG");
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        self.resize(1280, 1000);
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
