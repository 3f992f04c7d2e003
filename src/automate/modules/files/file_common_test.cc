#include "automate/modules/files/file_common.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::automate::filemod {
namespace {

using ::testing::HasSubstr;

uint32_t Mode(const Value& v, uint32_t cur, bool dir = false) {
  Result<uint32_t> r = ParseMode(v, cur, dir, 022);
  EXPECT_TRUE(r.ok()) << v.dump() << ": " << r.status().ToString();
  return r.ok() ? *r : 0xffffffff;
}

TEST(ParseModeTest, OctalAndIntegers) {
  EXPECT_EQ(Mode("0644", 0), 0644u);
  EXPECT_EQ(Mode("644", 0), 0644u);
  EXPECT_EQ(Mode("0o750", 0), 0750u);
  EXPECT_EQ(Mode("01777", 0), 01777u);
  // YAML 0644 arrives as the integer 420: the mode's value.
  EXPECT_EQ(Mode(420, 0), 0644u);
  // An unquoted 644 is decimal 644 = 0o1204, as in Ansible.
  EXPECT_EQ(Mode(644, 0), 01204u);
}

// Expected values computed with ansible-core 2.14's
// AnsibleModule._symbolic_mode_to_octal (umask 022) on this machine.
TEST(ParseModeTest, SymbolicMatchesAnsible) {
  struct Case {
    uint32_t cur;
    bool dir;
    const char* sym;
    uint32_t want;
  } cases[] = {
      {0777, false, "u=rw,g=r,o=", 0640},  {0664, false, "u+x,g-w", 0744},
      {0600, false, "a+rX", 0644},         {0700, true, "a+rX", 0755},
      {0700, false, "a+rX", 0755},         {0644, false, "+x", 0755},
      {0, false, "u=rwx,g=rx,o=rx", 0755}, {0755, false, "u+s,g+s,o+t", 07755},
      {0750, false, "g=u", 0770},          {0640, false, "o=g,u-w", 0444},
      {0644, false, "u=rw-x+X", 0644},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Mode(c.sym, c.cur, c.dir), c.want) << c.sym;
  }
}

TEST(ParseModeTest, BadModesAreErrors) {
  for (const Value& bad :
       {Value("u=rz"), Value("x=r"), Value("rw"), Value("0999"), Value(1.5),
        Value(070000), Value(-1)}) {
    Result<uint32_t> r = ParseMode(bad, 0644, false, 022);
    EXPECT_FALSE(r.ok()) << bad.dump();
  }
  EXPECT_THAT(ParseMode("u=rz", 0, false, 022).status().message(),
              HasSubstr("mode must be in octal or symbolic form"));
}

TEST(ModeStringTest, PythonFormat) {
  EXPECT_EQ(ModeString(0644), "0644");
  EXPECT_EQ(ModeString(04755), "04755");
  EXPECT_EQ(ModeString(0), "0000");
}

TEST(DigestTest, KnownValues) {
  // From ansible's copy result for content "hello".
  EXPECT_EQ(Sha1Hex("hello"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
  EXPECT_EQ(Md5Hex("hello"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(*DigestHex("sha256", ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_FALSE(DigestHex("crc", "x").has_value());
}

TEST(PathTest, Parts) {
  EXPECT_EQ(Dirname("/a/b"), "/a");
  EXPECT_EQ(Dirname("/a"), "/");
  EXPECT_EQ(Dirname("a"), "");
  EXPECT_EQ(Basename("/a/b"), "b");
  EXPECT_EQ(JoinPath("/a/", "b"), "/a/b");
  EXPECT_EQ(JoinPath("/a", "/b"), "/b");
}

TEST(SplitCommandTest, Quotes) {
  Result<std::vector<std::string>> r =
      SplitCommand("visudo -cf '/tmp/a b' \"x\\\"y\" c\\ d");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"visudo", "-cf", "/tmp/a b", "x\"y",
                                          "c d"}));
  EXPECT_FALSE(SplitCommand("a 'b").ok());
}

TEST(StateDiffTest, SortedJsonLikeAnsible) {
  Value before = {{"path", "/x"}, {"mode", "0644"}};
  Value after = {{"path", "/x"}, {"mode", "0600"}};
  std::optional<FileDiff> d = StateDiff(before, after);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->is_state);
  EXPECT_EQ(d->before, "{\n    \"mode\": \"0644\",\n    \"path\": \"/x\"\n}\n");
  EXPECT_FALSE(StateDiff(before, before).has_value());
}

}  // namespace
}  // namespace tend::automate::filemod
