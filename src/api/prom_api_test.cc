// The API's routes over a real HTTP server and client, with the in-memory
// store and the real engine.
#include "api/prom_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/client.h"
#include "promql/mem_storage.h"

namespace tend {
namespace {

class PromApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // up{job="a"} and up{job="b"}: 1,2,3... every 15 s from t=0 for 10 min;
    // http_requests_total{code="200"} a counter.
    std::vector<Point> a, b, c;
    for (int i = 0; i <= 40; ++i) {
      a.push_back({i * 15000, static_cast<double>(i)});
      b.push_back({i * 15000, 2.0 * i});
      c.push_back({i * 15000, 10.0 * i});
    }
    store_.Add({{"__name__", "up"}, {"job", "a"}}, a);
    store_.Add({{"__name__", "up"}, {"job", "b"}}, b);
    store_.Add({{"__name__", "http_requests_total"}, {"code", "200"}}, c);
    api_ = std::make_unique<PromApi>(&store_, &engine_, &clock_, [] {
      MetadataMap m;
      m["up"].push_back({"gauge", "Whether the target is up.", ""});
      m["http_requests_total"].push_back({"counter", "Requests.", ""});
      return m;
    });
    api_->Register(&server_);
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
  }

  // Sends a request; returns status and parsed body.
  std::pair<int, nlohmann::json> Call(const std::string& method,
                                      const std::string& path,
                                      const std::string& body = "") {
    HttpClientRequest req;
    req.method = method;
    req.address = "127.0.0.1:" + std::to_string(server_.port());
    req.path = path;
    req.body = body;
    auto res = HttpFetch(req);
    EXPECT_TRUE(res.ok());
    if (!res.ok()) return {0, {}};
    return {res->status, nlohmann::json::parse(res->body, nullptr, false)};
  }

  promql::MemStorage store_;
  promql::Engine engine_;
  FakeClock clock_{600'000'000'000};  // Now is t = 600 s.
  std::unique_ptr<PromApi> api_;
  HttpServer server_;
};

TEST_F(PromApiTest, InstantQueryVectorDefaultsToNow) {
  auto [status, j] = Call("GET", "/api/v1/query?query=up");
  ASSERT_EQ(status, 200) << j.dump();
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["data"]["resultType"], "vector");
  ASSERT_EQ(j["data"]["result"].size(), 2u);
  EXPECT_EQ(j["data"]["result"][0]["metric"]["job"], "a");
  EXPECT_EQ(j["data"]["result"][0]["value"][0], 600);
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "40");
  EXPECT_EQ(j["data"]["result"][1]["value"][1], "80");
}

TEST_F(PromApiTest, PostFormAndScalar) {
  auto [status, j] = Call("POST", "/api/v1/query", "query=1%2B2&time=100.5");
  ASSERT_EQ(status, 200) << j.dump();
  EXPECT_EQ(j["data"]["resultType"], "scalar");
  EXPECT_EQ(j["data"]["result"][0], 100.5);
  EXPECT_EQ(j["data"]["result"][1], "3");
}

TEST_F(PromApiTest, RangeQueryMatrix) {
  auto [status, j] = Call(
      "GET",
      "/api/v1/query_range?query=rate(http_requests_total%5B1m%5D)&start=120&"
      "end=300&step=60");
  ASSERT_EQ(status, 200) << j.dump();
  EXPECT_EQ(j["data"]["resultType"], "matrix");
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  const auto& values = j["data"]["result"][0]["values"];
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0][0], 120);
  // 10 per 15 s is 2/3 per second.
  EXPECT_NEAR(std::stod(values[0][1].get<std::string>()), 10.0 / 15, 1e-9);
  EXPECT_FALSE(j["data"]["result"][0]["metric"].contains("__name__"));
}

