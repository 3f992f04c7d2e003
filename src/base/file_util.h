// File helpers that never leave a half-written file behind.
#ifndef TEND_BASE_FILE_UTIL_H_
#define TEND_BASE_FILE_UTIL_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace tend {

// Writes `content` to `path` atomically: a temporary file in the same
// directory is written, fsync'ed and renamed over `path`, then the directory
// is fsync'ed. On failure `path` is untouched and the temporary is removed.
Status WriteFileAtomic(const std::string& path, std::string_view content,
                       int mode = 0644);

// fsyncs the directory `dir`, so that entries created, renamed or removed in
// it are durable.
Status SyncDir(const std::string& dir);

// Reads the whole of `path` into *out, refusing a file larger than
// `limit` bytes without reading past limit + 1 (kInvalidArgument: "PATH:
// the file is larger than 1 MiB, the limit for WHAT"), or a directory.
Status ReadFileLimited(const std::string& path, size_t limit,
                       std::string_view what, std::string* out);

// Creates `dir` and its missing parents with `mode`. OK if it exists.
Status MakeDirs(const std::string& dir, int mode = 0750);

}  // namespace tend

#endif  // TEND_BASE_FILE_UTIL_H_
