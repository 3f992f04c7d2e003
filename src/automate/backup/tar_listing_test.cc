#include "automate/backup/tar_listing.h"

#include <gtest/gtest.h>

namespace tend::automate::backup {
namespace {

TEST(TarListingTest, ParsesEveryKindOfEntry) {
  // As GNU tar 1.34 prints with -tvv --quoting-style=c --numeric-owner
  // --full-time under TZ=UTC (create listings add nanoseconds).
  const char* text =
      "drwxr-sr-x 0/0               0 2024-05-01 12:00:00 \"srv/app/\"\n"
      "-rw-r--r-- 1000/100          8 2024-05-01 12:00:01.5 \"srv/app/n\\nl\"\n"
      "-rwsr-x--T 0/0               3 2024-05-01 12:00:02 \"srv/app/a b\"\n"
      "lrwxrwxrwx 0/0               0 2024-05-01 12:00:03 \"srv/app/link\" "
      "-> \"a -> b\"\n"
      "hrw-r--r-- 0/0               0 2024-05-01 12:00:04 \"srv/app/h2\" "
      "link to \"srv/app/n\\nl\"\n"
      "crw-rw-rw- 0/0             1,3 2024-05-01 12:00:05 \"srv/dev/null\"\n"
      "-rw------- 0/0               1 2024-05-01 12:00:06 "
      "\"srv/q\\\"uo\\\\te\\303\\251\"\n";
  auto r = ParseTarListing(text);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 7u);
  const auto& e = *r;
  EXPECT_EQ(e[0].type, 'd');
  EXPECT_EQ(e[0].mode, 02755u);
  EXPECT_EQ(e[0].path, "srv/app");
  EXPECT_EQ(e[0].mtime, 1714564800);
  EXPECT_EQ(e[1].path, "srv/app/n\nl");
  EXPECT_EQ(e[1].uid, 1000u);
  EXPECT_EQ(e[1].gid, 100u);
  EXPECT_EQ(e[1].size, 8u);
  EXPECT_EQ(e[1].mtime, 1714564801);
  EXPECT_EQ(e[2].mode, 04750u | 01000u);
  EXPECT_EQ(e[2].path, "srv/app/a b");
  EXPECT_EQ(e[3].type, 'l');
  EXPECT_EQ(e[3].link, "a -> b");
  EXPECT_EQ(e[4].type, 'h');
  EXPECT_EQ(e[4].link, "srv/app/n\nl");
  EXPECT_EQ(e[5].type, 'c');
  EXPECT_EQ(e[6].path, "srv/q\"uo\\te\xc3\xa9");
  EXPECT_EQ(EntryToValue(e[2])["mode"], "5750");
  EXPECT_EQ(EntryToValue(e[3])["type"], "symlink");
}

TEST(TarListingTest, BadLinesSayWhich) {
  auto r = ParseTarListing(
      "-rw-r--r-- 0/0 1 2024-05-01 12:00:00 \"ok\"\ntar: something odd\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(
      ParseTarListing("-rw-r--r-- 0/0 1 2024-05-01 12:00:00 \"open\n").ok());
  EXPECT_FALSE(ParseTarListing("-rw-r--r-- root/root 1 2024-05-01 12:00:00 "
                               "\"named owner\"\n")
                   .ok());
}

TEST(TarListingTest, UnquoteC) {
  EXPECT_EQ(UnquoteC("a\\tb\\\\c\\\"d\\101\\0"),
            std::string("a\tb\\c\"dA\0", 9));
  EXPECT_EQ(UnquoteC("trailing\\"), "trailing\\");
}

}  // namespace
}  // namespace tend::automate::backup
