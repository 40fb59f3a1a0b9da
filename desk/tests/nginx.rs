//! The desk behind the shipped `desk/deploy/nginx.conf`, as a committee runs it: the real
//! binary, Debian's nginx, TLS on loopback.
//!
//! The file is run as shipped except for the lines it marks `# test: NAME` (paths, ports,
//! the desk's address, the certificate), which are replaced so that it runs without root
//! on free loopback ports. nginx reaches the desk through a relay in this test that notes
//! every byte nginx sends upstream: what the desk sees, and when.
//!
//! Without nginx installed these tests say so and pass, except under CI (`CI` set), where a
//! missing nginx is a failure.

mod common;

use common::*;
use futures_util::StreamExt as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xinjing_desk::sample;

const SHIPPED: &str = include_str!("../deploy/nginx.conf");

/// The marked lines of the shipped file and what each becomes in the test copy.
fn test_copy(dir: &Path, desk: SocketAddr, http_port: u16, https_port: u16) -> String {
    let d = dir.display();
    let replacements = [
        ("pid", format!("pid {d}/nginx.pid;")),
        ("error_log", format!("error_log {d}/error.log warn;")),
        ("access_log", format!("access_log {d}/access.log desk;")),
        (
            "temp_paths",
            format!(
                "client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; \
                 fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; \
                 scgi_temp_path {d}/scgi;"
            ),
        ),
        ("desk", format!("server {desk};")),
        ("http", format!("listen 127.0.0.1:{http_port};")),
        ("https", format!("listen 127.0.0.1:{https_port} ssl http2;")),
        ("cert", format!("ssl_certificate {d}/cert.pem;")),
        ("key", format!("ssl_certificate_key {d}/key.pem;")),
    ];
    let mut used = Vec::new();
    let mut out = String::new();
    for line in SHIPPED.lines() {
        let marked = (!line.trim_start().starts_with('#'))
            .then(|| line.rsplit_once("# test: "))
            .flatten();
        match marked {
            Some((directive, name)) => {
                let name = name.trim();
                let (_, with) = replacements
                    .iter()
                    .find(|(n, _)| *n == name)
                    .unwrap_or_else(|| panic!("nginx.conf marks an unknown line: {name}"));
                let indent = &directive[..directive.len() - directive.trim_start().len()];
                out.push_str(indent);
                out.push_str(with);
                used.push(name.to_owned());
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    for (name, _) in &replacements {
        assert!(
            used.iter().any(|u| u == name),
            "nginx.conf lost its `# test: {name}` line"
        );
    }
    out
}

/// Debian puts nginx in /usr/sbin, which is not on every user's PATH.
fn nginx() -> std::process::Command {
    let on_path = std::process::Command::new("nginx")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    std::process::Command::new(if on_path { "nginx" } else { "/usr/sbin/nginx" })
}

fn nginx_installed() -> bool {
    let found = nginx().arg("-v").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "nginx is not installed (scripts/setup.sh installs it)"
        );
        eprintln!("SKIPPED: nginx is not installed here (scripts/setup.sh installs it)");
    }
    found
}

/// A loopback port free now, and never handed out twice in this process (the kernel may
/// give a released port again, and the tests run side by side).
fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut given = GIVEN.lock().unwrap();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// nginx in the foreground on the test copy; stopped (SIGQUIT, then waited for) on drop.
struct Nginx {
    child: std::process::Child,
    /// Its configuration and logs: removed when nginx is dropped, not before.
    _dir: TempDir,
    https: String,
    http: String,
}

impl Nginx {
    /// The test copy in a fresh folder, with a self-signed certificate for 127.0.0.1.
    fn prepare(upstream: SocketAddr) -> (TempDir, PathBuf, u16, u16) {
        let dir = TempDir::new("nginx");
        let (http_port, https_port) = (free_port(), free_port());
        let status = std::process::Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args([
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ])
            .arg("-keyout")
            .arg(dir.0.join("key.pem"))
            .arg("-out")
            .arg(dir.0.join("cert.pem"))
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl makes the test certificate");
        assert!(status.success());
        let conf = dir.0.join("nginx.conf");
        std::fs::write(&conf, test_copy(&dir.0, upstream, http_port, https_port)).unwrap();
        (dir, conf, http_port, https_port)
    }

    /// Started when its pid file exists: nginx writes it once its ports are bound. If
    /// another process took a port meanwhile, nginx exits, and other ports are tried.
    async fn start(upstream: SocketAddr) -> Nginx {
        for _ in 0..5 {
            let (dir, conf, http_port, https_port) = Nginx::prepare(upstream);
            let mut child = nginx()
                .arg("-c")
                .arg(&conf)
                .arg("-p")
                .arg(&dir.0)
                .arg("-e")
                .arg(dir.0.join("error.log"))
                .args(["-g", "daemon off;"])
                .spawn()
                .expect("nginx starts");
            let deadline = Instant::now() + Duration::from_secs(15);
            let log = || std::fs::read_to_string(dir.0.join("error.log")).unwrap_or_default();
            loop {
                if dir.0.join("nginx.pid").exists() {
                    return Nginx {
                        child,
                        _dir: dir,
                        https: format!("https://127.0.0.1:{https_port}"),
                        http: format!("http://127.0.0.1:{http_port}"),
                    };
                }
                if let Some(status) = child.try_wait().unwrap() {
                    eprintln!("nginx stopped ({status}), trying other ports: {}", log());
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "nginx did not start within 15 s: {}",
                    log()
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        panic!("nginx could not start in five attempts");
    }

    fn api(&self) -> String {
        format!("{}/api/v1/reports", self.https)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGQUIT: the master stops its workers and exits.
        let _ = std::process::Command::new("kill")
            .arg("-QUIT")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// A client of nginx's TLS port (self-signed certificate), from a loopback address of its
/// own, as a resident's phone with its own public address.
fn resident(from: [u8; 4]) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .danger_accept_invalid_certs(true)
        .local_address(IpAddr::from(from))
        .build()
        .unwrap()
}

/// Between nginx and the desk: forwards both ways and notes when each piece nginx sends
/// arrives, and how large it is.
struct Relay {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<(Instant, usize)>>>,
}

impl Relay {
    async fn to(desk: SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<(Instant, usize)>>> = Arc::default();
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let Ok(outbound) = tokio::net::TcpStream::connect(desk).await else {
                    continue;
                };
                let (mut from_nginx, mut to_nginx) = inbound.into_split();
                let (mut from_desk, mut to_desk) = outbound.into_split();
                let log = log.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n @ 1..) = from_nginx.read(&mut buf).await {
                        log.lock().unwrap().push((Instant::now(), n));
                        if to_desk.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = to_desk.shutdown().await;
                });
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_desk, &mut to_nginx).await;
                    let _ = to_nginx.shutdown().await;
                });
            }
        });
        Relay { addr, seen }
    }

    fn bytes(&self) -> usize {
        self.seen.lock().unwrap().iter().map(|(_, n)| n).sum()
    }

    fn first_byte_at(&self) -> Option<Instant> {
        self.seen.lock().unwrap().first().map(|(at, _)| *at)
    }
}

