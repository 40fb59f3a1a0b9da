//! The shipped systemd unit (`desk/deploy/xinjing-desk.service`): `systemd-analyze verify`
//! accepts it (no running systemd needed), it keeps its hardening, and the desk speaks the
//! readiness protocol the unit relies on (`Type=notify`).

mod common;

use common::*;
use std::time::Duration;

const UNIT: &str = include_str!("../deploy/xinjing-desk.service");
const INSTALLED_AT: &str = "/usr/local/bin/xinjing-desk";

#[test]
fn systemd_analyze_verify_accepts_the_unit() {
    let found = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "systemd-analyze is missing (scripts/setup.sh installs Debian's systemd)"
        );
        eprintln!("SKIPPED: systemd-analyze is not installed here");
        return;
    }
    // verify checks that ExecStart's program exists: the binary just built stands in for
    // the installed one.
    assert_eq!(UNIT.matches(INSTALLED_AT).count(), 1);
    let dir = TempDir::new("unit");
    let unit = dir.0.join("xinjing-desk.service");
    std::fs::write(
        &unit,
        UNIT.replace(INSTALLED_AT, env!("CARGO_BIN_EXE_xinjing-desk")),
    )
    .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    eprintln!("systemd-analyze verify ({}): {said:?}", out.status);
    assert!(out.status.success(), "{said}");
    assert_eq!(said.trim(), "", "no warning either");
}

#[test]
fn the_unit_keeps_its_hardening() {
    let directives: Vec<&str> = UNIT
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    for wanted in [
        "Type=notify",
        "User=xinjing-desk",
        "StateDirectory=xinjing-desk",
        "ReadWritePaths=/var/lib/xinjing-desk",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    ] {
        assert!(directives.contains(&wanted), "{wanted} is missing");
    }
    assert!(directives.iter().any(|l| l.starts_with("MemoryMax=")));
}

async fn receive(socket: &tokio::net::UnixDatagram, buf: &mut [u8]) -> usize {
    tokio::time::timeout(Duration::from_secs(30), socket.recv(buf))
        .await
        .expect("a message within 30 s")
        .unwrap()
}

/// What systemd does with `Type=notify`, played by the test: a datagram socket named in
/// `NOTIFY_SOCKET`. The desk says READY=1 once it answers /readyz, STOPPING=1 on SIGTERM.
#[tokio::test]
async fn the_desk_tells_systemd_when_it_is_ready_and_when_it_stops() {
    let env = TestEnv::new().await;
    let socket_path = env.dir.0.join("notify");
    let socket = tokio::net::UnixDatagram::bind(&socket_path).unwrap();
    let path = socket_path.display().to_string();
    let mut desk = DeskProcess::spawn(&env, &[("NOTIFY_SOCKET", path.as_str())]).await;
    let mut buf = [0u8; 256];
    let n = receive(&socket, &mut buf).await;
    assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), "READY=1");
    let ready = client()
        .get(format!("{}/readyz", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.text().await.unwrap(), "ready\n");

    let exit = desk.terminate().await;
    assert!(exit.success());
    let n = receive(&socket, &mut buf).await;
    assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), "STOPPING=1");
}
