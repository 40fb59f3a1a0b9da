//! `xinjing-static-page FEED CONFIG`: prints the static first paint as JSON
//! (`{"html", "lang", "title"}`) for scripts/post-build.mjs to put into index.html.
//! Fails when the bundled feed does not parse or skips an entry: a campaign that the
//! page cannot show must stop the build, not disappear.

use std::process::ExitCode;
use xinjing_core::campaign::parse_feed;
use xinjing_core::config::parse_config;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [feed_path, config_path] = args.as_slice() else {
        eprintln!("usage: xinjing-static-page FEED.json CONFIG.json");
        return ExitCode::from(2);
    };
    let read = |path: &str| std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"));
    let (feed, config) = match (read(feed_path), read(config_path)) {
        (Ok(feed), Ok(config)) => (feed, config),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("static-page: {e}");
            return ExitCode::FAILURE;
        }
    };
    let parsed = match parse_feed(&feed) {
        Ok(parsed) if parsed.skipped == 0 => parsed,
        Ok(parsed) => {
            eprintln!(
                "static-page: {feed_path}: {} campaign(s) do not fit the format",
                parsed.skipped
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("static-page: {feed_path}: {e:?}");
            return ExitCode::FAILURE;
        }
    };
    // A config that does not parse still gets a page (default title and language); the
    // app explains the problem to the deployer once it starts.
    let config = match parse_config(&config, &[]) {
        Ok(config) => Some(config),
        Err(errors) => {
            for e in errors {
                eprintln!(
                    "static-page: {config_path}: {} (defaults used)",
                    e.explain()
                );
            }
            None
        }
    };
    let page = xinjing_static_page::render(&parsed.feed, config.as_ref());
    let out = serde_json::json!({
        "html": page.html,
        "lang": page.default_lang.map(|l| l.tag()),
        "title": page.title,
    });
    println!("{out}");
    ExitCode::SUCCESS
}