fn desk_addr(desk: &DeskProcess) -> SocketAddr {
    desk.url.trim_start_matches("http://").parse().unwrap()
}

/// The desk as a process, with nginx in front through a relay.
async fn desk_behind_nginx(env: &TestEnv, extra: &[(&str, &str)]) -> (DeskProcess, Relay, Nginx) {
    let mut vars = vec![("DESK_TRUSTED_PROXIES", "127.0.0.1")];
    vars.extend_from_slice(extra);
    let desk = DeskProcess::spawn(env, &vars).await;
    let relay = Relay::to(desk_addr(&desk)).await;
    let nginx = Nginx::start(relay.addr).await;
    (desk, relay, nginx)
}

#[tokio::test]
async fn nginx_t_accepts_the_shipped_config() {
    if !nginx_installed() {
        return;
    }
    let (dir, conf, _, _) = Nginx::prepare("127.0.0.1:8080".parse().unwrap());
    let out = nginx()
        .arg("-t")
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(&dir.0)
        .arg("-e")
        .arg(dir.0.join("error.log"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    eprintln!("nginx -t ({}): {said}", out.status);
    assert!(out.status.success(), "nginx -t: {said}");
    assert!(said.contains("test is successful"), "{said}");
    // The copy differs from the shipped file only on its marked lines.
    let copy = std::fs::read_to_string(&conf).unwrap();
    assert_eq!(copy.lines().count(), SHIPPED.lines().count());
    for (shipped, tested) in SHIPPED.lines().zip(copy.lines()) {
        if !shipped.contains("# test: ") {
            assert_eq!(shipped, tested);
        }
    }
}

#[tokio::test]
async fn a_report_goes_through_nginx_and_its_status_comes_back() {
    if !nginx_installed() {
        return;
    }
    let env = TestEnv::new().await;
    let (_desk, relay, nginx) = desk_behind_nginx(&env, &[]).await;
    let phone = resident([127, 0, 0, 2]);
    let id = sample::random_uuid();
    let report = sample::report_with_photos(&id, 2, 150_000, 11);

    let answer = post_report(&phone, &nginx.api(), &report).await;
    let ticket = answer.ticket();
    assert_eq!(answer.json()["status"], "received");
    assert!(relay.bytes() > 400_000, "the desk received the report");
    let status = Answer::from(
        phone
            .get(format!("{}/{ticket}", nginx.api()))
            .header("X-Report-Key", &id)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status.status, 200, "{}", status.text);
    assert_eq!(status.json()["ticket"], ticket);
    assert!(status
        .header("strict-transport-security")
        .is_some_and(|v| v.starts_with("max-age=")));

    // Plain http is sent to https, the path kept.
    let plain = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = plain
        .get(format!("{}/desk/login", nginx.http))
        .header("Host", "report.example.gov.cn")
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status().as_u16(), 301);
    assert_eq!(
        redirect.headers()["location"],
        "https://report.example.gov.cn/desk/login"
    );
}

#[tokio::test]
async fn the_residents_address_reaches_the_rate_limit_only_from_the_proxy() {
    if !nginx_installed() {
        return;
    }
    let env = TestEnv::new().await;
    let limits = [
        ("DESK_RATE_LIMIT_PER_MINUTE", "1"),
        ("DESK_RATE_LIMIT_BURST", "2"),
    ];
    let (desk, _relay, nginx) = desk_behind_nginx(&env, &limits).await;
    let send = |http: reqwest::Client, api: String, forged: Option<&'static str>| async move {
        let id = sample::random_uuid();
        let mut req = http
            .post(api)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", &id)
            .body(serde_json::to_vec(&sample::report(&id)).unwrap());
        if let Some(forged) = forged {
            req = req.header("X-Forwarded-For", forged);
        }
        Answer::from(req.send().await.unwrap()).await.status
    };

    // Two residents behind the one proxy: each has a bucket of their own.
    let a = resident([127, 0, 0, 2]);
    assert_eq!(send(a.clone(), nginx.api(), None).await, 201);
    assert_eq!(send(a.clone(), nginx.api(), None).await, 201);
    assert_eq!(send(a.clone(), nginx.api(), None).await, 429);
    // A forged X-Forwarded-For is replaced by nginx: still the same resident.
    assert_eq!(
        send(a.clone(), nginx.api(), Some("198.51.100.7")).await,
        429
    );
    let b = resident([127, 0, 0, 3]);
    assert_eq!(send(b.clone(), nginx.api(), None).await, 201);

    // Straight to the desk from an address that is not a trusted proxy, the header is not
    // believed: a new forged address each time does not refill the bucket.
    let direct = reqwest::Client::builder()
        .no_proxy()
        .local_address(IpAddr::from([127, 0, 0, 4]))
        .build()
        .unwrap();
    let forged = ["198.51.100.1", "198.51.100.2", "198.51.100.3"];
    let mut statuses = Vec::new();
    for f in forged {
        statuses.push(send(direct.clone(), desk.api(), Some(f)).await);
    }
    assert_eq!(statuses, [201, 201, 429]);
}

