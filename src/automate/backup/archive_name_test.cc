#include "automate/backup/archive_name.h"

#include <gtest/gtest.h>

namespace tend::automate::backup {
namespace {

// 2024-05-01T12:34:56Z
constexpr int64_t kT = 1714566896;

TEST(ArchiveNameTest, FormatsUtcStampAndNames) {
  EXPECT_EQ(FormatStamp(kT), "20240501T123456Z");
  EXPECT_EQ(ArchiveFileName("www", kT), "www-20240501T123456Z.tar.zst");
  EXPECT_EQ(ManifestFileName("www", kT), "www-20240501T123456Z.json");
  EXPECT_EQ(ManifestFor("www-20240501T123456Z.tar.zst"),
            "www-20240501T123456Z.json");
}

TEST(ArchiveNameTest, ParsesOnlyArchivesOfTheSet) {
  EXPECT_EQ(ParseArchiveFileName("www-20240501T123456Z.tar.zst", "www"), kT);
  // Another set whose name starts with this one's.
  EXPECT_EQ(ParseArchiveFileName("www-db-20240501T123456Z.tar.zst", "www"),
            std::nullopt);
  EXPECT_EQ(ParseArchiveFileName("www-db-20240501T123456Z.tar.zst", "www-db"),
            kT);
  // Temporary files, manifests, and impossible dates are not archives.
  EXPECT_EQ(
      ParseArchiveFileName(".www-20240501T123456Z.tar.zst.tend-abc", "www"),
      std::nullopt);
  EXPECT_EQ(ParseArchiveFileName("www-20240501T123456Z.json", "www"),
            std::nullopt);
  EXPECT_EQ(ParseArchiveFileName("www-20240230T123456Z.tar.zst", "www"),
            std::nullopt);
  EXPECT_EQ(ParseArchiveFileName("www-2024050xT123456Z.tar.zst", "www"),
            std::nullopt);
}

TEST(ArchiveNameTest, TimestampForms) {
  for (const char* s : {"20240501T123456Z", "2024-05-01T12:34:56Z",
                        "2024-05-01 12:34:56", "1714566896"}) {
    auto t = ParseTimestamp(s);
    ASSERT_TRUE(t.ok()) << s << ": " << t.status().ToString();
    EXPECT_EQ(*t, kT) << s;
  }
  auto bad = ParseTimestamp("yesterday");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'yesterday'"), std::string::npos);
  EXPECT_NE(bad.status().message().find("20240501T120000Z"), std::string::npos);
  EXPECT_FALSE(ParseTimestamp("2024-13-01T00:00:00Z").ok());
}

TEST(ArchiveNameTest, SetNames) {
  EXPECT_TRUE(ValidateSetName("etc").ok());
  EXPECT_TRUE(ValidateSetName("db_2.main").ok());
  EXPECT_FALSE(ValidateSetName("").ok());
  EXPECT_FALSE(ValidateSetName("a/b").ok());
  EXPECT_FALSE(ValidateSetName(".hidden").ok());
  EXPECT_FALSE(ValidateSetName("-rf").ok());
}

}  // namespace
}  // namespace tend::automate::backup
