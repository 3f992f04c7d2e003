#include "store_faults_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "harness.h"
#include "http/client.h"
#include "model/point.h"
#include "tsdb/head_records.h"
#include "tsdb/wal.h"

namespace tend::testing {
namespace {

std::string FormEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<nlohmann::json> QueryJson(const std::string& addr,
                                 const std::string& expr) {
  ASSIGN_OR_RETURN(std::string body, Query(addr, expr));
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return DataLossError("not JSON: " + body);
  return j;
}

// "a=1,b=2," from the API's metric object (its keys iterate sorted).
std::string KeyOfMetric(const nlohmann::json& metric) {
  std::string k;
  for (const auto& [name, value] : metric.items()) {
    k += name + "=" + value.get<std::string>() + ",";
  }
  return k;
}

}  // namespace

std::string Tend() {
  const char* b = std::getenv("TEND_BUILD_DIR");
  if (b != nullptr && *b != '\0') return std::string(b) + "/tend";
  // <build>/tests/integration/<this test> -> <build>/tend
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return TendBinary();
  std::string path(exe, static_cast<size_t>(n));
  for (int up = 0; up < 3; ++up) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return TendBinary();
    path.resize(slash);
  }
  return path + "/tend";
}

std::string SeriesKey(const Labels& labels) {
  std::string k;
  for (const Label& l : labels) k += l.name + "=" + l.value + ",";
  return k;
}

void Merge(const SampleSet& from, SampleSet* into) {
  for (const auto& [series, points] : from) {
    auto& dst = (*into)[series];
    for (const auto& [t, v] : points) dst[t] = v;
  }
}

size_t CountSamples(const SampleSet& s) {
  size_t n = 0;
  for (const auto& [series, points] : s) n += points.size();
  return n;
}

std::vector<std::string> Missing(const SampleSet& want, const SampleSet& have,
                                 size_t limit, size_t* missing) {
  std::vector<std::string> out;
  *missing = 0;
  for (const auto& [series, points] : want) {
    auto hs = have.find(series);
    for (const auto& [t, v] : points) {
      std::string problem;
      if (hs == have.end()) {
        problem = "series missing";
      } else if (auto hp = hs->second.find(t); hp == hs->second.end()) {
        problem = "sample missing";
      } else if (!(hp->second == v ||
                   (std::isnan(hp->second) && std::isnan(v)))) {
        problem = "value " + std::to_string(hp->second);
      }
      if (problem.empty()) continue;
      ++*missing;
      if (out.size() < limit) {
        out.push_back("{" + series + "} @" + std::to_string(t) + " = " +
                      std::to_string(v) + ": " + problem);
      }
    }
  }
  return out;
}

Result<std::string> Query(const std::string& addr, const std::string& expr,
                          double time_s) {
  HttpClientRequest req;
  req.method = "POST";
  req.address = addr;
  req.path = "/api/v1/query";
  req.body = "query=" + FormEncode(expr);
  if (time_s > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", time_s);
    req.body += std::string("&time=") + buf;
  }
  req.timeout_ms = 30000;
  ASSIGN_OR_RETURN(HttpClientResponse res, HttpFetch(req));
  if (res.status != 200) {
    return UnavailableError("query " + expr + ": HTTP " +
                            std::to_string(res.status) + ": " + res.body);
  }
  return res.body;
}

Result<SampleSet> QueryMatrix(const std::string& addr,
                              const std::string& expr) {
  ASSIGN_OR_RETURN(nlohmann::json j, QueryJson(addr, expr));
  if (j.value("status", "") != "success" ||
      j["data"].value("resultType", "") != "matrix") {
    return DataLossError("query " + expr + ": not a matrix: " + j.dump());
  }
  SampleSet out;
  for (const auto& series : j["data"]["result"]) {
    auto& points = out[KeyOfMetric(series["metric"])];
    for (const auto& p : series["values"]) {
      const int64_t t = std::llround(p[0].get<double>() * 1000);
      points[t] = std::strtod(p[1].get<std::string>().c_str(), nullptr);
    }
  }
  return out;
}

Result<double> MetricValue(const std::string& text, const std::string& name) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string_view line(text.data() + pos, eol - pos);
    if (line.size() > name.size() + 1 && line.starts_with(name) &&
        line[name.size()] == ' ') {
      return std::strtod(std::string(line.substr(name.size() + 1)).c_str(),
                         nullptr);
    }
    pos = eol + 1;
  }
  return NotFoundError(name + " not in /metrics");
}

Result<SampleSet> SamplesInWal(const std::string& wal_dir, int* damage_segment,
                               uint64_t* damage_offset) {
  ASSIGN_OR_RETURN(auto reader, WalReader::Open(wal_dir));
  std::unordered_map<SeriesRef, std::string> keys;
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  SampleSet out;
  while (reader->Next()) {
    ASSIGN_OR_RETURN(HeadRecordType type, DecodeRecordType(reader->record()));
    if (type == HeadRecordType::kSeries) {
      RETURN_IF_ERROR(DecodeSeriesRecord(reader->record(), &series));
      for (const RefSeries& s : series) keys[s.ref] = SeriesKey(s.labels);
    } else if (type == HeadRecordType::kSamples) {
      RETURN_IF_ERROR(DecodeSamplesRecord(reader->record(), &samples));
      for (const RefSample& s : samples) {
        auto k = keys.find(s.ref);
        if (k == keys.end()) {
          return DataLossError("sample of unknown series ref " +
                               std::to_string(s.ref));
        }
        if (!IsStaleNaN(s.v)) out[k->second][s.t] = s.v;
      }
    } else {
      return FailedPreconditionError(
          "chunk records (checkpoints) are not expected in this WAL");
    }
  }
  RETURN_IF_ERROR(reader->status());
  *damage_segment = -1;
  *damage_offset = 0;
  if (const WalCorruption* c = reader->corruption()) {
    *damage_segment = c->segment;
    *damage_offset = c->offset;
  }
  return out;
}

SubprocessResult Exec(std::vector<std::string> argv) {
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.timeout_ms = 60000;
  o.max_output_bytes = 4 << 20;
  Result<SubprocessResult> r = RunSubprocess(o);
  if (r.ok()) return *r;
  SubprocessResult failed;
  failed.stderr_data = r.status().ToString();
  return failed;
}

bool WriteWholeFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
  f.close();
  return f.good();
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

std::string Which(const std::string& name) {
  const char* env = std::getenv("PATH");
  std::string path = std::string(env != nullptr ? env : "") + ":/usr/bin:/bin";
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find(':', pos);
    if (end == std::string::npos) end = path.size();
    if (end > pos) {
      const std::string candidate = path.substr(pos, end - pos) + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    pos = end + 1;
  }
  return "";
}

size_t CountLines(const std::string& text, const std::string& needle) {
  size_t n = 0, pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    if (std::string_view(text.data() + pos, eol - pos).find(needle) !=
        std::string_view::npos) {
      ++n;
    }
    pos = eol + 1;
  }
  return n;
}

}  // namespace tend::testing
