#!/usr/bin/env python3
"""Prints what a phone downloads, in two halves: raw, gzip and brotli bytes per file.

Critical path = what loads before the campaigns are readable: index.html (the static first
paint) and everything it references (the CSS, static.js, boot-<hash>.js; not nomodule.js, which
module browsers skip).
Deferred app = what the loader (boot-<hash>.js) loads when the app is needed: the wasm-bindgen JS and the
modules it imports (snippets), the wasm, and config.json and campaigns.json, which the app
fetches at start.
Whole app = both.

  python3 scripts/size.py [dist] [--critical-budget N] [--budget N]
exits 1 when the critical path's brotli total exceeds --critical-budget, or the whole app's
exceeds --budget. `--budgets FILE` reads both from a file of "critical N" / "whole N" lines
(size-budget).
"""
import argparse, gzip, pathlib, re, subprocess, sys

def brotli_size(data: bytes) -> int:
    try:
        import brotli  # type: ignore
        return len(brotli.compress(data, quality=11))
    except ImportError:
        return len(subprocess.run(["brotli", "-c", "-q", "11"], input=data, capture_output=True, check=True).stdout)

def existing(dist: pathlib.Path, files: list[str]) -> list[pathlib.Path]:
    seen, out = set(), []
    for f in files:
        if f not in seen and (dist / f).exists():
            seen.add(f)
            out.append(dist / f)
    return out

def critical_path(dist: pathlib.Path) -> list[pathlib.Path]:
    html = (dist / "index.html").read_text()
    refs = re.findall(r'(?:src|href)="\./([^"]+)"', html)
    return existing(dist, ["index.html"] + [r for r in refs if not r.startswith("nomodule")])

def deferred_app(dist: pathlib.Path) -> list[pathlib.Path]:
    boots = sorted(dist.glob("boot-*.js"))
    boot = boots[0].read_text() if boots else ""
    # Not sw.js: it is registered after the app has started, for the next visit.
    files = [f for f in re.findall(r"""['"]\./([^'"]+\.js)['"]""", boot) if f != "sw.js"]
    # The JS modules' own static imports (the wasm-bindgen snippets), once each.
    queue = list(files)
    while queue:
        path = dist / queue.pop()
        if not path.exists():
            continue
        for imported in re.findall(r"""from\s*['"]\./([^'"]+\.js)['"]""", path.read_text()):
            relative = str((path.parent / imported).relative_to(dist))
            if relative not in files:
                files.append(relative)
                queue.append(relative)
    files += re.findall(r"""['"]\./([^'"]+\.wasm)['"]""", boot)
    files += ["config.json", "campaigns.json"]
    return existing(dist, files)

def table(title: str, dist: pathlib.Path, paths: list[pathlib.Path]) -> list[int]:
    rows, totals = [], [0, 0, 0]
    for path in paths:
        data = path.read_bytes()
        sizes = [len(data), len(gzip.compress(data, 9)), brotli_size(data)]
        totals = [a + b for a, b in zip(totals, sizes)]
        rows.append((str(path.relative_to(dist)), *sizes))
    width = max([len(r[0]) for r in rows] + [30])
    print(f"{title:<{width}}  {'raw':>9}  {'gzip':>8}  {'brotli':>8}")
    for name, raw, gz, br in rows:
        print(f"  {name:<{width - 2}}  {raw:>9,}  {gz:>8,}  {br:>8,}")
    print(f"{'TOTAL ' + title:<{width}}  {totals[0]:>9,}  {totals[1]:>8,}  {totals[2]:>8,}")
    return totals

def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dist", nargs="?", default="dist")
    parser.add_argument("--critical-budget", type=int)
    parser.add_argument("--budget", type=int, help="whole app (critical path + deferred app)")
    parser.add_argument("--budgets", type=pathlib.Path, help='file with "critical N" and "whole N" lines')
    args = parser.parse_args()
    if args.budgets:
        for line in args.budgets.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "critical":
                args.critical_budget = int(value)
            elif key == "whole":
                args.budget = int(value)
    dist = pathlib.Path(args.dist)
    critical = table("critical path", dist, critical_path(dist))
    print()
    deferred = table("deferred app", dist, deferred_app(dist))
    whole = [a + b for a, b in zip(critical, deferred)]
    print()
    print(f"{'TOTAL whole app':<30}  {whole[0]:>9,}  {whole[1]:>8,}  {whole[2]:>8,}")
    ok = True
    for name, total, budget in [("critical path", critical[2], args.critical_budget), ("whole app", whole[2], args.budget)]:
        if budget is not None:
            verdict = "within" if total <= budget else "OVER"
            print(f"budget, {name}: {total:,} of {budget:,} brotli bytes: {verdict}")
            ok = ok and total <= budget
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
