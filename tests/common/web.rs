//! A `tdkt serve` for tests: the real binary on a free port, and a small
//! HTTP client (ureq) that never treats a status as an error.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `tdkt serve`; stopped (SIGTERM, then killed) when dropped.
pub struct Server {
    child: Option<Child>,
    pub base: String,
    pub agent: ureq::Agent,
}

/// A response: status, headers we look at, body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub set_cookie: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

impl Server {
    /// `tdkt serve CAMPAIGN --bind 127.0.0.1:0`, waiting for its address.
    pub fn start(campaign: &Path) -> Server {
        Server::start_at(campaign, "127.0.0.1:0")
    }

    /// `tdkt serve CAMPAIGN --bind ADDRESS`.
    pub fn start_at(campaign: &Path, address: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tdkt"))
            .arg("serve")
            .arg(campaign)
            .args(["--bind", address])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tdkt serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let base = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .map(|address| format!("http://{address}"))
            .unwrap_or_else(|| panic!("no address in the first line: {line:?}"));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(300)))
            .build()
            .into();
        Server {
            child: Some(child),
            base,
            agent,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn answer(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let mut response = response.expect("the server answers");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type").unwrap_or_default();
        let set_cookie = header("set-cookie");
        let location = header("location");
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .read_to_end(&mut body)
            .unwrap();
        Answer {
            status,
            content_type,
            set_cookie,
            location,
            body,
        }
    }

    /// GET with extra headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = self.agent.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::answer(request.call())
    }

    pub fn get(&self, path: &str) -> Answer {
        self.get_with(path, &[])
    }

    /// POST a body with a content type and extra headers.
    pub fn post_with(
        &self,
        path: &str,
        content_type: &str,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .agent
            .post(self.url(path))
            .header("content-type", content_type);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::answer(request.send(body))
    }

    pub fn post_json(
        &self,
        path: &str,
        json: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.post_with(
            path,
            "application/json",
            json.to_string().as_bytes(),
            headers,
        )
    }

    /// POST one file as the multipart field `file`.
    pub fn upload(&self, path: &str, name: &str, bytes: &[u8], headers: &[(&str, &str)]) -> Answer {
        let (content_type, body) = multipart(name, bytes);
        self.post_with(path, &content_type, &body, headers)
    }

    /// POST one file; `None` when the server closed the connection before
    /// the body was sent (what a server may do to an oversized upload
    /// after answering 413).
    pub fn try_upload(&self, path: &str, name: &str, bytes: &[u8]) -> Option<Answer> {
        let (content_type, body) = multipart(name, bytes);
        let response = self
            .agent
            .post(self.url(path))
            .header("content-type", &content_type)
            // The server may close this connection after a refusal while the
            // body is still coming: never hand it on to the next request.
            .header("connection", "close")
            .send(&body[..]);
        response.ok().map(|r| Self::answer(Ok(r)))
    }

    /// A raw request line and headers, for what clients normally fix (Host).
    pub fn raw(&self, request: &str) -> String {
        let address = self.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    /// Waits for a build job to end; its last status.
    pub fn wait_for_job(&self, job: &str, headers: &[(&str, &str)]) -> serde_json::Value {
        let started = Instant::now();
        loop {
            let status = self.get_with(&format!("/api/jobs/{job}"), headers).json();
            if status["state"] == "done" || status["state"] == "failed" {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "the build did not end: {status}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Sends SIGTERM and waits; the exit code.
    pub fn stop(mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                panic!("tdkt serve did not stop on SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A multipart body with one file field `file`: (content type, body).
pub fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "tdkt-test-7c1f9a";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `Authorization: Basic …` for a user.
pub fn basic(name: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{name}:{password}"))
    )
}

/// `tdkt user add NAME --role ROLE CAMPAIGN` with the password on stdin.
pub fn add_user(campaign: &Path, name: &str, role: &str, password: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tdkt"))
        .args(["user", "add", name, "--role", role])
        .arg(campaign)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    assert!(child.wait().unwrap().success(), "tdkt user add {name}");
}
