// TLS for the syslog server (RFC 5425 transport), on OpenSSL: a server
// context loaded from PEM files, and the server side of one non-blocking
// connection.
//
// Threads: a TlsServerContext may be shared by connections on one thread
// (the syslog receiving thread); a TlsServerStream belongs to that thread.
// OpenSSL's errors are kept per thread, so each call reads them right away.
#ifndef TEND_LOGS_SOURCES_SYSLOG_TLS_H_
#define TEND_LOGS_SOURCES_SYSLOG_TLS_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

// OpenSSL's types, without its headers in ours.
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace tend::logs {

class TlsServerContext {
 public:
  // Loads a certificate chain and its private key (PEM). Fails with a
  // message naming the file and OpenSSL's reason when a file is missing or
  // unreadable or the key does not match the certificate. Accepts TLS 1.2
  // and later.
  static Result<std::unique_ptr<TlsServerContext>> Create(
      const std::string& cert_file, const std::string& key_file);
  ~TlsServerContext();

  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// The outcome of one non-blocking TLS operation.
enum class TlsIo {
  kOk,         // Done (handshake) or bytes were read.
  kWantRead,   // Wait until the socket is readable, then call again.
  kWantWrite,  // Wait until the socket is writable, then call again.
  kEof,        // The peer closed (close_notify or a plain FIN).
  kError,      // Protocol or socket error; error() says which.
};

class TlsServerStream {
 public:
  // Wraps the connected non-blocking socket `fd` (not owned: the caller
  // closes it after destroying the stream). Fails only when OpenSSL cannot
  // allocate the connection.
  static Result<std::unique_ptr<TlsServerStream>> Create(
      const TlsServerContext& context, int fd);
  ~TlsServerStream();

  TlsServerStream(const TlsServerStream&) = delete;
  TlsServerStream& operator=(const TlsServerStream&) = delete;

  bool handshake_done() const { return handshake_done_; }

  // Advances the server handshake.
  TlsIo Handshake();

  // Reads up to `capacity` bytes into `buf`; *n is set on kOk. Data that
  // OpenSSL already decrypted is returned without touching the socket, so
  // a reader must call Read until it gets kWantRead before waiting on the
  // socket again.
  TlsIo Read(char* buf, size_t capacity, size_t* n);

  // Why the last operation returned kError.
  const std::string& error() const { return error_; }

 private:
  explicit TlsServerStream(SSL* ssl) : ssl_(ssl) {}
  TlsIo Classify(int ret, std::string_view what);

  SSL* ssl_;
  bool handshake_done_ = false;
  std::string error_;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_SYSLOG_TLS_H_
