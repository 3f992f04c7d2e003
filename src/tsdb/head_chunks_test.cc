#include "tsdb/head_chunks.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tsdb/xor_chunk.h"

namespace tend {
namespace {

namespace fs = std::filesystem;

class HeadChunksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-headchunks-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::vector<uint8_t> Chunk(int64_t t0, int n) {
    XorChunk c;
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(c.Append(t0 + i * 1000, 1.5 * i).ok());
    }
    return {c.bytes().begin(), c.bytes().end()};
  }

  size_t CountFiles() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_ + "/c")) {
      (void)e;
      ++n;
    }
    return n;
  }

  std::string dir_;
};

TEST_F(HeadChunksTest, FileRefsReadBackExactly) {
  auto store = HeadChunkStore::Open(dir_ + "/c", 4096);
  ASSERT_TRUE(store.ok()) << store.status().message();
  std::vector<std::vector<uint8_t>> chunks;
  std::vector<ChunkRef> refs;
  // Enough chunks to fill several 4 KiB files.
  for (int i = 0; i < 100; ++i) {
    chunks.push_back(Chunk(i * 100'000, 1 + i % 40));
    refs.push_back((*store)->Put(chunks.back(), i * 100'000,
                                 i * 100'000 + (i % 40) * 1000));
    EXPECT_FALSE(HeadChunkStore::OnHeap(refs.back())) << i;
  }
  for (size_t i = 0; i < refs.size(); ++i) {
    const ChunkView v = HeadChunkStore::Get(store->get(), refs[i]);
    EXPECT_EQ(std::vector<uint8_t>(v.bytes.begin(), v.bytes.end()), chunks[i]);
    EXPECT_EQ(v.mint, static_cast<int64_t>(i) * 100'000);
    EXPECT_EQ(v.maxt, static_cast<int64_t>(i) * 100'000 +
                          static_cast<int64_t>(i % 40) * 1000);
    EXPECT_EQ(HeadChunkStore::HeapRequestBytes(refs[i]), 0u);
  }
  const HeadChunkStats st = (*store)->stats();
  EXPECT_GT(st.files, 1u);
  EXPECT_EQ(st.files, CountFiles());
  EXPECT_EQ(st.write_errors, 0u);
}

TEST_F(HeadChunksTest, TruncateRemovesOnlyFilesEndingBefore) {
  auto store = HeadChunkStore::Open(dir_ + "/c", 4096);
  ASSERT_TRUE(store.ok());
  std::vector<ChunkRef> refs;
  for (int i = 0; i < 60; ++i) {
    refs.push_back((*store)->Put(Chunk(i * 200'000, 120), i * 200'000,
                                 i * 200'000 + 119'000));
  }
  const size_t before = (*store)->stats().files;
  ASSERT_GT(before, 2u);
  // Chunks from index 30 on end at or after 6'119'000.
  (*store)->TruncateBefore(6'119'000);
  const size_t after = (*store)->stats().files;
  EXPECT_LT(after, before);
  EXPECT_EQ(after, CountFiles());
  // Every chunk still needed reads back.
  for (int i = 30; i < 60; ++i) {
    const ChunkView v = HeadChunkStore::Get(store->get(), refs[i]);
    EXPECT_EQ(v.mint, i * 200'000);
    XorIterator it(v.bytes);
    int n = 0;
    while (it.Next()) ++n;
    EXPECT_TRUE(it.status().ok());
    EXPECT_EQ(n, 120);
  }
  // Truncating past everything removes every file, and writing resumes.
  (*store)->TruncateBefore(1'000'000'000);
  EXPECT_EQ((*store)->stats().files, 0u);
  EXPECT_EQ(CountFiles(), 0u);
  ChunkRef r = (*store)->Put(Chunk(5, 3), 5, 2005);
  EXPECT_FALSE(HeadChunkStore::OnHeap(r));
  EXPECT_EQ(HeadChunkStore::Get(store->get(), r).maxt, 2005);
}

TEST_F(HeadChunksTest, OpenDeletesStaleChunkFilesOnly) {
  fs::create_directories(dir_ + "/c");
  std::ofstream(dir_ + "/c/00000007") << "stale";
  std::ofstream(dir_ + "/c/notes.txt") << "keep";
  auto store = HeadChunkStore::Open(dir_ + "/c", 4096);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(fs::exists(dir_ + "/c/00000007"));
  EXPECT_TRUE(fs::exists(dir_ + "/c/notes.txt"));
}

TEST_F(HeadChunksTest, NoDirKeepsChunksOnHeap) {
  auto store = HeadChunkStore::Open("", 4096);
  ASSERT_TRUE(store.ok());
  const std::vector<uint8_t> c = Chunk(0, 10);
  ChunkRef r = (*store)->Put(c, 0, 9000);
  ASSERT_TRUE(HeadChunkStore::OnHeap(r));
  EXPECT_EQ(HeadChunkStore::HeapRequestBytes(r), 20 + c.size());
  const ChunkView v = HeadChunkStore::Get(store->get(), r);
  EXPECT_EQ(std::vector<uint8_t>(v.bytes.begin(), v.bytes.end()), c);
  EXPECT_EQ(v.maxt, 9000);
  HeadChunkStore::Release(r);
}

// A chunk that cannot be written (here: the directory is gone, so no new
// file can be created) goes to the heap; nothing is lost, the error is
// counted, and writing to disk resumes when it can.
TEST_F(HeadChunksTest, WriteFailureFallsBackToHeap) {
  auto store = HeadChunkStore::Open(dir_ + "/c", 4096);
  ASSERT_TRUE(store.ok());
  ChunkRef first = (*store)->Put(Chunk(0, 10), 0, 9000);
  ASSERT_FALSE(HeadChunkStore::OnHeap(first));
  (*store)->TruncateBefore(10'000);  // Drops the only file.
  fs::remove_all(dir_ + "/c");
  const std::vector<uint8_t> c = Chunk(20'000, 10);
  ChunkRef r = (*store)->Put(c, 20'000, 29'000);
  ASSERT_TRUE(HeadChunkStore::OnHeap(r));
  const ChunkView v = HeadChunkStore::Get(store->get(), r);
  EXPECT_EQ(std::vector<uint8_t>(v.bytes.begin(), v.bytes.end()), c);
  EXPECT_EQ((*store)->stats().write_errors, 1u);
  HeadChunkStore::Release(r);
  fs::create_directories(dir_ + "/c");
  ChunkRef back = (*store)->Put(Chunk(40'000, 10), 40'000, 49'000);
  EXPECT_FALSE(HeadChunkStore::OnHeap(back));
  EXPECT_EQ(HeadChunkStore::Get(store->get(), back).mint, 40'000);
}

TEST_F(HeadChunksTest, RejectsBadFileSize) {
  EXPECT_FALSE(HeadChunkStore::Open(dir_ + "/c", 100).ok());
}

}  // namespace
}  // namespace tend
