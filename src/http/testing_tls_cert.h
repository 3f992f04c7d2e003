// Test support: a throw-away certificate authority and a server certificate
// for "localhost" / 127.0.0.1, made with OpenSSL at test time, and an HTTPS
// cpp-httplib server that presents them (leaf plus CA chain).
//
// Header-only and for tests only (it aborts the test on OpenSSL failure).
#ifndef TEND_HTTP_TESTING_TLS_CERT_H_
#define TEND_HTTP_TESTING_TLS_CERT_H_

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>

namespace tend::testing {

struct TestCert {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  int64_t not_after_unix = 0;
  std::string pem;

  TestCert() = default;
  TestCert(const TestCert&) = delete;
  TestCert& operator=(const TestCert&) = delete;
  ~TestCert() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

inline void CheckOk(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test certificate: %s failed\n", what);
    std::abort();
  }
}

inline void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  CheckOk(ext != nullptr, "X509V3_EXT_conf_nid");
  CheckOk(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// Makes a certificate valid from an hour ago until now + valid_seconds.
// With issuer == nullptr it is a self-signed CA; otherwise a server
// certificate for localhost and 127.0.0.1 signed by issuer.
inline std::unique_ptr<TestCert> MakeCert(const char* common_name,
                                          int64_t valid_seconds,
                                          const TestCert* issuer) {
  auto out = std::make_unique<TestCert>();
  out->key = EVP_EC_gen("P-256");
  CheckOk(out->key != nullptr, "EVP_EC_gen");
  X509* c = X509_new();
  out->cert = c;
  static long serial = 1;
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  out->not_after_unix = now + valid_seconds;
  X509_time_adj_ex(X509_getm_notBefore(c), 0, -3600, nullptr);
  time_t base = static_cast<time_t>(now);
  X509_time_adj_ex(X509_getm_notAfter(c), 0, static_cast<long>(valid_seconds),
                   &base);
  X509_set_pubkey(c, out->key);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* issuer_cert = issuer != nullptr ? issuer->cert : c;
  X509_set_issuer_name(c, X509_get_subject_name(issuer_cert));
  if (issuer == nullptr) {
    AddExt(c, c, NID_basic_constraints, "critical,CA:TRUE");
    AddExt(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExt(c, issuer_cert, NID_basic_constraints, "CA:FALSE");
    AddExt(c, issuer_cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    AddExt(c, issuer_cert, NID_ext_key_usage, "serverAuth");
  }
  EVP_PKEY* signer = issuer != nullptr ? issuer->key : out->key;
  CheckOk(X509_sign(c, signer, EVP_sha256()) > 0, "X509_sign");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, c);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  out->pem.assign(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

// An HTTPS server for `leaf` (key included) that also sends `ca` as its
// chain. The caller binds and listens as with httplib::Server.
inline std::unique_ptr<httplib::SSLServer> MakeTlsServer(const TestCert* leaf,
                                                         const TestCert* ca) {
  return std::make_unique<httplib::SSLServer>([leaf, ca](SSL_CTX& ctx) {
    return SSL_CTX_use_certificate(&ctx, leaf->cert) == 1 &&
           SSL_CTX_use_PrivateKey(&ctx, leaf->key) == 1 &&
           (ca == nullptr || SSL_CTX_add1_chain_cert(&ctx, ca->cert) == 1);
  });
}

}  // namespace tend::testing

#endif  // TEND_HTTP_TESTING_TLS_CERT_H_
