#!/usr/bin/env python3
"""Prints what a phone downloads on first load: raw, gzip and brotli bytes per file.

First load = index.html and everything it references (boot-<hash>.js, the wasm-bindgen JS, its
snippets, the wasm, the CSS) plus config.json and campaigns.json, which the app fetches at
start. With --budget N, exits 1 when the brotli total exceeds N bytes.
"""
import argparse, gzip, pathlib, re, subprocess, sys

def brotli_size(data: bytes) -> int:
    try:
        import brotli  # type: ignore
        return len(brotli.compress(data, quality=11))
    except ImportError:
        return len(subprocess.run(["brotli", "-c", "-q", "11"], input=data, capture_output=True, check=True).stdout)

def first_load(dist: pathlib.Path) -> list[pathlib.Path]:
    html = (dist / "index.html").read_text()
    refs = re.findall(r'(?:src|href)="\./([^"]+)"', html)
    files = ["index.html"] + [r for r in refs if not r.startswith("nomodule")]
    boots = sorted(dist.glob("boot-*.js"))
    boot = boots[0].read_text() if boots else ""
    files += re.findall(r"'\./([^']+\.wasm)'", boot)
    files += ["config.json", "campaigns.json"]
    seen, out = set(), []
    for f in files:
        if f not in seen and (dist / f).exists():
            seen.add(f)
            out.append(dist / f)
    return out

def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dist", nargs="?", default="dist")
    parser.add_argument("--budget", type=int)
    args = parser.parse_args()
    dist = pathlib.Path(args.dist)
    rows, totals = [], [0, 0, 0]
    for path in first_load(dist):
        data = path.read_bytes()
        sizes = [len(data), len(gzip.compress(data, 9)), brotli_size(data)]
        totals = [a + b for a, b in zip(totals, sizes)]
        rows.append((str(path.relative_to(dist)), *sizes))
    width = max(len(r[0]) for r in rows)
    print(f"{'file':<{width}}  {'raw':>9}  {'gzip':>8}  {'brotli':>8}")
    for name, raw, gz, br in rows:
        print(f"{name:<{width}}  {raw:>9,}  {gz:>8,}  {br:>8,}")
    print(f"{'TOTAL first load':<{width}}  {totals[0]:>9,}  {totals[1]:>8,}  {totals[2]:>8,}")
    if args.budget is not None:
        verdict = "within" if totals[2] <= args.budget else "OVER"
        print(f"budget: {totals[2]:,} of {args.budget:,} brotli bytes: {verdict}")
        return 0 if totals[2] <= args.budget else 1
    return 0

if __name__ == "__main__":
    sys.exit(main())
