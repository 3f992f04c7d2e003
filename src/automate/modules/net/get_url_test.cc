#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>

#include "automate/modules/files/file_common.h"
#include "automate/modules/net/net_test_util.h"

namespace tend::automate::testing {
namespace {

class GetUrlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = http_.server();
    s.Get("/file.txt", [this](const httplib::Request&, httplib::Response& r) {
      ++hits_;
      r.set_content(body_, "text/plain");
    });
    s.Get("/redirect", [](const httplib::Request&, httplib::Response& r) {
      r.set_redirect("/file.txt");
    });
    s.Get("/download", [this](const httplib::Request&, httplib::Response& r) {
      r.set_header("Content-Disposition", "attachment; filename=\"named.bin\"");
      r.set_content(body_, "application/octet-stream");
    });
    s.Get("/secret", [this](const httplib::Request& q, httplib::Response& r) {
      // "user:pw" in Basic.
      if (q.get_header_value("Authorization") != "Basic dXNlcjpwdw==") {
        r.status = 401;
        r.set_header("WWW-Authenticate", "Basic realm=\"t\"");
        return;
      }
      r.set_content(body_, "text/plain");
    });
    http_.Start();
  }

  Value Args(const std::string& path, const std::string& dest) {
    return Value{{"url", http_.Url(path)}, {"dest", dest}};
  }

  const Module& m_ = NetModule("get_url");
  ModuleHarness h_;
  TempDir dir_;
  TestHttpServer http_;
  std::string body_ = "hello from the server\n";
  std::atomic<int> hits_{0};
};

std::string ModeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_mode & 07777);
}

TEST_F(GetUrlTest, DownloadsOnceThenConverges) {
  std::string dest = dir_ / "out.txt";
  Value args = Args("/file.txt", dest);
  args["mode"] = "0640";
  ExpectConverges(h_, m_, args,
                  [&] { return ReadText(dest) + "|" + ModeOf(dest); });
  EXPECT_EQ(ReadText(dest), body_);
  EXPECT_EQ(ModeOf(dest), std::to_string(0640));
}

TEST_F(GetUrlTest, ReturnsAnsiblesFields) {
  std::string dest = dir_ / "out.txt";
  auto r = h_.Run(m_, Args("/file.txt", dest));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(r->data["dest"], dest);
  EXPECT_EQ(r->data["status_code"], 200);
  EXPECT_EQ(r->data["checksum_src"], filemod::Sha1Hex(body_));
  EXPECT_EQ(r->data["md5sum"], filemod::Md5Hex(body_));
  EXPECT_TRUE(r->data["checksum_dest"].is_null());
  EXPECT_EQ(r->msg, "OK (" + std::to_string(body_.size()) + " bytes)");
}

TEST_F(GetUrlTest, ReplacesChangedContent) {
  std::string dest = dir_ / "out.txt";
  WriteText(dest, "old\n");
  Value args = Args("/file.txt", dest);
  args["force"] = true;
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(ReadText(dest), body_);
  EXPECT_EQ(r->data["checksum_dest"], filemod::Sha1Hex("old\n"));
}

TEST_F(GetUrlTest, MatchingChecksumSkipsTheDownload) {
  std::string dest = dir_ / "out.txt";
  Value args = Args("/file.txt", dest);
  args["checksum"] = "sha256:" + *filemod::DigestHex("sha256", body_);
  auto first = h_.Run(m_, args);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->changed) << first->msg;
  int before = hits_.load();
  auto second = h_.Run(m_, args);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->changed);
  EXPECT_EQ(second->msg, "file already exists");
  EXPECT_EQ(hits_.load(), before) << "a matching dest was fetched again";
}

TEST_F(GetUrlTest, WrongChecksumNeverReplacesDest) {
  std::string dest = dir_ / "out.txt";
  WriteText(dest, "keep me\n");
  Value args = Args("/file.txt", dest);
  args["checksum"] = "sha1:" + filemod::Sha1Hex("something else");
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("did not match"), std::string::npos) << r->msg;
  EXPECT_EQ(ReadText(dest), "keep me\n");
}

TEST_F(GetUrlTest, BadChecksumParameter) {
  Value args = Args("/file.txt", dir_ / "x");
  args["checksum"] = "nocolon";
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(
      r->msg,
      "The checksum parameter has to be in format <algorithm>:<checksum>");
  args["checksum"] = "sha256:zz-not-hex";
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->msg, "The checksum format is invalid");
}

TEST_F(GetUrlTest, MissingUrlIsAValidationError) {
  auto r = h_.Run(m_, Value{{"dest", dir_ / "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("url"), std::string::npos);
  r = h_.Run(m_, Value{{"url", "http://x"}, {"dest", "/x"}, {"destt", 1}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("destt"), std::string::npos);
}

TEST_F(GetUrlTest, DirectoryDestUsesDispositionThenUrlName) {
  auto r = h_.Run(m_, Args("/download", dir_.path()));
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(r->data["dest"], dir_ / "named.bin");
  EXPECT_EQ(ReadText(dir_ / "named.bin"), body_);
  r = h_.Run(m_, Args("/redirect", dir_.path()));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data["dest"], dir_ / "file.txt") << "named after the final URL";
  EXPECT_EQ(ReadText(dir_ / "file.txt"), body_);
}

TEST_F(GetUrlTest, BasicAuthAndHttpErrors) {
  std::string dest = dir_ / "s";
  auto r = h_.Run(m_, Args("/secret", dest));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->msg, "Request failed");
  EXPECT_EQ(r->data["status_code"], 401);
  Value args = Args("/secret", dest);
  args["url_username"] = "user";
  args["url_password"] = "pw";
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(ReadText(dest), body_);
  r = h_.Run(m_, Args("/nope", dir_ / "n"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->data["status_code"], 404);
  EXPECT_EQ(ReadText(dir_ / "n"), "");
}

TEST_F(GetUrlTest, MissingDestinationDirectory) {
  auto r = h_.Run(m_, Args("/file.txt", dir_ / "no/such/f"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->msg, "Destination " + (dir_ / "no/such") + " does not exist");
}

TEST_F(GetUrlTest, UnreachableServerIsAFailureNotACrash) {
  auto r = h_.Run(m_, Value{{"url", "http://127.0.0.1:1/x"},
                            {"dest", dir_ / "x"},
                            {"timeout", 2}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("127.0.0.1:1"), std::string::npos) << r->msg;
}

TEST_F(GetUrlTest, RemoteConnectionDownloadsOnControllerAndUploads) {
  std::string dest = dir_ / "remote.txt";
  auto check = RunRemote(m_, Args("/file.txt", dest), true);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->changed);
  EXPECT_EQ(ReadText(dest), "");
  auto r = RunRemote(m_, Args("/file.txt", dest));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(ReadText(dest), body_);
  r = RunRemote(m_, Args("/file.txt", dest));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
}

}  // namespace
}  // namespace tend::automate::testing
