// Candidate 2 of bench/http_library.sh: cpp-httplib (0.11.4, Debian), blocking: each
// connection is served by a thread of its pool, which waits out the simulated backend time
// (a handler blocking on a batcher's future would do the same).
// Usage: http_library_httplib PORT DELAY_US POOL_THREADS
#include <httplib.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "common.h"

int main(int argc, char** argv) {
  const auto args = http_library_bench::parse_args(argc, argv);
  const std::string body = http_library_bench::fixed_body();
  httplib::Server server;
  server.new_task_queue = [n = args.threads] { return new httplib::ThreadPool(static_cast<size_t>(n)); };
  server.set_keep_alive_max_count(1000000);
  server.set_tcp_nodelay(true);
  server.Post("/work", [&](const httplib::Request&, httplib::Response& response) {
    if (args.delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(args.delay_us));
    response.set_content(body, "application/json");
  });
  server.Get("/health", [](const httplib::Request&, httplib::Response& response) { response.status = 200; });
  const int port = args.port > 0 ? (server.bind_to_port("127.0.0.1", args.port) ? args.port : -1)
                                 : server.bind_to_any_port("127.0.0.1");
  if (port < 0) return 1;
  std::cout << "listening on 127.0.0.1:" << port << std::endl;
  server.listen_after_bind();
}
