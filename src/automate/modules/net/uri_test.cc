#include <gtest/gtest.h>

#include "automate/modules/net/net_test_util.h"

namespace tend::automate::testing {
namespace {

class UriTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = http_.server();
    s.Get("/json", [](const httplib::Request&, httplib::Response& r) {
      r.set_header("X-Custom-Header", "yes");
      r.set_content(R"({"a": 1, "b": [true, null]})", "application/json");
    });
    s.Post("/echo", [this](const httplib::Request& q, httplib::Response& r) {
      ++posts_;
      r.status = 201;
      r.set_content(q.get_header_value("Content-Type") + "|" + q.body,
                    "text/plain");
    });
    s.Get("/moved", [](const httplib::Request&, httplib::Response& r) {
      r.set_redirect("/json");
    });
    s.Post("/moved", [](const httplib::Request&, httplib::Response& r) {
      r.set_redirect("/json");
    });
    s.Get("/text", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("plain body", "text/plain");
    });
    http_.Start();
  }

  const Module& m_ = NetModule("uri");
  ModuleHarness h_;
  TempDir dir_;
  TestHttpServer http_;
  int posts_ = 0;
};

TEST_F(UriTest, GetJsonReturnsParsedBodyAndLowerCasedHeaders) {
  auto r = h_.Run(m_, Value{{"url", http_.Url("/json")}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->data["status"], 200);
  EXPECT_EQ(r->data["json"]["a"], 1);
  EXPECT_EQ(r->data["json"]["b"][0], true);
  EXPECT_EQ(r->data["x_custom_header"], "yes");
  EXPECT_EQ(r->data["content_type"], "application/json");
  EXPECT_EQ(r->data["redirected"], false);
  EXPECT_FALSE(r->data.contains("content")) << "return_content defaults off";
}

TEST_F(UriTest, ReturnContent) {
  auto r =
      h_.Run(m_, Value{{"url", http_.Url("/text")}, {"return_content", true}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data["content"], "plain body");
  EXPECT_FALSE(r->data.contains("json"));
}

TEST_F(UriTest, PostJsonAndFormBodies) {
  auto r = h_.Run(m_, Value{{"url", http_.Url("/echo")},
                            {"method", "POST"},
                            {"body_format", "json"},
                            {"body", Value{{"k", "v"}}},
                            {"status_code", Value::array({200, 201})},
                            {"return_content", true}});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(r->data["status"], 201);
  EXPECT_EQ(r->data["content"], R"(application/json|{"k":"v"})");
  r = h_.Run(
      m_, Value{{"url", http_.Url("/echo")},
                {"method", "POST"},
                {"body_format", "form-urlencoded"},
                {"body", Value{{"name", "a b&c"}, {"n", Value::array({1, 2})}}},
                {"status_code", "201"},
                {"return_content", true}});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(r->data["content"],
            "application/x-www-form-urlencoded|name=a+b%26c&n=1&n=2");
}

TEST_F(UriTest, UnexpectedStatusFails) {
  auto r = h_.Run(m_, Value{{"url", http_.Url("/missing")}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->data["status"], 404);
  EXPECT_EQ(
      r->msg.rfind("Status code was 404 and not [200]: HTTP Error 404", 0), 0u)
      << r->msg;
}

TEST_F(UriTest, RedirectsFollowSafeMethodsOnly) {
  auto r = h_.Run(m_, Value{{"url", http_.Url("/moved")}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data["status"], 200);
  EXPECT_EQ(r->data["redirected"], true);
  EXPECT_EQ(r->data["url"], http_.Url("/json"));
  r = h_.Run(m_, Value{{"url", http_.Url("/moved")},
                       {"method", "POST"},
                       {"status_code", 302}});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(r->data["status"], 302);
  EXPECT_EQ(r->data["location"], http_.Url("/json"));
  r = h_.Run(m_, Value{{"url", http_.Url("/moved")},
                       {"follow_redirects", "none"},
                       {"status_code", 302}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data["status"], 302);
}

TEST_F(UriTest, DestAndCreates) {
  std::string dest = dir_ / "saved.json";
  auto check =
      h_.Run(m_, Value{{"url", http_.Url("/json")}, {"dest", dest}}, true);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->changed);
  EXPECT_EQ(ReadText(dest), "") << "check mode wrote dest";
  auto r = h_.Run(m_, Value{{"url", http_.Url("/json")}, {"dest", dest}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->data["path"], dest);
  EXPECT_EQ(ReadText(dest), R"({"a": 1, "b": [true, null]})");
  EXPECT_EQ(r->data["json"]["a"], 1);
  r = h_.Run(m_, Value{{"url", http_.Url("/json")},
                       {"dest", dir_ / "other"},
                       {"creates", dest}});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(ReadText(dir_ / "other"), "");
  r = h_.Run(m_,
             Value{{"url", http_.Url("/json")}, {"removes", dir_ / "absent"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->msg,
            "skipped, since '" + (dir_ / "absent") + "' does not exist");
}

TEST_F(UriTest, CheckModeSkipsUnsafeMethods) {
  auto r =
      h_.Run(m_, Value{{"url", http_.Url("/echo")}, {"method", "POST"}}, true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->skipped);
  EXPECT_EQ(posts_, 0);
}

TEST_F(UriTest, BadParameters) {
  auto r = h_.Run(m_, Value{{"url", http_.Url("/json")}, {"method", "GE T"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("single word"), std::string::npos);
  auto v = h_.Run(m_, Value{{"url", "x"}, {"body_format", "xml"}});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("body_format"), std::string::npos);
  r = h_.Run(m_, Value{{"url", http_.Url("/json")}, {"status_code", "abc"}});
  ASSERT_TRUE(r.ok() ? r->failed : true);
}

TEST_F(UriTest, ConnectionRefusedIsStatusMinusOne) {
  auto r = h_.Run(m_, Value{{"url", "http://127.0.0.1:1/"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->data["status"], -1);
}

TEST_F(UriTest, RemoteConnectionWritesDestThroughTheConnection) {
  std::string dest = dir_ / "r.txt";
  auto r = RunRemote(m_, Value{{"url", http_.Url("/text")}, {"dest", dest}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(ReadText(dest), "plain body");
}

}  // namespace
}  // namespace tend::automate::testing
