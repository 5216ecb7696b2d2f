"""The markdown table of bench/search_peers.sh's results.jsonl: one row per engine and
configuration, k = 10 and k = 1000 side by side."""
import json
import sys


def main(path):
    rows = [json.loads(line) for line in open(path) if line.startswith("{")]
    keys = []
    for r in rows:
        key = (r["engine"], r["algorithm"])
        if key not in keys:
            keys.append(key)
    ks = sorted({r["k"] for r in rows})
    head = "| engine | configuration | exact? | " + " | ".join(
        f"k={k} mean / p50 / p99 ms | k={k} recall, identical, same scores" for k in ks) + " | index MB | build s |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for engine, algorithm in keys:
        cells, size, build, exact = [], "", "", ""
        for k in ks:
            r = next((r for r in rows if r["engine"] == engine and r["algorithm"] == algorithm and r["k"] == k), None)
            if r is None:
                cells += ["", ""]
                continue
            cells.append(f"{r['mean_ms']:.3f} / {r['p50_ms']:.3f} / {r['p99_ms']:.3f}")
            cells.append(f"{r['recall']:.4f}, {r['identical']}/{r['queries']}, {r['same_scores']}/{r['queries']}")
            size = f"{r['index_bytes'] / 1e6:.1f}" if r.get("index_bytes") else ""
            build = f"{r['build_s']:.2f}" if r.get("build_s") is not None else ""
            exact = "exact" if r["exact_mode"] else "approx."
        print(f"| {engine} | {algorithm} | {exact} | " + " | ".join(cells) + f" | {size} | {build} |")


if __name__ == "__main__":
    main(sys.argv[1])
