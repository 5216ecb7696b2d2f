// Candidate 1 of bench/http_library.sh: Boost.Beast (1.81, Debian), asynchronous: a few io
// threads serve every connection; the simulated backend completes through a timer, as a
// batcher's completion would be posted back, so no thread waits on a request.
// Usage: http_library_beast PORT DELAY_US IO_THREADS
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "common.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

const std::string kBody = http_library_bench::fixed_body();

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, int delay_us)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), delay_us_(delay_us) {}
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->handle();
    });
  }

 private:
  void handle() {
    if (delay_us_ > 0 && request_.target() == "/work") {
      timer_.expires_after(std::chrono::microseconds(delay_us_));
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->reply(); });
    } else {
      reply();
    }
  }
  void reply() {
    response_ = {http::status::ok, request_.version()};
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(request_.keep_alive());
    response_.body() = kBody;
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->response_.keep_alive()) return self->close();
      self->read();
    });
  }
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  asio::steady_timer timer_;
  int delay_us_;
};

void accept(tcp::acceptor& acceptor, int delay_us) {
  acceptor.async_accept([&acceptor, delay_us](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket), delay_us)->read();
    }
    accept(acceptor, delay_us);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = http_library_bench::parse_args(argc, argv);
  asio::io_context io(args.threads);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(args.port)});
  std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
  accept(acceptor, args.delay_us);
  std::vector<std::thread> threads;
  for (int i = 1; i < args.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
}
