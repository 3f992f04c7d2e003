// The log pipeline's checkpoint: every source's own checkpoint string
// (LogSource::Checkpoint) in one string, stored by the log store with each
// commit (LogStore::Commit) so that lines and read positions become durable
// together.
//
// Encoding (version 1), chosen to be unambiguous for any bytes a source
// writes:
//   "tendcp1\n" then per source: <name length> ":" <name> <checkpoint
//   length> ":" <checkpoint> "\n", lengths in decimal.
#ifndef TEND_LOGS_PIPELINE_CHECKPOINTS_H_
#define TEND_LOGS_PIPELINE_CHECKPOINTS_H_

#include <map>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tend::logs {

using SourceCheckpoints = std::map<std::string, std::string, std::less<>>;

std::string EncodeCheckpoints(const SourceCheckpoints& checkpoints);

// "" decodes to no checkpoints. Anything malformed is kDataLoss naming the
// byte offset.
Result<SourceCheckpoints> DecodeCheckpoints(std::string_view encoded);

}  // namespace tend::logs

#endif  // TEND_LOGS_PIPELINE_CHECKPOINTS_H_