TEST_F(PromApiTest, ErrorsHavePrometheusShapes) {
  auto [s1, j1] = Call("GET", "/api/v1/query?query=sum(");
  EXPECT_EQ(s1, 400);
  EXPECT_EQ(j1["status"], "error");
  EXPECT_EQ(j1["errorType"], "bad_data");
  EXPECT_NE(j1["error"].get<std::string>().find("invalid parameter \"query\""),
            std::string::npos);
  auto [s2, j2] = Call("GET", "/api/v1/query?query=up&time=yesterday");
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(j2["error"],
            "invalid parameter \"time\": cannot parse \"yesterday\" to a valid "
            "timestamp");
  auto [s3, j3] =
      Call("GET", "/api/v1/query_range?query=up&start=10&end=5&step=1");
  EXPECT_EQ(s3, 400);
  auto [s4, j4] =
      Call("GET", "/api/v1/query_range?query=up&start=0&end=100000&step=1");
  EXPECT_EQ(s4, 400);
  EXPECT_NE(j4["error"].get<std::string>().find("11,000"), std::string::npos);
  auto [s5, j5] = Call("GET", "/api/v1/query_range?query=up&start=0&end=10");
  EXPECT_EQ(s5, 400);
  EXPECT_NE(j5["error"].get<std::string>().find("\"step\""), std::string::npos);
  // Evaluation errors are "execution" with 422.
  auto [s6, j6] = Call("GET",
                       "/api/v1/query?query=label_replace(up,%22job%22,"
                       "%22x%22,%22job%22,%22.*%22)&time=600");
  EXPECT_EQ(s6, 422) << j6.dump();
  EXPECT_EQ(j6["errorType"], "execution");
}

TEST_F(PromApiTest, SeriesLabelsAndValues) {
  auto [s1, j1] = Call("GET", "/api/v1/series?match[]=up");
  ASSERT_EQ(s1, 200) << j1.dump();
  ASSERT_EQ(j1["data"].size(), 2u);
  EXPECT_EQ(j1["data"][1]["job"], "b");
  auto [s2, j2] = Call("GET", "/api/v1/series");
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(j2["error"], "no match[] parameter provided");
  auto [s3, j3] = Call("GET", "/api/v1/labels");
  ASSERT_EQ(s3, 200);
  EXPECT_EQ(j3["data"], nlohmann::json({"__name__", "code", "job"}));
  auto [s4, j4] = Call("GET", "/api/v1/labels?match[]=up");
  EXPECT_EQ(j4["data"], nlohmann::json({"__name__", "job"}));
  auto [s5, j5] = Call("GET", "/api/v1/label/job/values");
  EXPECT_EQ(j5["data"], nlohmann::json({"a", "b"}));
  auto [s6, j6] = Call("GET", "/api/v1/label/__name__/values");
  EXPECT_EQ(j6["data"], nlohmann::json({"http_requests_total", "up"}));
  auto [s7, j7] = Call("GET", "/api/v1/label/1bad/values");
  EXPECT_EQ(s7, 400);
  // Outside the data's time range there is nothing.
  auto [s8, j8] = Call("GET", "/api/v1/series?match[]=up&start=5000&end=6000");
  EXPECT_EQ(j8["data"].size(), 0u);
}

TEST_F(PromApiTest, MetadataAndBuildInfo) {
  auto [s1, j1] = Call("GET", "/api/v1/metadata");
  ASSERT_EQ(s1, 200);
  EXPECT_EQ(j1["data"]["up"][0]["type"], "gauge");
  auto [s2, j2] = Call("GET", "/api/v1/metadata?metric=http_requests_total");
  EXPECT_EQ(j2["data"].size(), 1u);
  auto [s3, j3] = Call("GET", "/api/v1/metadata?limit=1");
  EXPECT_EQ(j3["data"].size(), 1u);
  auto [s4, j4] = Call("GET", "/api/v1/status/buildinfo");
  ASSERT_EQ(s4, 200);
  EXPECT_FALSE(j4["data"]["version"].get<std::string>().empty());
}

}  // namespace
}  // namespace tend
