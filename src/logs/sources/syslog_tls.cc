#include "logs/sources/syslog_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tend::logs {
namespace {

// Drains this thread's OpenSSL error queue into one line.
std::string TakeOpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

}  // namespace

Result<std::unique_ptr<TlsServerContext>> TlsServerContext::Create(
    const std::string& cert_file, const std::string& key_file) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    return InternalError("TLS: cannot create context: " + TakeOpenSslErrors());
  }
  std::unique_ptr<TlsServerContext> out(new TlsServerContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A peer that disappears without close_notify is an ordinary end of a
  // syslog stream, not an error.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  // No TLS 1.3 session tickets: syslog senders only write, so tickets would
  // sit unread in their socket, and closing a socket with unread data sends
  // a reset that discards the sender's last messages still in our receive
  // buffer.
  SSL_CTX_set_num_tickets(ctx, 0);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return InvalidArgumentError("TLS certificate " + cert_file + ": " +
                                TakeOpenSslErrors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) !=
      1) {
    return InvalidArgumentError("TLS key " + key_file + ": " +
                                TakeOpenSslErrors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgumentError("TLS key " + key_file +
                                " does not match certificate " + cert_file +
                                ": " + TakeOpenSslErrors());
  }
  return out;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(ctx_); }

Result<std::unique_ptr<TlsServerStream>> TlsServerStream::Create(
    const TlsServerContext& context, int fd) {
  ERR_clear_error();
  SSL* ssl = SSL_new(context.get());
  if (ssl == nullptr) {
    return ResourceExhaustedError("TLS: cannot create connection: " +
                                  TakeOpenSslErrors());
  }
  std::unique_ptr<TlsServerStream> out(new TlsServerStream(ssl));
  if (SSL_set_fd(ssl, fd) != 1) {
    return InternalError("TLS: cannot attach socket: " + TakeOpenSslErrors());
  }
  SSL_set_accept_state(ssl);
  return out;
}

TlsServerStream::~TlsServerStream() { SSL_free(ssl_); }

TlsIo TlsServerStream::Classify(int ret, std::string_view what) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      return TlsIo::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return TlsIo::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return TlsIo::kEof;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        if (saved_errno == 0) return TlsIo::kEof;
        error_ = std::string(what) + ": " + std::strerror(saved_errno);
        return TlsIo::kError;
      }
      [[fallthrough]];
    default:
      error_ = std::string(what) + ": " + TakeOpenSslErrors();
      return TlsIo::kError;
  }
}

TlsIo TlsServerStream::Handshake() {
  ERR_clear_error();
  errno = 0;
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    handshake_done_ = true;
    return TlsIo::kOk;
  }
  return Classify(ret, "TLS handshake");
}

TlsIo TlsServerStream::Read(char* buf, size_t capacity, size_t* n) {
  ERR_clear_error();
  errno = 0;
  size_t got = 0;
  const int ret = SSL_read_ex(ssl_, buf, capacity, &got);
  if (ret == 1) {
    *n = got;
    return TlsIo::kOk;
  }
  return Classify(ret, "TLS read");
}

}  // namespace tend::logs