#[tokio::test]
async fn the_body_limit_answers_the_same_json_from_nginx_and_from_the_desk() {
    if !nginx_installed() {
        return;
    }
    let env = TestEnv::new().await;
    // The desk's own limit set below nginx's 2 MiB, so that both answer here.
    let (desk, relay, nginx) = desk_behind_nginx(&env, &[("DESK_MAX_BODY_BYTES", "1048576")]).await;
    let phone = resident([127, 0, 0, 2]);
    let body = |photos: usize| {
        let id = sample::random_uuid();
        let report = sample::report_with_photos(&id, photos, 390_000, 5);
        (id, serde_json::to_vec(&report).unwrap())
    };
    let (big_id, big) = body(5); // over 2 MiB: nginx refuses it
    let (mid_id, mid) = body(3); // between 1 and 2 MiB: the desk refuses it
    assert!(big.len() > 2 * 1024 * 1024 && (1024 * 1024..2 * 1024 * 1024).contains(&mid.len()));

    for lang in ["zh-CN,zh;q=0.9", "en-GB,en;q=0.8"] {
        let post = |http: &reqwest::Client, url: String, key: &str, body: &[u8]| {
            http.post(url)
                .header("Content-Type", "application/json")
                .header("Accept-Language", lang)
                .header("Idempotency-Key", key)
                .body(body.to_vec())
                .send()
        };
        let before = relay.bytes();
        let by_nginx = Answer::from(post(&phone, nginx.api(), &big_id, &big).await.unwrap()).await;
        assert_eq!(relay.bytes(), before, "nginx answered without the desk");
        let by_desk_behind =
            Answer::from(post(&phone, nginx.api(), &mid_id, &mid).await.unwrap()).await;
        assert!(relay.bytes() > before, "the desk answered this one");
        let by_desk = Answer::from(post(&client(), desk.api(), &big_id, &big).await.unwrap()).await;
        for answer in [&by_nginx, &by_desk_behind, &by_desk] {
            assert_eq!(answer.status, 413);
            assert_eq!(
                answer.header("content-type").as_deref(),
                Some("application/json")
            );
            assert_eq!(answer.error_code(), "too_large");
        }
        // The same error but for each request's ref: the short form of the id on its answer
        // (nginx's own id behind nginx, which the desk takes from its trusted proxy).
        let without_ref = |answer: &Answer| {
            let mut body = answer.json();
            let id = answer.header("x-request-id").expect("a request id");
            let short = body["error"]["ref"].take();
            assert_eq!(short.as_str(), Some(&id[..8]), "{}", answer.text);
            (body, id.len())
        };
        let (desk_body, desk_id) = without_ref(&by_desk);
        assert_eq!(without_ref(&by_nginx), (desk_body.clone(), 32), "{lang}");
        assert_eq!(without_ref(&by_desk_behind), (desk_body, 32), "{lang}");
        assert_eq!(desk_id, 16);
        // Byte for byte otherwise: the field order and spacing of the desk's JSON.
        let ref_of = |a: &Answer| a.json()["error"]["ref"].as_str().unwrap().to_owned();
        assert_eq!(
            by_nginx.text.replace(&ref_of(&by_nginx), ""),
            by_desk.text.replace(&ref_of(&by_desk), ""),
            "{lang}"
        );
        let message = by_desk.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(message.is_ascii(), lang.starts_with("en"), "{message}");
    }
}

