#include "logs/sources/file_checkpoint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <span>

#include "base/crc32c.h"

namespace tend::logs {
namespace {

FileCheckpoint Sample() {
  FileCheckpoint cp;
  cp.scan_unix_ns = 1764115200123456789;
  cp.files = {
      {{2049, 131077}, {1024, 0x0123456789abcdefULL}, 98765, "/var/log/syslog"},
      {{2049, 7}, {17, 0xffffffffffffffffULL}, 0, "/var/log/my app %1.log"},
      {{1, 2}, {0, 0}, 18446744073709551615ULL, "/tmp/new\nline\x7f\xc3\xa9"},
      {{2049, 131070},
       {1024, 0xfedcba9876543210ULL},
       1048576,
       "/var/log/syslog.1",
       /*retired=*/true},
  };
  cp.done = {{2049, 99}};
  return cp;
}

TEST(FileCheckpointTest, RoundTripsPathsWithSpacesAndControlBytes) {
  std::string text = EncodeFileCheckpoint(Sample());
  EXPECT_TRUE(text.starts_with("tend-files 1\n"));
  // One line per file plus header and checksum: nothing in a path breaks
  // a line.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 8);
  EXPECT_NE(text.find("\nr 2049 131070 1024 fedcba9876543210 1048576 "
                      "/var/log/syslog.1\n"),
            std::string::npos);
  auto decoded = DecodeFileCheckpoint(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, Sample());
}

TEST(FileCheckpointTest, EmptyListRoundTrips) {
  auto decoded = DecodeFileCheckpoint(EncodeFileCheckpoint({}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, FileCheckpoint{});
}

TEST(FileCheckpointTest, EveryFlippedByteIsDetected) {
  const std::string text = EncodeFileCheckpoint(Sample());
  for (size_t i = 0; i < text.size(); ++i) {
    std::string bad = text;
    bad[i] ^= 0x01;
    auto decoded = DecodeFileCheckpoint(bad);
    EXPECT_FALSE(decoded.ok()) << "byte " << i;
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
    }
  }
}

TEST(FileCheckpointTest, TruncationIsDetected) {
  const std::string text = EncodeFileCheckpoint(Sample());
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(DecodeFileCheckpoint(text.substr(0, n)).ok()) << n;
  }
}

TEST(FileCheckpointTest, ErrorsSayWhatAndWhere) {
  auto other = DecodeFileCheckpoint("{\"offset\": 3}\n");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not a file source checkpoint"),
            std::string::npos);
  auto version = DecodeFileCheckpoint("tend-files 2\ncrc32c 00000000\n");
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.status().message().find("unsupported version"),
            std::string::npos);
  std::string text = EncodeFileCheckpoint(Sample());
  text.replace(text.find("98765"), 5, "98x65");
  auto bad = DecodeFileCheckpoint(text);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("checksum mismatch"), std::string::npos)
      << bad.status().message();
}

TEST(FileCheckpointTest, AFieldErrorNamesItsLine) {
  // A correctly checksummed document with a bad offset on line 4.
  std::string text = EncodeFileCheckpoint(Sample());
  std::string body = text.substr(0, text.rfind("crc32c "));
  body.replace(body.find(" 0 /var/log/my"), 3, " -1 ");
  uint32_t crc = Crc32c(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(body.data()), body.size()));
  char hex[16];
  std::snprintf(hex, sizeof(hex), "%08x\n", crc);
  auto decoded = DecodeFileCheckpoint(body + "crc32c " + hex);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(decoded.status().message().find("line 4: bad offset"),
            std::string::npos)
      << decoded.status().message();
}

}  // namespace
}  // namespace tend::logs
