#include "api/prom_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tend {
namespace {

std::string Ts(int64_t ms) {
  std::string s;
  AppendPromTimestamp(&s, ms);
  return s;
}

std::string Val(double v) {
  std::string s;
  AppendPromValue(&s, v);
  return s;
}

TEST(PromJsonTest, TimestampsAsPrometheusPrintsThem) {
  EXPECT_EQ(Ts(1435781451781), "1435781451.781");
  EXPECT_EQ(Ts(1500), "1.500");
  EXPECT_EQ(Ts(1005), "1.005");
  EXPECT_EQ(Ts(1000), "1");
  EXPECT_EQ(Ts(0), "0");
  EXPECT_EQ(Ts(-1), "-0.001");
  EXPECT_EQ(Ts(-2500), "-2.500");
}

TEST(PromJsonTest, ValuesShortestFixedNotation) {
  EXPECT_EQ(Val(1), "\"1\"");
  EXPECT_EQ(Val(0.1), "\"0.1\"");
  EXPECT_EQ(Val(-2.5), "\"-2.5\"");
  EXPECT_EQ(Val(1e21), "\"1000000000000000000000\"");
  EXPECT_EQ(Val(1e-7), "\"0.0000001\"");
  EXPECT_EQ(Val(std::nan("")), "\"NaN\"");
  EXPECT_EQ(Val(std::numeric_limits<double>::infinity()), "\"+Inf\"");
  EXPECT_EQ(Val(-std::numeric_limits<double>::infinity()), "\"-Inf\"");
  EXPECT_EQ(Val(1.0 / 3), "\"0.3333333333333333\"");
}

TEST(PromJsonTest, StringsEscapeControlCharacters) {
  std::string s;
  AppendJsonString(std::string("a\"b\\c\n\x01", 7), &s);
  EXPECT_EQ(s, "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(PromJsonTest, VectorAndMatrixShapes) {
  promql::QueryResult r;
  r.type = promql::ValueType::kVector;
  r.vector.push_back({{{"__name__", "up"}, {"job", "x"}}, 1000, 1});
  std::string out;
  AppendQueryData(&out, r);
  EXPECT_EQ(out,
            "{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":"
            "\"up\",\"job\":\"x\"},\"value\":[1,\"1\"]}]}");
  r.type = promql::ValueType::kMatrix;
  r.matrix.push_back({{{"a", "b"}}, {{1000, 1}, {2000, 2}}});
  out.clear();
  AppendQueryData(&out, r);
  EXPECT_EQ(out,
            "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"a\":\"b\"},"
            "\"values\":[[1,\"1\"],[2,\"2\"]]}]}");
  r.type = promql::ValueType::kScalar;
  r.scalar = {1500, 3};
  out.clear();
  AppendQueryData(&out, r);
  EXPECT_EQ(out, "{\"resultType\":\"scalar\",\"result\":[1.500,\"3\"]}");
}

}  // namespace
}  // namespace tend
