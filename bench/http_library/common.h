// What both candidate servers of bench/http_library.sh answer, so that only the HTTP
// library differs: POST /work -> a fixed JSON body of about 1 KB (the size of a SPLADE query's
// /embed_sparse answer) after `delay_us` of simulated backend time; GET /health at once.
#pragma once

#include <cstdlib>
#include <string>

namespace http_library_bench {

inline std::string fixed_body() {
  std::string body = "[[";
  for (int i = 0; i < 40; ++i) body += (i ? "," : "") + std::string("{\"index\":") + std::to_string(1000 + i * 37) + ",\"value\":1.2345}";
  return body + "]]";
}

struct Args {
  int port = 0;
  int delay_us = 0;
  int threads = 1;  // Beast: io threads; httplib: its worker pool
};

inline Args parse_args(int argc, char** argv) {
  Args a;
  if (argc > 1) a.port = std::atoi(argv[1]);
  if (argc > 2) a.delay_us = std::atoi(argv[2]);
  if (argc > 3) a.threads = std::atoi(argv[3]);
  return a;
}

}  // namespace http_library_bench
