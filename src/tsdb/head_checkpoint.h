// Checkpoint directories of the head's WAL (docs/formats/wal-records.md):
// naming and listing. Head::Checkpoint writes them; replay reads the newest.
#ifndef TEND_TSDB_HEAD_CHECKPOINT_H_
#define TEND_TSDB_HEAD_CHECKPOINT_H_

#include <string>
#include <vector>

#include "base/status.h"

namespace tend {

struct CheckpointList {
  std::vector<int> numbers;            // Complete checkpoints, ascending.
  std::vector<std::string> stale_tmp;  // Paths of unfinished *.tmp dirs.
};

// <wal_dir>/checkpoint.NNNNNNNN
std::string CheckpointPath(const std::string& wal_dir, int n);

// Scans wal_dir for checkpoint.N directories (names that do not parse are
// ignored). I/O errors only.
Result<CheckpointList> ListCheckpoints(const std::string& wal_dir);

}  // namespace tend

#endif  // TEND_TSDB_HEAD_CHECKPOINT_H_
