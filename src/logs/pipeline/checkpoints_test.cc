#include "logs/pipeline/checkpoints.h"

#include <gtest/gtest.h>

namespace tend::logs {
namespace {

TEST(CheckpointsTest, RoundTripsAnyBytes) {
  SourceCheckpoints in = {{"files", std::string("a:1\n\0b", 6)},
                          {"journal", ""},
                          {"we:ird\nname", "12:34"}};
  std::string enc = EncodeCheckpoints(in);
  Result<SourceCheckpoints> out = DecodeCheckpoints(enc);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, in);
  EXPECT_TRUE(DecodeCheckpoints("")->empty());
  EXPECT_TRUE(DecodeCheckpoints(EncodeCheckpoints({}))->empty());
}

TEST(CheckpointsTest, MalformedInputIsDataLossWithOffset) {
  // Every prefix decodes to the complete entries it holds, or is an error:
  // never to a wrong value.
  SourceCheckpoints full = {{"a", "x"}, {"b", "y"}};
  std::string enc = EncodeCheckpoints(full);
  int errors = 0;
  for (size_t cut = 1; cut < enc.size(); ++cut) {
    Result<SourceCheckpoints> r = DecodeCheckpoints(enc.substr(0, cut));
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << cut;
      ++errors;
      continue;
    }
    for (const auto& [name, cp] : *r) EXPECT_EQ(full.at(name), cp) << cut;
  }
  EXPECT_GT(errors, 10);
  Result<SourceCheckpoints> bad = DecodeCheckpoints("tendcp1\n5:ab");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("byte 8"), std::string::npos);
  EXPECT_FALSE(DecodeCheckpoints("garbage").ok());
  EXPECT_FALSE(DecodeCheckpoints("tendcp1\n1:a1:x\n1:a1:y\n").ok());
  EXPECT_FALSE(DecodeCheckpoints("tendcp1\n99999999999:a").ok());
}

}  // namespace
}  // namespace tend::logs
