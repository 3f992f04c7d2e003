#include "http/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace tend {
namespace {

TEST(HttpServerTest, ServesRoutesOverRealSockets) {
  HttpServer server;
  server.Handle("GET", "/-/healthy",
                [](const HttpRequest&, HttpResponse* r) { r->body = "ok\n"; });
  server.Handle("POST", "/echo", [](const HttpRequest& req, HttpResponse* r) {
    r->body = req.body + "|" + req.Param("x") + "|" + req.Header("x-test");
    r->status = 202;
  });
  server.HandlePrefix(
      "GET", "/api/v1/label/",
      [](const HttpRequest& req, HttpResponse* r) { r->body = req.path; });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  ASSERT_GT(server.port(), 0);

  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/-/healthy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok\n");

  res = client.Post("/echo?x=1", {{"X-Test", "h"}}, "body", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(res->body, "body|1|h");

  res = client.Get("/api/v1/label/job/values");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "/api/v1/label/job/values");

  res = client.Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find("/nope"), std::string::npos);
  server.Stop();
  server.Stop();  // Idempotent.
}

TEST(HttpServerTest, AddressInUseIsAClearError) {
  HttpServer a;
  ASSERT_TRUE(a.Start("127.0.0.1", 0).ok());
  HttpServer b;
  Status s = b.Start("127.0.0.1", a.port());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("address already in use"), std::string::npos)
      << s.ToString();
}

TEST(SplitHostPortTest, Forms) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:9955", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9955);
  ASSERT_TRUE(SplitHostPort("[::1]:80", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(SplitHostPort("localhost", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort("h:0", &host, &port).ok());
  EXPECT_TRUE(SplitHostPort("h:0", &host, &port, true).ok());
  EXPECT_FALSE(SplitHostPort("h:70000", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort(":80", &host, &port).ok());
}

}  // namespace
}  // namespace tend