#[tokio::test]
async fn a_slow_client_holds_nginx_not_the_desk() {
    if !nginx_installed() {
        return;
    }
    let env = TestEnv::new().await;
    // A desk that gives a request one second: a phone trickling its report for longer
    // would be cut off if it reached the desk before it was whole.
    let (_desk, relay, nginx) =
        desk_behind_nginx(&env, &[("DESK_REQUEST_TIMEOUT_SECS", "1")]).await;
    let id = sample::random_uuid();
    let body = serde_json::to_vec(&sample::report_with_photos(&id, 1, 300_000, 9)).unwrap();
    let pieces: Vec<Vec<u8>> = body
        .chunks(body.len() / 6 + 1)
        .map(<[u8]>::to_vec)
        .collect();
    let sent_last = Arc::new(Mutex::new(None::<Instant>));
    let upstream_during = Arc::new(Mutex::new(Vec::new()));
    let (sent, during, seen) = (
        sent_last.clone(),
        upstream_during.clone(),
        relay.seen.clone(),
    );
    let count = pieces.len();
    let trickle =
        futures_util::stream::iter(pieces.into_iter().enumerate()).then(move |(i, piece)| {
            let (sent, during, seen) = (sent.clone(), during.clone(), seen.clone());
            async move {
                if i > 0 {
                    // The phone on a weak signal: 400 ms between pieces, 2.4 s in all.
                    tokio::time::sleep(Duration::from_millis(400)).await;
                }
                during.lock().unwrap().push(seen.lock().unwrap().len());
                if i + 1 == count {
                    *sent.lock().unwrap() = Some(Instant::now());
                }
                Ok::<_, std::io::Error>(piece)
            }
        });
    let answer = Answer::from(
        resident([127, 0, 0, 2])
            .post(nginx.api())
            .header("Content-Type", "application/json")
            .header("Content-Length", body.len())
            .header("Idempotency-Key", &id)
            .body(reqwest::Body::wrap_stream(trickle))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    // While the phone was still sending, nothing reached the desk; the request arrived
    // after the last piece left the phone.
    assert_eq!(*upstream_during.lock().unwrap(), vec![0; count]);
    let last = sent_last.lock().unwrap().expect("every piece was sent");
    assert!(relay.first_byte_at().expect("the desk got it") >= last);
}
