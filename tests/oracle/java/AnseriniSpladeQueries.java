// Oracle for `splade encode --queries --truncation anserini`: Anserini's own SPLADE++ ED query
// encoder (io.anserini.encoder.sparse.SpladePlusPlusEnsembleDistilEncoder: DJL's BertFullTokenizer,
// ONNX Runtime for Java, Math.round(w / 5 * 256)) loads the model that `splade export anserini`
// installed and encodes each query.
//
// Run (single-file launch, Java >= 21):
//   java -Duser.home=HOME -cp anserini-fatjar.jar AnseriniSpladeQueries.java QUERIES.tsv OUT.tsv
// Anserini 1.5.0 resolves its encoder files only as ${user.home}/.cache/pyserini/encoders/
// {splade-pp-ed-optimized.onnx, splade-pp-ed-vocab.txt} (OnnxEncoder.CACHE_DIR) and downloads
// them from Hugging Face when absent. This program refuses to start unless both files are there,
// so a silent download can never stand in for our model.
//
// Input: `qid<TAB>text` lines (UTF-8). Output: one line per query,
//   qid<TAB>token<TAB>weight<TAB>token<TAB>weight...   (every entry of encode(text), zeros too)
// WordPiece vocabulary tokens contain no tab or newline, so the line splits unambiguously.
import io.anserini.encoder.sparse.SpladePlusPlusEnsembleDistilEncoder;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

public class AnseriniSpladeQueries {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: AnseriniSpladeQueries QUERIES.tsv OUT.tsv");
      System.exit(2);
    }
    Path encoders = Path.of(System.getProperty("user.home"), ".cache", "pyserini", "encoders");
    for (String name : new String[] {"splade-pp-ed-optimized.onnx", "splade-pp-ed-vocab.txt"}) {
      if (!Files.isRegularFile(encoders.resolve(name))) {
        System.err.println("AnseriniSpladeQueries: " + encoders.resolve(name)
            + " missing: Anserini would download its own model instead of ours");
        System.exit(1);
      }
    }
    try (SpladePlusPlusEnsembleDistilEncoder encoder = new SpladePlusPlusEnsembleDistilEncoder();
         BufferedReader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8);
         BufferedWriter out = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8)) {
      // The paths Anserini actually opened (its own resolution, not ours), for the test to check.
      System.out.println("model\t" + new File(encoder.getModelPath().toString()).getCanonicalPath());
      System.out.println("vocab\t" + new File(encoder.getVocabPath().toString()).getCanonicalPath());
      String line;
      while ((line = in.readLine()) != null) {
        int tab = line.indexOf('\t');
        if (tab < 0) throw new IllegalArgumentException("no tab in query line: " + line);
        StringBuilder sb = new StringBuilder(line.substring(0, tab));
        for (Map.Entry<String, Integer> e : encoder.encode(line.substring(tab + 1)).entrySet()) {
          sb.append('\t').append(e.getKey()).append('\t').append(e.getValue());
        }
        out.write(sb.append('\n').toString());
      }
    }
  }
}
