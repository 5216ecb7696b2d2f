// HTTP/1.1 for `splade serve` on Boost.Beast (chosen over cpp-httplib by measurement:
// BENCHMARKS.md, "Choosing the HTTP library"). Asynchronous: the io threads read and write
// sockets and never wait on the model; a route answers through its Reply whenever its batch
// has run, from any thread, and the answer is written on the connection's own executor.
// Keep-alive, a body limit (413 before the body is read), 400 for what is not HTTP, and a
// graceful stop: no new connections, idle ones closed, busy ones closed after their answer.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "server/router.h"

namespace splade::server {

class HttpTransport {
 public:
  // Binds host:port (port 0: the system's choice); throws splade::Error when it cannot.
  HttpTransport(boost::asio::io_context& io, const std::string& host, int port, std::size_t payload_limit,
                const Router& router);
  ~HttpTransport();
  int port() const;
  void start();  // accepts connections on `io`
  // Call on one of io's threads (post it there): stops accepting and closes idle connections;
  // io.run() returns once every request already read has been answered.
  void stop();

  struct Impl;  // shared with the connections (http_transport.cpp)

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace splade::server
