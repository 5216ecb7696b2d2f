"""The table of bench/serve_load.sh: splade serve beside the FastAPI + onnxruntime peer, a row per
model and concurrency, throughput as a ratio. Usage: serve_table.py results.jsonl"""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
by = {(r["engine"], r["model"], r["concurrency"]): r for r in rows}
models = sorted({r["model"] for r in rows}, key=lambda m: [r["model"] for r in rows].index(m))
print("| model | concurrency | splade serve req/s | p50 ms | p99 ms | errors | RSS MB "
      "| FastAPI+ORT req/s | p50 ms | p99 ms | errors | RSS MB | throughput ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for model in models:
    for c in sorted({r["concurrency"] for r in rows if r["model"] == model}):
        cells = [model, str(c)]
        rates = []
        for engine in ("splade", "fastapi-onnxruntime"):
            r = by.get((engine, model, c))
            if r is None:
                cells += ["-"] * 5
                rates.append(None)
                continue
            w = r["wrk"]
            errors = w["errors_connect"] + w["errors_read"] + w["errors_write"] + w["errors_timeout"] + w["non_2xx"]
            rate = w["requests"] / w["seconds"]
            rates.append(rate)
            cells += [f"{rate:.1f}", f"{w['p50_ms']:.2f}", f"{w['p99_ms']:.2f}", str(errors), str(r["rss_mb"])]
        cells.append(f"{rates[0] / rates[1]:.2f}x" if all(rates) else "-")
        print("| " + " | ".join(cells) + " |")
