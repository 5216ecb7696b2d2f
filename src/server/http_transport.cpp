#include "server/http_transport.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <set>

#include "server/api_error.h"
#include "splade/error.h"
#include "splade/version.h"

namespace splade::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
// A client gets this long to send a request's header and body (slow clients cannot hold
// connections forever); an idle keep-alive connection is closed after it too.
constexpr auto kReadTimeout = std::chrono::seconds(60);
}  // namespace

class Session;

struct HttpTransport::Impl : std::enable_shared_from_this<HttpTransport::Impl> {
  Impl(asio::io_context& io_, std::size_t limit, const Router& r) : io(io_), acceptor(io_), payload_limit(limit), router(r) {}
  void accept();
  void add(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mutex);
    sessions.insert(s.get());
  }
  void remove(Session* s) {
    std::lock_guard lock(mutex);
    sessions.erase(s);
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  const std::size_t payload_limit;
  const Router& router;
  const std::string server_header = "splade/" + version();
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::set<Session*> sessions;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpTransport::Impl> transport)
      : stream_(std::move(socket)), transport_(std::move(transport)) {}
  ~Session() { transport_->remove(this); }

  void start() {
    transport_->add(shared_from_this());
    read();
  }
  // On the transport's stop: an idle connection is closed now; a busy one after its answer.
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reading_) self->stream_.socket().close();
    });
  }

 private:
  void read() {
    if (transport_->stopping) return close();
    reading_ = true;
    parser_.emplace();
    parser_->body_limit(transport_->payload_limit);
    parser_->header_limit(64 * 1024);  // a GET search carries its query text in the target
    stream_.expires_after(kReadTimeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->reading_ = false;
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::bad_descriptor || ec == asio::error::eof)
      return close();
    if (ec == http::error::body_limit)
      return write_error(error_response(ErrorType::kValidation,
                                        fmt::format("request body is larger than --payload-limit {} bytes",
                                                    transport_->payload_limit), 413));
    if (ec) return write_error(error_response(ErrorType::kBadRequest, "malformed HTTP request: " + ec.message()));
    stream_.expires_never();
    http::request<http::string_body> request = parser_->release();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    HttpRequest r;
    r.method = std::string(request.method_string());
    r.content_type = std::string(request[http::field::content_type]);
    if (!parse_target(request.target(), r))
      return write_error(error_response(ErrorType::kBadRequest, "malformed request target (a bad %-escape)"));
    r.body = std::move(request.body());
    // The answer may come from any thread; the work guard keeps io.run() going until it is written.
    auto guard = asio::make_work_guard(transport_->io);
    transport_->router.dispatch(r, [self = shared_from_this(), guard = std::move(guard)](HttpResponse response) mutable {
      asio::post(self->stream_.get_executor(), [self, response = std::move(response), guard = std::move(guard)]() mutable {
        self->write(std::move(response), self->keep_alive_);
        guard.reset();
      });
    });
  }

  void write_error(HttpResponse response) { write(std::move(response), false); }

  void write(HttpResponse r, bool keep_alive) {
    auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version_);
    response->set(http::field::server, transport_->server_header);
    response->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) response->set(name, value);
    response->keep_alive(keep_alive && !transport_->stopping);
    response->body() = std::move(r.body);
    response->prepare_payload();
    http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
      if (ec || !response->keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpTransport::Impl> transport_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool reading_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
};

void HttpTransport::Impl::accept() {
  acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopping || ec == asio::error::operation_aborted) return;
    if (!ec) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), self)->start();
    }
    self->accept();
  });
}

HttpTransport::HttpTransport(asio::io_context& io, const std::string& host, int port, std::size_t payload_limit,
                             const Router& router)
    : impl_(std::make_shared<Impl>(io, payload_limit, router)) {
  if (port < 0 || port > 65535)
    throw Error(ErrorCode::kInvalidArgument, fmt::format("--port: expected 0 .. 65535, got {}", port));
  beast::error_code ec;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty())
    throw Error(ErrorCode::kInvalidArgument, fmt::format("--host {}: cannot resolve it: {}", host, ec.message()));
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  Impl& t = *impl_;
  t.acceptor.open(endpoint.protocol(), ec);
  if (!ec) t.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) t.acceptor.bind(endpoint, ec);
  if (!ec) t.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw Error(ErrorCode::kIo, fmt::format("cannot listen on {}:{}: {}", host, port, ec.message()));
}

HttpTransport::~HttpTransport() = default;

int HttpTransport::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpTransport::start() { impl_->accept(); }

void HttpTransport::stop() {
  Impl& t = *impl_;
  t.stopping = true;
  beast::error_code ec;
  t.acceptor.close(ec);
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(t.mutex);
    for (Session* s : t.sessions) {
      // A session whose last reference is going may still be listed: skip it.
      if (auto p = s->weak_from_this().lock()) open.push_back(std::move(p));
    }
  }
  for (auto& s : open) s->close_if_idle();
}

}  // namespace splade::server
