//! A bounded loopback load generator for `scripts/bench-desk.sh`: N clients post reports
//! (each with its own id, and 0 or more photos) for a fixed time, then it prints one JSON
//! line: reports/s, latency percentiles, and the CPU and memory of the server process.
//!
//!   cargo run --profile server -p xinjing-desk --example load -- \
//!     --url http://127.0.0.1:8080/api/v1/reports --clients 32 --seconds 10 --photos 3 --pid PID

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xinjing_desk::sample;

struct Args {
    url: String,
    clients: usize,
    seconds: f64,
    photos: usize,
    photo_bytes: usize,
    pid: Option<u32>,
    label: String,
}

fn parse_args() -> Args {
    let mut args = Args {
        url: "http://127.0.0.1:8080/api/v1/reports".into(),
        clients: 32,
        seconds: 10.0,
        photos: 0,
        photo_bytes: 250_000,
        pid: None,
        label: String::new(),
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < raw.len() {
        let value = raw[i + 1].clone();
        match raw[i].as_str() {
            "--url" => args.url = value,
            "--clients" => args.clients = value.parse().expect("--clients N"),
            "--seconds" => args.seconds = value.parse().expect("--seconds S"),
            "--photos" => args.photos = value.parse().expect("--photos N"),
            "--photo-bytes" => args.photo_bytes = value.parse().expect("--photo-bytes B"),
            "--pid" => args.pid = Some(value.parse().expect("--pid PID")),
            "--label" => args.label = value,
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    args
}

/// utime + stime of a process, in clock ticks, and its resident memory in KiB.
fn proc_sample(pid: u32) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((ticks, rss))
}

fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The photos are encoded once; each report differs by its id only.
    let photos_json: String = (0..args.photos)
        .map(|i| {
            let jpeg = sample::jpeg(1600, 1200, args.photo_bytes, false, 1 + i as u64);
            serde_json::to_string(&sample::photo(1600, 1200, &jpeg)).unwrap()
        })
        .collect::<Vec<_>>()
        .join(",");
    let template = {
        let mut report = sample::report("{ID}");
        report["photos"] = serde_json::json!("{PHOTOS}");
        serde_json::to_string(&report)
            .unwrap()
            .replace("\"{PHOTOS}\"", &format!("[{photos_json}]"))
    };
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(args.clients)
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    // Random, so runs against one database never reuse an id (a reused id would be an
    // idempotent replay, not a new report).
    let seed: u64 = {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("randomness");
        u64::from_le_bytes(bytes)
    };
    let started = Instant::now();
    let before = args.pid.and_then(proc_sample);
    let peak_rss = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sampler = args.pid.map(|pid| {
        let (stop, peak) = (stop.clone(), peak_rss.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some((_, rss)) = proc_sample(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    });
    let mut tasks = Vec::new();
    for client in 0..args.clients {
        let (http, url, template, stop) = (
            http.clone(),
            args.url.clone(),
            template.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = std::collections::BTreeMap::<u16, u64>::new();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let id = sample::uuid(seed.wrapping_add(client as u64), n);
                let body = template.replace("{ID}", &id);
                let t = Instant::now();
                let result = http
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", &id)
                    .body(body)
                    .send()
                    .await;
                let status = match result {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                if status == 201 {
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                } else {
                    *failures.entry(status).or_default() += 1;
                }
            }
            (latencies, failures)
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut failures = std::collections::BTreeMap::<u16, u64>::new();
    for task in tasks {
        let (l, f) = task.await.unwrap();
        latencies.extend(l);
        for (status, n) in f {
            *failures.entry(status).or_default() += n;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    if let Some(sampler) = sampler {
        let _ = sampler.await;
    }
    let after = args.pid.and_then(proc_sample);
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if latencies.is_empty() {
            0.0
        } else {
            latencies[((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1]
        }
    };
    let cpu = match (before, after) {
        (Some((b, _)), Some((a, _))) => (a - b) as f64 / clock_ticks_per_second() / wall * 100.0,
        _ => 0.0,
    };
    let line = serde_json::json!({
        "label": args.label,
        "clients": args.clients,
        "photos": args.photos,
        "seconds": (wall * 100.0).round() / 100.0,
        "ok": latencies.len(),
        "failed": failures.values().sum::<u64>(),
        "failed_by_status": failures.iter().map(|(k, v)| (k.to_string(), *v)).collect::<std::collections::BTreeMap<_, _>>(),
        "per_second": ((latencies.len() as f64 / wall) * 10.0).round() / 10.0,
        "p50_ms": (pct(0.50) * 10.0).round() / 10.0,
        "p99_ms": (pct(0.99) * 10.0).round() / 10.0,
        "server_cpu_percent": cpu.round(),
        "server_rss_mib": (peak_rss.load(Ordering::Relaxed) as f64 / 1024.0).round(),
        "body_bytes": template.len(),
    });
    println!("{line}");
}
