// Anserini's side of the impact-search benchmark (bench/search_bench.sh): per-query latency of
// Lucene impact search through Anserini's own SimpleImpactSearcher, timed the way
// `splade search` times its queries (one thread, each query's search call alone), and the
// run it returns in TREC format, to be compared line for line with splade.cpp's.
//
//   java -cp ANSERINI_FATJAR:CLASSDIR ImpactSearchLatency INDEX QUERIES.tsv[.gz] HITS RUN_OUT [WARMUP]
//
// QUERIES: Anserini's pre-encoded query TSV (qid<TAB>each token repeated by its integer weight),
// turned into the term -> count map that SearchCollection -impact -pretokenized builds.
// WARMUP (default 1000): queries searched once before timing, so the JIT has compiled the
// search path (splade.cpp needs no warm-up; its index pages are warm from the same corpus).
import io.anserini.search.ScoredDoc;
import io.anserini.search.SimpleImpactSearcher;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

public class ImpactSearchLatency {
  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: ImpactSearchLatency INDEX QUERIES.tsv[.gz] HITS RUN_OUT [WARMUP]");
      System.exit(2);
    }
    final int hits = Integer.parseInt(args[2]);
    final int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
    List<String> qids = new ArrayList<>();
    List<Map<String, Integer>> queries = new ArrayList<>();
    InputStream in = new FileInputStream(args[1]);
    if (args[1].endsWith(".gz")) in = new GZIPInputStream(in);
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null;) {
        int tab = line.indexOf('\t');
        Map<String, Integer> q = new LinkedHashMap<>();
        for (String token : line.substring(tab + 1).trim().split("\\s+"))
          if (!token.isEmpty()) q.merge(token, 1, Integer::sum);
        qids.add(line.substring(0, tab));
        queries.add(q);
      }
    }
    try (SimpleImpactSearcher searcher = new SimpleImpactSearcher(args[0]);
         PrintWriter run = new PrintWriter(Files.newBufferedWriter(Paths.get(args[3]), StandardCharsets.UTF_8))) {
      for (int i = 0; i < Math.min(warmup, queries.size()); i++) searcher.search(queries.get(i), hits);
      // Wall clock per query, and this thread's CPU time (as `splade search` reports both:
      // CPU time is the steadier figure on a machine shared with other work).
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      double[] ms = new double[queries.size()];
      double[] cpu = new double[queries.size()];
      long start = System.nanoTime();
      for (int i = 0; i < queries.size(); i++) {
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        ScoredDoc[] docs = searcher.search(queries.get(i), hits);
        ms[i] = (System.nanoTime() - t0) / 1e6;
        cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
        for (int r = 0; r < docs.length; r++)
          run.printf("%s Q0 %s %d %.6f Anserini%n", qids.get(i), docs[r].docid, r + 1, docs[r].score);
      }
      double wall = (System.nanoTime() - start) / 1e9;
      double[] w = summary(ms), c = summary(cpu);
      System.out.printf("anserini search: %d queries, 1 thread, k=%d: mean %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms; "
          + "%.1f QPS; CPU mean %.3f ms, p50 %.3f ms, p99 %.3f ms%n",
          ms.length, hits, w[0], w[1], w[2], w[3], ms.length / wall, c[0], c[1], c[2]);
    }
  }

  // {mean, p50, p99, max} of the values; nearest-rank percentiles, as `splade search` takes them.
  static double[] summary(double[] values) {
    double sum = 0;
    for (double v : values) sum += v;
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return new double[] {sum / n, sorted[rank(50, n)], sorted[rank(99, n)], sorted[n - 1]};
  }

  static int rank(double p, int n) {
    return Math.min(Math.max((int) Math.ceil(p / 100.0 * n), 1), n) - 1;
  }
}
