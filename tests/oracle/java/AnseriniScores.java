// Oracle for splade's Anserini score column: Java itself runs the float arithmetic of
// Anserini's ScoreTiesAdjusterReranker and formats with String.format(Locale.US, "%f").
// Input: one ranked list of integer scores per line. Output: the formatted scores.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Locale;

public class AnseriniScores {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    StringBuilder out = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      String[] parts = line.trim().split(" ");
      float[] scores = new float[parts.length];
      for (int i = 0; i < parts.length; i++) scores[i] = (float) Long.parseLong(parts[i]);
      int dup = 0;
      for (int i = 0; i < scores.length; i++) {
        scores[i] = (float) (Math.round(scores[i] * 1e4d) / 1e4d);  // as in Anserini @81e3414
        if (i == 0 || scores[i - 1] - scores[i] > 1e-4f) {
          dup = 0;
        } else {
          dup++;
          scores[i] -= 1e-6f * dup;
        }
        out.append(String.format(Locale.US, "%f", scores[i])).append(i + 1 < scores.length ? " " : "\n");
      }
    }
    System.out.print(out);
  }
}
